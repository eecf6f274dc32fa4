"""`shopassist replay` over scripted multi-turn dialogues: every shown product satisfies the
constraints in force, references resolve to shown products, and no product or price is invented."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from catalog.db import open_catalog
from catalog.repository import CatalogRepository, ProductFilter
from tests.conftest import shared_dataset

DIALOGUES = Path(__file__).parent / "data" / "dialogues_magento.jsonl"


def check_turns(records: list[dict], repo: CatalogRepository) -> dict[str, int]:
    """Assert the replay's guarantees; return counts for the report."""
    products_checked = prices_checked = 0
    for rec in records:
        intent = rec["intent"]
        shown_prices = set()
        for p in rec["products"]:
            real = repo.get(p["id"])
            assert real is not None, f"invented product {p}"
            assert (real.sku, real.name, Decimal(str(p["price"])).quantize(Decimal("0.01"))) == (p["sku"], p["name"], real.price), p
            shown_prices |= {real.price, real.regular_price}
            products_checked += 1
            if intent["kind"] in ("search", "refine") and not rec["note"]:
                f = ProductFilter(
                    category=intent["category"].rsplit("/", 1)[-1] if intent["category"] else None,
                    min_price=intent["min_price"], max_price=intent["max_price"], colors=intent["colors"],
                    sizes=intent["sizes"], gender=intent["gender"], brands=intent["brands"], ids=[real.id],
                )
                assert repo.count(f) == 1, f"{real.name} violates {intent} in {rec['dialogue']}#{rec['turn']}"
        stated = {Decimal(str(v)).quantize(Decimal("0.01")) for v in (intent["min_price"], intent["max_price"]) if v is not None}
        grounded = {Decimal(m) for m in re.findall(r"\$(\d+\.\d\d)", rec["note"] or "")}
        cart_prices = {Decimal(m) for m in re.findall(r"\((?:\$)(\d+\.\d\d)\)|Total \$(\d+\.\d\d)", rec["reply"]) for m in m if m}
        if intent["kind"] == "order_status":
            from sqlalchemy import select

            from catalog.models import Order

            with repo.db.session() as s:
                stated |= set(s.scalars(select(Order.total)))
        for m in re.findall(r"\$(\d+\.\d\d)", rec["reply"]):
            assert Decimal(m) in shown_prices | stated | grounded | cart_prices, f"price ${m} not from the catalog: {rec}"
            prices_checked += 1
    return {"turns": len(records), "products": products_checked, "prices": prices_checked}


@pytest.mark.shared
@pytest.mark.parametrize("llm", ["rules", pytest.param("embedded", marks=pytest.mark.slow)])
def test_replay_magento_dialogues(tmp_path: Path, llm: str) -> None:
    magento = shared_dataset("magento")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["catalog", "import", str(magento), "--db-url", url, "-q"]).exit_code == 0
    out = tmp_path / "replay.jsonl"
    result = runner.invoke(cli, ["replay", str(DIALOGUES), "--out", str(out), "--db-url", url, "--llm", llm, "--search", "catalog"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == sum(len(json.loads(line)["turns"]) for line in DIALOGUES.read_text().splitlines())
    counts = check_turns(records, CatalogRepository(open_catalog(url)))
    assert counts["products"] > 20
    by_id = {(r["dialogue"], r["turn"]): r for r in records}
    print(f"\nreplay with llm={llm}: {counts}")
    purple = by_id[("jackets", 2)]
    assert purple["products"] and purple["intent"]["colors"] == ["Purple"] and purple["intent"]["max_price"] == 60
    cart = by_id[("hoodie", 3)]
    assert cart["intent"]["kind"] == "cart" and by_id[("hoodie", 2)]["products"][0]["name"] in cart["reply"]
    assert "Nothing under $5.00" in (by_id[("budget", 1)]["note"] or "")
    assert "complete" in by_id[("order", 1)]["reply"]


def test_replay_rejects_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "d.jsonl"
    bad.write_text('{"id": 1, "turns": []}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", str(bad), "--llm", "rules"])
    assert result.exit_code == 1 and "d.jsonl:1" in result.output
    # a user id that is no text is refused before any turn runs (it crashed mid-run); an empty file says so
    bad.write_text('{"id": "a", "turns": ["hi"]}\n{"id": "b", "turns": ["jackets"], "user_id": 5}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", str(bad), "--llm", "rules"])
    assert result.exit_code == 1 and 'd.jsonl:2: "user_id" must be text' in result.output and '"turn"' not in result.output, result.output
    bad.write_text("\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", str(bad), "--llm", "rules"])
    assert result.exit_code == 1 and "no dialogues in it" in result.output, result.output
