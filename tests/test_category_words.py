"""Words for a kind of product against a shop's own category names: irregular plurals ("a scarf" in a shop of
"Scarves", "knives" of a "Chef Knife"), a T-shirt word that only says which dress ("t shirt dresses"), and a wish no
product of the kind has ("silk hat" in a shop whose hats are wool and straw)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from assistant.vocabulary import categories_in_text, map_category, vocabulary_from_lists
from catalog.records import ProductRecord as P
from catalog.records import VariantRecord as V
from tests.test_catalog_facts import _clothing
from tests.test_follow_ups import _shop


def _names(reply: Any) -> list[str]:
    return [p.name for p in reply.products]


def _bot(tmp_path: Path, name: str, products: list[Any]) -> ShoppingAssistant:
    (tmp_path / name).mkdir()
    return _shop(tmp_path / name, products)


# ---------------------------------------------------------------------------------------------------- plurals
@pytest.mark.parametrize(("said", "category"), [
    ("scarf", "Accessories/Scarves"), ("a scarf", "Accessories/Scarves"), ("scarves", "Accessories/Scarves"),
    ("knife", "Kitchen/Knives"), ("a chef knife", "Kitchen/Knives"), ("shelf", "Home/Shelves"), ("leaf", "Garden/Leaves"),
    ("wolf", "Toys/Wolves"), ("accessory", "Accessories"), ("dress", "Women/Dresses"), ("watch", "Gear/Watches"),
    ("box", "Home/Boxes"), ("boxes", "Home/Boxes"),
])
def test_a_singular_names_the_shops_plural_category(said: str, category: str) -> None:
    vocab = vocabulary_from_lists(categories=["Accessories", "Accessories/Scarves", "Kitchen/Knives", "Home/Shelves", "Garden/Leaves",
                                              "Toys/Wolves", "Women/Dresses", "Gear/Watches", "Home/Boxes", "Accessories/Hats"])
    assert categories_in_text(said, vocab)[:1] == [category]
    assert map_category(said.split()[-1], vocab) == category


@pytest.mark.parametrize(("said", "category"), [
    ("scarves", "Scarf"), ("knives", "Knife"), ("shelves", "Shelf"), ("accessories", "Accessory"), ("dresses", "Dress"),
    ("watches", "Watch"), ("boxes", "Box"), ("leaves", "Leaf"),
])
def test_a_plural_names_the_shops_singular_category(said: str, category: str) -> None:
    vocab = vocabulary_from_lists(categories=["Scarf", "Knife", "Shelf", "Accessory", "Dress", "Watch", "Box", "Leaf", "Hat"])
    assert categories_in_text(said, vocab) == [category]
    assert map_category(said, vocab) == category


def _scarves_unnamed() -> list[Any]:
    """A Scarves category whose products are not called scarves, and knives that are not called knives."""
    return [
        P(sku="B1", name="Cashmere Wrap", price=Decimal("89.00"), categories=["Accessories/Scarves"], description="Soft cashmere."),
        P(sku="B2", name="Printed Square", price=Decimal("49.00"), categories=["Accessories/Scarves"], description="Printed twill."),
        P(sku="B3", name="Trail Cap", price=Decimal("18.00"), categories=["Accessories/Hats"], description="A cap."),
        P(sku="B4", name="Santoku 18cm", price=Decimal("79.00"), categories=["Kitchen/Knives"], description="Blade."),
    ]


@pytest.mark.parametrize("ask", ["scarf", "a scarf", "do you have a scarf?"])
def test_a_scarf_is_the_scarves_category(tmp_path: Path, ask: str) -> None:
    """'a scarf' mapped to no category: it said 'We do not carry "scarf". We carry hats.' of a shop of scarves."""
    bot = _shop(tmp_path, _scarves_unnamed())
    reply = bot.chat(ask, session_id="s")
    assert reply.intent.category == "Accessories/Scarves", reply.text
    assert sorted(_names(reply)) == ["Cashmere Wrap", "Printed Square"], reply.text
    assert reply.text.startswith("Here are 2 scarves you might like:"), reply.text
    knife = bot.chat("a knife", session_id="k")
    assert _names(knife) == ["Santoku 18cm"] and "do not carry" not in knife.text, knife.text


def test_knives_and_scarves_named_so_without_a_category(tmp_path: Path) -> None:
    """'knives' found no Chef Knife ('Nothing in our catalog matches "knives"', then a scarf and a cap), and a scarf's
    header said "scarfs"."""
    bot = _shop(tmp_path, [
        P(sku="A1", name="Highland Wool Scarf", price=Decimal("35.00"), categories=["Accessories"], description="Warm."),
        P(sku="A2", name="Coastal Cotton Scarf", price=Decimal("22.00"), categories=["Accessories"], description="Light."),
        P(sku="A3", name="Trail Cap", price=Decimal("18.00"), categories=["Accessories"], description="A cap."),
        P(sku="A4", name="Chef Knife", price=Decimal("59.00"), categories=["Kitchen"], description="Steel."),
    ])
    knives = bot.chat("knives", session_id="k")
    assert _names(knives) == ["Chef Knife"] and knives.text.startswith("One match for knives:"), knives.text
    scarves = bot.chat("scarves", session_id="s")
    assert sorted(_names(scarves)) == ["Coastal Cotton Scarf", "Highland Wool Scarf"], scarves.text
    assert scarves.text.startswith("Here are 2 scarves you might like:"), scarves.text
    scarf = bot.chat("scarf", session_id="t")
    assert scarf.text.startswith("Here are 2 scarves you might like:"), scarf.text  # never "2 scarfs"
    # a word searched in both numbers is still no match where neither is in the catalog
    lens = bot.chat("a lens", session_id="l")
    assert lens.text.startswith('Nothing in our catalog matches "lens".'), lens.text


# ---------------------------------------------------------------------------------------------------- T-shirt words
def _dresses_and_tees() -> list[Any]:
    return [
        P(sku="D1", name="Breezy T-Shirt Dress", price=Decimal("45.00"), categories=["Women/Dresses"], gender="women",
          description="A relaxed jersey dress.", variants=[V(sku="D1-K", color="Black", size="M", stock_qty=5)]),
        P(sku="D2", name="Evening Wrap Dress", price=Decimal("79.00"), categories=["Women/Dresses"], gender="women",
          description="A wrap dress.", variants=[V(sku="D2-R", color="Red", size="M", stock_qty=5)]),
        P(sku="D3", name="Linen Midi Dress", price=Decimal("65.00"), categories=["Women/Dresses"], gender="women",
          description="A midi dress.", variants=[V(sku="D3-W", color="White", size="M", stock_qty=5)]),
        P(sku="T1", name="Everyday Crew T-Shirt", price=Decimal("19.00"), categories=["Women/Tops/T-Shirts"], gender="women",
          variants=[V(sku="T1-W", color="White", size="M", stock_qty=5)]),
        P(sku="S1", name="Oxford Button Shirt", price=Decimal("49.00"), categories=["Women/Tops/Shirts"], gender="women",
          variants=[V(sku="S1-B", color="Blue", size="M", stock_qty=5)]),
    ]


@pytest.mark.parametrize("ask", ["show me t shirt dresses", "t-shirt dress", "tshirt dress", "a tee shirt dress"])
def test_a_t_shirt_dress_is_a_dress(tmp_path: Path, ask: str) -> None:
    """'show me t shirt dresses' listed the one T-shirt as 'One match for t-shirts' and no dress."""
    bot = _shop(tmp_path, _dresses_and_tees())
    reply = bot.chat(ask, session_id="d")
    assert reply.intent.category == "Women/Dresses", reply.text
    assert _names(reply)[0] == "Breezy T-Shirt Dress", reply.text
    assert not {"Everyday Crew T-Shirt", "Oxford Button Shirt"} & set(_names(reply)), reply.text


@pytest.mark.parametrize("ask", ["t-shirts", "tees", "tee shirts", "t shirt"])
def test_t_shirts_are_still_never_shirts_nor_dresses(tmp_path: Path, ask: str) -> None:
    bot = _shop(tmp_path, _dresses_and_tees())
    reply = bot.chat(ask, session_id="t")
    assert _names(reply) == ["Everyday Crew T-Shirt"], reply.text


def test_a_kind_word_before_another_kind_only_qualifies_it() -> None:
    vocab = vocabulary_from_lists(categories=["Women/Dresses", "Women/Tops/T-Shirts", "Women/Tops/Shirts", "Women/Bras"])
    assert categories_in_text("shirt dress", vocab) == ["Women/Dresses"]
    assert categories_in_text("a t-shirt bra", vocab) == ["Women/Bras"]
    assert categories_in_text("tee shirts", vocab) == ["Women/Tops/T-Shirts"]  # (a tee shirt is no plain shirt)
    named = vocabulary_from_lists(categories=["Women/Dresses/T-Shirt Dresses", "Women/Dresses", "Women/Tops/T-Shirts"])
    assert categories_in_text("t shirt dresses", named)[0] == "Women/Dresses/T-Shirt Dresses"


# ---------------------------------------------------------------------------------------------------- a wish unmet
def test_a_silk_hat_where_no_hat_is_silk_is_said_plainly(tmp_path: Path) -> None:
    """The tester's shop sells a Silk Scarf and two hats, neither silk: 'silk hat' answered 'Here are 2 hats you might
    like', as if they were silk."""
    bot = _shop(tmp_path, _clothing())
    reply = bot.chat("silk hat", session_id="h")
    assert reply.text.startswith("We have no silk hats; here are the hats we have.\nClosest alternatives:"), reply.text
    assert sorted(_names(reply)) == ["Baseball Cap", "Beanie"], reply.text
    asked = bot.chat("do you have a silk hat?", session_id="q")
    assert asked.text.startswith("We have no silk hats;") and sorted(_names(asked)) == ["Baseball Cap", "Beanie"], asked.text
    # a wish some product of the kind meets, and the kind's own word, are no such note
    assert bot.chat("silk scarf", session_id="s").text.startswith("Here are 2 scarves you might like:")
    assert bot.chat("hats", session_id="plain").text.startswith("Here are 2 hats you might like:")


def _hats() -> list[Any]:
    return [
        P(sku="H1", name="Trail Wool Hat", price=Decimal("28.00"), categories=["Accessories/Hats"], description="A knit hat.",
          attributes={"material": ["Wool"]}),
        P(sku="H2", name="Sun Straw Hat", price=Decimal("31.00"), categories=["Accessories/Hats"], description="A sun hat.",
          attributes={"material": ["Straw"]}),
        P(sku="D2", name="Evening Wrap Dress", price=Decimal("79.00"), categories=["Women/Dresses"], gender="women",
          description="A wrap dress.", attributes={"material": ["Silk"]}),
        P(sku="C1", name="Trail Cap", price=Decimal("18.00"), categories=["Accessories"], description="A cap."),
        P(sku="C2", name="Trail Visor", price=Decimal("16.00"), categories=["Accessories"], description="A visor."),
    ]


def test_a_material_no_hat_is_made_of_quotes_what_the_hats_are(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _hats())
    reply = bot.chat("show me silk hats", session_id="h")
    assert reply.text.startswith("We have no silk hats; here are the hats we have (material: Wool, Straw)."), reply.text
    assert sorted(_names(reply)) == ["Sun Straw Hat", "Trail Wool Hat"], reply.text
    wool = bot.chat("wool hat", session_id="w")  # one is wool: listed first, no note
    assert _names(wool)[0] == "Trail Wool Hat" and not wool.text.startswith("We have no"), wool.text


def test_a_wish_no_product_named_of_its_kind_meets(tmp_path: Path) -> None:
    """No category of caps: the caps are the products named so, and only they are offered."""
    bot = _shop(tmp_path, _hats())
    reply = bot.chat("a wool cap", session_id="c")
    assert reply.text.startswith("We have no wool caps; here are the caps we have."), reply.text
    assert _names(reply) == ["Trail Cap"], reply.text

