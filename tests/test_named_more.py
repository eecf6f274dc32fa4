"""More questions about products named in words: "is the duffle bag waterproof?" answered for the one "Duffle Bag"
though two other duffles are bags too; "similar to the Cruise watch but cheaper" (for whom: section 2); "do you have
a Sol jacket?" listed jackets without saying no jacket is a Sol; and the agent's and the vocabulary's singular rules differed ("hoodies": "hoodie" and "hoody")."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _shop
from tests.test_review_fixes_3 import _p, _store


def _names(reply: Any) -> list[str]:
    return [p.name for p in reply.products]


def _gendered(sku: str, name: str, price: str, category: str, gender: str | None, description: str = "", **attributes: list[str]) -> Any:
    from catalog.records import ProductRecord

    return ProductRecord(sku=sku, name=name, price=Decimal(price), categories=[category], gender=gender, stock_qty=10,
                         description=description or f"The {name}.", attributes=dict(attributes))


def _more() -> list[Any]:
    """The small Magento-like shop, with its three duffles (one named "Duffle Bag"), watches for men, women and
    anyone, and a "Sol" short (a name word no jacket has)."""
    return [
        *_store(),
        _gendered("MB1", "Joust Duffle Bag", "34.00", "Gear/Bags", None, "A sporty duffle bag.", features_bags=["Waterproof", "Lockable"]),
        _gendered("MB2", "Impulse Duffle", "74.00", "Gear/Bags", None, "A duffle for beach trips and track meets."),
        _gendered("MB3", "Overnight Duffle", "45.00", "Gear/Bags", None, "A duffle with a durable waterproof exterior."),
        _gendered("MW1", "Cruise Dual Analog Watch", "55.00", "Gear/Watches", "men", "A dual time zone analog watch."),
        _gendered("MW2", "Aim Analog Watch", "45.00", "Gear/Watches", "men", "An analog watch for men."),
        _gendered("WW1", "Bolo Sport Watch", "49.00", "Gear/Watches", "women", "A sport watch."),
        _gendered("WW2", "Clamber Analog Watch", "48.00", "Gear/Watches", "women", "An analog watch for women."),
        _gendered("UW1", "Summit Watch", "54.00", "Gear/Watches", "unisex", "A watch for anyone."),
        _p("S9", "Sol Active Short", "32.00", "Shorts", ("Blue",), description="An active short.", material=["Polyester"]),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _more())


# ----- 1. words several products fit equally ------------------------------------------------------------------------


def test_the_duffle_bag_is_every_duffle_of_the_bags(shop: ShoppingAssistant) -> None:
    """Every duffle is a bag (the Bags category says it of the two not named "Bag"): the answer covers the three, each
    with its own fact, never the Joust alone."""
    reply = shop.chat("is the duffle bag waterproof?", session_id="d")
    assert reply.intent.kind == "question", reply.text
    assert sorted(_names(reply)) == ["Impulse Duffle", "Joust Duffle Bag", "Overnight Duffle"], reply.text
    assert "Joust Duffle Bag costs $34.00; features: Waterproof" in reply.text, reply.text
    assert "Impulse Duffle costs $74.00; the catalog does not mention \"waterproof\"" in reply.text, reply.text
    assert "Overnight Duffle costs $45.00" in reply.text and "waterproof exterior" in reply.text, reply.text
    duffle = shop.chat("how much is the duffle?", session_id="d2")  # the same three, named by "duffle" alone
    assert duffle.intent.kind == "question" and len(duffle.products) == 3, duffle.text
    assert all(f"{n} costs" in duffle.text for n in ("Impulse Duffle", "Joust Duffle Bag", "Overnight Duffle")), duffle.text


@pytest.mark.parametrize("text", ["is the Joust Duffle Bag waterproof?", "is the Joust duffle waterproof?"])
def test_a_name_said_in_full_or_by_its_own_word_is_that_one_alone(shop: ShoppingAssistant, text: str) -> None:
    reply = shop.chat(text, session_id="j")
    assert reply.intent.kind == "question" and _names(reply) == ["Joust Duffle Bag"], reply.text
    assert reply.text.startswith("Joust Duffle Bag costs $34.00; features: Waterproof"), reply.text


def test_a_kind_word_alone_is_still_not_a_product_named(shop: ShoppingAssistant) -> None:
    """'is the jacket waterproof?' with four jackets: no answer about one, nor about four."""
    reply = shop.chat("is the jacket waterproof?", session_id="k")
    assert reply.intent.kind != "question" or len(reply.products) != 1, reply.text


# ----- 2. similar to a named product: for whom ------------------------------------------------------------------------
# (the gender said in the message, else whom the shopper said they shop for, else the named product's own: a gender an
# earlier list was filtered by is no longer the conversation's, see tests/test_name_note_fixes.py)


def test_similar_to_a_mens_watch_but_cheaper_shows_the_cheaper_mens_watches(shop: ShoppingAssistant) -> None:
    reply = shop.chat("similar to the Cruise Dual Analog Watch but cheaper", session_id="s")
    names = _names(reply)
    assert reply.intent.gender == "men", reply.intent
    assert "Cruise Dual Analog Watch" not in names and all(p.price < Decimal("55") for p in reply.products), reply.text
    assert "Aim Analog Watch" in names and "Clamber Analog Watch" not in names, reply.text


def test_similar_to_keeps_a_gender_the_shopper_said(shop: ShoppingAssistant) -> None:
    said = shop.chat("men's watches similar to the Cruise Dual Analog Watch but cheaper", session_id="m")
    assert said.intent.gender == "men" and "Clamber Analog Watch" not in _names(said) and _names(said), said.text
    shop.chat("I'm buying a present for my wife", session_id="w")  # whom the shopper shops for
    talked = shop.chat("something similar to the Cruise Dual Analog Watch but cheaper", session_id="w")
    assert talked.intent.gender == "women" and "Aim Analog Watch" not in _names(talked), talked.text
    shop.chat("watches for women", session_id="f")  # a list's filter only: the named watch's own gender
    listed = shop.chat("something similar to the Cruise Dual Analog Watch but cheaper", session_id="f")
    assert listed.intent.gender == "men" and "Clamber Analog Watch" not in _names(listed), listed.text


# ----- 3. a name-like word no product of the kind has ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["do you have a Sol jacket?", "do you have a 'Sol' jacket?", 'any "Sol" jackets?',
                                  "I'm looking for the Sol jacket"])
def test_a_name_no_product_of_the_kind_has_is_said_missing(shop: ShoppingAssistant, text: str) -> None:
    reply = shop.chat(text, session_id="n")
    assert reply.text.startswith('We have no "Sol" jackets; here are the jackets we have.'), reply.text
    assert reply.products and all("Jacket" in n for n in _names(reply)), reply.text


def test_a_name_said_missing_in_spanish_too(shop: ShoppingAssistant) -> None:
    reply = shop.chat("¿tienen una chaqueta 'Sol'?", session_id="es")
    assert reply.text.startswith("No tenemos chaquetas «Sol»"), reply.text


@pytest.mark.parametrize("text", ["running watch", "hiking jacket", "waterproof jacket", "red jacket", "Hiking Jacket",
                                  "Do you have a Waterproof Jacket?", "Running watch", "do you have a Solar jacket?",
                                  "the Stellar jacket", "I want a jacket. Red if possible", "show me a Kenobi jacket"])
def test_descriptive_words_and_names_the_kind_has_get_no_false_note(shop: ShoppingAssistant, text: str) -> None:
    reply = shop.chat(text, session_id="f")
    assert not re.search(r"We have no", reply.text), reply.text
    assert reply.products, reply.text


# ----- 4. one singular rule ------------------------------------------------------------------------------------------


def test_the_agent_and_the_vocabulary_share_one_singular_rule() -> None:
    from assistant import agent, vocabulary

    expected = {"hoodies": "hoodie", "scarves": "scarf", "knives": "knife", "dresses": "dress", "glasses": "glass",
                "shorts": "short", "pants": "pant", "leggings": "legging", "watches": "watch", "boxes": "box",
                "batteries": "battery", "shoes": "shoe", "beanies": "beanie", "scarf": "scarf", "lens": "lens", "hoodie": "hoodie",
                "jacket": "jacket"}
    for word, one in expected.items():
        assert agent.singular(word) == vocabulary._singular(word) == one, word
