"""Which way a turn goes: a model's structure checked against the shopper's words (a price or stock question read
as "cart" added to or showed the cart; "compare" for "what's the cheapest thing you sell?" asked "which of these?";
the model's position for "it" with two products on screen), and the lines that say what was found ("... clothes for
you might like", a bare "Dress" as a reason)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.agent import ShoppingAssistant
from assistant.intent_parser import LLMIntentParser, RuleIntentParser, kind_said

POLICIES = """## Shipping
We ship within the EU. Delivery takes 2-4 business days.

## Do you gift-wrap?
Yes, 3 USD per order.
"""


class _ModelByMessage(BaseChatModel):
    """A chat model that answers the intent prompt of each scripted message with its JSON (what the embedded model
    was seen to answer), and fails on any other, so the parser reads that one with the rules (no model, no network)."""

    script: dict[str, dict[str, Any]]

    @property
    def _llm_type(self) -> str:
        return "scripted-by-message"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        said = re.search(r"Message: (.*)\s*$", str(messages[-1].content))
        if said is None or said.group(1).strip() not in self.script:
            raise RuntimeError("not scripted")
        import json

        text = json.dumps(self.script[said.group(1).strip()])
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _clothes() -> list[Any]:
    """A small clothing shop like the tester's: a tee and a dress in blue under $30, scarves, jackets, policies."""
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    return [
        P(sku="TSH-1", name="Classic Crew Tee", price=Decimal("19.99"), categories=["Women/Tops/T-Shirts"], gender="women",
          description="Soft organic cotton tee.",
          variants=[V(sku="TSH-1-S-BLU", size="S", color="Blue", stock_qty=5), V(sku="TSH-1-M-RED", size="M", color="Red", stock_qty=7)]),
        P(sku="DRS-9", name="Summer Dress", price=Decimal("29.00"), categories=["Women/Dresses"], gender="women",
          description="Floaty linen midi dress.",
          variants=[V(sku="DRS-9-S-BLU", size="S", color="Blue", stock_qty=2), V(sku="DRS-9-M-WHT", size="M", color="White", stock_qty=3)]),
        P(sku="SCF-7", name="Wool Scarf", price=Decimal("35.00"), categories=["Accessories/Scarves"], description="Chunky merino wool scarf.",
          attributes={"color": ["Grey"]}, stock_qty=8),
        P(sku="JKT-3", name="Regenjacke Öko", price=Decimal("69.00"), categories=["Women/Jackets"], gender="women",
          description="Waterproof rain jacket with taped seams.", attributes={"color": ["Yellow"]}, stock_qty=10),
        P(sku="SOC-1", name="Sport Socks 3-pack", price=Decimal("9.99"), categories=["Accessories/Socks"], stock_qty=30),
        P(sku="BAG-1", name="Tote Bag", price=Decimal("18.00"), categories=["Accessories/Bags"], stock_qty=9),
    ]


def _bot(tmp_path: Path, script: dict[str, dict[str, Any]] | None = None) -> ShoppingAssistant:
    """The shop on SQLite with catalog search; the rules parser, or a model scripted for some messages (the rules
    read the others, as they do when the model fails)."""
    from catalog.db import open_catalog
    from catalog.importers.policies import load
    from catalog.records import CatalogData
    from catalog.writer import sync_catalog

    policies = tmp_path / "policies.md"
    policies.write_text(POLICIES, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with open_catalog(url).session() as s:
        sync_catalog(s, CatalogData(products=_clothes(), documents=load(policies).documents), progress=False)
    bot = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    if script is not None:
        assert isinstance(bot.parser, RuleIntentParser)
        bot.parser = LLMIntentParser(_ModelByMessage(script=script), bot.parser.vocabulary)
    return bot


def _cart(reply: Any) -> list[tuple[str, Any, Any, int]]:
    return [(x["name"], x.get("size"), x.get("color"), x["qty"]) for x in reply.cart]


# ----- 1. a price question never changes the cart -------------------------------------------------------------------

def test_a_price_question_read_as_cart_answers_the_price_and_adds_nothing(tmp_path: Path) -> None:
    """'how much is the wool scarf?' (the model: kind "cart") added a second scarf: 'Added Wool Scarf ... 2 x'."""
    bot = _bot(tmp_path, {
        "add the wool scarf": {"kind": "cart", "query": "scarves", "references": [2]},
        "what's in my cart?": {"kind": "cart", "query": "scarves"},
        "how much is the wool scarf?": {"kind": "cart", "query": "wool scarf", "attributes": ["wool scarf"]},
    })
    assert [p.name for p in bot.chat("scarves", session_id="s").products] == ["Wool Scarf"]
    assert _cart(bot.chat("add the wool scarf", session_id="s")) == [("Wool Scarf", None, None, 1)]
    assert bot.chat("what's in my cart?", session_id="s").text.startswith("Your cart: 1 × Wool Scarf")
    reply = bot.chat("how much is the wool scarf?", session_id="s")
    assert _cart(reply) == [("Wool Scarf", None, None, 1)], reply.text
    assert reply.intent.kind == "question" and reply.text.startswith("Wool Scarf costs $35.00"), reply.text
    assert "Added" not in reply.text


@pytest.mark.parametrize("text", ["how much is the wool scarf?", "do you gift wrap?", "how many are left?",
                                  "how many are in stock?", "what's the cheapest thing you sell?", "is it warm?",
                                  "¿cuánto cuesta la bufanda?", "这个多少钱？"])
def test_a_model_cart_needs_words_that_ask_for_the_cart(text: str) -> None:
    assert not kind_said("cart", text)


@pytest.mark.parametrize("text", ["add it in size S", "I'll take it", "buy the second one", "remove the scarf",
                                  "what's my total?", "I want this one", "make it 3", "one more please", "take it out",
                                  "la quiero en azul", "me lo llevo", "añádela", "quita la bufanda", "加入购物车", "我要这个"])
def test_words_that_ask_for_the_cart_keep_a_model_cart(text: str) -> None:
    assert kind_said("cart", text)


def test_a_model_cart_the_words_ask_for_still_adds(tmp_path: Path) -> None:
    """(the check takes nothing from a real add: "I'll take it" read as "cart" adds the one product shown)"""
    bot = _bot(tmp_path, {"I'll take it": {"kind": "cart", "query": "", "references": [1]}})
    bot.chat("scarves", session_id="t")
    assert _cart(bot.chat("I'll take it", session_id="t")) == [("Wool Scarf", None, None, 1)]


# ----- 2. "add it" with several products on screen asks which -------------------------------------------------------

def test_add_it_with_two_on_screen_asks_which_instead_of_the_models_guess(tmp_path: Path) -> None:
    """'add it in size S' under '1. Classic Crew Tee, 2. Summer Dress' added the dress (the model's references [2],
    a guess: it never sees the list)."""
    bot = _bot(tmp_path, {"add it in size S": {"kind": "cart", "query": "add", "references": [2]}})
    listed = bot.chat("blue clothes for women under 30", session_id="a")
    assert {p.name for p in listed.products} == {"Classic Crew Tee", "Summer Dress"}, listed.text
    reply = bot.chat("add it in size S", session_id="a")
    assert reply.cart == [] and reply.text.startswith("Which of these do you mean?"), reply.text
    # the answer to the question, then "add it": that one
    bot.chat("the first one", session_id="a")
    first = listed.products[0].name
    assert _cart(bot.chat("add it in size S", session_id="a")) == [(first, "S", "Blue", 1)]


# ----- 3. "which of these?" never swallows the next request; one product shown is said so ----------------------------

def test_compare_the_first_and_second_with_one_shown_says_so(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    assert [p.name for p in bot.chat("yellow jackets for women", session_id="c").products] == ["Regenjacke Öko"]
    for ask in ("compare the first and second", "which is cheaper?", "which one is warmer?"):
        reply = bot.chat(ask, session_id="c")
        assert reply.intent.kind == "compare" and reply.cart == [], reply.text
        assert reply.text == "Only one product is shown: Regenjacke Öko ($69.00). Name another product to compare it with.", reply.text


def test_a_new_request_after_which_of_these_is_answered(tmp_path: Path) -> None:
    """'what's the cheapest thing you sell?' (the model: "compare", as the turn before) got 'Which of these do you
    mean?' again."""
    bot = _bot(tmp_path, {
        "compare the first and second": {"kind": "compare", "query": "yellow jackets", "references": [2]},
        "what's the cheapest thing you sell?": {"kind": "compare", "query": "cheapest", "references": [2]},
    })
    bot.chat("yellow jackets for women", session_id="n")
    assert "Which of these" not in bot.chat("compare the first and second", session_id="n").text
    reply = bot.chat("what's the cheapest thing you sell?", session_id="n")
    assert reply.text.startswith("The cheapest products: Sport Socks 3-pack at $9.99."), reply.text
    assert kind_said("compare", "which one is warmer?") and kind_said("compare", "the first or the second?")
    assert not kind_said("compare", "what's the cheapest thing you sell?")


# ----- 4. stock and FAQ questions after a cart change ----------------------------------------------------------------

def test_gift_wrap_and_how_many_left_after_an_add_read_as_cart(tmp_path: Path) -> None:
    """After 'add it in size M', 'do you gift wrap?' and 'how many are left?' (the model: "cart") showed the cart."""
    bot = _bot(tmp_path, {
        "add it in size M": {"kind": "cart", "query": "add", "references": [2]},
        "do you gift wrap?": {"kind": "cart", "query": "gift wrap", "references": [2]},
        "how many are left?": {"kind": "cart", "query": "show me dresses", "sizes": ["M"], "attributes": ["dresses"]},
    })
    assert [p.name for p in bot.chat("show me dresses", session_id="g").products] == ["Summer Dress"]
    assert _cart(bot.chat("add it in size M", session_id="g")) == [("Summer Dress", "M", "White", 1)]
    left = bot.chat("how many are left?", session_id="g")
    # the line just added, in its size and colour (3 of the M, white; the dress has 5 in all)
    assert left.text == "Summer Dress costs $29.00; 3 in stock in size M White.", left.text
    wrap = bot.chat("do you gift wrap?", session_id="g")
    assert wrap.text == "Do you gift-wrap? Yes, 3 USD per order.", wrap.text
    # a turn later: the dress on screen, all of it
    assert bot.chat("how many are left?", session_id="g").text == "Summer Dress costs $29.00; 5 in stock."
    bot.chat("add it in size M", session_id="f")  # (nothing on screen in a new conversation: no product to add)
    assert bot.chat("do you gift wrap?", session_id="f").text == "Do you gift-wrap? Yes, 3 USD per order."


def test_how_many_left_after_adding_by_name_is_the_one_added(tmp_path: Path) -> None:
    """(rules) with a list of several on screen, the count is of the product just added, not of each one listed"""
    bot = _bot(tmp_path)
    assert len(bot.chat("clothes for women", session_id="h").products) >= 2
    assert _cart(bot.chat("add the Wool Scarf", session_id="h")) == [("Wool Scarf", None, None, 1)]
    reply = bot.chat("how many are left?", session_id="h")
    assert reply.text == "Wool Scarf costs $35.00; 8 in stock.", reply.text
    # a size asked is that size's count
    bot.chat("show me dresses", session_id="i")
    bot.chat("add it in size M", session_id="i")
    assert bot.chat("how many are left in S?", session_id="i").text == "Summer Dress costs $29.00; 2 in stock in size S."


def test_how_many_in_stock_after_a_one_item_list_read_as_cart(tmp_path: Path) -> None:
    """'how many are in stock?' right after a list of one (the model: "cart") answered 'Your cart is empty.'"""
    bot = _bot(tmp_path, {"how many are in stock?": {"kind": "cart", "query": "show me hiking boots",
                                                     "attributes": ["hiking boots"], "order_id": "000000145"}})
    bot.chat("scarves", session_id="k")
    reply = bot.chat("how many are in stock?", session_id="k")
    assert reply.text == "Wool Scarf costs $35.00; 8 in stock.", reply.text


# ----- 5. the lines that say what was found --------------------------------------------------------------------------

def test_the_header_leaves_no_word_hanging(tmp_path: Path) -> None:
    """'Here are 2 blue women's clothes for you might like' (the model's query "clothes for women", less "women")."""
    bot = _bot(tmp_path, {"clothes for women": {"kind": "search", "query": "clothes for women", "gender": "women"},
                          "in blue": {"kind": "refine", "query": "clothes for women", "colors": ["Blue"], "gender": "women"}})
    bot.chat("clothes for women", session_id="w")
    reply = bot.chat("in blue", session_id="w")
    assert reply.text.startswith("Here are 2 blue women's clothes you might like:"), reply.text
    es = bot.chat("busco ropa para mujer en azul", session_id="e")
    assert "para de mujer" not in es.text and "mujer de mujer" not in es.text, es.text


def test_a_kind_asked_is_no_bare_reason(tmp_path: Path) -> None:
    """'1. Summer Dress, $29.00: Dress; ...' (the model's colour "Dress" for "show me dresses", kept as a wish)."""
    bot = _bot(tmp_path, {"show me dresses": {"kind": "search", "query": "dresses", "category": "bottoms", "colors": ["Dress"]}})
    reply = bot.chat("show me dresses", session_id="d")
    assert reply.products and reply.products[0].name == "Summer Dress"
    assert not reply.products[0].explanation.startswith("Dress"), reply.text
    assert reply.text.endswith("1. Summer Dress, $29.00: only 5 left"), reply.text
    # a wish for a kind that reaches the reasons is said as what it is
    from assistant.intent import ShoppingIntent
    from assistant.replies import explain
    from assistant.search_backend import RankedItem

    dress = bot.repo.get(reply.products[0].id)
    assert dress is not None
    wished = ShoppingIntent(query="dress", attributes=["Dress", "linen"])
    assert explain(RankedItem(dress, 0.0), wished) == "a dress, as asked; linen; $29.00; only 5 left"
    assert explain(RankedItem(dress, 0.0), wished, "es").startswith("dress, como pediste; linen; ")
