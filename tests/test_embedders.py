"""Real encoders (loaded offline from their PyPI wheels). Model-loading tests are marked slow; they run in CI."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from catalog.db import open_catalog
from catalog.records import CatalogData, ProductRecord
from catalog.writer import sync_catalog
from retrieval.embedders import E5_MODEL_ID, EmbedderError, build_embedder
from retrieval.fakes import FakeImageEmbedder, HashingEmbedder
from retrieval.images import (
    PALETTE,
    ColorHistogramEmbedder,
    EfficientNetImageEmbedder,
    OpenClipImageEmbedder,
    color_profile,
    color_words,
)
from retrieval.interfaces import Embedder, ImageEmbedder


def _png(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (64, 48), box: bool = True) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, (255, 255, 255))
    if box:
        ImageDraw.Draw(img).rectangle([8, 8, size[0] - 8, size[1] - 8], fill=rgb)
    img.save(path)
    return path


def test_fakes_are_deterministic_and_normalised(tmp_path: Path) -> None:
    e = HashingEmbedder()
    assert isinstance(e, Embedder)
    a, b = e.embed_documents(["Red wool jacket", "red WOOL jacket!"])
    assert np.allclose(a, b) and abs(np.linalg.norm(a) - 1) < 1e-6
    assert float(e.embed_query("wool") @ a) > float(e.embed_query("drill") @ a)
    assert e.embed_documents([]).shape == (0, 256)
    f = FakeImageEmbedder()
    assert isinstance(f, ImageEmbedder)
    p = _png(tmp_path / "a.png", (200, 0, 0))
    assert np.allclose(f.embed_images([p]), f.embed_images([p]))
    with pytest.raises(NotImplementedError):
        f.embed_text(["x"])


def test_unknown_local_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="cannot load sentence-transformers model"):
        build_embedder(f"st:{tmp_path / 'no-model-here'}", cache=False)


def test_colour_profile_and_words(tmp_path: Path) -> None:
    red = color_profile(_png(tmp_path / "r.png", (210, 20, 30)))
    assert PALETTE[int(np.argmax(red))] == "red" and red[PALETTE.index("white")] < 0.05  # background dropped
    gray = color_profile(_png(tmp_path / "g.png", (128, 128, 130)))
    assert PALETTE[int(np.argmax(gray))] == "gray"
    assert color_words("grey hoodie in Navy") == ["gray", "blue"]
    assert color_words("sudadera gris") == ["gray"] and color_words("红色连衣裙") == ["red"]
    c = ColorHistogramEmbedder()
    imgs = c.embed_images([tmp_path / "r.png", tmp_path / "g.png"])
    q = c.embed_text(["gray hoodie"])[0]
    assert float(imgs[1] @ q) > 0.9 > float(imgs[0] @ q)
    assert not c.embed_text(["hoodie"]).any()  # no colour word: no preference


@pytest.mark.slow
def test_e5_default_is_multilingual_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPASSIST_EMBEDDER", raising=False)
    emb = build_embedder(None, cache=False)
    assert emb.model_id == E5_MODEL_ID and emb.dim == 384
    docs = emb.embed_documents(["cordless power drill with battery", "garden hose 50 ft", "red summer dress"])
    assert docs.shape == (3, 384) and np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-4)
    for query, want in (("taladro inalámbrico", 0), ("manguera de jardín", 1), ("红色连衣裙", 2)):
        q = emb.embed_query(query)
        assert int(np.argmax(docs @ q)) == want, query
    # the prefixes differ for queries and passages
    assert not np.allclose(emb.embed_query("garden hose 50 ft"), docs[1])


@pytest.mark.slow
def test_default_embedder_builds_and_updates_real_index(sqlite_url: str) -> None:
    db = open_catalog(sqlite_url)
    names = ["Cordless drill 18V", "Wool winter jacket", "Ceramic table lamp"]
    with db.session() as s:
        recs = [ProductRecord(sku=f"S{i}", name=n, price=Decimal("9.99")) for i, n in enumerate(names)]
        sync_catalog(s, CatalogData(products=recs), progress=False)
    from assistant.cli import cli

    res = CliRunner().invoke(cli, ["index", "--db-url", sqlite_url, "-q"])
    assert res.exit_code == 0, res.output
    assert "3 added" in res.output and E5_MODEL_ID in res.output

    from retrieval.indexer import open_indexes

    ix = open_indexes(images=False)
    hit = ix.text_index.query(ix.embedder.embed_query("chaqueta de lana"), 1)[0]
    assert hit.metadata["product_id"] == 2
    # the disk cache: a rebuild embeds nothing again
    assert ix.embedder.cache.count(E5_MODEL_ID) == 3  # type: ignore[attr-defined]
    res = CliRunner().invoke(cli, ["index", "--db-url", sqlite_url, "-q", "--rebuild"])
    assert res.exit_code == 0 and "3 added" in res.output


@pytest.mark.slow
def test_minilm_loads_from_its_wheel() -> None:
    emb = build_embedder("minilm", cache=False)
    assert emb.model_id == "sentence-transformers/all-MiniLM-L6-v2" and emb.dim == 384
    d = emb.embed_documents(["cordless drill", "wool jacket"])
    assert int(np.argmax(d @ emb.embed_query("battery powered drill"))) == 0


@pytest.mark.slow
def test_minilm_queries_run_on_onnx_with_torch_identical_vectors() -> None:
    """The fast query path must give the vectors torch gives (the documents are embedded by torch)."""
    from retrieval.embedders import SentenceTransformerEmbedder, minilm_embedder

    emb = minilm_embedder()
    enc = emb.query_encoder
    assert enc is not None and enc.path.exists() and enc.path.parent.name == "onnx"
    queries = ["18v cordless drill", "white vanity 36 in. with top", "Kühlschrank", "a " * 400]  # the last truncates
    for q in queries:
        np.testing.assert_allclose(emb.embed_query(q), emb._encode([q])[0], atol=1e-5)
    # a second embedder reuses the exported file; turning the fast path off uses torch
    assert minilm_embedder().query_encoder.path == enc.path  # type: ignore[union-attr]
    slow = minilm_embedder(fast_queries=False)
    assert slow.query_encoder is None
    assert isinstance(slow, SentenceTransformerEmbedder)
    np.testing.assert_allclose(slow.embed_query(queries[0]), emb.embed_query(queries[0]), atol=1e-5)


@pytest.mark.slow
def test_fast_query_encoder_refuses_what_it_cannot_reproduce(tmp_path: Path) -> None:
    from retrieval.embedders import minilm_embedder
    from retrieval.fast_query import build_onnx_query_encoder

    emb = minilm_embedder(fast_queries=False)
    model = emb._model
    pooling = model[1]
    pooling.pooling_mode = "cls"  # CLS pooling is not what the exported graph computes
    try:
        assert build_onnx_query_encoder(model, emb.model_id, tmp_path) is None
    finally:
        pooling.pooling_mode = "mean"
    # a damaged cached file is exported again rather than failing the search
    enc = build_onnx_query_encoder(model, emb.model_id, tmp_path)
    assert enc is not None
    enc.path.write_bytes(b"not an onnx model")
    again = build_onnx_query_encoder(model, emb.model_id, tmp_path)
    assert again is not None and again.path == enc.path and again.path.stat().st_size > 1_000_000
    np.testing.assert_allclose(again.encode("drill"), emb.embed_query("drill"), atol=1e-5)


@pytest.mark.slow
def test_efficientnet_image_similarity(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    emb = EfficientNetImageEmbedder()
    assert capfd.readouterr().out == ""  # the package's "Loaded pretrained weights" stays off stdout (scripts print JSON)
    assert isinstance(emb, ImageEmbedder) and emb.dim == 1280 and not emb.supports_text
    a = _png(tmp_path / "a.png", (200, 30, 30), size=(120, 90))
    a2 = _png(tmp_path / "a2.png", (205, 35, 30), size=(90, 120))
    b = tmp_path / "b.png"
    from PIL import Image

    Image.fromarray(((np.indices((100, 100)).sum(0) % 20) > 10).astype(np.uint8) * 255).convert("RGB").save(b)
    v = emb.embed_images([a, a2, b])
    assert v.shape == (3, 1280) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
    with pytest.raises(NotImplementedError):
        emb.embed_text(["red"])


@pytest.mark.slow
def test_open_clip_plumbing_with_random_weights(tmp_path: Path) -> None:
    """Random weights (pretrained=None): checks the loading/encoding plumbing only, never quality."""
    emb = OpenClipImageEmbedder("ViT-S-32", pretrained=None)
    assert emb.supports_text and emb.model_id == "open_clip:ViT-S-32:random-init"
    imgs = emb.embed_images([_png(tmp_path / "a.png", (10, 200, 10))])
    txt = emb.embed_text(["a green shirt", "a red dress"])
    assert imgs.shape == (1, emb.dim) and txt.shape == (2, emb.dim)
    assert np.allclose(np.linalg.norm(txt, axis=1), 1, atol=1e-4)


def test_a_misspelt_setting_is_warned_about(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """SHOPASSIST_EMBED_THREADS=abc and SHOPASSIST_IMAGE_MODEL=bogus were ignored without a word."""
    import logging

    from retrieval.embedders import default_threads
    from retrieval.images import ImageModelConfig, build_image_embedder

    caplog.set_level(logging.WARNING)
    for raw in ("abc", "0", "-2"):
        monkeypatch.setenv("SHOPASSIST_EMBED_THREADS", raw)
        assert default_threads() == 1
        assert f"SHOPASSIST_EMBED_THREADS={raw!r}" in caplog.text
    monkeypatch.setenv("SHOPASSIST_EMBED_THREADS", "2")
    assert default_threads() == 2
    assert build_image_embedder(ImageModelConfig(model="bogus")).embedder is None
    assert "unknown image model 'bogus'" in caplog.text
