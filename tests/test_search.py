"""Hybrid search on a real catalog (SQLite; the filter test also on PostgreSQL): exact hard constraints,
matches beyond the lexical top-k, exact sorts, impossible constraints, contributions, diversity."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import select

from catalog.db import open_catalog
from catalog.models import Product
from catalog.records import CatalogData, LinkRecord, ProductRecord, ReviewRecord, VariantRecord
from catalog.repository import CatalogRepository, ProductFilter, singular
from catalog.writer import sync_catalog
from retrieval.memory_index import MemoryVectorIndex, TokenHashEmbedder
from retrieval.ranking import RankingConfig, load_ranking_config
from retrieval.search import HybridSearcher, SearchRequest, SessionContext

CATEGORIES = ["Women/Tops/Jackets", "Women/Tops/Hoodies", "Men/Tops/Jackets", "Men/Bottoms/Pants", "Gear/Bags"]
BRANDS = ["Luma", "Nova", "Apex"]
COLORS = ["Red", "Blue", "Black", "Gray"]
SIZES = ["S", "M", "L"]
KIND = {"Jackets": "jacket", "Hoodies": "hoodie", "Pants": "pant", "Bags": "bag"}
ADJ = ["light", "warm", "rain", "trail", "city", "classic", "sport", "cozy"]


def generated_store(n: int = 120, seed: int = 7) -> CatalogData:
    """A deterministic store with variants, simple products, stock gaps, specials and reviews."""
    rng = random.Random(seed)
    products: list[ProductRecord] = []
    reviews: list[ReviewRecord] = []
    for i in range(n):
        cat = CATEGORIES[i % len(CATEGORIES)]
        brand = BRANDS[(i // 5) % len(BRANDS)]
        kind = KIND[cat.rsplit("/", 1)[1]]
        name = f"{brand} {ADJ[i % len(ADJ)]} {kind} {i}"
        price = Decimal(rng.randrange(500, 15000)) / 100
        if i % 3 == 0:  # simple product, colour as an attribute
            rec = ProductRecord(sku=f"P{i:03d}", name=name, price=price, brand=brand, categories=[cat],
                                attributes={"color": [rng.choice(COLORS)], "material": [rng.choice(["Wool", "Nylon"])]},
                                in_stock=rng.random() > 0.3)
        else:
            colors = rng.sample(COLORS, 2)
            variants = [
                VariantRecord(sku=f"P{i:03d}-{c}-{s}", size=s, color=c, in_stock=rng.random() > 0.4,
                              stock_qty=None)
                for c in colors for s in rng.sample(SIZES, 2)
            ]
            rec = ProductRecord(sku=f"P{i:03d}", name=name, price=price, brand=brand, categories=[cat],
                                product_type="configurable", variants=variants,
                                attributes={"material": [rng.choice(["Wool", "Nylon", "Cotton"])]})
        if i % 10 == 4:
            rec.special_price = (price * Decimal("0.5")).quantize(Decimal("0.01"))
        products.append(rec)
        if i % 4 == 0:
            reviews.append(ReviewRecord(sku=rec.sku, rating=rng.randint(1, 5), reviewer=f"r{i}"))
    return CatalogData(products=products, reviews=reviews)


def build(url: str, data: CatalogData) -> CatalogRepository:
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    return CatalogRepository(db)


def index_catalog(repo: CatalogRepository, embedder: TokenHashEmbedder) -> MemoryVectorIndex:
    with repo.db.session() as s:
        rows = s.execute(select(Product.id, Product.name)).all()
    index = MemoryVectorIndex(embedder.model_id, embedder.dim)
    index.upsert([str(pid) for pid, _ in rows], embedder.embed_documents([name for _, name in rows]))
    return index


def searcher_for(repo: CatalogRepository, **kw: object) -> HybridSearcher:
    emb = TokenHashEmbedder(64)
    return HybridSearcher(repo, emb, index_catalog(repo, emb), **kw)  # type: ignore[arg-type]


def expected_ids(data: CatalogData, repo: CatalogRepository, f: ProductFilter, text_word: str | None = None) -> set[int]:
    """The filter semantics, computed in Python over the records (the oracle)."""
    with repo.db.session() as s:
        id_of = dict(s.execute(select(Product.sku, Product.id)).tuples().all())
    today = dt.date.today()
    out = set()
    for p in data.products:
        price = p.special_price if p.special_price is not None and p.special_price < p.price else p.price
        if f.min_price is not None and price < Decimal(str(f.min_price)):
            continue
        if f.max_price is not None and price > Decimal(str(f.max_price)):
            continue
        if f.category and not any(c.split("/")[-1] == f.category or c == f.category or c.startswith(f.category + "/") for c in p.categories):
            continue
        if f.brands and (p.brand or "").lower() not in {b.lower() for b in f.brands}:
            continue
        brands = {(x.brand or "").lower() for x in data.products} - {""}
        if any(t.lower() == (p.brand or "").lower() if t.lower() in brands
               else any(w.startswith(singular(t)) for w in f"{p.name} {p.description}".lower().split())
               for t in f.exclude_terms):
            continue
        if id_of[p.sku] in f.exclude_ids:
            continue
        colors = {c.lower() for c in f.colors}
        sizes = {z.lower() for z in f.sizes}
        if colors or sizes or f.in_stock:
            if p.variants:
                ok = any(
                    (not colors or (v.color or "").lower() in colors)
                    and (not sizes or (v.size or "").lower() in sizes)
                    and (not f.in_stock or v.in_stock)
                    for v in p.variants
                )
            else:
                ok = (not colors or any(c.lower() in colors for c in p.attributes.get("color", []))) and not sizes
                ok = ok and (not f.in_stock or p.in_stock)
            if not ok:
                continue
        unwanted = {c.lower() for c in f.exclude_colors}
        if unwanted:
            buyable = [v for v in p.variants if v.color is not None and v.color.lower() not in unwanted
                       and (not sizes or (v.size or "").lower() in sizes) and (not f.in_stock or v.in_stock)]
            known = [v.color for v in p.variants if v.color is not None] + list(p.attributes.get("color", []))
            other_attr = not p.variants and any(c.lower() not in unwanted for c in p.attributes.get("color", []))
            nameless = not known and not any(c in p.name.lower() for c in unwanted)
            if not (buyable or other_attr or nameless):
                continue
        if text_word and text_word not in p.name.lower():
            continue
        out.add(id_of[p.sku])
    del today
    return out


FILTERS = [
    ProductFilter(min_price=20, max_price=80),
    ProductFilter(category="Jackets", colors=["Red"]),
    ProductFilter(category="Women/Tops", sizes=["M"], in_stock=True),
    ProductFilter(brands=["Nova"], min_price=30, colors=["Blue", "Black"], in_stock=True),
    ProductFilter(category="Jackets", brands=["Luma", "Apex"], max_price=100, sizes=["L"], colors=["Gray"], in_stock=True),
    ProductFilter(category="Hoodies", exclude_terms=["cozy"], max_price=120),
    ProductFilter(category="Jackets", exclude_terms=["luma"], in_stock=True),  # a brand said "no" to
    ProductFilter(category="Gear", in_stock=True, colors=["Red"]),
    ProductFilter(category="Jackets", exclude_colors=["Red"]),
    ProductFilter(exclude_colors=["Red", "Gray", "Blue"], in_stock=True, max_price=90),
    ProductFilter(exclude_colors=["Red"], sizes=["M"], in_stock=True),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[CatalogData, CatalogRepository, HybridSearcher]:
    """One generated store per module (building a catalog is the slow part of these tests)."""
    data = generated_store()
    repo = build(f"sqlite:///{tmp_path_factory.mktemp('store') / 'catalog.db'}", data)
    return data, repo, searcher_for(repo)


@pytest.mark.parametrize("f", FILTERS, ids=[f"f{i}" for i in range(len(FILTERS))])
def test_filters_exact_on_sqlite(store: tuple[CatalogData, CatalogRepository, HybridSearcher], f: ProductFilter) -> None:
    data, repo, searcher = store
    want = expected_ids(data, repo, f)
    assert want, "the generated store should have matches for every test filter"
    for query in ("", "warm jacket", "trail bag nylon"):
        got = searcher.search(SearchRequest(query=query, filter=f, limit=500, diversify=False))
        assert {r.id for r in got} <= want  # never a product outside the hard constraints
        if query == "":
            assert {r.id for r in got} == want  # empty query: all filtered products (up to the candidate cap)


def test_filters_exact_with_exclusions_and_both_databases(db_url: str) -> None:
    data = generated_store(60)
    repo = build(db_url, data)
    searcher = searcher_for(repo)
    first = repo.find_ids(ProductFilter(category="Jackets"), limit=3)
    f = ProductFilter(category="Jackets", min_price=10, max_price=140, exclude_ids=first, exclude_terms=["rain"])
    want = expected_ids(data, repo, f)
    got = searcher.search(SearchRequest(query="jacket", filter=f, limit=200, diversify=False))
    assert got and {r.id for r in got} <= want
    assert not ({r.id for r in got} & set(first))
    assert all("rain" not in r.product.name.lower() for r in got)
    # cheapest is exact over the filtered set, in repository order
    cheap = searcher.search(SearchRequest(query="", filter=f, sort="price_asc", limit=5))
    prices = [r.product.price for r in cheap]
    assert prices == sorted(prices)
    assert [r.id for r in cheap] == repo.find_ids(f, sort="price_asc", limit=5)


def test_matches_beyond_the_lexical_top_k(sqlite_url: str) -> None:
    # 150 cheap products match "widget" strongly; the 3 expensive ones only weakly (word in the description).
    products = [ProductRecord(sku=f"W{i}", name=f"widget widget deluxe widget {i}", price=Decimal("5")) for i in range(150)]
    products += [
        ProductRecord(sku=f"X{i}", name=f"Gadget number {i}", description="also a widget " + "filler " * 40, price=Decimal("500"))
        for i in range(3)
    ]
    repo = build(sqlite_url, CatalogData(products=products))
    cfg = load_ranking_config()
    cfg.candidates = 100
    searcher = searcher_for(repo, config=cfg)
    top100 = {h.product_id for h in repo.lexical_search("widget", limit=100)}
    expensive = set(repo.find_ids(ProductFilter(min_price=100), limit=None))
    assert not (top100 & expensive)  # the filter excludes every one of the lexical top-100
    got = searcher.search(SearchRequest(query="widget", filter=ProductFilter(min_price=100), limit=10))
    assert {r.id for r in got} == expensive
    assert got.no_match is None


def test_cheapest_and_most_expensive_exact(store: tuple[CatalogData, CatalogRepository, HybridSearcher]) -> None:
    data, repo, searcher = store
    f = ProductFilter(category="Jackets")
    want = expected_ids(data, repo, f)
    prices = {p.id: p.price for p in repo.get_many(sorted(want))}
    cheapest = searcher.search(SearchRequest(query="", filter=f, sort="price_asc", limit=3))
    assert [r.product.price for r in cheapest] == sorted(prices.values())[:3]
    dearest = searcher.search(SearchRequest(query="", filter=f, sort="price_desc", limit=3))
    assert [r.product.price for r in dearest] == sorted(prices.values(), reverse=True)[:3]
    # with query words: exact over the filtered products whose text has every word
    jw = searcher.search(SearchRequest(query="warm", filter=f, sort="price_asc", limit=50))
    want_warm = expected_ids(data, repo, f, text_word="warm")
    assert {r.id for r in jw} == want_warm
    assert [r.product.price for r in jw] == sorted(r.product.price for r in jw)


def test_impossible_price_range_gives_no_match_with_the_cheapest_price(store: tuple[CatalogData, CatalogRepository, HybridSearcher]) -> None:
    data, repo, searcher = store
    f = ProductFilter(category="Hoodies", max_price=Decimal("1.00"))
    res = searcher.search(SearchRequest(query="hoodie", filter=f))
    assert list(res) == []
    assert res.no_match is not None and res.no_match.violated == "price"
    lo, _ = repo.price_bounds(ProductFilter(category="Hoodies"))  # type: ignore[misc]
    assert res.no_match.nearest_price == lo
    assert f"the cheapest is ${lo:.2f}" in res.no_match.message
    assert res.no_match.message.startswith("Nothing under $1.00")
    assert res.no_match.alternatives and res.no_match.alternatives[0].product.price == lo
    # too expensive: the most expensive is named
    res = searcher.search(SearchRequest(query="", filter=ProductFilter(category="Hoodies", min_price=10_000)))
    assert res.no_match is not None and "the most expensive is" in res.no_match.message
    # an impossible colour is explained too
    res = searcher.search(SearchRequest(query="", filter=ProductFilter(category="Hoodies", colors=["Chartreuse"])))
    assert res.no_match is not None and res.no_match.violated == "colors/sizes"


def test_contributions_present_and_sum_to_the_score(store: tuple[CatalogData, CatalogRepository, HybridSearcher]) -> None:
    data, repo, searcher = store
    res = searcher.search(SearchRequest(query="warm wool jacket", preferences=["Wool"], limit=10,
                                        session=SessionContext(liked=[1], disliked=[2])))
    assert res
    for r in res:
        assert r.contributions
        assert r.score == pytest.approx(sum(r.contributions.values()), abs=1e-9)
        assert r.why()
    assert any("preferences" in r.contributions for r in res)


def test_session_dislike_and_like_move_products(store: tuple[CatalogData, CatalogRepository, HybridSearcher]) -> None:
    data, repo, searcher = store
    base = searcher.search(SearchRequest(query="jacket", limit=10, diversify=False))
    top = base[0].id
    after = searcher.search(SearchRequest(query="jacket", limit=10, diversify=False, session=SessionContext(disliked=[top])))
    assert top not in [r.id for r in after[:3]]
    assert after and all(r.contributions.get("disliked", 0) <= 0 for r in after)


def test_mmr_keeps_one_family_from_filling_the_list(sqlite_url: str) -> None:
    products = [
        ProductRecord(sku=f"H{i}", name=f"Chaz Kangeroo Hoodie - {c}", brand="Luma", price=Decimal("52"),
                      attributes={"color": [c]})
        for i, c in enumerate(["Gray", "Black", "Blue", "Red", "Green", "Orange"])
    ]
    products += [ProductRecord(sku=f"O{i}", name=f"{n} Hoodie", brand="Luma", price=Decimal("50")) for i, n in
                 enumerate(["Marco Lightweight", "Teton Pullover", "Mach Street"])]
    repo = build(sqlite_url, CatalogData(products=products))
    searcher = searcher_for(repo)
    plain = searcher.search(SearchRequest(query="chaz kangeroo hoodie", limit=4, diversify=False))
    diverse = searcher.search(SearchRequest(query="chaz kangeroo hoodie", limit=4, diversify=True))
    assert all("Chaz" in r.product.name for r in plain)
    chaz = [r for r in diverse if "Chaz" in r.product.name]
    assert diverse[0].product.name.startswith("Chaz") and len(chaz) == 2


def test_more_like_this_and_complements(sqlite_url: str) -> None:
    products = [
        ProductRecord(sku="A", name="Trail running shoe", price=Decimal("90")),
        ProductRecord(sku="B", name="Trail running shoe waterproof", price=Decimal("99")),
        ProductRecord(sku="C", name="Road running shoe", price=Decimal("80")),
        ProductRecord(sku="D", name="Wool socks", price=Decimal("9")),
        ProductRecord(sku="E", name="Water bottle", price=Decimal("12")),
    ]
    links = [LinkRecord("A", "D", "crosssell"), LinkRecord("A", "E", "related"), LinkRecord("A", "B", "upsell")]
    repo = build(sqlite_url, CatalogData(products=products, links=links))
    searcher = searcher_for(repo)
    a = repo.get_by_sku("A")
    assert a is not None
    similar = searcher.more_like_this(a.id, k=2)
    assert [r.product.sku for r in similar][0] == "B" and a.id not in [r.id for r in similar]
    comp = searcher.complements(a.id)
    assert [r.product.sku for r in comp] == ["D", "E"]
    assert comp[0].contributions == {"crosssell": 1.0}


def test_empty_query_and_unmatched_text_fall_back_to_the_filtered_products(sqlite_url: str) -> None:
    data = generated_store(30)
    repo = build(sqlite_url, data)
    f = ProductFilter(category="Pants")
    want = expected_ids(data, repo, f)
    lexical_only = HybridSearcher(repo, config=load_ranking_config())
    for q in ("", "zzzqqq nothing like this"):
        got = lexical_only.search(SearchRequest(query=q, filter=f, limit=100))
        assert {r.id for r in got} == want


def test_season_history_and_image_features(sqlite_url: str) -> None:
    products = [
        ProductRecord(sku="W", name="Winter parka", brand="Nova", price=Decimal("100"), categories=["Men/Jackets"],
                      attributes={"climate": ["Cold", "Wintry"]}),
        ProductRecord(sku="S", name="Summer parka", brand="Apex", price=Decimal("100"), categories=["Women/Jackets"],
                      attributes={"climate": ["Hot", "Warm"]}),
    ]
    repo = build(sqlite_url, CatalogData(products=products))
    searcher = searcher_for(repo, config=RankingConfig(weights={"rrf": 1.0, "season": 1.0, "history": 1.0, "image": 1.0}))
    jan = dt.datetime(2026, 1, 15, 12)
    jul = dt.datetime(2026, 7, 15, 12)
    assert searcher.search(SearchRequest(query="parka", now=jan, diversify=False))[0].product.sku == "W"
    assert searcher.search(SearchRequest(query="parka", now=jul, diversify=False))[0].product.sku == "S"
    s_id = repo.get_by_sku("S").id  # type: ignore[union-attr]
    repo.log_interaction("purchase", s_id, user_id="u1")
    res = searcher.search(SearchRequest(query="parka", now=jan, user_id="u1", diversify=False))
    assert res[[r.product.sku for r in res].index("S")].contributions["history"] > 0
    # an image index: the product whose photo vector matches the query image wins
    img = MemoryVectorIndex("img-test", 2)
    w_id = repo.get_by_sku("W").id  # type: ignore[union-attr]
    img.upsert([str(w_id), str(s_id)], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    emb = TokenHashEmbedder(64)
    with_img = HybridSearcher(repo, emb, index_catalog(repo, emb), image_index=img,
                              config=RankingConfig(weights={"rrf": 1.0, "image": 2.0}))
    res = with_img.search(SearchRequest(query="parka", image_vector=np.array([0.0, 1.0], dtype=np.float32), diversify=False))
    assert res[0].product.sku == "S" and res[0].contributions["image"] > 0


def test_a_photo_finds_its_product_beyond_the_first_cut(sqlite_url: str) -> None:
    """A photo with no words: every product scored alike on text, and the first cut kept the lowest ids, so the
    product in the photo (a high id) never reached the ranking."""
    data = generated_store(n=120)
    repo = build(sqlite_url, data)
    ids = sorted(p.id for p in repo.get_many([repo.get_by_sku(r.sku).id for r in data.products]))  # type: ignore[union-attr]
    target, near = ids[-1], ids[-2]
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(len(ids), 16)).astype(np.float32)
    vecs[ids.index(near)] = vecs[ids.index(target)] + 0.3 * rng.normal(size=16).astype(np.float32)
    img = MemoryVectorIndex("img-test", 16)
    img.upsert([str(i) for i in ids], vecs / np.linalg.norm(vecs, axis=1, keepdims=True))
    emb = TokenHashEmbedder(64)
    searcher = HybridSearcher(repo, emb, index_catalog(repo, emb), image_index=img)
    photo = vecs[ids.index(target)] / np.linalg.norm(vecs[ids.index(target)])
    res = searcher.search(SearchRequest(query="", image_vector=photo, limit=5))
    assert [r.product.id for r in res][:2] == [target, near]
    assert res[0].contributions["image"] > res[-1].contributions.get("image", 0.0)
    # with words as well, the look still counts: the product in the photo is among the first
    word = repo.get(target).name.split()[-1]  # type: ignore[union-attr]
    res = searcher.search(SearchRequest(query=word, image_vector=photo, limit=5))
    assert target in [r.product.id for r in res]


def test_a_products_own_photo_outranks_its_look_alikes_whatever_their_ratings(sqlite_url: str) -> None:
    """Photos of one shop look alike (cosines 0.9-1.0): raw similarity gaps were smaller than the rating and
    season features, so the product in the photo often lost to a better rated look-alike."""
    data = generated_store(n=60)
    repo = build(sqlite_url, data)
    ids = sorted(repo.get_by_sku(r.sku).id for r in data.products)  # type: ignore[union-attr]
    rng = np.random.default_rng(5)
    base = rng.normal(size=32)
    vecs = (base + 0.25 * rng.normal(size=(len(ids), 32))).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    img = MemoryVectorIndex("img-test", 32)
    img.upsert([str(i) for i in ids], vecs)
    emb = TokenHashEmbedder(64)
    searcher = HybridSearcher(repo, emb, index_catalog(repo, emb), image_index=img)
    first = [searcher.search(SearchRequest(query="", image_vector=vecs[k], limit=5))[0].product.id for k in range(len(ids))]
    assert first == ids


def test_index_model_mismatch_is_refused(sqlite_url: str) -> None:
    repo = build(sqlite_url, CatalogData(products=[ProductRecord(sku="A", name="a", price=Decimal("1"))]))
    with pytest.raises(ValueError, match="rebuild the index"):
        HybridSearcher(repo, TokenHashEmbedder(64), MemoryVectorIndex("other-model", 64))


def test_no_match_never_brings_back_excluded_products(sqlite_url: str) -> None:
    """Excluded words may be given up to show something; excluded products (the one "more like this" is
    about) never come back as alternatives."""
    products = [
        ProductRecord(sku="A", name="Trail running shoe", price=Decimal("90"), categories=["Shoes/Trail"]),
        ProductRecord(sku="B", name="Road running shoe", price=Decimal("80"), categories=["Shoes/Road"]),
    ]
    repo = build(sqlite_url, CatalogData(products=products))
    a, b = repo.get_by_sku("A"), repo.get_by_sku("B")
    assert a is not None and b is not None
    searcher = searcher_for(repo)
    res = searcher.search(SearchRequest(query="running shoe", filter=ProductFilter(exclude_ids=[a.id, b.id])))
    assert list(res) == [] and res.no_match is not None
    assert not {r.id for r in res.no_match.alternatives} & {a.id, b.id}
    res = searcher.search(SearchRequest(query="trail shoe", filter=ProductFilter(category="Trail", exclude_ids=[a.id])))
    assert list(res) == [] and res.no_match is not None and res.no_match.violated == "category"
    assert [r.id for r in res.no_match.alternatives] == [b.id]
    res = searcher.search(SearchRequest(query="shoe", filter=ProductFilter(exclude_ids=[a.id], exclude_terms=["road"])))
    assert list(res) == [] and res.no_match is not None and res.no_match.violated == "exclusions"
    assert [r.id for r in res.no_match.alternatives] == [b.id]


def test_an_exclusion_that_empties_a_category_shows_that_category_and_says_why(sqlite_url: str) -> None:
    """"other colours" when every jacket is red: the red jackets and why, not products of another kind."""
    products = [
        ProductRecord(sku="J", name="Storm jacket", brand="Legend", price=Decimal("90"), categories=["Jackets"]),
        ProductRecord(sku="B", name="Day bag", brand="Solstix", price=Decimal("40"), categories=["Bags"]),
    ]
    repo = build(sqlite_url, CatalogData(products=products))
    res = searcher_for(repo).search(SearchRequest(query="jacket", filter=ProductFilter(category="Jackets", exclude_terms=["Legend"])))
    assert list(res) == [] and res.no_match is not None and res.no_match.violated == "exclusions"
    assert [r.product.sku for r in res.no_match.alternatives] == ["J"]
    assert "Legend, which you ruled out" in res.no_match.message


def test_new_in_means_the_catalogs_new_flag_or_added_after_the_first_import(sqlite_url: str) -> None:
    products = [
        ProductRecord(sku="OLD", name="Storm jacket", price=Decimal("90"), categories=["Jackets"]),
        ProductRecord(sku="FLAG", name="Rain jacket", price=Decimal("80"), categories=["Jackets"], attributes={"new": ["Yes"]}),
        ProductRecord(sku="NOT", name="Wind jacket", price=Decimal("70"), categories=["Jackets"], attributes={"new": ["No"]}),
        ProductRecord(sku="LATER", name="Trail jacket", price=Decimal("60"), categories=["Jackets"]),
    ]
    repo = build(sqlite_url, CatalogData(products=products))
    now = dt.datetime.now()
    with repo.db.session() as s:  # the store opened 30 days ago; one product arrived 2 days ago
        for p in s.scalars(select(Product)):
            p.created_at = now - dt.timedelta(days=2 if p.sku == "LATER" else 30)
    res = searcher_for(repo).search(SearchRequest(query="jacket", limit=10, now=now))
    recency = {r.product.sku: r.features["recency"] for r in res}
    assert recency["FLAG"] == 1.0 and recency["NOT"] == 0.0 and recency["OLD"] == 0.0  # the first import is not "new in"
    assert 0.0 < recency["LATER"] <= 1.0
    # a store imported just now: nothing is new in, though every product is a day old at most
    fresh = build(sqlite_url.replace("catalog.db", "fresh.db"), CatalogData(products=[products[0], products[3]]))
    res = searcher_for(fresh).search(SearchRequest(query="jacket", limit=10))
    assert [r.features["recency"] for r in res] == [0.0, 0.0]
    assert all(r.contributions.get("recency", 0.0) == 0.0 for r in res)
