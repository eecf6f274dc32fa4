"""How a need is read from the shopper's words: a must-have said ("they need to be waterproof") is a hard filter on
what the catalog's names and attribute values say, a preference ("preferably waterproof") only ranks; a polite
decline ("不用了", "no hace falta") is no search; "not only jackets, scarves too" widens in Spanish and Chinese too,
and the list then shows both kinds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _shop


def _outerwear() -> list[Any]:
    from catalog.records import ProductRecord as P

    def p(sku: str, name: str, price: str, category: str, description: str = "", **attributes: list[str]) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=[category], stock_qty=10,
                 description=description or f"The {name}.", attributes=dict(attributes))

    return [
        p("J1", "Storm Shell Jacket", "120.00", "Jackets", features=["Waterproof", "Hooded"], material=["Nylon"]),
        p("J2", "Trail Rain Jacket", "90.00", "Jackets", features=["Waterproof"], material=["Polyester"]),
        # (a description that mentions the word is no attribute: "not waterproof" is no waterproof jacket)
        p("J3", "Fleece Zip Jacket", "60.00", "Jackets", "Warm, but not waterproof.", material=["Fleece"], style=["Full zip"]),
        p("J4", "Breeze Jacket", "70.00", "Jackets", style=["Hooded", "Windbreaker"], material=["Nylon"]),
        p("J5", "City Denim Jacket", "80.00", "Jackets", material=["Denim"]),
        p("S1", "Wool Scarf", "25.00", "Scarves", material=["Wool"]),
        p("S2", "Silk Scarf", "35.00", "Scarves", material=["Silk"]),
        p("S3", "Knit Scarf", "20.00", "Scarves", material=["Acrylic"]),
        p("B1", "Day Backpack", "45.00", "Bags", features=["Lightweight"]),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _outerwear())


def _names(reply: Any) -> set[str]:
    return {c.name for c in reply.products}


WATERPROOF = {"Storm Shell Jacket", "Trail Rain Jacket"}
HOODED = {"Storm Shell Jacket", "Breeze Jacket"}


@pytest.mark.parametrize("must", ["they need to be waterproof", "must be waterproof", "they have to be waterproof",
                                  "it needs to be waterproof please"])
def test_a_must_have_after_a_list_keeps_only_the_products_that_have_it(shop: ShoppingAssistant, must: str) -> None:
    """It searched "they need to be waterproof" among everything (or ranked the waterproof ones first, the others
    below them)."""
    assert len(shop.chat("jackets", session_id="m").products) == 5
    reply = shop.chat(must, session_id="m")
    assert reply.intent.kind == "refine" and _names(reply) == WATERPROOF, reply.text
    assert reply.intent.required == ["waterproof"]
    assert shop.chat("the cheaper one", session_id="m").products  # the need carries on


def test_a_must_have_in_the_first_message_and_a_hood(shop: ShoppingAssistant) -> None:
    first = shop.chat("jackets that must be waterproof", session_id="f")
    assert _names(first) == WATERPROOF and first.intent.query == "jackets", first.text
    hood = shop.chat("a jacket, has to have a hood", session_id="h")
    assert _names(hood) == HOODED, hood.text
    shop.chat("jackets", session_id="h2")
    assert _names(shop.chat("has to have a hood", session_id="h2")) == HOODED
    both = shop.chat("and it must be waterproof", session_id="h2")
    assert _names(both) == {"Storm Shell Jacket"}, both.text
    loose = shop.chat("it doesn't have to have a hood", session_id="h2")  # relaxed again: the hood off, waterproof stays
    assert _names(loose) == WATERPROOF and loose.intent.required == ["waterproof"], loose.text


def test_a_must_have_in_spanish_and_chinese(shop: ShoppingAssistant) -> None:
    shop.chat("busco chaquetas", session_id="es")
    es = shop.chat("tienen que ser impermeables", session_id="es")
    assert _names(es) == WATERPROOF and es.text.startswith("Aquí tienes 2"), es.text
    shop.chat("夹克", session_id="zh")
    zh = shop.chat("必须防水", session_id="zh")
    assert _names(zh) == WATERPROOF, zh.text


def test_a_must_have_nothing_of_the_kind_has_is_said_with_what_there_is(shop: ShoppingAssistant) -> None:
    """No scarf is waterproof: said, above the scarves there are and what their materials are (never waterproof bags
    or jackets, never scarves as if waterproof)."""
    shop.chat("scarves", session_id="n")
    reply = shop.chat("they need to be waterproof", session_id="n")
    assert _names(reply) == {"Wool Scarf", "Silk Scarf", "Knit Scarf"}, reply.text
    assert reply.text.startswith('None of our scarves lists "waterproof"; here are the scarves we have.'), reply.text
    shop.chat("bufandas", session_id="nes")
    es = shop.chat("tienen que ser impermeables", session_id="nes")
    assert es.text.startswith("Ninguno de nuestros productos de bufandas indica «impermeables»"), es.text
    assert _names(es) == {"Wool Scarf", "Silk Scarf", "Knit Scarf"}


def test_a_must_have_the_catalog_cannot_check_stays_a_wish(shop: ShoppingAssistant) -> None:
    """No name or attribute says "breathable": the jackets stay, no empty list and no note."""
    shop.chat("jackets", session_id="b")
    reply = shop.chat("they need to be breathable", session_id="b")
    assert reply.intent.required == [] and len(reply.products) == 5, reply.text


@pytest.mark.parametrize("wish", ["preferably waterproof", "ideally waterproof"])
def test_a_preference_only_ranks(shop: ShoppingAssistant, wish: str) -> None:
    shop.chat("jackets", session_id="p")
    reply = shop.chat(wish, session_id="p")
    assert reply.intent.required == [] and len(reply.products) == 5, reply.text
    assert {c.name for c in reply.products[:2]} == WATERPROOF, reply.text
    first = shop.chat(f"jackets, {wish}", session_id="p2")
    assert len(first.products) == 5 and {c.name for c in first.products[:2]} == WATERPROOF, first.text
    hood = shop.chat("jackets, ideally with a hood", session_id="p3")
    assert len(hood.products) == 5 and {c.name for c in hood.products[:2]} == HOODED, hood.text


@pytest.mark.parametrize(("first", "decline", "courtesy"), [
    ("夹克", "不用了", "好的！"), ("夹克", "不用了，谢谢", "不客气！"), ("夹克", "不需要了", "好的！"),
    ("busco chaquetas", "no, gracias", "¡De nada!"), ("busco chaquetas", "no hace falta", "¡De acuerdo!"),
    ("jackets", "no thanks", "You're welcome!"), ("jackets", "nope, that's all", "Goodbye!"), ("jackets", "nope", "No problem!"),
])
def test_a_polite_decline_is_answered_and_keeps_the_list(shop: ShoppingAssistant, first: str, decline: str, courtesy: str) -> None:
    """"不用了" was searched as words ("为您找到5件不用了"), "no hace falta" as a search without "hace falta"."""
    shown = shop.chat(first, session_id="d").products
    reply = shop.chat(decline, session_id="d")
    assert reply.intent.kind == "chitchat" and not reply.products and reply.text.startswith(courtesy), reply.text
    picked = shop.chat({"夹克": "第一个", "busco chaquetas": "la primera"}.get(first, "the first one"), session_id="d")
    assert [c.id for c in picked.products] == [shown[0].id], picked.text  # the list is still the one shown


@pytest.mark.parametrize(("first", "widen", "said"), [
    ("jackets", "not only jackets, scarves too", "jackets and scarves"),
    ("chaquetas", "no solo chaquetas, también bufandas", "chaquetas y bufandas"),
    ("夹克", "不只是夹克，围巾也要", "夹克和围巾"),
])
def test_widening_shows_both_kinds_in_any_language(shop: ShoppingAssistant, first: str, widen: str, said: str) -> None:
    """In Spanish and Chinese it searched the scarves alone under "chaquetas"; in English the list had scarves only."""
    shop.chat(first, session_id="w")
    reply = shop.chat(widen, session_id="w")
    names = [c.name for c in reply.products]
    assert reply.intent.query == said and said in reply.text, reply.text
    assert any("Jacket" in n for n in names[:2]) and any("Scarf" in n for n in names[:2]), names  # each kind in turn
    assert sum("Scarf" in n for n in names) >= 2 and sum("Jacket" in n for n in names) >= 2, names
    cheaper = shop.chat("under 50" if first == "jackets" else "menos de 50" if first == "chaquetas" else "50元以下", session_id="w")
    assert {c.name for c in cheaper.products} == {"Wool Scarf", "Silk Scarf", "Knit Scarf"}, cheaper.text
