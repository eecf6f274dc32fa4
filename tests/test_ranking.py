"""Scoring features, the linear and learned rankers, and MMR, on hand-made inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from catalog.repository import ProductSummary
from retrieval.diversity import family_key, mmr_order
from retrieval.evaluation import ndcg_at_k
from retrieval.learned_ranker import LearnedRanker, click_groups, train_from_clicks, train_logistic
from retrieval.ranking import (
    ALL_FEATURES,
    TEXT_FEATURES,
    LinearRanker,
    RankingConfig,
    UserHistory,
    bayesian_rating,
    history_match,
    load_ranking_config,
    popularity_value,
    preference_match,
    season_match,
    season_of,
    stem,
    title_match_features,
)


def summary(**kw: object) -> ProductSummary:
    base: dict[str, object] = dict(
        id=1, sku="S", name="Thing", brand=None, price=Decimal("10"), regular_price=Decimal("10"), currency="USD",
        in_stock=True, stock_qty=None, rating_avg=None, rating_count=0, image=None, categories=[], colors=[],
        sizes=[], gender=None, attributes={},
    )
    base.update(kw)
    return ProductSummary(**base)  # type: ignore[arg-type]


def test_packaged_weights_load_and_name_known_features() -> None:
    cfg = load_ranking_config()
    assert cfg.weights and set(cfg.weights) <= set(ALL_FEATURES)
    assert cfg.rrf_k > 0
    with pytest.raises(ValueError, match="unknown ranking features"):
        RankingConfig.from_dict({"weights": {"no_such_feature": 1.0}})


def test_linear_ranker_contributions_sum_to_score() -> None:
    r = LinearRanker({"rrf": 2.0, "rating": 0.5, "disliked": -1.0})
    score, contrib = r.score({"rrf": 0.5, "rating": 0.4, "disliked": 1.0, "unweighted": 9.0})
    assert contrib == {"rrf": 1.0, "rating": 0.2, "disliked": -1.0}
    assert score == pytest.approx(0.2)


def test_title_match_features_by_hand() -> None:
    f = title_match_features("1/2 in. copper pipes", "Everbilt 1/2 in. Copper Pipe 10 ft.")
    assert f["coverage"] == 1.0 and f["all_covered"] == 1.0  # "pipes" ~ "pipe", "in" is a stop word
    assert f["numbers"] == 1.0 and f["numbers_missing"] == 0.0
    assert f["head_match"] == 1.0
    g = title_match_features("3/4 in. copper pipe", "Everbilt 1/2 in. Copper Pipe")
    assert g["numbers"] == 0.0 and g["numbers_missing"] == 1.0
    typo = title_match_features("baseborad heater", "Cadet 48 in. Baseboard Heater")
    assert typo["coverage"] == 0.5 and typo["fuzzy_coverage"] == 1.0
    assert title_match_features("behr deck stain", "BEHR Premium Deck Stain")["brand"] == 1.0
    assert stem("batteries") == "battery" and stem("drills") == "drill" and stem("glass") == "glass"
    # a singular ending in -ie meets its plural: "hoodies" finds "Hoodie" (it used to find only "Hooded")
    assert stem("hoodies") == stem("hoodie") != stem("hooded") and stem("cookies") == stem("cookie")
    assert stem("ties") == stem("tie") == "tie" and stem("lilies") == "lily"


def test_season_rating_popularity_preferences_history() -> None:
    parka = summary(attributes={"climate": ["Cold", "Wintry"]})
    tee = summary(attributes={"climate": ["Hot", "Warm"]})
    jan, jul = dt.date(2026, 1, 10), dt.date(2026, 7, 10)
    assert season_of(jan) == "winter" and season_of(jan, "south") == "summer"
    assert season_match(parka, jan) == 1.0 and season_match(parka, jul) < 0
    assert season_match(tee, jul) == 1.0 and season_match(tee, jan, "south") == 1.0
    assert season_match(summary(), jan) == 0.0
    # Bayesian average: one 5-star review counts for less than a hundred 4.6-star ones
    assert bayesian_rating(5.0, 1, 3.5, 5) < bayesian_rating(4.6, 100, 3.5, 5)
    assert bayesian_rating(None, 0, 3.5, 5) == pytest.approx(0.25)
    assert popularity_value(0, 50) == 0 and popularity_value(10, 50) < popularity_value(40, 50) <= 1.0
    wool = summary(name="Cozy sweater", attributes={"material": ["Wool", "Cotton"]}, colors=["Red"])
    assert preference_match(wool, ["wool", "red"]) == 1.0 and preference_match(wool, ["nylon", "red"]) == 0.5
    # whole words of a value count ("rain" of "Rain Coat"), a piece of a word does not ("rain" of "Training")
    shell = summary(name="Nadia Elements Shell", attributes={"style": ["Rain Coat"], "activity": ["Training"]})
    assert preference_match(shell, ["rain"]) == 1.0 and preference_match(shell, ["rain coat"]) == 1.0
    assert preference_match(summary(attributes={"activity": ["Training"]}), ["rain"]) == 0.0
    hist = UserHistory(brands={"luma": 3}, categories={"women/tops": 2})
    assert history_match(summary(brand="Luma", categories=["Women/Tops/Jackets"]), hist) == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert history_match(summary(brand="Nova"), hist) == 0.0


def test_mmr_by_hand_and_family_key() -> None:
    # items 0 and 1 are near duplicates; 2 is different and a bit less relevant; 3 is irrelevant
    # (relevance is min-max normalised over the pool: 1.0, 0.99, 0.8, 0.0)
    sims = {(0, 1): 0.95, (0, 2): 0.1, (1, 2): 0.1}

    def sim(i: int, j: int) -> float:
        return sims.get((min(i, j), max(i, j)), 0.0)

    assert mmr_order([1.0, 0.99, 0.8, 0.0], sim, 2, lam=1.0) == [0, 1]  # pure relevance
    assert mmr_order([1.0, 0.99, 0.8, 0.0], sim, 2, lam=0.5) == [0, 2]
    a = summary(name="Chaz Kangeroo Hoodie - Gray", colors=["Gray"], brand="Luma")
    b = summary(name="Chaz Kangeroo Hoodie - Black", colors=["Black"], brand="Luma")
    assert family_key(a) == family_key(b)
    assert mmr_order([3, 2, 1], lambda i, j: 0.0, 3, families=["x", "x", "y"], max_per_family=1) == [0, 2, 1]


def test_learned_ranker_trains_and_improves_a_toy_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    names = ["good", "noisy"]
    x, y, groups = [], [], []
    for q in range(40):
        for _d in range(20):
            rel = rng.integers(0, 3)  # graded 0..2
            good = rel + rng.normal(0, 0.6)
            noisy = rng.normal(0, 1) + 0.3 * rel
            x.append([good, noisy])
            y.append(rel / 2)
            groups.append(q)
    xa, ya, ga = np.array(x), np.array(y), np.array(groups)
    train, test = ga < 20, ga >= 20
    model = train_logistic(xa[train], ya[train], names, l2=1e-3)
    assert model.theta[0] > model.theta[1] > -1

    def mean_ndcg(scores: np.ndarray) -> float:
        vals = []
        for q in range(20, 40):
            idx = np.flatnonzero(ga == q)
            ranked = [str(i) for i in idx[np.argsort(-scores[idx])]]
            judg = {str(i): 1 + 2 * ya[i] for i in idx}
            v = ndcg_at_k(ranked, judg, 10)
            if v is not None:
                vals.append(v)
        return float(np.mean(vals))

    learned = model.score_matrix(xa)
    baseline = xa[:, 1]  # the weak feature alone
    assert mean_ndcg(learned) > mean_ndcg(baseline) + 0.1
    assert test.any()
    # the saved model gives the same scores, and its contributions sum to its score
    path = model.save(tmp_path / "r.json")
    again = LearnedRanker.load(path)
    feats = {"good": 1.5, "noisy": -0.2}
    s, contrib = again.score(feats)
    assert s == pytest.approx(sum(contrib.values()))
    assert s == pytest.approx(float(model.score_matrix(np.array([[1.5, -0.2]]))[0]))
    assert 0 < again.probability(feats) < 1
    with pytest.raises(ValueError, match="not a shopassist ranker"):
        (tmp_path / "bad.json").write_text('{"format": "x"}')
        LearnedRanker.load(tmp_path / "bad.json")


def test_learned_ranker_from_logged_clicks(sqlite_url: str) -> None:
    from catalog.records import CatalogData, ProductRecord
    from tests.test_search import build, searcher_for

    products = [ProductRecord(sku=f"D{i}", name=f"cordless drill {i}" if i < 5 else f"drill bit set {i}", price=Decimal("20"))
                for i in range(10)]
    repo = build(sqlite_url, CatalogData(products=products))
    searcher = searcher_for(repo)
    ids = repo.find_ids(None, limit=None)
    for session in range(6):
        shown = ids[session % 3 :: 1][:6]
        for pos, pid in enumerate(shown):
            repo.log_interaction("view", pid, session_id=f"s{session}", query="cordless drill", position=pos)
        for pid in shown:
            if repo.get(pid).name.startswith("cordless"):  # type: ignore[union-attr]
                repo.log_interaction("click", pid, session_id=f"s{session}", query="cordless drill")
    groups = click_groups(repo.db)
    assert len(groups) == 6 and all(g.chosen for g in groups)
    model = train_from_clicks(searcher, groups, list(TEXT_FEATURES))
    feats = searcher.features_for("cordless drill", ids)
    scores = {pid: model.score(f)[0] for pid, f in feats.items()}
    clicked = [pid for pid in ids if repo.get(pid).name.startswith("cordless")]  # type: ignore[union-attr]
    others = [pid for pid in ids if pid not in clicked]
    assert min(scores[p] for p in clicked) > max(scores[p] for p in others)
