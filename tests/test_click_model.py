"""The click-through model: trained on the shop's logged clicks (`shopassist train click-model`) and used by the
assistant only when SHOPASSIST_RANKER names it, and only with the embedder it was trained with."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.agent import ShoppingAssistant
from catalog.db import open_catalog
from catalog.writer import sync_catalog
from retrieval.eval_cli import train_group
from retrieval.indexer import update_index
from retrieval.learned_ranker import LearnedRanker
from tests.catalog_fixtures import small_store


@pytest.fixture
def shop(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with open_catalog(sqlite_url).session() as s:
        sync_catalog(s, small_store(), progress=False)
    update_index(sqlite_url, embedder="hashing-64", images=False)
    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "hashing-64")
    monkeypatch.setenv("SHOPASSIST_IMAGE_MODEL", "none")
    monkeypatch.delenv("SHOPASSIST_RANKER", raising=False)
    return sqlite_url


def test_no_clicks_yet_is_said(shop: str) -> None:
    out = CliRunner().invoke(train_group, ["click-model", "--db-url", shop])
    assert out.exit_code == 1 and "no result list with a click to learn from yet" in out.output


def test_trained_on_the_log_and_used_once_chosen(shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = ShoppingAssistant.from_config(shop, llm="rules", search="hybrid")
    assert type(bot.searcher.searcher.ranker).__name__ == "LinearRanker"  # type: ignore[attr-defined]
    before = [c.name for c in bot.chat("jacket", session_id="before").products]
    assert before[0] != "Nadia Elements Shell" and "Nadia Elements Shell" in before
    for i in range(4):  # shoppers searching "jacket" pass over the first and choose the shell
        reply = bot.chat("jacket", session_id=f"c{i}")
        shell = next(c for c in reply.products if c.name == "Nadia Elements Shell")
        bot.feedback("click", shell.id, session_id=f"c{i}")
    out = CliRunner().invoke(train_group, ["click-model", "--db-url", shop, "--out", str(tmp_path / "clicks.json")])
    assert out.exit_code == 0, out.output
    assert "trained on 4 result lists with clicks" in out.output and "export SHOPASSIST_RANKER=" in out.output
    saved = json.loads((tmp_path / "clicks.json").read_text())
    assert saved["meta"]["source"] == "clicks" and saved["meta"]["embedder"] == bot.searcher.embedder.model_id  # type: ignore[attr-defined]

    monkeypatch.setenv("SHOPASSIST_RANKER", str(tmp_path / "clicks.json"))
    chosen = ShoppingAssistant.from_config(shop, llm="rules", search="hybrid")
    ranker = chosen.searcher.searcher.ranker  # type: ignore[attr-defined]
    assert isinstance(ranker, LearnedRanker) and ranker.meta["source"] == "clicks"
    reply = chosen.chat("jacket", session_id="after")
    assert reply.products and reply.products[0].name == "Nadia Elements Shell", [c.name for c in reply.products]


def test_a_ranker_of_another_embedder_is_refused_visibly(shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    other = LearnedRanker(["lex"], [0.0], [1.0], [1.0], 0.0, {}, {"embedder": "sentence-transformers/all-MiniLM-L6-v2"})
    other.save(tmp_path / "other.json")
    monkeypatch.setenv("SHOPASSIST_RANKER", str(tmp_path / "other.json"))
    with caplog.at_level(logging.WARNING):
        bot = ShoppingAssistant.from_config(shop, llm="rules", search="hybrid")
    assert type(bot.searcher.searcher.ranker).__name__ == "LinearRanker"  # type: ignore[attr-defined]
    assert "trained with the embedder sentence-transformers/all-MiniLM-L6-v2" in caplog.text
