"""Build and incrementally update the vector indexes from the SQL catalog.

The catalog is the truth; the index is derived from it. Every record carries a fingerprint,
sha256(model_id + text) for text and, for images, sha256(model_id + uri + the sha256 of the photo file's bytes)
for a local photo (sha256(model_id + uri) for an http(s) URL, which is keyed by its address), so one pass that
compares the catalog's fingerprints with the index's finds exactly what is new, changed or deleted, including a
photo replaced in place under the same path. A sync hashes a local photo only when its size or mtime differs
from the ones recorded with its vector (`photo_stat`, `photo_sha256`); `verify()` hashes every local photo. Writes go in
batches, each one Chroma upsert carrying vectors and fingerprints together: a run killed midway leaves
every record either old or new, and the next run (or `--verify`) finishes the job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, select

from catalog.db import CatalogDB
from catalog.models import Product, ProductImage
from retrieval.interfaces import Embedder, ImageEmbedder
from retrieval.vector_index import (
    COLOR_COLLECTION,
    IMAGE_COLLECTION,
    TEXT_COLLECTION,
    ChromaVectorIndex,
)

# e5 reads at most 512 tokens and its cost grows with length (Magento texts cut at 1000 characters embedded at
# ~1.3 products/s on our loaded 2-core box). The name, brand, categories, attributes and options come first
# in `search_text`, the long description last, so a cut keeps what identifies a product.
MAX_TEXT_CHARS = 600
BATCH = 256


def product_text(name: str, search_text: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text that represents a product in the dense index: its name, then `search_text`
    (brand, category paths, attribute values, colours, sizes, gender, description), one line each."""
    name = " ".join((name or "").split())
    lines = [" ".join(ln.split()) for ln in (search_text or "").split("\n")]
    body = " | ".join(ln for ln in lines if ln)
    text = f"{name}\n{body}" if body else name
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


def fingerprint(model_id: str, content: str) -> str:
    return hashlib.sha256(f"{model_id}\n{content}".encode()).hexdigest()


def catalog_texts(db: CatalogDB, ids: Sequence[int] | None = None) -> dict[str, str]:
    """product id (str) -> text to embed, for every visible product (or just `ids`)."""
    with db.session() as s:
        stmt = select(Product.id, Product.name, Product.search_text).where(Product.visible.is_(True))
        if ids is not None:
            stmt = stmt.where(Product.id.in_(list(ids)))
        rows = s.execute(stmt.order_by(Product.id))
        return {str(pid): product_text(name, st) for pid, name, st in rows}


def catalog_images(db: CatalogDB) -> dict[str, str]:
    """product id (str) -> the uri of its main photo (role 'base' first, then by position)."""
    out: dict[str, str] = {}
    with db.session() as s:
        rows = s.execute(
            select(ProductImage.product_id, ProductImage.uri)
            .join(Product, Product.id == ProductImage.product_id)
            .where(Product.visible.is_(True))
            .order_by(
                ProductImage.product_id,
                case((ProductImage.role == "base", 0), else_=1),
                ProductImage.position,
                ProductImage.id,
            )
        )
        for pid, uri in rows:
            out.setdefault(str(pid), uri)
    return out


def local_photo_path(uri: str) -> str | None:
    """The file a photo uri names (as `retrieval.images.load_image` opens it), or None for an http(s) URL."""
    if uri.startswith(("http://", "https://")):
        return None
    if uri.startswith("file://"):
        uri = uri[len("file://") :]
    return os.path.expanduser(uri)


def photo_content(uri: str, sha256: str | None) -> str:
    """What an image fingerprint hashes: the uri, and the file's content hash when it is a readable local file."""
    return f"{uri}\nsha256:{sha256}" if sha256 else uri


@dataclass(frozen=True)
class PhotoDigest:
    """A local photo file as last seen: its size and mtime (`stat`, "size:mtime_ns") and its bytes' sha256."""

    stat: str
    sha256: str


def _stat_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}"


def _hash_file(path: str) -> PhotoDigest | None:
    """Size, mtime (read before the bytes: a file changed while it is read shows another mtime next time) and
    the sha256 of a local file; None when it cannot be read (the photo is then reported as unreadable)."""
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except (OSError, ValueError):
        return None
    return PhotoDigest(_stat_key(st), digest)


@dataclass
class SyncReport:
    collection: str
    model_id: str
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0  # images that could not be read (left out, retried next run)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # a few "id: reason" samples

    @property
    def embedded(self) -> int:
        return self.added + self.updated

    def line(self) -> str:
        rate = f", {self.embedded / self.seconds:.1f}/s" if self.embedded and self.seconds > 0 else ""
        s = (
            f"{self.collection} ({self.model_id}): {self.added} added, {self.updated} updated, "
            f"{self.deleted} deleted, {self.unchanged} unchanged in {self.seconds:.1f}s{rate}"
        )
        if self.failed:
            s += f"; {self.failed} unreadable image(s) skipped (e.g. {self.failures[0]})"
        return s


@dataclass
class VerifyReport:
    collection: str
    missing: int = 0  # in the catalog, not in the index
    stale: int = 0  # fingerprint differs (product changed, or half-written)
    orphaned: int = 0  # in the index, not (or no longer visible) in the catalog
    corrupt: int = 0  # stored vector has the wrong size, NaNs or is not normalised
    memory_out_of_sync: bool = False  # the in-memory copy differs from what Chroma stores
    unreadable: int = 0  # not in the index because the photo cannot be read: not a divergence, nothing to repair

    @property
    def divergences(self) -> int:
        return self.missing + self.stale + self.orphaned + self.corrupt + int(self.memory_out_of_sync)

    def line(self) -> str:
        s = (
            f"{self.collection}: {self.missing} missing, {self.stale} stale, {self.orphaned} orphaned, "
            f"{self.corrupt} corrupt"
        )
        if self.memory_out_of_sync:
            s += ", in-memory copy out of sync"
        if self.unreadable:
            s += f" ({self.unreadable} unreadable image(s) skipped)"
        return s


@dataclass(frozen=True)
class UnreadableImage:
    """A product photo that could not be read (missing file, unreachable URL, not an image). The product is
    left out of the image indexes and retried on every run; only fixing the photo in the catalog helps."""

    product_id: str
    uri: str
    error: str  # "FileNotFoundError: [Errno 2] ..."
    sku: str = ""

    def __str__(self) -> str:
        return f"{self.uri}: {self.error}"

    def line(self) -> str:
        who = f"product {self.product_id}" + (f" (sku {self.sku})" if self.sku else "")
        return f"{who}: {self}"


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="product", disable=not enabled or total == 0, leave=False)


class Indexer:
    """Keeps `text_index` (and, when an image model is available, `image_index` / `color_index`)
    equal to the catalog. Use `sync()` for a build or an incremental update, `verify()` to check and repair."""

    def __init__(
        self,
        db: CatalogDB,
        *,
        embedder: Embedder,
        text_index: ChromaVectorIndex,
        image_embedder: ImageEmbedder | None = None,
        image_index: ChromaVectorIndex | None = None,
        color_embedder: ImageEmbedder | None = None,
        color_index: ChromaVectorIndex | None = None,
        batch_size: int = BATCH,
        image_batch_size: int = 32,
        progress: bool = False,
    ):
        if text_index.model_id != embedder.model_id:
            raise ValueError(f"text index model {text_index.model_id} != embedder {embedder.model_id}")
        self.db = db
        self.embedder = embedder
        self.text_index = text_index
        self.image_embedder = image_embedder
        self.image_index = image_index
        self.color_embedder = color_embedder
        self.color_index = color_index
        self.batch_size = batch_size
        self.image_batch_size = image_batch_size
        self.progress = progress
        self.unreadable: dict[str, UnreadableImage] = {}  # product id -> its photo that could not be read

    # ----- what the index should hold ------------------------------------------------------------
    def _image_pairs(self) -> list[tuple[ChromaVectorIndex, ImageEmbedder]]:
        pairs: list[tuple[ChromaVectorIndex, ImageEmbedder]] = []
        if self.image_index is not None and self.image_embedder is not None:
            pairs.append((self.image_index, self.image_embedder))
        if self.color_index is not None and self.color_embedder is not None:
            pairs.append((self.color_index, self.color_embedder))
        return pairs

    # ----- sync ----------------------------------------------------------------------------------
    def claim_catalog(self, *, claim: bool = True) -> None:
        """Every index this run writes must be this catalog's (another catalog's would lose its products)."""
        from catalog.privacy import catalog_identity

        with self.db.session() as s:
            identity = catalog_identity(s)
        for index in (self.text_index, self.image_index, self.color_index):
            if isinstance(index, ChromaVectorIndex):
                index.claim_catalog(identity, claim=claim)

    def sync(self) -> list[SyncReport]:
        self.claim_catalog()
        reports = [self.sync_text()]
        if self._image_pairs():
            reports.extend(self.sync_images())
        return reports

    def sync_text(self, texts: dict[str, str] | None = None) -> SyncReport:
        t0 = time.perf_counter()
        texts = catalog_texts(self.db) if texts is None else texts
        model_id = self.embedder.model_id
        wanted = {pid: fingerprint(model_id, t) for pid, t in texts.items()}
        report = SyncReport(self.text_index.name, model_id)
        todo = self._plan(self.text_index, wanted, report)
        # Texts of similar length batch without padding waste: 55k short titles embed ~1.5x faster sorted.
        todo.sort(key=lambda pid: len(texts[pid]))
        with _progress(len(todo), f"embedding {self.text_index.name}", self.progress) as bar:
            for i in range(0, len(todo), self.batch_size):
                ids = todo[i : i + self.batch_size]
                vecs = self.embedder.embed_documents([texts[pid] for pid in ids])
                self.text_index.upsert(ids, vecs, [{"product_id": int(pid), "fingerprint": wanted[pid]} for pid in ids])
                bar.update(len(ids))
        report.seconds = time.perf_counter() - t0
        return report

    def _plan(self, index: ChromaVectorIndex, wanted: dict[str, str], report: SyncReport) -> list[str]:
        """Delete orphans now; return the ids to (re-)embed, new ones counted as added, others as updated."""
        current = index.fingerprints()
        orphans = [pid for pid in current if pid not in wanted]
        if orphans:
            index.delete(orphans)
        report.deleted = len(orphans)
        todo: list[str] = []
        for pid, fp in wanted.items():
            have = current.get(pid)
            if have == fp:
                report.unchanged += 1
                continue
            if have is None:
                report.added += 1
            else:
                report.updated += 1
            todo.append(pid)
        return todo

    def photo_digests(self, uris: dict[str, str], *, trust_stat: bool = True) -> dict[str, PhotoDigest]:
        """product id -> its local photo's size, mtime and content hash (http(s) photos and files that cannot be
        read are left out). With `trust_stat`, a file whose size and mtime are those recorded with its vector in
        an image index (for this uri) is not read again; without, every file is hashed (what `verify` does)."""
        known: dict[str, list[tuple[str, str, str, str]]] = {}  # pid -> [(stat, sha256, fingerprint, model id)]
        if trust_stat:
            for index, emb in self._image_pairs():
                for pid, meta in index.metadatas().items():
                    stat, sha = meta.get("photo_stat"), meta.get("photo_sha256")
                    if stat and sha:
                        known.setdefault(pid, []).append(
                            (str(stat), str(sha), str(meta.get("fingerprint", "")), emb.model_id)
                        )
        out: dict[str, PhotoDigest] = {}
        for pid, uri in uris.items():
            path = local_photo_path(uri)
            if path is None:
                continue
            seen = None
            if pid in known:
                try:
                    key = _stat_key(os.stat(path))
                except OSError:
                    continue
                # the recorded hash is this file's while its size and mtime are unchanged, and the record is of this
                # uri (its fingerprint is the one this uri with that hash gives)
                seen = next(
                    (PhotoDigest(stat, sha) for stat, sha, fp, model_id in known[pid]
                     if stat == key and fp == fingerprint(model_id, photo_content(uri, sha))),
                    None,
                )
            digest = seen or _hash_file(path)
            if digest is not None:
                out[pid] = digest
        return out

    def sync_images(
        self, uris: dict[str, str] | None = None, *, digests: dict[str, PhotoDigest] | None = None
    ) -> list[SyncReport]:
        """Embed each product's main photo with every configured image embedder, decoding it once. A local
        photo is re-embedded when its file's content changed, even under the same path (`digests`: the content
        hashes to compare, by default `photo_digests(uris)`)."""
        t0 = time.perf_counter()
        uris = catalog_images(self.db) if uris is None else uris
        digests = self.photo_digests(uris) if digests is None else digests
        plans: list[tuple[ChromaVectorIndex, ImageEmbedder, dict[str, str], set[str], set[str], SyncReport]] = []
        union: list[str] = []
        seen: set[str] = set()
        for index, emb in self._image_pairs():
            wanted = self._image_fingerprints(emb, uris, digests)
            report = SyncReport(index.name, emb.model_id)
            existing = set(index.fingerprints())
            todo = self._plan(index, wanted, report)
            plans.append((index, emb, wanted, set(todo), existing, report))
            for pid in todo:
                if pid not in seen:
                    seen.add(pid)
                    union.append(pid)
        with _progress(len(union), "embedding images", self.progress) as bar:
            for i in range(0, len(union), self.image_batch_size):
                ids = union[i : i + self.image_batch_size]
                loaded: dict[str, Any] = {}
                for pid in ids:
                    img = self._load(pid, uris[pid])
                    if img is not None:
                        loaded[pid] = img
                for index, emb, wanted, todo_set, existing, report in plans:
                    ok = [pid for pid in ids if pid in todo_set and pid in loaded]
                    failed = [pid for pid in ids if pid in todo_set and pid not in loaded]
                    for pid in failed:
                        report.failed += 1
                        if pid in existing:
                            report.updated -= 1
                        else:
                            report.added -= 1
                        if len(report.failures) < 3:
                            report.failures.append(f"product {pid}: {self.unreadable[pid]}")
                    stale = [pid for pid in failed if pid in existing]
                    if stale:  # the old vector shows the old photo: drop it rather than serve it
                        index.delete(stale)
                        report.deleted += len(stale)
                    if ok:
                        vecs = emb.embed_images([loaded[pid] for pid in ok])
                        index.upsert(ok, vecs, [self._image_meta(pid, wanted[pid], digests) for pid in ok])
                bar.update(len(ids))
        elapsed = time.perf_counter() - t0
        for *_, report in plans:
            report.seconds = elapsed
        return [p[-1] for p in plans]

    @staticmethod
    def _image_fingerprints(emb: ImageEmbedder, uris: dict[str, str], digests: dict[str, PhotoDigest]) -> dict[str, str]:
        return {
            pid: fingerprint(emb.model_id, photo_content(uri, digests[pid].sha256 if pid in digests else None))
            for pid, uri in uris.items()
        }

    @staticmethod
    def _image_meta(pid: str, fp: str, digests: dict[str, PhotoDigest]) -> dict[str, Any]:
        meta: dict[str, Any] = {"product_id": int(pid), "fingerprint": fp}
        digest = digests.get(pid)
        if digest is not None:
            meta.update(photo_stat=digest.stat, photo_sha256=digest.sha256)
        return meta

    def _load(self, pid: str, uri: str) -> Any:
        """The decoded photo, or None after recording in `unreadable` why it cannot be read."""
        from retrieval.images import load_image

        try:
            img = load_image(uri)
        except Exception as exc:  # missing file, bad URL, not an image: skip, report, retry later
            self.unreadable[pid] = UnreadableImage(pid, uri, f"{type(exc).__name__}: {exc}")
            return None
        self.unreadable.pop(pid, None)
        return img

    def unreadable_images(self) -> list[UnreadableImage]:
        """The photos the last sync or verify could not read, by product id, with each product's SKU."""
        if not self.unreadable:
            return []
        ids = [int(pid) for pid in self.unreadable]
        with self.db.session() as s:
            skus = dict(s.execute(select(Product.id, Product.sku).where(Product.id.in_(ids))).tuples().all())
        out = [dataclasses.replace(u, sku=skus.get(int(pid), "")) for pid, u in self.unreadable.items()]
        return sorted(out, key=lambda u: int(u.product_id))

    # ----- verify --------------------------------------------------------------------------------
    def _verify_one(self, index: ChromaVectorIndex, wanted: dict[str, str]) -> tuple[VerifyReport, list[str], list[str]]:
        """Compare `index` (as Chroma stores it) with `wanted`: the report, the corrupt ids and the absent ids."""
        stored = index.stored_records()
        rep = VerifyReport(index.name)
        bad: list[str] = []
        for pid, (fp, sane) in stored.items():
            if pid not in wanted:
                rep.orphaned += 1
            elif not sane:
                rep.corrupt += 1
                bad.append(pid)
            elif fp != wanted[pid]:
                rep.stale += 1
        absent = [pid for pid in wanted if pid not in stored]
        rep.missing = len(absent)
        memory = index.fingerprints()
        rep.memory_out_of_sync = len(memory) != len(stored) or any(
            memory.get(pid) != fp for pid, (fp, _) in stored.items()
        )
        return rep, bad, absent

    def _unreadable_not_missing(self, rep: VerifyReport, absent: list[str]) -> VerifyReport:
        """An image record absent because its photo cannot be read is not a divergence: re-embedding cannot
        fix it. Count it as unreadable instead of missing."""
        rep.unreadable = sum(1 for pid in absent if pid in self.unreadable)
        rep.missing = len(absent) - rep.unreadable
        return rep

    def verify(self, *, repair: bool = True) -> list[tuple[VerifyReport, VerifyReport | None]]:
        """Compare catalog and index, reading Chroma back (not the in-memory copy). With `repair`, fix
        every divergence and check again. Returns (before, after) per collection; after is None without repair.

        A product whose photo cannot be read is absent from the image indexes by design: both reports count
        it as `unreadable`, never as missing, and `unreadable_images()` lists it. The repair pass tries such
        photos again (as every sync does); without `repair` the absent photos are opened to tell which is which."""
        self.claim_catalog(claim=repair)
        texts = catalog_texts(self.db)
        pairs = self._image_pairs()
        uris = catalog_images(self.db) if pairs else {}
        digests = self.photo_digests(uris, trust_stat=False) if pairs else {}  # a photo replaced in place is stale
        # what earlier runs of this indexer found unreadable counts only while the product still shows that photo
        self.unreadable = {pid: u for pid, u in self.unreadable.items() if uris.get(pid) == u.uri}
        targets: list[tuple[ChromaVectorIndex, dict[str, str], bool]] = [
            (self.text_index, {pid: fingerprint(self.embedder.model_id, t) for pid, t in texts.items()}, False)
        ]
        for index, emb in pairs:
            targets.append((index, self._image_fingerprints(emb, uris, digests), True))
        befores: list[tuple[VerifyReport, list[str]]] = []
        for index, wanted, _ in targets:
            before, bad, absent = self._verify_one(index, wanted)
            if repair and bad:
                index.delete(bad)
            if repair and (before.memory_out_of_sync or bad):
                index.load()
            befores.append((before, absent))
        if not repair:
            absent_photos = {pid for (_, absent), (_, _, is_image) in zip(befores, targets, strict=True) if is_image
                             for pid in absent}
            for pid in sorted(absent_photos, key=int):
                self._load(pid, uris[pid])
            return [
                (self._unreadable_not_missing(before, absent) if is_image else before, None)
                for (before, absent), (_, _, is_image) in zip(befores, targets, strict=True)
            ]
        self.sync_text(texts)
        if pairs:
            self.sync_images(uris, digests=digests)  # retries every absent photo: `unreadable` is now what cannot be read today
        results: list[tuple[VerifyReport, VerifyReport | None]] = []
        for (index, wanted, is_image), (before, absent) in zip(targets, befores, strict=True):
            after, _, absent_after = self._verify_one(index, wanted)
            if is_image:
                self._unreadable_not_missing(before, absent)
                self._unreadable_not_missing(after, absent_after)
            results.append((before, after))
        return results


# ----- opening everything for search ---------------------------------------------------------------
@dataclass
class RetrievalIndexes:
    """What search needs: the text embedder and index, and the image side when it is on."""

    embedder: Embedder
    text_index: ChromaVectorIndex
    image_embedder: ImageEmbedder | None = None
    image_index: ChromaVectorIndex | None = None
    color_embedder: ImageEmbedder | None = None
    color_index: ChromaVectorIndex | None = None
    image_status: str = "image search is off: not configured"


def open_indexes(
    *,
    embedder: Embedder | str | None = None,
    chroma_url: str | None = None,
    chroma_path: str | None = None,
    images: bool = True,
    image_config: Any = None,
) -> RetrievalIndexes:
    """Open the built indexes for searching (never creates them: raises VectorIndexError saying to run
    `shopassist index`, or ModelMismatchError when the index was built with another model)."""
    from retrieval.embedders import build_embedder
    from retrieval.vector_index import VectorIndexError, chroma_client, damage_error, local_chroma_path

    emb = build_embedder(embedder) if embedder is None or isinstance(embedder, str) else embedder
    try:
        client = chroma_client(path=chroma_path, url=chroma_url)
        text_index = ChromaVectorIndex(TEXT_COLLECTION, emb.model_id, emb.dim, client=client, create=False)
    except BaseException as exc:
        # a damaged store says so, naming its folder and the fix (the assistant logs it as a warning and falls back)
        damage = damage_error(exc, local_chroma_path(path=chroma_path, url=chroma_url))
        if damage is None:
            raise
        raise damage from None
    out = RetrievalIndexes(embedder=emb, text_index=text_index)
    if not images:
        out.image_status = "image search is off: disabled"
        return out
    from retrieval.images import ColorHistogramEmbedder, build_image_embedder

    backend = build_image_embedder(image_config)
    out.image_status = backend.reason
    if backend.embedder is not None:
        try:
            out.image_index = ChromaVectorIndex(
                IMAGE_COLLECTION, backend.embedder.model_id, backend.embedder.dim, client=client, create=False
            )
            out.image_embedder = backend.embedder
        except VectorIndexError as exc:
            missing = "there is no vector index" in str(exc)
            out.image_status = ("image search is off: no product photos are indexed (`shopassist index` indexes the "
                                "catalog's photos; a catalog without photos has none to search)" if missing
                                else f"image search is off: {exc}")
    color = ColorHistogramEmbedder()
    try:
        out.color_index = ChromaVectorIndex(COLOR_COLLECTION, color.model_id, color.dim, client=client, create=False)
        out.color_embedder = color
    except VectorIndexError:
        pass
    return out


# ----- opening everything for indexing -------------------------------------------------------------
def open_indexer(
    db: CatalogDB,
    *,
    embedder: Embedder | str | None = None,
    chroma_url: str | None = None,
    chroma_path: str | None = None,
    images: bool = True,
    image_model: str | None = None,
    rebuild: bool = False,
    progress: bool = False,
    threads: int | None = None,
) -> tuple[Indexer, list[str]]:
    """An Indexer over the catalog `db` with the configured models, creating the collections as needed
    (`rebuild` drops them first). Returns it with messages for the user (e.g. why image search is off).
    Raises EmbedderError / VectorIndexError / ModelMismatchError with a message for the user, IndexDamagedError
    when the local store's database is damaged; `rebuild` then moves the damaged folder aside and starts afresh."""
    from retrieval.embedders import build_embedder, embedder_source
    from retrieval.images import ColorHistogramEmbedder, ImageModelConfig, build_image_embedder
    from retrieval.vector_index import (
        IndexDamagedError,
        chroma_client,
        damage_error,
        local_chroma_path,
        move_aside,
        store_damage,
    )

    emb = build_embedder(embedder, threads=threads) if embedder is None or isinstance(embedder, str) else embedder
    messages: list[str] = []
    source = embedder_source(embedder) if embedder is None or isinstance(embedder, str) else None
    image_emb: ImageEmbedder | None = None
    color_emb: ImageEmbedder | None = None
    if not images:
        messages.append("images: skipped (--no-images)")
    elif not catalog_images(db):
        messages.append("image search is off: no product in the catalog has a photo")
    else:
        cfg = ImageModelConfig.from_env()
        if image_model:
            cfg.model = image_model
        backend = build_image_embedder(cfg)
        messages.append(backend.reason)
        image_emb = backend.embedder
        if cfg.color_histogram and cfg.model not in {"none", "off"}:
            color_emb = ColorHistogramEmbedder()

    def open_all() -> tuple[ChromaVectorIndex, ChromaVectorIndex | None, ChromaVectorIndex | None]:
        client = chroma_client(path=chroma_path, url=chroma_url)

        def open_index(name: str, model_id: str, dim: int, source: str | None = None) -> ChromaVectorIndex:
            if rebuild:
                return ChromaVectorIndex.rebuild(name, model_id, dim, client=client, source=source)
            return ChromaVectorIndex(name, model_id, dim, client=client, source=source)

        text = open_index(TEXT_COLLECTION, emb.model_id, emb.dim, source)
        image = open_index(IMAGE_COLLECTION, image_emb.model_id, image_emb.dim) if image_emb is not None else None
        color = open_index(COLOR_COLLECTION, color_emb.model_id, color_emb.dim) if color_emb is not None else None
        return text, image, color

    folder = local_chroma_path(path=chroma_path, url=chroma_url)

    def set_aside(damage: IndexDamagedError) -> None:
        # a rebuild replaces the index anyway: keep the damaged store beside it (never deleted without a word)
        assert folder is not None
        moved = move_aside(folder)
        messages.insert(0, f"the search index at {folder} was damaged ({damage.reason}): moved it to {moved} "
                           "and building a new one (delete that folder once you no longer need it)")

    if rebuild and folder is not None:  # (a damaged store can still open: never rebuild into one)
        reason = store_damage(folder)
        if reason:
            set_aside(IndexDamagedError(folder, reason))
    try:
        text_index, image_index, color_index = open_all()
    except BaseException as exc:
        damage = damage_error(exc, folder)
        if damage is None:
            raise
        if not rebuild or folder is None:
            raise damage from None
        set_aside(damage)
        text_index, image_index, color_index = open_all()
    indexer = Indexer(
        db,
        embedder=emb,
        text_index=text_index,
        image_embedder=image_emb,
        image_index=image_index,
        color_embedder=color_emb,
        color_index=color_index,
        progress=progress,
    )
    return indexer, messages


def update_index(
    db_url: str | None = None,
    *,
    embedder: Embedder | str | None = None,
    chroma_url: str | None = None,
    images: bool = True,
    rebuild: bool = False,
    progress: bool = False,
) -> list[SyncReport]:
    """Build or incrementally update the indexes of the catalog at `db_url` (what `shopassist index` does)."""
    from catalog.db import open_catalog

    db = open_catalog(db_url)
    try:
        indexer, _ = open_indexer(
            db, embedder=embedder, chroma_url=chroma_url, images=images, rebuild=rebuild, progress=progress
        )
        return indexer.sync()
    finally:
        db.close()


build_index_for_demo = update_index  # the name ui/server.py's admin re-index endpoint imports
