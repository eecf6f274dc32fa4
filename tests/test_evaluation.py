"""Retrieval metrics against hand computations, the dev split, and the eval/train commands end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from retrieval.eval_cli import eval_group, train_group
from retrieval.evaluation import (
    dcg,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
    score_run,
    split_half,
    split_queries,
)

JUDG = {"a": 3.0, "b": 1.0, "c": 2.0, "d": 3.0}  # gains a=2, b=0, c=1, d=2; relevant (>=2.5): a, d


def test_ndcg_by_hand() -> None:
    # DCG of [a, b, c] = 2/log2(2) + 0/log2(3) + 1/log2(4) = 2 + 0 + 0.5
    # ideal [2, 2, 1] = 2 + 2/log2(3) + 1/2
    want = 2.5 / (2 + 2 / math.log2(3) + 0.5)
    assert ndcg_at_k(["a", "b", "c"], JUDG, 10) == pytest.approx(want)
    assert ndcg_at_k(["a", "d", "c"], JUDG, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], JUDG, 10) == 0.0  # unjudged = gain 0
    assert ndcg_at_k(["a"], {"a": 1.0}, 10) is None  # no positive gain: query not counted
    # k cuts the list: only the first result counts at k=1 (ideal at k=1 is 2)
    assert ndcg_at_k(["c", "a"], JUDG, 1) == pytest.approx(0.5)
    assert dcg([3, 2]) == pytest.approx(3 + 2 / math.log2(3))


def test_mrr_and_recall_by_hand() -> None:
    assert mrr_at_k(["b", "c", "a"], JUDG) == pytest.approx(1 / 3)
    assert mrr_at_k(["b", "c"], JUDG) == 0.0
    assert mrr_at_k(["c"] * 10 + ["a"], JUDG, 10) == 0.0  # beyond the cut-off
    assert mrr_at_k(["a"], {"a": 2.0}) is None  # no product at >= 2.5
    assert recall_at_k(["b", "a"], JUDG, 100) == 0.5
    assert recall_at_k(["d", "x", "a"], JUDG, 2) == 0.5
    assert recall_at_k(["d", "a"], JUDG) == 1.0


def test_score_run_averages_over_counted_queries() -> None:
    runs = {"q1": ["a", "d"], "q2": ["b"], "q3": ["z"]}
    qrels = {"q1": JUDG, "q2": {"b": 1.0}, "q3": {"z": 3.0}}
    m = score_run(runs, qrels, [1.0, 2.0, 3.0])
    assert m.ndcg10 == pytest.approx((ndcg_at_k(["a", "d"], JUDG) + 1.0) / 2)  # q2 has no positive gain
    assert m.mrr10 == pytest.approx(1.0) and m.recall100 == pytest.approx(1.0)
    assert m.latency_p50_ms == 2.0 and percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)


def test_split_is_deterministic_and_about_half() -> None:
    ids = [f"dev{i:05d}" for i in range(1000)]
    a, b = split_queries(ids)
    assert len(a) + len(b) == 1000 and 400 < len(a) < 600
    assert not set(a) & set(b)
    assert split_queries(reversed(ids)) == (a, b)
    assert all(split_half(q) == "A" for q in a)


def _tiny_dataset(tmp: Path) -> tuple[Path, Path, Path]:
    from tests.test_eval_inputs import QUERIES, TITLES  # one tiny Home Depot-like set for both test files

    titles, queries = TITLES, QUERIES
    qrels = [("q0", "1", 3), ("q0", "2", 2.67), ("q0", "3", 1.33), ("q1", "4", 3), ("q2", "5", 3), ("q2", "6", 2.33),
             ("q3", "7", 3), ("q4", "8", 3), ("q5", "3", 3), ("q5", "1", 1.67), ("q6", "2", 3), ("q7", "6", 2.67)]
    p = tmp / "products.tsv"
    p.write_text("product_id\ttitle\n" + "".join(f"{k}\t{v}\n" for k, v in titles.items()))
    q = tmp / "queries.tsv"
    q.write_text("query_id\tquery\n" + "".join(f"{k}\t{v}\n" for k, v in queries.items()))
    r = tmp / "qrels.tsv"
    r.write_text("query_id\tproduct_id\trelevance\n" + "".join(f"{a}\t{b}\t{c:.2f}\n" for a, b, c in qrels))
    return p, q, r


def test_eval_and_train_commands_end_to_end(tmp_path: Path) -> None:
    p, q, r = _tiny_dataset(tmp_path)
    args = ["--products", str(p), "--queries", str(q), "--qrels", str(r), "--embedder", "hashing"]
    runner = CliRunner()
    res = runner.invoke(eval_group, ["retrieval", *args, "--split", "all", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    for run in ("system", "bm25"):
        assert {"ndcg@10", "mrr@10", "recall@100", "latency_p50_ms", "latency_p95_ms"} <= set(report[run])
        assert 0.0 <= report[run]["ndcg@10"] <= 1.0
    assert report["split"].startswith("dev") and "DEV" in report["note"]
    assert report["bm25"]["ndcg@10"] > 0.5
    out = tmp_path / "ranker.json"
    res = runner.invoke(train_group, ["ranker", *args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["meta"]["split"] == "dev-train"
    res = runner.invoke(eval_group, ["retrieval", *args, "--split", "all", "--ranker", str(out)])
    assert res.exit_code == 0, res.output
    assert "NDCG@10" in res.output and "dev" in res.output.lower()
    # a ranker is evaluated only with the embedder it learned from (it took one trained without any, silently)
    bare = [*args[:-1], "none"]
    res = runner.invoke(eval_group, ["retrieval", *bare, "--split", "all", "--ranker", str(out)])
    assert res.exit_code == 1 and "was trained with --embedder hashing" in res.output and "uses --embedder none" in res.output, res.output
    out.write_text(json.dumps({"format": "something/1"}))
    res = runner.invoke(eval_group, ["retrieval", *args, "--ranker", str(out)])
    assert res.exit_code == 1 and "shopassist-lambdamart-ranker/1 or shopassist-logistic-ranker/1" in res.output, res.output
