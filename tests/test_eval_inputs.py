"""Bad products/queries/qrels files give a click error naming file, line and field (never a traceback, never
silent zeros), for `eval retrieval`, `train ranker` and `train embedder` alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from retrieval.eval_cli import eval_group, train_group
from retrieval.evaluation import (
    EvalInputError,
    judged_queries,
    load_products,
    load_qrels,
    load_queries,
    split_queries,
)

TITLES = {
    "1": "DEWALT 20-Volt Cordless Drill Kit",
    "2": "Milwaukee M18 Cordless Hammer Drill",
    "3": "Drill Bit Set 21-Piece Titanium",
    "4": "BEHR Premium Deck Stain 1 gal.",
    "5": "Everbilt 1/2 in. Copper Pipe 10 ft.",
    "6": "SharkBite 1/2 in. Push-to-Connect Copper Elbow",
    "7": "Cadet 48 in. Baseboard Heater",
    "8": "Glacier Bay Bathroom Faucet Chrome",
}
QUERIES = {"q0": "cordless drill", "q1": "deck stain", "q2": "copper pipe 1/2", "q3": "baseboard heater",
           "q4": "bathroom faucet", "q5": "drill bits", "q6": "hammer drill", "q7": "pipe elbow"}
QRELS = [("q0", "1", "3.00"), ("q0", "2", "2.67"), ("q0", "3", "1.33"), ("q1", "4", "3.00"), ("q2", "5", "3.00"),
         ("q2", "6", "2.33"), ("q3", "7", "3.00"), ("q4", "8", "3.00"), ("q5", "3", "3.00"), ("q5", "1", "1.67"),
         ("q6", "2", "3.00"), ("q7", "6", "2.67")]
# the headers of the real Home Depot files (products.tsv, queries.dev.tsv, qrels.dev.tsv)
P_HEAD, Q_HEAD, R_HEAD = "product_id\ttitle", "query_id\tquery", "query_id\tproduct_id\trelevance"


def _write(path: Path, header: str, rows: Sequence[Sequence[str] | str]) -> Path:
    lines = [r if isinstance(r, str) else "\t".join(r) for r in rows]
    path.write_text("".join(f"{ln}\n" for ln in [header, *lines]), encoding="utf-8")
    return path


def _files(tmp: Path) -> tuple[Path, Path, Path]:
    return (_write(tmp / "products.tsv", P_HEAD, list(TITLES.items())),
            _write(tmp / "queries.tsv", Q_HEAD, list(QUERIES.items())),
            _write(tmp / "qrels.tsv", R_HEAD, QRELS))


def _args(p: Path, q: Path, r: Path) -> list[str]:
    return ["--products", str(p), "--queries", str(q), "--qrels", str(r), "--embedder", "hashing"]


def _all_commands(tmp: Path, p: Path, q: Path, r: Path) -> dict[str, Result]:
    from assistant.cli import cli as main

    runner = CliRunner()
    return {
        "eval retrieval": runner.invoke(eval_group, ["retrieval", *_args(p, q, r), "--split", "all"]),
        "train ranker": runner.invoke(train_group, ["ranker", *_args(p, q, r), "--out", str(tmp / "ranker.json")]),
        "train embedder": runner.invoke(main, ["train", "embedder", "--products", str(p), "--queries", str(q),
                                               "--qrels", str(r), "--out", str(tmp / "model"), "-q"]),
    }


def _assert_click_error(results: dict[str, Result], expected: str) -> None:
    for name, res in results.items():
        assert res.exit_code == 1, f"{name}: {res.output}"
        assert isinstance(res.exception, SystemExit), f"{name} raised {res.exception!r}"  # no traceback
        assert "Traceback" not in res.output
        assert f"Error: {expected}" in res.output, f"{name}: {res.output}"


def test_the_fixture_files_are_fine(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    assert load_products(p) == list(TITLES.items())
    assert load_queries(q) == QUERIES
    assert load_qrels(r)["q0"] == {"1": 3.0, "2": 2.67, "3": 1.33}
    assert judged_queries(load_queries(q), load_qrels(r), TITLES) == sorted(QUERIES)


def test_columns_are_found_by_name_with_bom_crlf_and_extra_columns(tmp_path: Path) -> None:
    q = tmp_path / "queries.tsv"
    q.write_bytes("\ufeffQuery\tQuery_ID\tnote\r\ndeck stain\tq1\tx\r\n\r\n".encode())
    assert load_queries(q) == {"q1": "deck stain"}


@pytest.mark.parametrize(
    ("which", "header", "rows", "expected"),
    [
        ("products", "product_id\tname", [("1", "Drill")], "products.tsv, line 1, field 'title': missing required column 'title'"),
        ("queries", "query_id", ["q0", "q1"], "queries.tsv, line 1, field 'query': missing required column 'query'"),
        ("queries", Q_HEAD, [("q0", "cordless drill"), "q1"],
         "queries.tsv, line 3, field 'query': missing (the line has 1 tab-separated field"),
        ("queries", Q_HEAD, [("q0", "a"), ("q0", "b")], "queries.tsv, line 3, field 'query_id': duplicate query_id q0"),
        ("queries", Q_HEAD, [("q0", "a"), ("", "b")], "queries.tsv, line 3, field 'query_id': empty query_id"),
        ("qrels", "query_id\tproduct_id", [("q0", "1")], "qrels.tsv, line 1, field 'relevance': missing required column"),
        ("qrels", R_HEAD, [("q0", "1", "3"), ("q1", "4", "high")],
         "qrels.tsv, line 3, field 'relevance': 'high' is not a number; relevance must be a number from 1"),
        ("qrels", R_HEAD, [("q0", "1", "5")], "qrels.tsv, line 2, field 'relevance': '5' is out of range"),
        ("qrels", R_HEAD, [("q0", "1", "nan")], "qrels.tsv, line 2, field 'relevance': 'nan' is not a number"),
        ("qrels", R_HEAD, [("q0", "1", "3"), ("q0", "1", "2")], "qrels.tsv, line 3, field 'product_id': query q0 judges product 1 again"),
        ("qrels", R_HEAD, [("q0", "1")], "qrels.tsv, line 2, field 'relevance': missing"),
        ("qrels", R_HEAD, [], "qrels.tsv: no judgement below the header"),
    ],
)
def test_a_bad_file_is_a_click_error_in_every_command(
    tmp_path: Path, which: str, header: str, rows: Sequence[Sequence[str] | str], expected: str
) -> None:
    files = dict(zip(("products", "queries", "qrels"), _files(tmp_path), strict=True))
    _write(files[which], header, rows)
    _assert_click_error(_all_commands(tmp_path, *files.values()), f"{tmp_path}/{expected}")


def test_an_empty_or_comma_separated_or_non_utf8_file(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    q.write_text("")
    _assert_click_error(_all_commands(tmp_path, p, q, r), f"{q}: the file is empty; expected the header 'query_id<TAB>query'")
    q.write_text("query_id,query\nq0,cordless drill\n")
    _assert_click_error(_all_commands(tmp_path, p, q, r), f"{q}, line 1, field 'query_id': missing required column 'query_id'")
    assert "separated by TAB characters" in _all_commands(tmp_path, p, q, r)["eval retrieval"].output
    _files(tmp_path)
    r.write_bytes(b"query_id\tproduct_id\trelevance\nq0\t1\t3\nq1\t4\t\xe9\n")
    _assert_click_error(_all_commands(tmp_path, p, q, r), f"{r}, line 3: the file is not valid UTF-8")


def test_query_ids_that_do_not_match_say_so(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    _write(q, Q_HEAD, [(f"dev{i:05d}", text) for i, text in enumerate(QUERIES.values())])
    _assert_click_error(_all_commands(tmp_path, p, q, r),
                        f"{q}, field 'query_id': none of the 8 queries has a judgement in {r}; check that the query ids match")


def test_a_products_file_that_does_not_match_the_qrels(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    _write(p, P_HEAD, [("900", "Something Else"), ("901", "Another Thing")])
    _assert_click_error(_all_commands(tmp_path, p, q, r), f"{r}, field 'product_id': all 8 products judged")
    assert "is it the products file these qrels belong to?" in _all_commands(tmp_path, p, q, r)["train ranker"].output


def test_unknown_ids_in_qrels_are_warned_about_with_counts(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    with r.open("a") as fh:
        fh.write("zz1\t1\t3\nzz1\t2\t3\nzz2\t1\t3\nq0\t999\t3\n")
    res = CliRunner().invoke(eval_group, ["retrieval", *_args(p, q, r), "--split", "all", "--json"])
    assert res.exit_code == 0, res.output
    assert f"Warning: {r}: 3 lines judge 2 query ids that are not in {q} (e.g. 'zz1', 'zz2'); they are left out" in res.stderr
    assert f"Warning: {r}: 1 line judges 1 product id that is not in {p} (e.g. '999')" in res.stderr
    assert res.stdout.startswith("{")  # the JSON on stdout stays clean


def test_no_query_in_the_reported_half_is_an_error_not_zeros(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    train, heldout = split_queries(QUERIES)
    assert train and heldout
    _write(r, R_HEAD, [row for row in QRELS if row[0] in train])
    res = CliRunner().invoke(eval_group, ["retrieval", *_args(p, q, r)])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    assert f"Error: {q}, field 'query_id': none of the {len(train)} judged queries falls in the dev-heldout half" in res.output
    _write(r, R_HEAD, [row for row in QRELS if row[0] in heldout])
    res = CliRunner().invoke(train_group, ["ranker", *_args(p, q, r), "--out", str(tmp_path / "r.json")])
    assert res.exit_code == 1 and "falls in the dev-train half" in res.output and "judge more queries" in res.output


def test_a_ranker_needs_judgements_above_irrelevant(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    _write(r, R_HEAD, [(a, b, "1") for a, b, _ in QRELS])
    res = CliRunner().invoke(train_group, ["ranker", *_args(p, q, r), "--out", str(tmp_path / "r.json")])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    assert "Error: nothing to learn from" in res.output and "judgements above 1 (irrelevant)" in res.output
    assert not (tmp_path / "r.json").exists()


def test_the_error_is_a_value_error_for_library_callers(tmp_path: Path) -> None:
    p, q, r = _files(tmp_path)
    _write(r, R_HEAD, [("q0", "1", "high")])
    with pytest.raises(ValueError, match="line 2, field 'relevance'") as info:
        load_qrels(r)
    assert isinstance(info.value, EvalInputError) and info.value.line == 2 and info.value.field == "relevance"
    assert "high" not in info.value.public_str()  # the public form quotes nothing from the file
