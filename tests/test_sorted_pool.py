"""Explicit sorts ("cheapest", "most expensive") answer about what the shopper is looking at, exactly:
after a search, the cheapest of what relevance showed (even a result without every query word) but never
an off-kind product whose description merely mentions the words; with a photo, the cheapest of the
products that look like it. Real SQLite catalogs (PostgreSQL too where SHOPASSIST_TEST_PG_URL is set); the hybrid searcher and the catalog-only one."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from assistant.agent import ShoppingAssistant, vocabulary_of
from assistant.hybrid import HybridProductSearch
from assistant.intent import ShoppingIntent
from assistant.intent_parser import RuleIntentParser
from assistant.search_backend import CatalogSearch, ProductSearch, SearchContext
from catalog.records import CatalogData, ProductRecord
from catalog.repository import CatalogRepository, ProductFilter
from retrieval.memory_index import MemoryVectorIndex
from retrieval.search import HybridSearcher, SearchRequest
from retrieval.sort_pool import PHOTO_SORT_POOL, residual_words
from tests.test_search import build, searcher_for


def _p(sku: str, name: str, price: str, category: str, description: str = "") -> ProductRecord:
    return ProductRecord(sku=sku, name=name, price=Decimal(price), categories=[category], description=description,
                         brand="Acme")


def outdoor_store() -> CatalogData:
    """The eShop cases: trail shoes shown among hiking shoes; a chalk bag whose description mentions
    climbing harnesses, cheaper than every harness."""
    return CatalogData(products=[
        _p("F1", "Trekker Clear Hiking Shoes", "84.99", "Footwear", "Hiking shoes with a clear sole."),
        _p("F2", "TrailTracker Hiking Shoes", "89.99", "Footwear", "Hiking shoes for rocky trails."),
        _p("F3", "Venture Grey Trail Shoes", "79.99", "Footwear", "Grey trail shoes with a grippy sole."),
        _p("F4", "EcoTrek Trail Running Shoes", "99.99", "Footwear", "Recycled trail running shoes."),
        _p("F5", "Wanderer Black Hiking Boots", "109.99", "Footwear", "Waterproof hiking boots."),
        _p("F6", "Trek Xtreme Hiking Shoes", "135.99", "Footwear", "Hiking shoes for long treks."),
        _p("F9", "Merino Wool Socks", "14.99", "Footwear", "Soft and warm."),
        _p("C1", "Apex Climbing Harness", "89.99", "Climbing", "A light climbing harness."),
        _p("C2", "Razor Climbing Harness", "94.99", "Climbing", "A climbing harness for sport routes."),
        _p("C3", "Gravity Harness", "92.99", "Climbing", "An adjustable harness for climbing gyms."),
        _p("C4", "Guardian Blue Chalk Bag", "21.99", "Climbing",
           "A chalk bag with a belt loop and an attachment to climbing harnesses."),
        _p("C5", "Summit Pro Climbing Harness", "189.99", "Climbing", "An alpine climbing harness."),
        _p("T1", "LumenHead Headlamp", "49.99", "Trekking", "A bright headlamp for hiking at night."),
        _p("T2", "GripTrek Hiking Poles", "79.99", "Trekking", "Hiking poles."),
    ])


def searchers(repo: CatalogRepository) -> dict[str, ProductSearch]:
    return {"hybrid": HybridProductSearch(searcher_for(repo)), "catalog": CatalogSearch(repo)}


@pytest.mark.parametrize("search", ["hybrid", "catalog"])
def test_cheapest_after_a_search_is_the_cheapest_of_what_was_shown(db_url: str, search: str) -> None:
    """'hiking shoes under $100' showed Venture Grey Trail Shoes ($79.99, no word "hiking"); 'cheapest'
    answered Trekker Clear Hiking Shoes at $84.99 (only products with every word were sorted); the
    catalog-only searcher sorted the whole filter, socks included."""
    repo = build(db_url, outdoor_store())
    searcher = searchers(repo)[search]
    intent = ShoppingIntent(kind="search", query="hiking shoes", category="Footwear", max_price=100)
    shown = searcher.search(intent, SearchContext(), 4).items
    assert "F3" in {r.product.sku for r in shown} and "F9" not in {r.product.sku for r in shown}  # trail shoes, no socks
    cheapest = searcher.search(intent.model_copy(update={"sort": "price_asc"}), SearchContext(), 5).items
    prices = [r.product.price for r in cheapest]
    assert cheapest[0].product.sku == "F3" and prices == sorted(prices)
    assert prices[0] <= min(r.product.price for r in shown)
    assert all(r.product.price <= 100 and "Footwear" in r.product.categories for r in cheapest)
    # the sort is exact: the hiking shoes themselves all come, in price order; the socks, cheaper but
    # neither named for the words nor shown, are not "the cheapest hiking shoes"
    assert [r.product.sku for r in cheapest] == ["F3", "F1", "F2", "F4"]
    dearest = searcher.search(intent.model_copy(update={"sort": "price_desc"}), SearchContext(), 5).items
    assert [r.product.price for r in dearest] == sorted((r.product.price for r in dearest), reverse=True)
    assert dearest[0].product.sku == "F4"  # the dearest under $100 (the $109.99 boots are over the budget)


@pytest.mark.parametrize("search", ["hybrid", "catalog"])
def test_cheapest_harness_is_a_harness_not_a_chalk_bag_that_mentions_harnesses(db_url: str, search: str) -> None:
    """'climbing harness under 100' then 'cheapest' answered a chalk bag: its description has both words."""
    repo = build(db_url, outdoor_store())
    searcher = searchers(repo)[search]
    intent = ShoppingIntent(kind="search", query="climbing harness", category="Climbing", max_price=100, sort="price_asc")
    got = searcher.search(intent, SearchContext(), 5).items
    assert [r.product.sku for r in got] == ["C1", "C3", "C2"], [r.product.name for r in got]  # exact, by price
    # over the whole filter the note for an impossible budget still names the chalk bag's price exactly
    poor = searcher.search(intent.model_copy(update={"max_price": 5.0}), SearchContext(), 5)
    assert poor.note is not None and "$21.99" in poor.note
    assert poor.items and poor.items[0].product.price == Decimal("21.99")


def test_searcher_sort_pool_rules(sqlite_url: str) -> None:
    """HybridSearcher.search directly: the words the filter enforces add nothing (whole filtered set, exact);
    words nobody is named with fall back to the relevance results, never to nothing."""
    repo = build(sqlite_url, outdoor_store())
    searcher = searcher_for(repo)
    f = ProductFilter(category="Footwear")
    assert residual_words("Footwear", f) == [] and residual_words("hiking shoes Footwear", f) == ["hiking", "shoes"]
    whole = searcher.search(SearchRequest(query="footwear", filter=f, sort="price_asc", limit=10))
    assert [r.id for r in whole] == repo.find_ids(f, sort="price_asc", limit=10)
    vague = searcher.search(SearchRequest(query="something comfy", filter=f, sort="price_asc", limit=10))
    assert vague and all("Footwear" in r.product.categories for r in vague)
    assert [r.product.price for r in vague] == sorted(r.product.price for r in vague)
    # the harness query straight to the searcher, words as the assistant sends them
    harness = searcher.search(SearchRequest(query="climbing harness", filter=ProductFilter(category="Climbing", max_price=100),
                                            sort="price_asc", limit=10))
    assert [r.product.sku for r in harness] == ["C1", "C3", "C2"]


# ----- a photo ------------------------------------------------------------------------------------
def photo_store() -> CatalogData:
    boots = [_p(f"B{i}", f"Trail boot {i}", str(100 + 10 * i), "Footwear") for i in range(5)]
    near = [_p(f"N{i}", f"Snowboard boot {i}", str(250 + i), "Ski") for i in range(PHOTO_SORT_POOL)]
    far = [_p(f"X{i}", f"Chalk bag {i}", str(20 + i), "Climbing") for i in range(8)]
    return CatalogData(products=[*boots, *near, *far])


def photo_index(repo: CatalogRepository) -> MemoryVectorIndex:
    """Photo vectors: the boots look like the shopper's photo (cos ~1), the snowboard boots somewhat
    (cos 0.6), the cheap chalk bags not at all (cos < 0)."""
    index = MemoryVectorIndex("img-test", 3)
    ids, vecs = [], []
    for sku, vec in [(f"B{i}", [1.0, 0.05 * i, 0.0]) for i in range(5)] + \
                    [(f"N{i}", [0.6, 0.8, 0.01 * i]) for i in range(PHOTO_SORT_POOL)] + \
                    [(f"X{i}", [-1.0, 0.0, 0.1 * i]) for i in range(8)]:
        p = repo.get_by_sku(sku)
        assert p is not None
        ids.append(str(p.id))
        vecs.append(vec)
    index.upsert(ids, np.array(vecs, dtype=np.float32))
    return index


PHOTO = np.array([1.0, 0.0, 0.0], dtype=np.float32)


def test_cheapest_like_this_photo_sorts_the_look_alikes(sqlite_url: str) -> None:
    """A photo plus "cheaper"/"cheapest" sorted the whole catalog and answered a chalk bag."""
    repo = build(sqlite_url, photo_store())
    base = searcher_for(repo)
    searcher = HybridSearcher(repo, base.embedder, base.index, image_index=photo_index(repo))
    for query in ("", "cheaper"):  # the rule parser leaves "cheaper" as the query of "like this but cheaper"
        got = searcher.search(SearchRequest(query=query, sort="price_asc", limit=5, image_vector=PHOTO))
        assert [r.product.sku for r in got] == ["B0", "B1", "B2", "B3", "B4"], [r.product.name for r in got]
    # exact within the look-alikes and under the filter: the 12 nearest are the 5 boots and the 7 nearest
    # snowboard boots (N0-N6); the dearer, less alike N7-N11 are not among them
    dear = searcher.search(SearchRequest(sort="price_desc", limit=10, image_vector=PHOTO))
    assert [r.product.sku for r in dear] == [f"N{i}" for i in range(6, -1, -1)] + ["B4", "B3", "B2"]
    within = searcher.search(SearchRequest(sort="price_asc", limit=5, image_vector=PHOTO,
                                           filter=ProductFilter(min_price=115)))
    assert [r.product.sku for r in within] == ["B2", "B3", "B4", "N0", "N1"]
    # words narrow the look-alikes to those named for them
    snow = searcher.search(SearchRequest(query="snowboard boot", sort="price_asc", limit=3, image_vector=PHOTO))
    assert [r.product.sku for r in snow] == ["N0", "N1", "N2"]


class PhotoEmbedder:
    def embed_images(self, images: list[Any]) -> np.ndarray:
        return np.stack([PHOTO for _ in images])


def test_like_this_but_cheaper_in_the_chat(sqlite_url: str) -> None:
    """The shopper's turn end to end: a photo and 'like this but cheaper' / 'the cheapest like this'."""
    from PIL import Image

    repo = build(sqlite_url, photo_store())
    base = searcher_for(repo)
    searcher = HybridSearcher(repo, base.embedder, base.index, image_index=photo_index(repo))
    search = HybridProductSearch(searcher, SimpleNamespace(image_embedder=PhotoEmbedder(), image_status="on"))
    bot = ShoppingAssistant(repo.db, intent_parser=RuleIntentParser(vocabulary_of(repo)), search=search)
    for message in ("like this but cheaper", "the cheapest like this"):
        reply = bot.chat(message, image=Image.new("RGB", (8, 8), "white"))  # (the embedder's own vector stands for its look)
        assert reply.intent is not None and reply.intent.sort == "price_asc", reply.intent
        assert [c.sku for c in reply.products][:3] == ["B0", "B1", "B2"], reply.text


@pytest.mark.parametrize("search", ["hybrid", "catalog"])
def test_cheapest_in_the_conversation(sqlite_url: str, search: str) -> None:
    """The reported conversations, through the rule parser: 'cheapest' after a search never answers a
    product dearer than one just shown, nor an off-kind one."""
    repo = build(sqlite_url, outdoor_store())
    bot = ShoppingAssistant(repo.db, intent_parser=RuleIntentParser(vocabulary_of(repo)), search=searchers(repo)[search])
    first = bot.chat("hiking shoes under $100", session_id="s1")
    assert "F3" in [c.sku for c in first.products], first.text
    cheapest = bot.chat("cheapest", session_id="s1")
    assert cheapest.intent is not None and cheapest.intent.sort == "price_asc"
    assert cheapest.products[0].sku == "F3", cheapest.text
    bot.chat("climbing harness under 100", session_id="s2")
    cheapest = bot.chat("cheapest", session_id="s2")
    assert cheapest.products and cheapest.products[0].sku == "C1", cheapest.text
    assert all("Harness" in c.name for c in cheapest.products), cheapest.text


def backpacks() -> CatalogData:
    def bp(sku: str, name: str, price: str, feature: str) -> ProductRecord:
        return ProductRecord(sku=sku, name=name, price=Decimal(price), categories=["Bags"], brand="Acme",
                             description=f"{name}: a roomy daypack.", attributes={"features": [feature, "Lightweight"]})

    return CatalogData(products=[
        bp("B1", "Endeavor Daytrip Backpack", "33.00", "Laptop Sleeve"),
        bp("B2", "Driven Backpack", "36.00", "Hydration Pocket"),
        bp("B3", "Crown Summit Backpack", "38.00", "Waterproof"),
        bp("B4", "Fusion Backpack", "59.00", "Waterproof"),
    ])


@pytest.mark.parametrize("search", ["hybrid", "catalog"])
def test_a_value_the_catalog_states_is_kept_by_the_sort(db_url: str, search: str) -> None:
    """'the cheapest waterproof backpack' was the Endeavor, whose features do not say Waterproof."""
    repo = build(db_url, backpacks())
    searcher = searchers(repo)[search]
    intent = ShoppingIntent(query="waterproof backpack", category="Bags", sort="price_asc")
    got = [i.product.name for i in searcher.search(intent, SearchContext(), 5).items]
    assert got == ["Crown Summit Backpack", "Fusion Backpack"], got
    # a word no attribute states sorts what relevance showed, as before
    roomy = searcher.search(intent.model_copy(update={"query": "roomy backpack"}), SearchContext(), 5).items
    assert [i.product.name for i in roomy][0] == "Endeavor Daytrip Backpack"


def test_a_value_the_catalog_states_is_a_wish_the_ranking_favours(db_url: str) -> None:
    repo = build(db_url, backpacks())
    searcher = HybridProductSearch(searcher_for(repo))
    items = searcher.search(ShoppingIntent(query="waterproof backpack", category="Bags"), SearchContext(), 5).items
    assert {i.product.name for i in items[:2]} == {"Crown Summit Backpack", "Fusion Backpack"}, [i.product.name for i in items]
    assert all(i.contributions.get("preferences", 0) > 0 for i in items[:2])
