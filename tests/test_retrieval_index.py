"""The vector index and the indexer on a REAL Chroma (persistent client in tmp_path) and a real SQLite
catalog. Fast: the text model is the deterministic HashingEmbedder; tests with real models are in
test_embedders.py (marked slow)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from catalog.db import CatalogDB, open_catalog
from catalog.models import Product
from catalog.records import CatalogData, ImageRecord, ProductRecord
from catalog.writer import sync_catalog
from retrieval.embedders import CachedEmbedder, EmbeddingCache
from retrieval.fakes import FakeImageEmbedder, HashingEmbedder
from retrieval.images import ImageModelConfig, build_image_embedder
from retrieval.indexer import Indexer, catalog_texts, fingerprint, product_text
from retrieval.vector_index import (
    IMAGE_COLLECTION,
    TEXT_COLLECTION,
    ChromaVectorIndex,
    ModelMismatchError,
    VectorIndexError,
    chroma_client,
)

WORDS = ["red", "blue", "green", "wool", "cotton", "jacket", "hoodie", "shirt", "drill", "hammer", "lamp", "chair", "table", "sofa", "boots", "socks"]


def _records(n: int, *, start: int = 0, images: dict[int, str] | None = None) -> list[ProductRecord]:
    out = []
    for i in range(start, start + n):
        name = f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7 + 3) % len(WORDS)]} item {i}"
        imgs = [ImageRecord(uri=images[i])] if images and i in images else []
        out.append(ProductRecord(sku=f"SKU-{i}", name=name, price=Decimal("10.00") + i, brand="Acme", images=imgs))
    return out


def _catalog(url: str, records: list[ProductRecord]) -> CatalogDB:
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, CatalogData(products=records), progress=False)
    return db


def _pid(db: CatalogDB, sku: str) -> str:
    with db.session() as s:
        return str(s.scalar(select(Product.id).where(Product.sku == sku)))


def _indexer(db: CatalogDB, chroma: Path, emb: HashingEmbedder, **kw: object) -> Indexer:
    idx = ChromaVectorIndex(TEXT_COLLECTION, emb.model_id, emb.dim, path=chroma)
    return Indexer(db, embedder=emb, text_index=idx, **kw)  # type: ignore[arg-type]


# ----- incremental update --------------------------------------------------------------------------
def test_incremental_update_embeds_exactly_what_changed(sqlite_url: str, tmp_path: Path) -> None:
    db = _catalog(sqlite_url, _records(6))
    emb = HashingEmbedder()
    chroma = tmp_path / "chroma"
    [r] = _indexer(db, chroma, emb).sync()
    assert (r.added, r.updated, r.deleted, r.unchanged) == (6, 0, 0, 0)
    assert emb.texts_embedded == 6

    # nothing changed: nothing embedded, even from a fresh process (index re-opened from disk)
    [r] = _indexer(db, chroma, emb).sync()
    assert (r.added, r.updated, r.deleted, r.unchanged) == (0, 0, 0, 6)
    assert emb.texts_embedded == 6

    # add one
    with db.session() as s:
        sync_catalog(s, CatalogData(products=_records(1, start=6)), progress=False)
    [r] = _indexer(db, chroma, emb).sync()
    assert (r.added, r.updated, r.deleted, r.unchanged) == (1, 0, 0, 6)
    assert emb.texts_embedded == 7

    # change one (its name)
    changed = _records(1, start=2)[0]
    changed.name = "completely renamed lamp"
    with db.session() as s:
        sync_catalog(s, CatalogData(products=[changed]), progress=False)
    indexer = _indexer(db, chroma, emb)
    [r] = indexer.sync()
    assert (r.added, r.updated, r.deleted, r.unchanged) == (0, 1, 0, 6)
    assert emb.texts_embedded == 8
    pid2 = _pid(db, "SKU-2")
    assert indexer.text_index.fingerprints()[pid2] == fingerprint(emb.model_id, catalog_texts(db)[pid2])
    assert indexer.text_index.query(emb.embed_query("completely renamed"), 1)[0].id == pid2

    # delete one
    pid4 = _pid(db, "SKU-4")
    with db.session() as s:
        s.delete(s.get_one(Product, int(pid4)))
    indexer = _indexer(db, chroma, emb)
    [r] = indexer.sync()
    assert (r.added, r.updated, r.deleted, r.unchanged) == (0, 0, 1, 6)
    assert emb.texts_embedded == 8
    assert pid4 not in indexer.text_index.fingerprints()
    assert indexer.text_index.store_count() == len(indexer.text_index) == 6

    # a hidden product leaves the index too
    with db.session() as s:
        s.get_one(Product, int(pid2)).visible = False
    [r] = _indexer(db, chroma, emb).sync()
    assert (r.deleted, r.unchanged) == (1, 5)


def test_embedding_cache_skips_known_texts(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(tmp_path / "cache.sqlite"))
    a = cached.embed_documents(["red wool jacket", "blue drill", "red wool jacket"])
    assert inner.texts_embedded == 2 and cached.misses == 2
    again = CachedEmbedder(HashingEmbedder(), EmbeddingCache(tmp_path / "cache.sqlite"))  # a new process
    b = again.embed_documents(["blue drill", "red wool jacket", "green lamp"])
    assert again.hits == 2 and again.misses == 1
    assert np.allclose(a[1], b[0]) and np.allclose(a[0], b[1])
    # another model never reads these vectors
    other = CachedEmbedder(HashingEmbedder(dim=64), EmbeddingCache(tmp_path / "cache.sqlite"))
    other.embed_documents(["blue drill"])
    assert other.hits == 0


def test_product_text_uses_name_and_search_text() -> None:
    t = product_text("Hero  Hoodie", "Chaz Kangeroo\nMen Tops Hoodies\ngray\n" + "long description " * 100)
    assert t.startswith("Hero Hoodie\nChaz Kangeroo | Men Tops Hoodies | gray")
    assert len(t) <= 600


# ----- crash in the middle, re-run, verify ---------------------------------------------------------
def test_crash_midway_then_rerun_and_verify(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _catalog(sqlite_url, _records(30))
    chroma = tmp_path / "chroma"
    emb = HashingEmbedder()
    indexer = _indexer(db, chroma, emb, batch_size=4)
    real_upsert = ChromaVectorIndex.upsert
    calls = {"n": 0}

    def dying_upsert(self: ChromaVectorIndex, *args: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")  # the process dies inside the third batch
        real_upsert(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ChromaVectorIndex, "upsert", dying_upsert)
    with pytest.raises(KeyboardInterrupt):
        indexer.sync()
    monkeypatch.setattr(ChromaVectorIndex, "upsert", real_upsert)

    # a new process sees the half-built index: 8 written, 22 missing
    fresh = _indexer(db, chroma, emb, batch_size=4)
    [(before, after)] = fresh.verify(repair=False)
    assert after is None
    assert (before.missing, before.stale, before.orphaned, before.corrupt) == (22, 0, 0, 0)

    # re-running finishes the job: only the missing ones are embedded
    done_before = emb.texts_embedded
    [r] = fresh.sync()
    assert (r.added, r.unchanged) == (22, 8)
    assert emb.texts_embedded - done_before == 22
    [(before, after)] = _indexer(db, chroma, emb).verify()
    assert before.divergences == 0 and after is not None and after.divergences == 0


def test_verify_repairs_missing_stale_orphaned(sqlite_url: str, tmp_path: Path) -> None:
    db = _catalog(sqlite_url, _records(10))
    chroma = tmp_path / "chroma"
    emb = HashingEmbedder()
    indexer = _indexer(db, chroma, emb)
    indexer.sync()
    idx = indexer.text_index
    ids = idx.ids()
    # damage the store behind the indexer's back: one gone, one stale, one orphan
    idx.collection.delete(ids=[ids[0]])
    idx.collection.upsert(ids=[ids[1]], embeddings=[idx.vector(ids[1])], metadatas=[{"product_id": 1, "fingerprint": "x"}])
    idx.collection.upsert(ids=["999999"], embeddings=[idx.vector(ids[2])], metadatas=[{"product_id": 999999, "fingerprint": "y"}])
    [(before, after)] = indexer.verify()
    assert (before.missing, before.stale, before.orphaned) == (1, 1, 1)
    assert before.memory_out_of_sync
    assert after is not None and after.divergences == 0
    assert sorted(idx.ids()) == sorted(ids) and idx.store_count() == 10


# ----- model mismatch ------------------------------------------------------------------------------
def test_model_mismatch_is_refused(tmp_path: Path) -> None:
    chroma = tmp_path / "chroma"
    a = ChromaVectorIndex(TEXT_COLLECTION, "model-a", 8, path=chroma)
    a.upsert(["1"], np.ones((1, 8), dtype=np.float32), [{"product_id": 1, "fingerprint": "f"}])
    with pytest.raises(ModelMismatchError, match="--rebuild"):
        ChromaVectorIndex(TEXT_COLLECTION, "model-b", 8, path=chroma)
    with pytest.raises(ModelMismatchError):
        ChromaVectorIndex(TEXT_COLLECTION, "model-a", 16, path=chroma)
    b = ChromaVectorIndex.rebuild(TEXT_COLLECTION, "model-b", 16, client=chroma_client(path=chroma))
    assert len(b) == 0 and b.model_id == "model-b"
    with pytest.raises(VectorIndexError, match="shopassist index"):
        ChromaVectorIndex("products_nothing", "model-b", 16, path=chroma, create=False)


def test_the_embedder_source_is_a_value_that_works_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.embedders import embedder_source

    folder = tmp_path / "my-model"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    assert embedder_source("my-model") == str(folder) and embedder_source("st:my-model") == str(folder)
    assert embedder_source("MiniLM") == "minilm" and embedder_source("st:org/some-hub-model") == "st:org/some-hub-model"
    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing-64")
    assert embedder_source(None) == "hashing-64"


def _cli(*args: str) -> tuple[int, str]:
    from assistant.cli import cli

    res = CliRunner().invoke(cli, ["index", *args])
    return res.exit_code, res.output


def test_cli_index_update_verify_mismatch_rebuild(sqlite_url: str) -> None:
    db = _catalog(sqlite_url, _records(5))
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "-q")
    assert code == 0, out
    assert "5 added" in out and "no product in the catalog has a photo" in out
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "-q")
    assert code == 0 and "5 unchanged" in out

    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing-64", "-q")
    assert code == 1
    assert "built with model 'hashing-256'" in out and "--rebuild" in out and "Traceback" not in out
    assert "SHOPASSIST_EMBEDDER=hashing)" in out  # the index remembers which embedder built it

    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing-64", "--rebuild", "-q")
    assert code == 0 and "5 added" in out
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "-q")
    assert code == 1 and "SHOPASSIST_EMBEDDER=hashing-64)" in out

    with db.session() as s:
        sync_catalog(s, CatalogData(products=_records(1, start=5)), progress=False)
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing-64", "--verify", "-q", "--no-images")
    assert code == 0, out
    assert "1 missing, 0 stale, 0 orphaned" in out and "after repair: products_text: 0 missing" in out
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing-64", "--verify", "-q", "--no-images")
    assert "index and catalog agree" in out


def test_an_index_of_another_catalog_is_refused_not_emptied(sqlite_url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing a second catalog into the same home deleted the first catalog's vectors without a word."""
    _catalog(sqlite_url, _records(5))
    other = f"sqlite:///{tmp_path / 'other.db'}"
    _catalog(other, _records(3, start=100))
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "-q", "--no-images")
    assert code == 0 and "5 added" in out
    code, out = _cli("--db-url", other, "--embedder", "hashing", "-q", "--no-images")
    assert code == 1 and "another catalog's products" in out and "--rebuild" in out and "Traceback" not in out
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "-q", "--no-images")
    assert code == 0 and "5 unchanged" in out  # nothing was lost
    code, out = _cli("--db-url", other, "--embedder", "hashing", "--verify", "-q", "--no-images")
    assert code == 1 and "another catalog's products" in out
    # the assistant of the other catalog does not search the first catalog's vectors
    from assistant.agent import ShoppingAssistant

    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing")
    with pytest.raises(Exception, match="another catalog's products"):
        ShoppingAssistant.from_config(other, llm="rules", search="hybrid")
    assert type(ShoppingAssistant.from_config(sqlite_url, llm="rules", search="hybrid").searcher).__name__ == "HybridProductSearch"
    code, out = _cli("--db-url", other, "--embedder", "hashing", "--rebuild", "-q", "--no-images")
    assert code == 0 and "3 added" in out  # replacing it is a choice the owner makes


def test_another_catalogs_photos_turn_photo_search_off_not_wrong(sqlite_url: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A text index rebuilt for catalog B beside catalog A's photo index: B's photos searched A's vectors."""
    photos = {i: _png(tmp_path / f"p{i}.png", (40 * i, 200 - 40 * i, 90)) for i in range(3)}
    _catalog(sqlite_url, _records(3, images=photos))
    other = f"sqlite:///{tmp_path / 'other.db'}"
    _catalog(other, _records(3, start=100, images=photos))
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "-q")
    assert code == 0 and "products_image" in out, out
    code, out = _cli("--db-url", other, "--embedder", "hashing", "--rebuild", "-q", "--no-images")
    assert code == 0, out
    from assistant.agent import ShoppingAssistant

    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing")
    bot = ShoppingAssistant.from_config(other, llm="rules", search="hybrid")
    assert not bot.image_search_available and "another catalog's products" in bot.image_status


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    code, out = _cli("--db-url", f"sqlite:///{tmp_path / 'nope.db'}")
    assert code == 1 and "no catalog at" in out and "Traceback" not in out
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    open_catalog(empty).close()
    code, out = _cli("--db-url", empty)
    assert code == 1 and "no products to index" in out and "Traceback" not in out
    code, out = _cli("--db-url", "mysql+nodriver://x/y")
    assert code == 1 and "Traceback" not in out and out.startswith("Error:")


# ----- images --------------------------------------------------------------------------------------
def test_image_search_off_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    off = build_image_embedder(ImageModelConfig(model="none"))
    assert off.embedder is None and off.reason.startswith("image search is off:")
    clip = build_image_embedder(ImageModelConfig(model="open_clip"))
    assert clip.embedder is None and "SHOPASSIST_OPENCLIP_PRETRAINED" in clip.reason
    bad = build_image_embedder(ImageModelConfig(model="open_clip", open_clip_pretrained="/no/such/checkpoint.pt"))
    assert bad.embedder is None and bad.reason.startswith("image search is off: cannot load open_clip")
    unknown = build_image_embedder(ImageModelConfig(model="dalle"))
    assert unknown.embedder is None and "unknown image model 'dalle'" in unknown.reason
    # a missing package is named, never replaced by a fake
    import builtins

    real_import = builtins.__import__

    def no_effnet(name: str, *a: object, **k: object) -> object:
        if name.startswith("efficientnet_lite"):
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        return real_import(name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_effnet)
    gone = build_image_embedder(ImageModelConfig(model="auto"))
    assert gone.embedder is None and "pip install efficientnet-lite-pytorch" in gone.reason


def _png(path: Path, rgb: tuple[int, int, int]) -> str:
    from PIL import Image

    Image.new("RGB", (40, 30), rgb).save(path)
    return str(path)


def _image_indexer(db, chroma: Path) -> Indexer:  # type: ignore[no-untyped-def]
    """Text, (fake) image and colour indexes in one Chroma folder, as `shopassist index` builds them."""
    from retrieval.images import ColorHistogramEmbedder

    text, fake, color = HashingEmbedder(), FakeImageEmbedder(), ColorHistogramEmbedder()
    client = chroma_client(path=chroma)
    return Indexer(
        db,
        embedder=text,
        text_index=ChromaVectorIndex(TEXT_COLLECTION, text.model_id, text.dim, client=client),
        image_embedder=fake,
        image_index=ChromaVectorIndex(IMAGE_COLLECTION, fake.model_id, fake.dim, client=client),
        color_embedder=color,
        color_index=ChromaVectorIndex("products_color", color.model_id, color.dim, client=client),
    )


def _photo_store(sqlite_url: str, tmp_path: Path, readable: int, missing: str) -> tuple[CatalogDB, Callable[[], Indexer]]:
    """`readable` products with a photo (SKU-0 ...) and one more whose photo file `missing` does not exist,
    and a factory of image indexers over one Chroma folder."""
    imgs = {i: _png(tmp_path / f"p{i}.png", (40 * i, 200, 30)) for i in range(readable)}
    imgs[readable] = str(tmp_path / missing)
    db = _catalog(sqlite_url, _records(readable + 1, images=imgs))
    return db, lambda: _image_indexer(db, tmp_path / "chroma")


def test_image_index_incremental_and_unreadable(sqlite_url: str, tmp_path: Path) -> None:
    from retrieval.images import ColorHistogramEmbedder

    db, make = _photo_store(sqlite_url, tmp_path, 4, "missing.png")
    ix = make()
    text_r, img_r, color_r = ix.sync()
    assert (img_r.added, img_r.failed) == (4, 1) and "missing.png" in img_r.line()
    assert (color_r.added, color_r.failed) == (4, 1)
    assert ix.image_embedder.images_embedded == 4  # type: ignore[union-attr]

    # point one product at a new photo: only that one is re-embedded
    rec = _records(1, start=1, images={1: _png(tmp_path / "new.png", (250, 0, 0))})[0]
    with db.session() as s:
        sync_catalog(s, CatalogData(products=[rec]), progress=False)
    ix = make()
    _, img_r, color_r = ix.sync()
    assert (img_r.added, img_r.updated, img_r.unchanged, img_r.failed) == (0, 1, 3, 1)
    assert ix.image_embedder.images_embedded == 1  # type: ignore[union-attr]
    pid1 = _pid(db, "SKU-1")
    red = ColorHistogramEmbedder().embed_text(["rojo"])[0]
    assert ix.color_index is not None and ix.color_index.query(red, 1)[0].id == pid1

    results = make().verify()
    for _before, after in results:
        assert after is not None and after.divergences == 0, after.line()
    assert results[1][1] is not None and results[1][1].unreadable == 1


def test_verify_reports_an_unreadable_photo_apart_and_never_as_repaired(sqlite_url: str, tmp_path: Path) -> None:
    """A photo that cannot be read is not a divergence: verify lists it (product id, SKU, path) and repairs
    nothing for it, so a second verify of the unchanged catalog finds nothing to do either."""

    db, make = _photo_store(sqlite_url, tmp_path, 3, "gone.png")
    make().sync()
    pid3 = _pid(db, "SKU-3")
    for _ in range(2):  # the same answer every run: nothing was (or could be) repaired
        ix = make()
        results = ix.verify()
        for before, after in results:
            assert before.divergences == 0, before.line()
            assert after is not None and after.divergences == 0, after.line()
        assert [(b.unreadable, a.unreadable) for b, a in results[1:]] == [(1, 1), (1, 1)]  # type: ignore[union-attr]
        [photo] = ix.unreadable_images()
        assert (photo.product_id, photo.sku, photo.uri) == (pid3, "SKU-3", str(tmp_path / "gone.png"))
        assert "FileNotFoundError" in photo.error and f"product {pid3} (sku SKU-3)" in photo.line()
    checked = make().verify(repair=False)  # without repair it opens the absent photos to tell
    assert [(b.missing, b.unreadable) for b, _ in checked] == [(0, 0), (0, 1), (0, 1)]

    # a record really missing from the index is still a divergence, and verify repairs it
    ix = make()
    assert ix.color_index is not None
    ix.color_index.collection.delete(ids=[_pid(db, "SKU-0")])
    results = ix.verify()
    assert [b.missing for b, _ in results] == [0, 0, 1] and results[2][0].unreadable == 1
    assert all(a is not None and a.divergences == 0 for _, a in results)

    # once the photo is there, the next verify embeds it: a real repair
    _png(tmp_path / "gone.png", (10, 10, 250))
    ix = make()
    results = ix.verify()
    assert [(b.missing, b.unreadable) for b, _ in results] == [(0, 0), (1, 0), (1, 0)]
    assert all(a is not None and a.divergences == 0 and a.unreadable == 0 for _, a in results)
    assert ix.unreadable_images() == [] and pid3 in ix.image_index.fingerprints()  # type: ignore[union-attr]


def _bmp(path: Path, rgb: tuple[int, int, int]) -> str:
    """A 40x30 BMP: every one has the same file size, whatever its colour."""
    from PIL import Image

    Image.new("RGB", (40, 30), rgb).save(path, format="BMP")
    return str(path)


def test_a_photo_replaced_under_the_same_path_is_re_embedded(sqlite_url: str, tmp_path: Path) -> None:
    """A product photo replaced in place (same path, new picture) was never re-embedded: `index` said unchanged,
    `--verify` said the index and catalog agree, and photo search matched the old picture until `--rebuild`."""
    import os

    from retrieval.images import load_image

    imgs = {i: _bmp(tmp_path / f"p{i}.bmp", (60 * i, 200, 30)) for i in range(3)}
    db = _catalog(sqlite_url, _records(3, images=imgs))
    make = lambda: _image_indexer(db, tmp_path / "chroma")  # noqa: E731 (a new indexer reads the index from disk)
    make().sync()
    pid1 = _pid(db, "SKU-1")

    def top(ix: Indexer, photo: str) -> tuple[str, float]:
        assert ix.image_index is not None and ix.image_embedder is not None
        hit = ix.image_index.query(ix.image_embedder.embed_images([load_image(photo)])[0], 1)[0]
        return hit.id, hit.score

    _bmp(tmp_path / "p1.bmp", (250, 0, 0))  # the shop replaces the photo file; the catalog row is the same
    os.utime(tmp_path / "p1.bmp", ns=(1, 1_000_000_000))  # (another mtime than the first file's, whatever the clock)
    ix = make()
    _, img_r, color_r = ix.sync()
    assert (img_r.updated, img_r.unchanged) == (1, 2) and (color_r.updated, color_r.unchanged) == (1, 2)
    assert ix.image_embedder.images_embedded == 1  # type: ignore[union-attr]
    assert top(ix, imgs[1]) == (pid1, pytest.approx(1.0, abs=1e-5))
    [_, img_r, _] = make().sync()
    assert (img_r.updated, img_r.unchanged) == (0, 3)  # and once only

    # replaced again with the same size and mtime: the cheap check of `index` trusts them; `--verify` hashes every
    # photo, finds it stale and re-embeds it
    _bmp(tmp_path / "p1.bmp", (0, 0, 250))
    os.utime(tmp_path / "p1.bmp", ns=(1, 1_000_000_000))
    [_, img_r, _] = make().sync()
    assert img_r.unchanged == 3
    ix = make()
    results = ix.verify()
    assert [(b.stale, a.divergences if a else None) for b, a in results] == [(0, 0), (1, 0), (1, 0)]
    assert top(ix, imgs[1]) == (pid1, pytest.approx(1.0, abs=1e-5))
    assert all(b.divergences == 0 for b, _ in make().verify())


@pytest.mark.slow  # the real image models (EfficientNet-Lite2 from its wheel, colour histograms)
def test_cli_verify_lists_unreadable_photos_and_repairs_nothing_for_them(sqlite_url: str, tmp_path: Path) -> None:
    imgs = {i: _png(tmp_path / f"p{i}.png", (60 * i, 120, 30)) for i in range(2)}
    imgs[2] = str(tmp_path / "gone.png")
    _catalog(sqlite_url, _records(3, images=imgs)).close()
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "--image-model", "efficientnet", "-q")
    assert code == 0, out
    assert "products_image" in out and "products_color" in out and "1 unreadable image(s) skipped" in out
    for _ in range(2):
        code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "--image-model", "efficientnet", "--verify", "-q")
        assert code == 0, out
        assert "repaired" not in out and "1 missing" not in out, out
        assert "index and catalog agree" in out
        assert "1 product photo(s) could not be read" in out
        assert "(sku SKU-2)" in out and str(tmp_path / "gone.png") in out and "FileNotFoundError" in out
        assert "To fix:" in out


# ----- exact restricted search ---------------------------------------------------------------------
def test_restrict_to_is_exact_and_memory_follows_store(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n, dim = 3000, 32
    vecs = rng.standard_normal((n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = [str(i * 3 + 1) for i in range(n)]
    chroma = tmp_path / "chroma"
    idx = ChromaVectorIndex(TEXT_COLLECTION, "m", dim, path=chroma)
    idx.upsert(ids, vecs, [{"product_id": int(i), "fingerprint": f"fp{i}"} for i in ids])
    q = rng.standard_normal(dim).astype(np.float32)
    q /= np.linalg.norm(q)

    def brute(allowed: list[str], k: int) -> list[str]:
        pos = {i: r for r, i in enumerate(ids)}
        rows = [pos[a] for a in allowed if a in pos]
        s = vecs[rows] @ q
        return [ids[rows[j]] for j in np.argsort(-s)[:k]]

    for size in (1, 7, 50, 1500, 2900):  # small sets take the gather path, big ones the full-scan path
        allowed = [ids[j] for j in rng.choice(n, size, replace=False)]
        hits = idx.query(q, 10, restrict_to=allowed + ["2", "999999"])  # unknown ids are ignored
        assert [h.id for h in hits] == brute(allowed, 10)
        assert all(h.metadata["fingerprint"] == f"fp{h.id}" for h in hits)
        as_ints = idx.query(q, 10, restrict_to=[int(a) for a in allowed])
        assert [h.id for h in as_ints] == [h.id for h in hits]
    assert [h.id for h in idx.query(q, 5)] == brute(ids, 5)
    assert idx.query(q, 5, restrict_to=[]) == [] and idx.query(q, 5, restrict_to=["nope"]) == []
    scores = [h.score for h in idx.query(q, 20)]
    assert scores == sorted(scores, reverse=True) and abs(scores[0] - float(np.max(vecs @ q))) < 1e-5

    # delete and overwrite: memory follows, and a fresh load from disk agrees
    gone = [h.id for h in idx.query(q, 3)]
    idx.delete(gone)
    idx.upsert([ids[0]], -q[None, :], [{"product_id": int(ids[0]), "fingerprint": "new"}])
    top = idx.query(q, 5)
    assert not {h.id for h in top} & set(gone)
    assert idx.query(-q, 1)[0].id == ids[0]
    reopened = ChromaVectorIndex(TEXT_COLLECTION, "m", dim, path=chroma)
    assert len(reopened) == n - 3 == reopened.store_count()
    assert [h.id for h in reopened.query(q, 50)] == [h.id for h in idx.query(q, 50)]
    assert reopened.fingerprints() == idx.fingerprints()

    # another process's writes are picked up by refresh()
    idx.upsert(["777777"], q[None, :], [{"product_id": 777777, "fingerprint": "z"}])
    assert reopened.refresh() is True and reopened.query(q, 1)[0].id == "777777"
    assert reopened.refresh() is False


def test_non_numeric_ids_and_bad_input(tmp_path: Path) -> None:
    idx = ChromaVectorIndex(TEXT_COLLECTION, "m", 4, path=tmp_path / "c")
    eye = np.eye(4, dtype=np.float32)
    idx.upsert(["a", "b", "c", "d"], eye, [{"fingerprint": x} for x in "abcd"])
    assert idx.query(eye[2], 1, restrict_to=["c", "d"])[0].id == "c"
    assert [h.id for h in idx.query(eye[0], 2, restrict_to=["b", "c"])] == ["b", "c"]  # ties by id
    with pytest.raises(ValueError):
        idx.upsert(["e"], np.ones((1, 3), dtype=np.float32), [{}])
    with pytest.raises(ValueError):
        idx.upsert(["e"], np.full((1, 4), np.nan, dtype=np.float32), [{}])
    with pytest.raises(ValueError):
        idx.query(np.ones(5, dtype=np.float32), 1)


def test_update_index_function_and_unreachable_server(sqlite_url: str) -> None:
    from retrieval.indexer import build_index_for_demo, update_index

    _catalog(sqlite_url, _records(3)).close()
    [r] = update_index(sqlite_url, embedder="hashing")
    assert r.added == 3
    [r] = build_index_for_demo(sqlite_url, embedder="hashing")
    assert r.unchanged == 3
    code, out = _cli("--db-url", sqlite_url, "--embedder", "hashing", "--chroma-url", "http://127.0.0.1:9")
    assert code == 1 and "Traceback" not in out and out.startswith("Error:")


def _settled(searcher: object) -> None:
    """Wait for the searcher's background freshness check (if one is running) to finish."""
    import time

    holder = searcher._snapshots  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while holder._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not holder._refreshing


def test_snapshot_rebuilds_only_when_the_catalog_or_another_process_s_index_changes(tmp_path: Path) -> None:
    from catalog.repository import CatalogRepository
    from retrieval.search import HybridSearcher, SearchRequest

    emb = HashingEmbedder(dim=64)
    db = _catalog(f"sqlite:///{tmp_path / 'c.db'}", _records(20))
    _indexer(db, tmp_path / "chroma", emb).sync_text()
    served = ChromaVectorIndex(TEXT_COLLECTION, emb.model_id, emb.dim, path=tmp_path / "chroma")
    searcher = HybridSearcher(CatalogRepository(db), emb, served, snapshot_ttl_s=0.0)  # check at every search
    holder = searcher._snapshots

    def search(q: str) -> list[str]:
        out = [r.product.sku for r in searcher.search(SearchRequest(query=q, limit=5, diversify=False))]
        _settled(searcher)
        return out

    for _ in range(4):
        assert search("wool jacket")
    assert holder.builds == 1  # checked four times, nothing changed, nothing rebuilt

    # Another process imports a new product and runs `shopassist index`; the server is not told.
    with db.session() as s:
        sync_catalog(s, CatalogData(products=_records(20) + [ProductRecord(sku="NEW", name="zebra lamp", price=Decimal("5"))]),
                     progress=False)
    _indexer(db, tmp_path / "chroma", emb).sync_text()
    search("anything")  # this search starts the check; the next ones see the rebuilt snapshot
    assert holder.builds == 2
    assert len(served) == 21  # the served index reloaded what the other process wrote
    snap, _ = holder.get()
    new_row = snap.rows_of([int(_pid(db, "NEW"))])
    assert snap.has_vector[new_row].all()
    assert search("zebra lamp")[0] == "NEW"
    search("zebra lamp")
    assert holder.builds == 2


def test_a_deleted_index_does_not_stop_the_served_search(tmp_path: Path) -> None:
    from catalog.repository import CatalogRepository
    from retrieval.search import HybridSearcher, SearchRequest

    emb = HashingEmbedder(dim=64)
    db = _catalog(f"sqlite:///{tmp_path / 'c.db'}", _records(20))
    _indexer(db, tmp_path / "chroma", emb).sync_text()
    served = ChromaVectorIndex(TEXT_COLLECTION, emb.model_id, emb.dim, path=tmp_path / "chroma")
    searcher = HybridSearcher(CatalogRepository(db), emb, served, snapshot_ttl_s=0.0)
    assert searcher.search(SearchRequest(query="wool jacket", limit=5))
    _settled(searcher)
    chroma_client(path=tmp_path / "chroma").delete_collection(TEXT_COLLECTION)  # e.g. `index --rebuild` starting
    for _ in range(2):
        assert searcher.search(SearchRequest(query="wool jacket", limit=5))  # the loaded vectors keep serving
        _settled(searcher)
    searcher.invalidate()  # a rebuild on the search path too
    assert searcher.search(SearchRequest(query="wool jacket", limit=5))


# ----- a damaged store -----------------------------------------------------------------------------
def test_a_damaged_index_is_one_clear_error_and_rebuild_sets_it_aside(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A garbage or truncated chroma.sqlite3 made `index`, `--verify` and `--rebuild` end in a chromadb traceback,
    and the assistant fell back to catalog-only search without a word."""
    import logging
    import os

    from catalog.config import shopassist_home

    _catalog(sqlite_url, _records(5))
    folder = shopassist_home() / "chroma"
    args = ("--db-url", sqlite_url, "--embedder", "hashing", "-q", "--no-images")
    code, out = _cli(*args)
    assert code == 0 and "5 added" in out, out
    store = folder / "chroma.sqlite3"
    store.write_bytes(os.urandom(100_000))
    for extra in ((), ("--verify",)):
        code, out = _cli(*args, *extra)
        assert code == 1 and "Traceback" not in out, out
        assert out.startswith(f"Error: the search index at {folder.resolve()} is damaged (file is not a database)"), out
        assert "shopassist index --rebuild" in out and len(out.strip().splitlines()) == 1

    # the assistant still answers from the catalog, and says why in a warning
    from assistant.agent import ShoppingAssistant

    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing")
    with caplog.at_level(logging.INFO):
        bot = ShoppingAssistant.from_config(sqlite_url, llm="rules")
    assert type(bot.searcher).__name__ == "CatalogSearch"
    assert any(r.levelno == logging.WARNING and "is damaged (file is not a database)" in r.getMessage()
               and "--rebuild" in r.getMessage() for r in caplog.records), caplog.text

    # --rebuild moves the damaged folder aside (never deletes it) and builds a new index
    code, out = _cli(*args, "--rebuild")
    assert code == 0 and "5 added" in out and "Traceback" not in out, out
    [aside] = folder.parent.glob("chroma.damaged-*")
    assert f"moved it to {aside}" in out and (aside / "chroma.sqlite3").stat().st_size == 100_000
    code, out = _cli(*args)
    assert code == 0 and "5 unchanged" in out, out
    assert type(ShoppingAssistant.from_config(sqlite_url, llm="rules").searcher).__name__ == "HybridProductSearch"

    # a truncated database file
    with open(store, "r+b") as fh:
        fh.truncate(store.stat().st_size // 2)
    code, out = _cli(*args, "--verify")
    assert code == 1 and "is damaged (database disk image is malformed" in out and "Traceback" not in out, out
