"""The exact-query repository on real SQLite and real PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.db import open_catalog
from catalog.repository import CatalogRepository, ProductFilter
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store


@pytest.fixture
def repo(db_url: str) -> CatalogRepository:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    yield CatalogRepository(db)
    db.close()


def skus(repo: CatalogRepository, f: ProductFilter, **kw: object) -> list[str]:
    return [p.sku for p in repo.find(f, limit=None, **kw)]  # type: ignore[arg-type]


def test_category_includes_descendants(repo: CatalogRepository) -> None:
    assert sorted(skus(repo, ProductFilter(category="Women"))) == ["WJ01", "WJ02"]
    assert sorted(skus(repo, ProductFilter(category="Jackets"))) == ["MJ01", "WJ01", "WJ02"]
    assert sorted(skus(repo, ProductFilter(category="Men/Tops"))) == ["MJ01"]
    assert skus(repo, ProductFilter(category="Gear/Bags"), sort="price_asc") == ["24-MB01", "24-MB02"]
    assert skus(repo, ProductFilter(category="No Such Thing")) == []


def test_price_uses_active_special_price(repo: CatalogRepository) -> None:
    # WJ02 is 69.00 but on special at 55.20 since yesterday.
    assert skus(repo, ProductFilter(category="Women", max_price=60)) == ["WJ02"]
    p = repo.get_by_sku("WJ02")
    assert p is not None and p.price == Decimal("55.20") and p.regular_price == Decimal("69.00") and p.on_sale


def test_most_expensive_and_cheapest_exact(repo: CatalogRepository) -> None:
    assert skus(repo, ProductFilter(category="Jackets"), sort="price_desc")[0] == "WJ01"
    assert repo.find(ProductFilter(), sort="price_asc", limit=1)[0].sku == "24-UG01"
    assert repo.find(ProductFilter(category="Jackets"), sort="price_asc", limit=1)[0].sku == "MJ01"


def test_impossible_price_range_returns_nothing(repo: CatalogRepository) -> None:
    f = ProductFilter(category="Jackets", max_price=5)
    assert repo.find(f) == []
    assert repo.count(f) == 0
    assert repo.price_bounds(f) is None
    assert repo.price_bounds(ProductFilter(category="Jackets")) == (Decimal("42.00"), Decimal("77.00"))
    assert skus(repo, ProductFilter(min_price=100)) == []
    assert skus(repo, ProductFilter(min_price=50, max_price=40)) == []


def test_colour_size_stock_must_hold_on_one_variant(repo: CatalogRepository) -> None:
    assert sorted(skus(repo, ProductFilter(colors=["red"]))) == ["MJ01", "WJ01"]
    # WJ01 has red S in stock, red M out of stock.
    assert skus(repo, ProductFilter(colors=["Red"], sizes=["M"], in_stock=True)) == ["MJ01"]
    assert sorted(skus(repo, ProductFilter(colors=["Red"], sizes=["S"], in_stock=True))) == ["WJ01"]
    # Simple products carry colour as an attribute.
    assert skus(repo, ProductFilter(colors=["blue"], category="Gear")) == ["24-MB01"]
    # Stock on simple products and on all-out-of-stock configurables.
    in_stock = set(skus(repo, ProductFilter(in_stock=True)))
    assert "24-MB02" not in in_stock and "MP01" not in in_stock and "24-MB01" in in_stock


def test_brand_gender_attributes_exclusions(repo: CatalogRepository) -> None:
    assert sorted(skus(repo, ProductFilter(brands=["joust", "Fusion"]))) == ["24-MB01", "24-MB02"]
    assert sorted(skus(repo, ProductFilter(gender="men"))) == ["24-MB01", "24-MB02", "24-UG01", "MJ01", "MP01"]
    assert sorted(skus(repo, ProductFilter(attributes={"material": ["nylon"]}))) == ["24-MB01", "WJ01"]
    # "no shell": the Nadia Elements Shell by its name, the Stellar Rain Jacket by its description ("Waterproof shell")
    assert sorted(skus(repo, ProductFilter(category="Jackets", exclude_terms=["shell"]))) == ["MJ01"]
    assert sorted(skus(repo, ProductFilter(category="Jackets", exclude_terms=["nadia"]))) == ["MJ01", "WJ01"]
    # an excluded word that is a brand ("no Luma") excludes that brand's products, whatever their names, and
    # only them (Quest's "Lumaflex" band stays)
    assert sorted(skus(repo, ProductFilter(exclude_terms=["LUMA"]))) == ["24-MB01", "24-MB02", "24-UG01"]
    wj01 = repo.get_by_sku("WJ01")
    assert wj01 is not None
    assert wj01.id not in [p.id for p in repo.find(ProductFilter(exclude_ids=[wj01.id]), limit=None)]


def test_sort_by_rating_and_popularity(repo: CatalogRepository) -> None:
    assert skus(repo, ProductFilter(), sort="rating")[:2] == ["WJ01", "24-MB01"]
    band = repo.get_by_sku("24-UG01")
    assert band is not None
    for _ in range(3):
        repo.log_interaction("add_to_cart", band.id, user_id="u1", session_id="s1")
    # Ordered bag: 2 units x 8 = 16; band: 3 x add_to_cart = 12; jacket: 1 unit x 8 = 8.
    order = skus(repo, ProductFilter(), sort="popularity")
    assert order[:3] == ["24-MB01", "24-UG01", "WJ01"]
    with pytest.raises(ValueError):
        repo.log_interaction("stare", band.id)


def test_lexical_search_respects_filters(repo: CatalogRepository) -> None:
    hits = repo.lexical_search("rain jacket")
    assert hits and repo.get(hits[0].product_id).sku == "WJ01"  # type: ignore[union-attr]
    filtered = repo.lexical_search("jacket", ProductFilter(gender="men"))
    assert [repo.get(h.product_id).sku for h in filtered] == ["MJ01"]  # type: ignore[union-attr]
    assert repo.lexical_search("jacket", ProductFilter(max_price=1)) == []
    # Quotes and FTS operators in user text are data, not syntax.
    assert repo.lexical_search('bag" OR name:* NEAR(') is not None
    assert repo.lexical_search("   ") == []


def test_vocabulary_and_links(repo: CatalogRepository) -> None:
    vocab = repo.vocabulary()
    assert {"Blue", "Red", "Purple", "Gray"} <= set(vocab["colors"])
    assert {"S", "M", "L", "32"} <= set(vocab["sizes"])
    assert vocab["brands"] == ["Fusion", "Joust", "Luma", "Quest"]
    assert "Women/Tops/Jackets" in vocab["categories"] and "Collections/Eco Friendly" in vocab["categories"]
    wj01 = repo.get_by_sku("WJ01")
    assert wj01 is not None and wj01.rating_count == 2 and wj01.rating_avg == pytest.approx(4.5)
    kinds = {kind for _, kind in repo.linked(wj01.id)}
    assert kinds == {"crosssell", "related"}


def test_category_name_matches_every_category_of_that_name(db_url: str) -> None:
    """A top-level "Jackets" (another store's import) must not hide Women/Tops/Jackets."""
    from catalog.records import CatalogData, ProductRecord

    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
        sync_catalog(s, CatalogData(products=[ProductRecord(sku="E1", name="Trail Jacket", price=Decimal("90"), categories=["Jackets"])]), progress=False)
    repo = CatalogRepository(db)
    assert sorted(skus(repo, ProductFilter(category="Jackets"))) == ["E1", "MJ01", "WJ01", "WJ02"]
    assert sorted(skus(repo, ProductFilter(category="jackets", gender="women"))) == ["E1", "WJ01", "WJ02"]
    assert skus(repo, ProductFilter(category="Men/Tops/Jackets")) == ["MJ01"]
    db.close()


def test_product_category_is_the_real_one_never_a_collection_or_promotion(db_url: str) -> None:
    """'More like this' searches a product's own category: the deepest one that is not a merchandising
    grouping, told by its name (Collections, Promotions, Sale, What's New...) or by the catalog's shape (a
    top-level tree in which no product is filed alone only regroups products filed elsewhere)."""
    from catalog.categories import is_merchandising
    from catalog.records import CatalogData, ProductRecord

    for path in ("Collections/Erin Recommends", "Promotions/Women Sale", "What's New", "Sale", "Women/Sale/Tops",
                 "New Arrivals/Shoes", "Gear/Best Sellers", "Promotions/Pants"):
        assert is_merchandising(path), path
    for path in ("Women/Tops/Jackets", "Gear/Fitness Equipment", "Home/Wholesale Packs", "Men/Bottoms/Pants",
                 "Home/Bedding Collections", "Electrical/Outlet Covers", "Office/Point of Sale"):
        assert not is_merchandising(path), path

    data = small_store()
    filed = {
        "WJ01": ["Collections/Erin Recommends", "Promotions/Women Sale", "Women/Tops/Jackets"],
        "MJ01": ["Men/Tops", "Men/Tops/Jackets"],
        "24-MB01": ["Editor Choice/Summer/Travel", "Gear/Bags"],  # a neutral name: only the shape tells
        "24-MB02": ["Editor Choice/Summer/Travel", "Gear/Bags"],
        "GC1": ["Collections/Eco Friendly"],  # nothing but a grouping
    }
    data.products.append(ProductRecord(sku="GC1", name="Gift Card", price=Decimal("25")))
    for p in data.products:
        p.categories = filed.get(p.sku, p.categories)
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    repo = CatalogRepository(db)

    def category(sku: str) -> str | None:
        p = repo.get_by_sku(sku)
        assert p is not None
        return repo.product_category(p)

    assert repo.get_by_sku("WJ01").categories[0] == "Collections/Erin Recommends"  # type: ignore[union-attr]
    assert repo.merchandising_roots() == {"Promotions", "Editor Choice"}  # Collections is told by its name
    assert {sku: category(sku) for sku in filed} == {
        "WJ01": "Women/Tops/Jackets", "MJ01": "Men/Tops/Jackets", "24-MB01": "Gear/Bags", "24-MB02": "Gear/Bags",
        "GC1": None,
    }
    assert category("MP01") == "Men/Bottoms/Pants" and category("24-UG01") == "Gear/Fitness Equipment"
    # a product filed in "Editor Choice" alone makes it a product tree after all: noticed after the import
    with db.session() as s:
        only = ProductRecord(sku="EC1", name="Travel Kit", price=Decimal("20"), categories=["Editor Choice/Summer/Travel"])
        sync_catalog(s, CatalogData(products=[only]), progress=False)
    assert repo.merchandising_roots() == {"Promotions"}
    db.close()


def test_an_id_beyond_sql_integers_is_unknown_not_an_error(db_url: str) -> None:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    repo = CatalogRepository(db)
    huge = 10**23
    assert repo.get(huge) is None and repo.get(-1) is None and repo.get_many([huge, 1])[0].id == 1
    with pytest.raises(ValueError, match="unknown product id"):
        repo.log_interaction("like", huge)


def test_products_named_in_a_text(repo: CatalogRepository) -> None:
    ids = {sku: repo.get_by_sku(sku).id for sku in ("WJ01", "24-MB01", "MJ01")}  # type: ignore[union-attr]
    text = "compare the joust duffle bag and the  Stellar Rain Jacket, or the Beaumont Summit Kit?"
    assert repo.named_in(text) == [ids["24-MB01"], ids["WJ01"], ids["MJ01"]]  # in the order the text names them
    assert repo.named_in("a rain jacket like the one you had") == []
    assert repo.named_in("100% the joust duffle bag_") == [ids["24-MB01"]]  # LIKE's wildcards in the text are text


def test_carries_is_about_names_and_categories_not_descriptions(repo: CatalogRepository) -> None:
    assert repo.carries("jackets") and repo.carries("Bag") and repo.carries("bags")
    assert repo.get_by_sku("WJ01") is not None and "shell" in repo.get_by_sku("WJ01").description.lower()  # type: ignore[union-attr]
    assert not repo.carries("shoes") and not repo.carries("tents")
    assert repo.carries("shells") and repo.carries("boxes") is False  # the Nadia Elements Shell; nothing boxed


def test_an_excluded_feature_is_a_word_that_begins_so(repo: CatalogRepository) -> None:
    jackets = sorted(skus(repo, ProductFilter(category="Jackets")))
    # "no shells": the Nadia Elements Shell by name, the Stellar Rain Jacket by its description; plural or not
    assert sorted(skus(repo, ProductFilter(category="Jackets", exclude_terms=["shells"]))) == ["MJ01"]
    assert sorted(skus(repo, ProductFilter(category="Jackets", exclude_terms=["ell"]))) == jackets  # inside words: no
    assert "24-MB01" not in skus(repo, ProductFilter(exclude_terms=["bags"]))  # the Joust Duffle Bag
