"""Two processes on one local Chroma store: the server (this test process) holds the index open while
`shopassist index` runs in a subprocess on the same SHOPASSIST_HOME. Chroma's PersistentClient keeps the vector
segments in memory per process, so this process's copy is stale afterwards: reads of vectors failed with
"Error finding id" (every later admin re-index answered 500 until a restart, and searches kept the old vectors),
and a write through the stale copy could lose what the other process wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from assistant.agent import ShoppingAssistant
from catalog.db import CatalogDB, open_catalog
from catalog.records import ProductRecord
from catalog.writer import sync_catalog
from retrieval.fakes import HashingEmbedder
from retrieval.indexer import update_index
from retrieval.vector_index import TEXT_COLLECTION, ChromaVectorIndex
from tests.catalog_fixtures import small_store
from ui.server import create_app

ADMIN_KEY = "k" * 32
EXTRA = [
    ProductRecord(sku="EXT1", name="Glacier Trail Parka", price=Decimal("120.00"), categories=["Jackets"]),
    ProductRecord(sku="EXT2", name="Harbour Rain Slicker", price=Decimal("80.00"), categories=["Jackets"]),
]


def _cli_in_another_process(*args: str) -> str:
    """`shopassist index ...` in a subprocess with this test's SHOPASSIST_HOME (set by conftest)."""
    res = subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", "index", *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        cwd=Path(__file__).resolve().parents[1],
    )
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout + res.stderr


def _import(db: CatalogDB, extra: list[ProductRecord]) -> None:
    data = small_store()
    data.products.extend(extra)
    with db.session() as s:
        sync_catalog(s, data, progress=False)


def test_server_reindex_and_search_recover_after_cli_index_in_another_process(sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = open_catalog(sqlite_url)
    _import(db, [])
    args = ("--db-url", sqlite_url, "--embedder", "hashing-64", "--no-images", "-q")
    update_index(sqlite_url, embedder="hashing-64", images=False)  # built before the server starts
    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing-64")
    monkeypatch.setenv("SHOPASSIST_IMAGE_MODEL", "none")  # no image model to load: the text index is the point
    bot = ShoppingAssistant.from_config(sqlite_url, llm="rules", search="hybrid")
    api = TestClient(create_app(bot, admin_api_key=ADMIN_KEY, rate_limit=None, ui=False))
    served: ChromaVectorIndex = bot.searcher.searcher.index  # type: ignore[attr-defined]
    n = len(small_store().products)
    assert len(served) == n

    def reindex() -> dict[str, int]:
        r = api.post("/api/v1/admin/reindex", headers={"X-API-Key": ADMIN_KEY})
        assert r.status_code == 200, r.text  # was 500 "internal error" (InternalError: Error finding id)
        [text] = [c for c in r.json()["collections"] if c["collection"] == TEXT_COLLECTION]
        return text

    assert reindex()["unchanged"] == n

    # the shop owner imports a product and runs `shopassist index` on the same store while the server runs
    _import(db, EXTRA[:1])
    assert "1 added" in _cli_in_another_process(*args)

    # the served index reloads what the other process wrote (it raised "Error finding id" and kept the old copy)
    assert served.refresh() is True and len(served) == n + 1
    emb = HashingEmbedder(dim=64)
    assert served.vector(_pid(db, "EXT1")) is not None
    assert served.query(emb.embed_query(product_text_of(db, "EXT1")), 1)[0].id == _pid(db, "EXT1")

    # the server's own re-index works after it, and again
    _import(db, EXTRA)
    text = reindex()
    assert (text["added"], text["unchanged"], text["deleted"]) == (1, n + 1, 0)
    assert reindex()["unchanged"] == n + 2
    assert "Harbour Rain Slicker" in bot.chat("harbour rain slicker", session_id="after").text
    served.refresh()
    assert len(served) == n + 2 == served.store_count()

    # the other way round once more: the CLI updates what the server wrote, then the server re-indexes
    _import(db, [EXTRA[0], ProductRecord(sku="EXT2", name="Harbour Rain Slicker, hooded", price=Decimal("80.00"))])
    assert "1 updated" in _cli_in_another_process(*args)
    assert reindex()["unchanged"] == n + 2

    # the other process reads back every vector both wrote: nothing lost, nothing stale or corrupt
    out = _cli_in_another_process(*args[:-1], "--verify")
    assert "0 missing, 0 stale, 0 orphaned, 0 corrupt" in out and "index and catalog agree" in out, out


def _pid(db: CatalogDB, sku: str) -> str:
    from sqlalchemy import select

    from catalog.models import Product

    with db.session() as s:
        return str(s.scalar(select(Product.id).where(Product.sku == sku)))


def product_text_of(db: CatalogDB, sku: str) -> str:
    from retrieval.indexer import catalog_texts

    return catalog_texts(db)[_pid(db, sku)]


def test_writes_after_another_process_wrote_lose_nothing(tmp_path: Path) -> None:
    """The in-process index writes after a subprocess wrote the same store: every vector of both survives
    (a write through the stale in-memory segment would have persisted it without the other process's records)."""
    chroma = tmp_path / "chroma"
    rng = np.random.default_rng(0)
    mine = rng.standard_normal((20, 8)).astype(np.float32)
    idx = ChromaVectorIndex(TEXT_COLLECTION, "m", 8, path=chroma)
    idx.upsert([str(i) for i in range(20)], mine, [{"fingerprint": "a"}] * 20)

    code = (
        "import numpy as np\n"
        "from retrieval.vector_index import ChromaVectorIndex, TEXT_COLLECTION\n"
        f"idx = ChromaVectorIndex(TEXT_COLLECTION, 'm', 8, path={str(chroma)!r})\n"
        "v = np.random.default_rng(1).standard_normal((10, 8)).astype(np.float32)\n"
        "idx.upsert([str(i) for i in range(100, 110)], v, [{'fingerprint': 'b'}] * 10)\n"
        "idx.delete(['0'])\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 0, res.stderr

    more = rng.standard_normal((5, 8)).astype(np.float32)
    idx.upsert([str(i) for i in range(200, 205)], more, [{"fingerprint": "c"}] * 5)  # the write through this process
    idx.delete(["1"])
    idx.load()  # memory as Chroma stores it
    expected = {str(i) for i in range(2, 20)} | {str(i) for i in range(100, 110)} | {str(i) for i in range(200, 205)}
    assert set(idx.ids()) == expected and idx.store_count() == len(expected)

    check = (
        "import json\n"
        "from retrieval.vector_index import ChromaVectorIndex, TEXT_COLLECTION\n"
        f"idx = ChromaVectorIndex(TEXT_COLLECTION, 'm', 8, path={str(chroma)!r}, create=False)\n"
        "print(json.dumps({k: bool(ok) for k, (fp, ok) in idx.stored_records().items()}))\n"
    )
    res = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 0, res.stderr
    stored = json.loads(res.stdout.strip().splitlines()[-1])
    assert set(stored) == expected and all(stored.values())
    vec = idx.vector("200")
    assert vec is not None and np.allclose(vec, more[0] / np.linalg.norm(more[0]), atol=1e-6)


def test_a_collection_can_be_made_after_the_store_was_reopened(tmp_path: Path) -> None:
    """A server that reopened the store (another process had written it) still creates the indexes it lacks."""
    from retrieval.vector_index import _store_of

    first = ChromaVectorIndex("products_text", model_id="m", dim=4, path=str(tmp_path / "chroma"))
    store = _store_of(first.client)
    assert store is not None
    store.reopen()
    made = ChromaVectorIndex("products_image", model_id="m", dim=4, path=str(tmp_path / "chroma"))
    made.upsert(["1"], np.ones((1, 4), dtype=np.float32), [{"fp": "x"}])
    assert made.store_count() == 1 and first.store_count() == 0
