"""The in-memory search snapshot: BM25 by hand, filter masks equal to SQL, freshness, and the LambdaMART ranker."""

from __future__ import annotations

import itertools
import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update

from catalog.models import Product
from catalog.repository import ProductFilter
from retrieval.learned_ranker import GBDTRanker, load_ranker, train_lambdamart
from retrieval.search import SearchRequest
from retrieval.snapshot import FilterCache, LexicalIndex, SearchSnapshot
from tests.test_search import build, generated_store, searcher_for


def test_bm25_by_hand() -> None:
    names = ["red drill", "blue hammer", "red red paint"]
    idx = LexicalIndex(names, ["", "", ""], k1=1.2, b=0.75, name_weight=1.0)
    s = idx.scores("red")
    n, df = 3, 2
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    avgdl = (2 + 2 + 3) / 3

    def bm25(tf: float, dl: float) -> float:
        return idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))

    assert s[0] == pytest.approx(bm25(1, 2), rel=1e-5)
    assert s[1] == 0.0
    assert s[2] == pytest.approx(bm25(2, 3), rel=1e-5)
    assert idx.scores("nothing here").sum() == 0.0


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data = generated_store()
    repo = build(f"sqlite:///{tmp_path_factory.mktemp('snap') / 'catalog.db'}", data)
    return data, repo


def _filters() -> list[ProductFilter]:
    """Every combination of a few values of each constraint (1,296 filters)."""
    out = []
    for cat, brands, price, variant, gender, excl, no_colour in itertools.product(
        [None, "Jackets", "Women/Tops"],
        [[], ["Nova", "Luma"]],
        [(None, None), (20, 80), (None, 35)],
        [([], [], False), (["Red", "Gray"], [], False), ([], ["M"], True), (["Blue"], ["L"], True)],
        [None, "women"],
        [[], ["cozy"], ["Luma"]],  # a word of the name, a brand
        [[], ["Red", "Black"]],
    ):
        out.append(ProductFilter(category=cat, brands=brands, min_price=price[0], max_price=price[1], colors=variant[0],
                                 sizes=variant[1], in_stock=variant[2], gender=gender, exclude_terms=excl,
                                 exclude_colors=no_colour))
    return out


def test_filter_masks_equal_sql_for_every_combination(shop) -> None:  # type: ignore[no-untyped-def]
    _, repo = shop
    snap = SearchSnapshot(repo)
    cache = FilterCache(repo, snap)
    nonempty = 0
    for f in _filters():
        got = set(snap.ids[cache.mask(f)].tolist())
        want = set(repo.find_ids(f, limit=None))
        assert got == want, f
        nonempty += bool(want)
    assert nonempty > 50  # the combinations are not all trivially empty
    assert cache.hits > cache.misses  # atoms are shared between filters


def test_search_results_respect_a_change_made_after_the_snapshot(shop) -> None:  # type: ignore[no-untyped-def]
    _, repo = shop
    searcher = searcher_for(repo)
    f = ProductFilter(max_price=60)
    first = searcher.search(SearchRequest(query="jacket", filter=f, limit=5, diversify=False))
    assert first
    victim = first[0].id
    with repo.db.session() as s:  # another process raises its price; the snapshot still says <= 60
        old = s.get(Product, victim).price
        s.execute(update(Product).where(Product.id == victim).values(price=Decimal("999.00"), special_price=None))
    try:
        again = searcher.search(SearchRequest(query="jacket", filter=f, limit=5, diversify=False))
        assert victim not in {r.id for r in again}  # the final SQL check drops it at once
        assert all(r.product.price <= 60 for r in again)
        searcher.invalidate()
        fresh = searcher.search(SearchRequest(query="jacket", filter=ProductFilter(min_price=990), limit=5))
        assert victim in {r.id for r in fresh}  # after invalidate() the snapshot knows the new price
    finally:
        with repo.db.session() as s:
            s.execute(update(Product).where(Product.id == victim).values(price=old))
        searcher.invalidate()


def test_snapshot_and_sql_paths_agree_on_what_matches(shop) -> None:  # type: ignore[no-untyped-def]
    _, repo = shop
    fast = searcher_for(repo)
    slow = searcher_for(repo, use_snapshot=False)
    for f in [ProductFilter(), ProductFilter(category="Jackets", max_price=90), ProductFilter(colors=["Red"], in_stock=True)]:
        a = fast.search(SearchRequest(query="warm jacket", filter=f, limit=500, diversify=False))
        b = slow.search(SearchRequest(query="warm jacket", filter=f, limit=500, diversify=False))
        allowed = set(repo.find_ids(f, limit=None))
        assert {r.id for r in a} <= allowed and {r.id for r in b} <= allowed
        assert a and b


def _toy_ranking_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    x = rng.random((600, 3))
    labels = np.clip(np.rint(4 * x[:, 0] * (x[:, 1] > 0.3)), 0, 4).astype(np.int32)  # feature 2 is noise
    return x, labels, [20] * 30


def test_lambdamart_learns_and_explains(tmp_path: Path) -> None:
    x, labels, groups = _toy_ranking_data()
    model = train_lambdamart(x, labels, groups, ["a", "b", "noise"], trees=60, min_child_samples=5)
    rows = [dict(zip(["a", "b", "noise"], r, strict=True)) for r in x[:40]]
    scores = model.score_many(rows)
    assert np.corrcoef(scores, labels[:40])[0, 1] > 0.7
    explained = model.explain_many(rows)
    # the learned feature matters, the noise feature barely does
    assert np.mean([abs(c.get("a", 0.0)) for _, c in explained]) > 3 * np.mean([abs(c.get("noise", 0.0)) for _, c in explained])
    # path attributions: the contributions add up to the score minus one constant (the model's base value)
    bases = {round(float(s - e[0]), 6) for s, e in zip(scores, explained, strict=True)}
    assert len(bases) == 1
    # ... also for missing values, which LightGBM reads as 0.0 on these splits
    holes = [{k: v for k, v in r.items() if k != "a"} | {"b": float("nan")} for r in rows[:10]]
    assert {round(float(s - e[0]), 6) for s, e in zip(model.score_many(holes), model.explain_many(holes), strict=True)} == bases
    path = model.save(tmp_path / "r.json")
    again = load_ranker(path)
    assert isinstance(again, GBDTRanker)
    assert np.allclose(again.score_many(rows), scores)
    with_ctx = again.with_fallback({"rating": 0.5})
    assert with_ctx.score_many([{**rows[0], "rating": 1.0}])[0] == pytest.approx(scores[0] + 0.5)
    # the tree outputs remembered from a first, text-only pass give the same scores as a cold model
    assert np.array_equal(with_ctx.score_many(rows), scores)
    assert len(with_ctx._memo) == len(rows)
    warm = with_ctx.score_many([{**r, "rating": 1.0} for r in rows])
    cold = again.with_fallback({"rating": 0.5}).score_many([{**r, "rating": 1.0} for r in rows])
    assert np.array_equal(warm, cold) and np.allclose(warm, scores + 0.5)
    # a model the path tables cannot walk (categorical splits) is explained by LightGBM's TreeSHAP instead
    import lightgbm as lgb

    cat = lgb.LGBMRanker(n_estimators=20, min_child_samples=5, verbose=-1, label_gain=list(range(5)))
    kind = np.floor(x[:, 2] * 5)
    cat.fit(np.c_[x[:, :2], kind], np.where(np.isin(kind, [1, 3]), labels, 0), group=groups, categorical_feature=[2])
    cat_model = GBDTRanker(["a", "b", "kind"], cat.booster_.model_to_string())
    assert cat_model._paths is None
    cat_rows = [{"a": float(r[0]), "b": float(r[1]), "kind": float(np.floor(r[2] * 5))} for r in x[:10]]
    bases = {round(float(s - e[0]), 6) for s, e in zip(cat_model.score_many(cat_rows), cat_model.explain_many(cat_rows), strict=True)}
    assert len(bases) == 1


def test_load_ranker_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="train one"):
        load_ranker(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with pytest.raises(ValueError, match="not a shopassist ranker"):
        load_ranker(bad)
    bad.write_text(json.dumps({"format": "something/else"}))
    with pytest.raises(ValueError, match="not a shopassist ranker"):
        load_ranker(bad)


def test_train_lambdamart_rejects_bad_input() -> None:
    x, labels, groups = _toy_ranking_data()
    with pytest.raises(ValueError, match="groups"):
        train_lambdamart(x, labels, [10] * 3, ["a", "b", "noise"])
    with pytest.raises(ValueError, match="positive"):
        train_lambdamart(x, np.zeros_like(labels), groups, ["a", "b", "noise"])


def test_the_on_sale_filter_is_exact_in_sql_and_in_the_masks(shop) -> None:  # type: ignore[no-untyped-def]
    _, repo = shop
    snap = SearchSnapshot(repo)
    cache = FilterCache(repo, snap)
    every = repo.get_many(repo.all_product_ids())
    on_sale = {p.id for p in every if p.on_sale}  # the price paid today below the regular price
    assert 0 < len(on_sale) < len(every)
    assert set(repo.find_ids(ProductFilter(on_sale=True), limit=None)) == on_sale
    for f in _filters()[::7]:
        sale = ProductFilter(**{**f.__dict__, "on_sale": True})
        want = set(repo.find_ids(sale, limit=None))
        assert want == set(repo.find_ids(f, limit=None)) & on_sale, sale
        assert set(snap.ids[cache.mask(sale)].tolist()) == want, sale


def test_the_shops_own_sale_category_counts_as_on_sale(tmp_path: Path) -> None:
    from catalog.records import CatalogData, ProductRecord

    data = CatalogData(products=[
        ProductRecord(sku="A", name="Josie Yoga Jacket", price=Decimal("56.25"), categories=["Promotions/Women Sale"]),
        ProductRecord(sku="B", name="Ingrid Running Jacket", price=Decimal("84.00"), categories=["Women/Jackets"]),
        ProductRecord(sku="C", name="Saleen Tote", price=Decimal("20.00"), categories=["Bags"]),  # "sale" inside a word
    ])
    repo = build(f"sqlite:///{tmp_path / 'sale.db'}", data)
    names = {p.name for p in repo.get_many(repo.find_ids(ProductFilter(on_sale=True), limit=None))}
    assert names == {"Josie Yoga Jacket"}
