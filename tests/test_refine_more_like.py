"""'More like this' (POST /api/v1/refine/more-like) over real SQLite catalogs, with the catalog searcher and
with the hybrid one: the product itself is never a result, and the search runs in the product's real
category, never in a collection or promotion it is also filed under."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.agent import ShoppingAssistant, vocabulary_of
from assistant.hybrid import HybridProductSearch
from assistant.intent_parser import RuleIntentParser
from assistant.search_backend import CatalogSearch
from catalog.db import open_catalog
from catalog.records import CatalogData
from catalog.repository import CatalogRepository
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store
from tests.conftest import shared_dataset
from tests.test_search import searcher_for
from ui.server import create_app


def _client(url: str, data: CatalogData | None, search: str) -> tuple[TestClient, ShoppingAssistant]:
    db = open_catalog(url)
    if data is not None:
        with db.session() as s:
            sync_catalog(s, data, progress=False)
    repo = CatalogRepository(db)
    searcher = HybridProductSearch(searcher_for(repo)) if search == "hybrid" else CatalogSearch(repo)
    bot = ShoppingAssistant(db, intent_parser=RuleIntentParser(vocabulary_of(repo)), search=searcher)
    return TestClient(create_app(bot, admin_api_key="k", rate_limit=None, ui=False)), bot


def _store_with_collections() -> CatalogData:
    """The small store, with its rain jacket also filed the way Magento files its products."""
    data = small_store()
    wj01 = next(p for p in data.products if p.sku == "WJ01")
    wj01.categories = ["Collections/Erin Recommends", "Promotions/Women Sale", "Women/Tops/Jackets"]
    return data


def _more_like(client: TestClient, bot: ShoppingAssistant, sku: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    pid = bot.repo.get_by_sku(sku).id  # type: ignore[union-attr]
    sid = client.post("/api/v1/chat", json={"message": "jackets"}).json()["session_id"]
    r = client.post("/api/v1/refine/more-like", json={"session_id": sid, "product_id": pid})
    assert r.status_code == 200, r.text
    return pid, r.json()


@pytest.mark.parametrize("search", ["catalog", "hybrid"])
def test_more_like_this_searches_the_real_category_and_never_shows_the_product(sqlite_url: str, search: str) -> None:
    client, bot = _client(sqlite_url, _store_with_collections(), search)
    # the only men's jacket: its category was always right, but it was shown as "more like" itself
    pid, body = _more_like(client, bot, "MJ01")
    assert body["intent"]["category"] == "Men/Tops/Jackets"
    assert pid not in [p["id"] for p in body["products"]], body["products"]

    # filed under a collection and a promotion first (by path order): the search is in its real category
    pid, body = _more_like(client, bot, "WJ01")
    assert body["intent"]["category"] == "Women/Tops/Jackets" and body["intent"]["gender"] == "women"
    assert pid not in [p["id"] for p in body["products"]]
    assert [p["sku"] for p in body["products"]] == ["WJ02"]  # the other women's jacket
    assert "jackets" in body["reply"].lower() and "erin" not in body["reply"].lower(), body["reply"]


@pytest.mark.shared
@pytest.mark.parametrize("search", ["catalog", "hybrid"])
def test_more_like_this_on_the_magento_demo_store(tmp_path: Path, search: str) -> None:
    from catalog.importers import load_source

    data = load_source("magento", shared_dataset("magento"), progress=False)
    client, bot = _client(f"sqlite:///{tmp_path / 'magento.db'}", data, search)
    jacket = bot.repo.get_by_sku(next(p.sku for p in data.products if p.name == "Adrienne Trek Jacket"))
    assert jacket is not None
    assert jacket.categories[0] == "Collections/Erin Recommends"  # its first category is a collection: the case in point
    pid, body = _more_like(client, bot, jacket.sku)
    assert body["intent"]["category"] == "Women/Tops/Jackets"
    ids = [p["id"] for p in body["products"]]
    assert pid not in ids and len(ids) == 5
    assert all("Jacket" in p["name"] for p in body["products"]), [p["name"] for p in body["products"]]
    assert body["reply"].startswith("Here are 5 women's jackets"), body["reply"]
