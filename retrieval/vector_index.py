"""The persistent vector index: Chroma stores the vectors; queries are exact brute force in memory.

Chroma (a local `PersistentClient` under SHOPASSIST_HOME/chroma, or a `chroma run` server given by URL)
is the durable store: one collection per modality (`products_text`, `products_image`), cosine space,
never Chroma's own embedding function (we always pass vectors). The collection metadata records the
`model_id` and `dim`; opening it with another model raises `ModelMismatchError`.

Search does not use Chroma's approximate HNSW: hard filters are computed in SQL and arrive as a
`restrict_to` candidate set, and the answer must be exact within that set (an ANN top-k followed by a
post-filter silently loses matches). So every vector is also kept in one in-memory float32 matrix,
loaded once at start-up and kept in sync on upsert/delete; a query is one matrix-vector product over
all rows or only the candidate rows (55k x 384 floats: a few ms). Chroma's HNSW is built with small
parameters because we only keep it as a fallback for other Chroma clients.

Two processes on one local store (a server searching while `shopassist index` runs): Chroma's PersistentClient
keeps each collection's vector segment in memory, once per process and path. Collection metadata and counts are
read from disk, the vectors are not, so after another process writes, this process's reads of vectors fail
("Error finding id": a server's re-index and its index reloads failed until a restart), and no write should go
through that state either. Every write bumps the collection's `generation`; a process remembers the generation
its Chroma state has seen (`_Store.known`), and when the stored one differs, or a read fails that way, it drops
its Chroma state and opens the store again from disk (`_Store.reopen`) before reading or writing. Two processes
writing at the same moment are still not supported (Chroma's local store is not made for that).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from retrieval.interfaces import VectorHit

TEXT_COLLECTION = "products_text"
IMAGE_COLLECTION = "products_image"
COLOR_COLLECTION = "products_color"

# We never query Chroma's HNSW (see module doc): cheap graph parameters make upserts ~4x faster here.
_HNSW = {"space": "cosine", "ef_construction": 32, "max_neighbors": 8, "ef_search": 64}
_PAGE = 5000


class VectorIndexError(Exception):
    """The index cannot be opened or used; the message says what to do."""


class ModelMismatchError(VectorIndexError):
    """The stored collection was built with another model (vectors of different models never mix)."""


class CatalogMismatchError(VectorIndexError):
    """The stored collection holds another catalog's products (its ids would name the wrong products here)."""


class IndexDamagedError(VectorIndexError):
    """The local Chroma store's database file is damaged (garbage, truncated, malformed): the message names the
    folder and how to rebuild it."""

    def __init__(self, folder: str | Path, reason: str):
        self.folder = Path(folder)
        self.reason = reason
        super().__init__(
            f"the search index at {self.folder} is damaged ({reason}): run `shopassist index --rebuild` (it moves that "
            "folder aside and builds a new index), or delete that folder and run `shopassist index` to rebuild it"
        )


def default_chroma_path() -> Path:
    from catalog.config import shopassist_home

    return shopassist_home() / "chroma"


def local_chroma_path(*, path: str | Path | None = None, url: str | None = None) -> Path | None:
    """The folder `chroma_client(path=, url=)` opens, or None when it talks to a Chroma server."""
    if url or os.environ.get("SHOPASSIST_CHROMA_URL"):
        return None
    return (Path(path) if path else default_chroma_path()).expanduser().resolve()


def _is_chroma_failure(exc: BaseException) -> bool:
    """An error Chroma raised: an Exception, or the Rust bindings' panic (pyo3's PanicException is a BaseException,
    raised e.g. when a damaged database file is read)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def store_damage(folder: str | Path) -> str | None:
    """Why the local Chroma store in `folder` is damaged (SQLite's own words, from a read-only quick_check of
    chroma.sqlite3), or None when its database file is sound or absent."""
    import sqlite3

    db = Path(folder) / "chroma.sqlite3"
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("PRAGMA quick_check(3)").fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError:  # locked, cannot be opened: no sign of damage
        return None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return str(exc)
    lines = [ln.strip() for r in rows if r and r[0] != "ok" for ln in str(r[0]).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("***")]  # ("*** in database main ***")
    return f"database disk image is malformed: {lines[0][:200]}" if lines else None


def damage_error(exc: BaseException, folder: str | Path | None) -> IndexDamagedError | None:
    """`exc` as an IndexDamagedError when it comes from a damaged local store in `folder`; None otherwise (an error
    of ours with nothing under it, a server, a sound store: nothing to say about damage)."""
    if isinstance(exc, IndexDamagedError):
        return exc
    if folder is None or not _is_chroma_failure(exc):
        return None
    if isinstance(exc, VectorIndexError) and (exc.__cause__ is None or isinstance(exc, ModelMismatchError | CatalogMismatchError)):
        return None
    reason = store_damage(folder)
    return IndexDamagedError(folder, reason) if reason else None


def forget_store(folder: str | Path) -> None:
    """Drop this process's Chroma state of a local store (before its folder is moved away or opened afresh)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(Path(folder).resolve())
    SharedSystemClient._identifier_to_system.pop(key, None)
    with _stores_lock:
        _stores.pop(key, None)


def move_aside(folder: str | Path) -> Path:
    """Rename a (damaged) local store to `<folder>.damaged-<time>` beside it, never deleting it; returns the new path."""
    import time

    src = Path(folder).resolve()
    forget_store(src)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = src.with_name(f"{src.name}.damaged-{stamp}")
    n = 1
    while dest.exists():
        n += 1
        dest = src.with_name(f"{src.name}.damaged-{stamp}-{n}")
    src.rename(dest)
    return dest


def chroma_client(*, path: str | Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: HttpClient when a server URL is given (or SHOPASSIST_CHROMA_URL), else a
    PersistentClient at `path` (default SHOPASSIST_HOME/chroma). Telemetry is off."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        import chromadb
        from chromadb.config import Settings
    except ModuleNotFoundError as exc:
        raise VectorIndexError("chromadb is not installed: pip install chromadb==1.5.9") from exc
    settings = Settings(anonymized_telemetry=False)
    url = url or os.environ.get("SHOPASSIST_CHROMA_URL") or None
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise VectorIndexError(f"'{url}' is not a Chroma server URL; expected e.g. http://127.0.0.1:8000")
        ssl = parsed.scheme == "https"
        port = parsed.port or (443 if ssl else 8000)
        try:
            return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=ssl, settings=settings)
        except Exception as exc:
            raise VectorIndexError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    target = Path(path) if path else default_chroma_path()
    target.mkdir(parents=True, exist_ok=True)
    folder = str(target.resolve())
    try:
        # one spelling per folder: Chroma keeps one in-process state per path string (see `_Store`)
        return chromadb.PersistentClient(path=folder, settings=settings)
    except BaseException as exc:
        if not _is_chroma_failure(exc):
            raise
        # Chroma caches the System of a folder before starting it: a failed start would be reused by the next client
        forget_store(folder)
        damage = damage_error(exc, folder)
        if damage is not None:
            raise damage from None
        raise VectorIndexError(f"cannot open the search index at {folder}: {type(exc).__name__}: {exc}") from exc


def _is_not_found(exc: Exception) -> bool:
    name = type(exc).__name__
    return name in {"NotFoundError", "InvalidCollectionException"} or "does not exist" in str(exc)


def _is_stale(exc: Exception) -> bool:
    """Chroma's error when this process's in-memory segment misses records another process wrote."""
    return type(exc).__name__ == "InternalError" or "Error finding id" in str(exc)


class _Store:
    """This process's view of one local Chroma store (a PersistentClient folder), shared by every index on it.

    `lock` serialises this process's Chroma calls on the store, so that `reopen()` never races a read or write
    through the state it replaces. `known` maps a collection id to the generation this process's Chroma state
    has seen (loaded or written); a stored generation that differs means another process wrote since."""

    def __init__(self, path: str, client: Any):
        self.path = path
        self.client = client
        self.epoch = 0  # bumped by every reopen(): an index holding an older client takes `client` again
        self.lock = threading.RLock()
        self.known: dict[str, int] = {}
        self.reopens = 0

    def reopen(self) -> None:
        """Forget Chroma's in-process state of this folder and open it again from disk. Call with `lock` held."""
        from chromadb.api.shared_system_client import SharedSystemClient

        settings = self.client.get_settings()
        # Chroma caches one System (Rust bindings, segments) per path; a new client would reuse the stale one.
        # The old one is not stopped: nothing here uses it after this (every index rebinds under `lock`), and
        # it is freed with its last client.
        SharedSystemClient._identifier_to_system.pop(self.path, None)
        import chromadb

        self.client = chromadb.PersistentClient(path=self.path, settings=settings)
        self.epoch += 1
        self.reopens += 1
        self.known.clear()

    def current(self, client: Any) -> Any:
        """The client an index given `client` should use: the store's, unless `client` is bound to a newer
        Chroma state of the folder (one made since by another client), which then becomes the store's."""
        from chromadb.api.shared_system_client import SharedSystemClient

        server = getattr(client, "_server", None)
        if server is getattr(self.client, "_server", None):
            return self.client
        system = SharedSystemClient._identifier_to_system.get(self.path)
        if system is not None and server is not None and getattr(self.client, "_server", None) is not None:
            from chromadb.api import ServerAPI

            if system.instance(ServerAPI) is server:  # type: ignore[type-abstract]
                self.client = client
                self.epoch += 1
                self.known.clear()
        return self.client


_stores: dict[str, _Store] = {}
_stores_lock = threading.Lock()


def _store_of(client: Any) -> _Store | None:
    """The shared `_Store` of a local PersistentClient; None for a Chroma server (HttpClient keeps no segment
    state in this process) or anything else."""
    try:
        settings = client.get_settings()
    except Exception:
        return None
    if not getattr(settings, "is_persistent", False) or settings.chroma_api_impl not in {
        "chromadb.api.rust.RustBindingsAPI",
        "chromadb.api.segment.SegmentAPI",
    }:
        return None
    path = str(settings.persist_directory)
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = _Store(path, client)
        return store


def _clean_meta(meta: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    out: dict[str, str | int | float | bool] = {}
    for k, v in meta.items():
        if v is None:
            continue
        out[str(k)] = v if isinstance(v, str | int | float | bool) else str(v)
    return out


class ChromaVectorIndex:
    """A Chroma collection plus an exact in-memory copy of its vectors. Implements `VectorIndex`.

    Ids are strings (product ids as decimal strings). Each record's metadata holds at least
    `product_id` and `fingerprint` (what the indexer compares to know if a product changed).
    """

    def __init__(
        self,
        name: str,
        model_id: str,
        dim: int,
        *,
        client: Any | None = None,
        path: str | Path | None = None,
        url: str | None = None,
        create: bool = True,
        source: str | None = None,
    ):
        self.name = name
        self.model_id = model_id
        # how to build the embedder again ("minilm", a fine-tuned model's folder): stored so that a mismatch can
        # say which SHOPASSIST_EMBEDDER searches this index (a fine-tuned model's id is no usable value)
        self.source = source
        self.dim = int(dim)
        self.client = client if client is not None else chroma_client(path=path, url=url)
        self._lock = threading.RLock()  # the in-memory copy
        self._store = _store_of(self.client)
        # (the store's epoch now: a store reopened earlier in this process is no reason to look up a collection
        # that this index is about to create)
        self._epoch = self._store.epoch if self._store is not None else 0
        with self._io():
            if self._store is not None:
                self.client = self._store.current(self.client)
                self._epoch = self._store.epoch
            self._collection = self._open(create)
        self._generation = -1
        self._reset_memory()
        self.load()

    # ----- the shared local store ------------------------------------------------------------------
    @contextlib.contextmanager
    def _io(self) -> Iterator[None]:
        """Hold the store's lock for Chroma calls, on this process's current client of the store."""
        if self._store is None:
            yield
            return
        with self._store.lock:
            if self._epoch != self._store.epoch:  # another index reopened the store: use the fresh state
                self.client = self._store.client
                self._epoch = self._store.epoch
                self._collection = self._get_collection()
            yield

    def _get_collection(self) -> Any:
        try:
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:
            if _is_not_found(exc):
                raise VectorIndexError(
                    f"the vector index '{self.name}' was deleted: rebuild it with `shopassist index`"
                ) from None
            raise

    def _reopen(self) -> None:
        """Open the store again from disk (with `_io` held): another process wrote it."""
        if self._store is None:
            return
        self._store.reopen()
        self.client = self._store.client
        self._epoch = self._store.epoch
        self._collection = self._get_collection()

    def _current_collection(self) -> Any:
        """The collection read afresh (its metadata and id come from disk), after opening the store again if
        another process wrote it since this process's Chroma state saw it. Call with `_io` held."""
        col = self._get_collection()
        if self._store is not None:
            known = self._store.known.get(str(col.id))
            if known is not None and known != int((col.metadata or {}).get("generation", 0) or 0):
                self._reopen()
                col = self._collection
        self._collection = col
        return col

    def _saw(self, col: Any, generation: int) -> None:
        if self._store is not None:
            self._store.known[str(col.id)] = int(generation)

    # ----- opening -------------------------------------------------------------------------------
    def _open(self, create: bool) -> Any:
        try:
            col = self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:
            if not _is_not_found(exc):
                raise VectorIndexError(f"cannot open the vector collection '{self.name}': {exc}") from exc
            if not create:
                raise VectorIndexError(
                    f"there is no vector index '{self.name}' yet: build it with `shopassist index`"
                ) from None
            return self.client.create_collection(
                self.name,
                embedding_function=None,
                configuration={"hnsw": dict(_HNSW)},
                metadata={"model_id": self.model_id, "dim": self.dim, "generation": 0,
                          **({"embedder": self.source} if self.source else {})},
                get_or_create=True,
            )
        meta = col.metadata or {}
        stored_model, stored_dim = meta.get("model_id"), meta.get("dim")
        if stored_model != self.model_id or (stored_dim is not None and int(stored_dim) != self.dim):
            built_with = meta.get("embedder")
            raise ModelMismatchError(
                f"the vector index '{self.name}' was built with model '{stored_model}' ({stored_dim}-d), "
                f"not '{self.model_id}' ({self.dim}-d): rebuild it with `shopassist index --rebuild`"
                + (
                    " (and the same --embedder), or search with the embedder it was built with ("
                    + (f"SHOPASSIST_EMBEDDER={built_with}" if built_with else "SHOPASSIST_EMBEDDER") + ")"
                    if self.name == TEXT_COLLECTION
                    else ""
                )
            )
        return col

    @property
    def collection(self) -> Any:
        return self._collection

    def reset(self) -> None:
        """Drop every record (and the stored model_id): the start of `index --rebuild`."""
        with self._io(), self._lock:
            try:
                self.client.delete_collection(self.name)
            except Exception as exc:
                if not _is_not_found(exc):
                    raise
            self._collection = self._open(create=True)
            self._saw(self._collection, 0)
            self._reset_memory()
            self._generation = 0

    @classmethod
    def rebuild(cls, name: str, model_id: str, dim: int, *, client: Any, source: str | None = None) -> ChromaVectorIndex:
        """Delete the collection `name` whatever model built it, and create it for `model_id`."""
        store = _store_of(client)
        with store.lock if store is not None else contextlib.nullcontext():
            if store is not None:
                client = store.current(client)
            try:
                client.delete_collection(name)
            except Exception as exc:
                if not _is_not_found(exc):
                    raise
            return cls(name, model_id, dim, client=client, source=source)

    # ----- the in-memory copy --------------------------------------------------------------------
    def _reset_memory(self) -> None:
        self._mat = np.zeros((0, self.dim), dtype=np.float32)
        self._n = 0
        self._ids: list[str] = []
        self._meta: list[dict[str, Any]] = []
        self._pos: dict[str, int] = {}
        self._row_of_int = np.full(0, -1, dtype=np.int64)  # numeric id -> row, -1 if absent
        self._numeric = True

    def _ensure_capacity(self, extra: int) -> None:
        need = self._n + extra
        if need > self._mat.shape[0]:
            cap = max(need, int(self._mat.shape[0] * 1.5) + 1024)
            grown = np.zeros((cap, self.dim), dtype=np.float32)
            grown[: self._n] = self._mat[: self._n]
            self._mat = grown

    def _set_int_row(self, id_: str, row: int) -> None:
        if not self._numeric:
            return
        if not id_.isdigit() or len(id_) > 12:
            self._numeric = False
            return
        i = int(id_)
        if i >= self._row_of_int.shape[0]:
            grown = np.full(max(i + 1, int(self._row_of_int.shape[0] * 1.5) + 1024), -1, dtype=np.int64)
            grown[: self._row_of_int.shape[0]] = self._row_of_int
            self._row_of_int = grown
        self._row_of_int[i] = row

    def _put(self, ids: Sequence[str], vecs: np.ndarray, metas: Sequence[Mapping[str, Any]]) -> None:
        self._ensure_capacity(len(ids))
        for id_, v, m in zip(ids, vecs, metas, strict=True):
            row = self._pos.get(id_)
            if row is None:
                row = self._n
                self._n += 1
                self._ids.append(id_)
                self._meta.append(dict(m))
                self._pos[id_] = row
                self._set_int_row(id_, row)
            else:
                self._meta[row] = dict(m)
            self._mat[row] = v

    def _remove(self, ids: Iterable[str]) -> None:
        for id_ in ids:
            row = self._pos.pop(id_, None)
            if row is None:
                continue
            last = self._n - 1
            if self._numeric and id_.isdigit() and int(id_) < self._row_of_int.shape[0]:
                self._row_of_int[int(id_)] = -1
            if row != last:  # move the last row into the hole
                moved = self._ids[last]
                self._mat[row] = self._mat[last]
                self._ids[row] = moved
                self._meta[row] = self._meta[last]
                self._pos[moved] = row
                self._set_int_row(moved, row)
            self._ids.pop()
            self._meta.pop()
            self._n -= 1

    def load(self) -> None:
        """(Re)load every vector and metadata from Chroma into memory. Reads first and swaps under the
        lock, so searches running meanwhile see the old copy, never a half-loaded one."""
        with self._io():
            if self._store is not None:
                self._current_collection()
            pages = self._read_all_pages()
            col = self._collection
            gen = int((col.metadata or {}).get("generation", 0) or 0)
            self._saw(col, gen)
        with self._lock:
            self._reset_memory()
            self._ensure_capacity(sum(len(p[0]) for p in pages))
            for ids, vecs, metas in pages:
                self._put(ids, vecs, metas)
            self._generation = int(gen or 0)

    @property
    def generation(self) -> int:
        """The collection's write counter as this process last loaded or wrote it (every write, by any
        process, bumps the stored one; `refresh()` compares the two)."""
        return self._generation

    def refresh(self) -> bool:
        """Reload if another process (e.g. `shopassist index`) changed the collection. Cheap when not."""
        with self._io():
            before = self._collection
            col = self._get_collection()
            meta = col.metadata or {}
            if meta.get("model_id") != self.model_id:
                raise ModelMismatchError(
                    f"the vector index '{self.name}' was rebuilt with model '{meta.get('model_id')}'; restart with that model"
                    + (f" (SHOPASSIST_EMBEDDER={meta['embedder']})" if meta.get("embedder") else "")
                )
            same = str(col.id) == str(before.id)  # `index --rebuild` makes a new collection, from generation 0
            if same and int(meta.get("generation", 0) or 0) == self._generation and col.count() == self._n:
                return False
            self._collection = col
            self.load()
        return True

    def claim_catalog(self, identity: str, *, claim: bool = True) -> None:
        """Refuse a collection built from another catalog; mark an unmarked one as this catalog's (`claim`)."""
        with self._io():
            self._claim_catalog(identity, claim)

    def _claim_catalog(self, identity: str, claim: bool) -> None:
        meta = dict(self._collection.metadata or {})
        stored = meta.get("catalog")
        if stored and stored != identity:
            raise CatalogMismatchError(
                f"the vector index '{self.name}' holds another catalog's products (indexing this catalog into it "
                "would delete them): give this catalog its own SHOPASSIST_HOME (or Chroma server), or replace "
                "that index with `shopassist index --rebuild`"
            )
        if not stored and claim:
            meta["catalog"] = identity
            self._collection.modify(metadata=meta)

    def _bump_generation(self) -> None:
        """Count one write (with `_io` held): the stored generation goes one past what the store held."""
        meta = dict(self._collection.metadata or {})
        stored = int(meta.get("generation", 0) or 0)
        self._generation = max(self._generation, stored) + 1
        meta.update({"model_id": self.model_id, "dim": self.dim, "generation": self._generation})
        if self.source:
            meta["embedder"] = self.source
        self._collection.modify(metadata=meta)
        self._saw(self._collection, self._generation)

    def _before_write(self) -> None:
        """With `_io` held: make sure this process's Chroma state is the store's on disk before writing through
        it (never write through a state that misses what another process wrote)."""
        if self._store is not None:
            self._current_collection()

    def _write(self, op: Any) -> None:
        """Run one idempotent Chroma write; once more on a fresh state of the store if it fails as stale."""
        try:
            op()
        except Exception as exc:
            if self._store is None or not _is_stale(exc):
                raise
            self._reopen()
            op()

    # ----- VectorIndex ---------------------------------------------------------------------------
    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[Mapping[str, Any]]) -> None:
        ids = [str(i) for i in ids]
        vecs = np.asarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {vecs.shape}")
        if len(metadatas) != len(ids):
            raise ValueError("one metadata mapping per id is required")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in one upsert")
        if not np.isfinite(vecs).all():
            raise ValueError("vectors contain NaN or infinity")
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        vecs = vecs / norms
        metas = [_clean_meta(m) for m in metadatas]
        if not ids:
            return
        with self._io(), self._lock:
            self._before_write()
            step = max(1, min(int(self.client.get_max_batch_size()), 5000))
            for i in range(0, len(ids), step):
                self._write(lambda i=i: self._collection.upsert(  # type: ignore[misc]
                    ids=ids[i : i + step], embeddings=vecs[i : i + step], metadatas=metas[i : i + step]  # type: ignore[arg-type]
                ))
            self._put(ids, vecs, metas)
            self._bump_generation()

    def delete(self, ids: Sequence[str]) -> None:
        ids = [str(i) for i in ids]
        if not ids:
            return
        with self._io(), self._lock:
            self._before_write()
            for i in range(0, len(ids), 5000):
                self._write(lambda i=i: self._collection.delete(ids=ids[i : i + 5000]))  # type: ignore[misc]
            self._remove(ids)
            self._bump_generation()

    def _mask_for(self, restrict_to: Sequence[str | int] | np.ndarray) -> np.ndarray:
        """Boolean mask over the rows whose id is in `restrict_to` (unknown ids ignored, duplicates harmless)."""
        mask = np.zeros(self._n, dtype=bool)
        if self._numeric:
            try:
                wanted = np.asarray(restrict_to, dtype=np.int64).ravel()
            except (ValueError, TypeError, OverflowError):
                wanted = None
            if wanted is not None:
                wanted = wanted[(wanted >= 0) & (wanted < self._row_of_int.shape[0])]
                rows = self._row_of_int[wanted]
                mask[rows[rows >= 0]] = True
                return mask
        pos = self._pos
        rows_list = [pos[str(i)] for i in restrict_to if str(i) in pos]
        mask[np.asarray(rows_list, dtype=np.int64)] = True
        return mask

    def query(
        self, vector: np.ndarray, k: int, *, restrict_to: Sequence[str | int] | np.ndarray | None = None
    ) -> list[VectorHit]:
        """The exact top-k by cosine similarity, over all records or only the ids in `restrict_to`."""
        q = np.asarray(vector, dtype=np.float32).ravel()
        if q.shape[0] != self.dim:
            raise ValueError(f"query vector has {q.shape[0]} dimensions; this index holds {self.dim}")
        norm = float(np.linalg.norm(q))
        if norm > 0:
            q = q / norm
        with self._lock:
            if k <= 0 or self._n == 0:
                return []
            if restrict_to is None:
                rows = np.arange(self._n)
                scores = self._mat[: self._n] @ q
            else:
                mask = self._mask_for(restrict_to)
                count = int(mask.sum())
                if count == 0:
                    return []
                if count * 4 > self._n:  # most rows: scoring all of them beats gathering them
                    rows = np.arange(self._n)
                    scores = np.where(mask, self._mat[: self._n] @ q, -np.inf).astype(np.float32)
                    k = min(k, count)
                else:
                    rows = np.flatnonzero(mask)
                    scores = self._mat[rows] @ q
            kk = min(k, scores.shape[0])
            top = np.argpartition(-scores, kk - 1)[:kk] if kk < scores.shape[0] else np.arange(scores.shape[0])
            top_rows = rows[top]
            top_ids = [self._ids[r] for r in top_rows]
            # best first; ties broken by id so results are deterministic
            order = sorted(range(len(top)), key=lambda j: (-float(scores[top[j]]), top_ids[j]))
            return [
                VectorHit(id=top_ids[j], score=float(scores[top[j]]), metadata=dict(self._meta[top_rows[j]]))
                for j in order
            ]

    def fingerprints(self) -> dict[str, str]:
        with self._lock:
            return {id_: str(m.get("fingerprint", "")) for id_, m in zip(self._ids, self._meta, strict=False)}

    def metadatas(self) -> dict[str, dict[str, Any]]:
        """id -> a copy of its stored metadata (from the in-memory copy)."""
        with self._lock:
            return {id_: dict(m) for id_, m in zip(self._ids, self._meta, strict=False)}

    # ----- extras --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._ids)

    def vector(self, id_: str | int) -> np.ndarray | None:
        """The stored vector of one record (e.g. for "more like this"), or None."""
        with self._lock:
            row = self._pos.get(str(id_))
            return None if row is None else self._mat[row].copy()

    def get_vectors(self, ids: Sequence[str | int]) -> dict[str, np.ndarray]:
        """Stored vectors of the given ids (unknown ids are left out)."""
        with self._lock:
            out: dict[str, np.ndarray] = {}
            for i in ids:
                row = self._pos.get(str(i))
                if row is not None:
                    out[str(i)] = self._mat[row].copy()
            return out

    def store_count(self) -> int:
        """Records in Chroma itself (the in-memory copy should hold the same)."""
        with self._io():
            return int(self._collection.count())

    def _stored_pages(self) -> Iterator[tuple[list[str], np.ndarray, list[dict[str, Any]]]]:
        """Every record in Chroma, a page at a time: (ids, vectors as rows, metadata)."""
        offset = 0
        while True:
            page = self._collection.get(include=["embeddings", "metadatas"], limit=_PAGE, offset=offset)
            ids = list(page["ids"])
            if not ids:
                return
            vecs = np.asarray(page["embeddings"], dtype=np.float32).reshape(len(ids), -1)
            yield ids, vecs, [dict(m or {}) for m in page["metadatas"] or [{}] * len(ids)]
            offset += len(ids)

    def _read_all_pages(self) -> list[tuple[list[str], np.ndarray, list[dict[str, Any]]]]:
        """Every stored page (under `_io`); once more after reopening the store when this process's copy of it
        is stale (a write by another process that bumped no generation)."""
        try:
            return list(self._stored_pages())
        except Exception as exc:
            if self._store is None or not _is_stale(exc):
                raise
            self._reopen()
            return list(self._stored_pages())

    def stored_records(self) -> dict[str, tuple[str, bool]]:
        """id -> (fingerprint, vector is sane) read back from Chroma, not from memory (for `index --verify`)."""
        out: dict[str, tuple[str, bool]] = {}
        with self._io():
            if self._store is not None:
                self._current_collection()
            pages = self._read_all_pages()
        for ids, vecs, metas in pages:
            ok = (vecs.shape[1] == self.dim) & np.isfinite(vecs).all(axis=1) & (np.abs(np.linalg.norm(vecs, axis=1) - 1) < 1e-3)
            for id_, m, good in zip(ids, metas, ok, strict=True):
                out[id_] = (str(m.get("fingerprint", "")), bool(good))
        return out
