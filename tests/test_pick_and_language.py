"""A product picked from the list in a size or colour in one message ("the second one in size M", "la segunda en
azul") searched the list again and "add it" asked "which of these?"; "checkout" / "I want to pay" were searched as
products; the reply's language followed earlier turns over a message in another ("checkout please" after "女士夹克");
Spanish questions about a colour or a hood of the product in view repeated its description or answered with an
English label ("style: …")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from assistant.language import conversation_language, localize_note, say
from catalog.records import CatalogData
from tests.test_follow_ups import _shop

_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_ORDINAL_ES = {1: "primera", 2: "segunda", 3: "tercera", 4: "cuarta", 5: "quinta"}


def _catalog() -> list[Any]:
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    return [
        P(sku="A1", name="Adrienne Trek Jacket", price=Decimal("57.00"), categories=["Women/Jackets"], gender="women",
          description="You're ready for a cross-country jog in the Adrienne Trek Jacket. Water-resistant shell.",
          attributes={"style_general": ["Jacket", "Soft Shell"]},
          variants=[V(sku="A1-GM", color="Gray", size="M", stock_qty=3), V(sku="A1-GS", color="Gray", size="S", stock_qty=2),
                    V(sku="A1-OM", color="Orange", size="M", stock_qty=0, in_stock=False),
                    V(sku="A1-OL", color="Orange", size="L", stock_qty=2, price=Decimal("59.00"))]),
        P(sku="A2", name="Jade Yoga Jacket", price=Decimal("32.00"), categories=["Women/Jackets"], gender="women",
          description="A relaxed-fit yoga jacket for breezy days. Hood collapses into collar.",
          attributes={"style_general": ["Jacket", "Lightweight", "Hooded"]},
          variants=[V(sku="A2-BM", color="Blue", size="M", stock_qty=3), V(sku="A2-BS", color="Blue", size="S", stock_qty=0, in_stock=False),
                    V(sku="A2-GM", color="Green", size="M", stock_qty=2)]),
        P(sku="B1", name="Driven Backpack", price=Decimal("36.00"), categories=["Gear/Bags"], stock_qty=5,
          description="School books, camp gear and yoga clothes get along in the all-purpose Driven Backpack."),
        P(sku="B2", name="Crown Summit Backpack", price=Decimal("38.00"), categories=["Gear/Bags"], stock_qty=5,
          description="The Crown Summit Backpack holds a laptop and a water bottle."),
        P(sku="B3", name="Voyage Yoga Bag", price=Decimal("32.00"), categories=["Gear/Bags"], stock_qty=5,
          description="Everything you need for the gym fits inside this spacious Voyage Yoga Bag."),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _catalog())


def _lines(reply: Any) -> list[tuple[str, str | None, str | None, int]]:
    return [(x["name"], x.get("size"), x.get("color"), x["qty"]) for x in reply.cart]


def _position(reply: Any, name: str) -> int:
    names = [p.name for p in reply.products]
    assert name in names, (name, reply.text)
    return names.index(name) + 1


def test_the_second_one_in_size_m_is_that_one_in_m_and_add_it_adds_it_so(shop: ShoppingAssistant) -> None:
    n = _position(shop.chat("jackets for women under 80", session_id="m"), "Adrienne Trek Jacket")
    reply = shop.chat(f"the {_ORDINAL[n]} one in size M", session_id="m")
    # it was a refine: "Here are 2 women's jackets in size M …"
    assert reply.intent.kind == "question" and [p.name for p in reply.products] == ["Adrienne Trek Jacket"], reply.text
    assert reply.text.startswith("Adrienne Trek Jacket costs $57.00; in size M: $57.00, in stock;"), reply.text
    added = shop.chat("add it to my cart", session_id="m")  # it asked "Which of these do you mean?"
    # (its Orange M is sold out: the Gray, said)
    assert _lines(added) == [("Adrienne Trek Jacket", "M", "Gray", 1)], added.text
    assert added.text.startswith("Added Adrienne Trek Jacket in size M, Gray to your cart."), added.text


def test_the_first_one_in_blue_stays_blue_through_a_question_and_is_added_in_blue(shop: ShoppingAssistant) -> None:
    n = _position(shop.chat("jackets for women", session_id="b"), "Jade Yoga Jacket")
    reply = shop.chat(f"the {_ORDINAL[n]} one in blue", session_id="b")
    assert [p.name for p in reply.products] == ["Jade Yoga Jacket"] and "in Blue: $32.00, in stock" in reply.text, reply.text
    shop.chat("is it waterproof?", session_id="b")
    assert _lines(shop.chat("add it in size M", session_id="b")) == [("Jade Yoga Jacket", "M", "Blue", 1)]


def test_a_pick_in_a_size_or_colour_it_lacks_or_has_none_left_of_is_said(shop: ShoppingAssistant) -> None:
    listed = shop.chat("jackets for women", session_id="x")
    adrienne, jade = _position(listed, "Adrienne Trek Jacket"), _position(listed, "Jade Yoga Jacket")
    lacks = shop.chat(f"the {_ORDINAL[adrienne]} one in blue", session_id="x")
    assert "not in Blue (colours: Gray, Orange)" in lacks.text and [p.name for p in lacks.products] == ["Adrienne Trek Jacket"]
    dearer = shop.chat(f"the {_ORDINAL[adrienne]} one in size L", session_id="x")  # its own price in L
    assert "in size L: $59.00, in stock" in dearer.text, dearer.text
    none_left = shop.chat(f"the {_ORDINAL[jade]} one in size S", session_id="x")
    assert "size S is out of stock right now" in none_left.text and "in stock;" not in none_left.text, none_left.text
    assert shop.chat(f"the {_ORDINAL[adrienne]} one in size M", session_id="x").products[0].name == "Adrienne Trek Jacket"
    assert shop.chat("add it", session_id="x").cart[0]["size"] == "M"


def test_la_segunda_en_azul_answers_in_spanish_and_anadela_adds_it(shop: ShoppingAssistant) -> None:
    n = _position(shop.chat("bolsos", session_id="es"), "Voyage Yoga Bag")
    reply = shop.chat(f"la {_ORDINAL_ES[n]} en azul", session_id="es")
    # it searched: "No hay nada en Blue; aquí tienes otros colores y tallas." (bags have no sizes), note in English
    assert reply.intent.kind == "question" and [p.name for p in reply.products] == ["Voyage Yoga Bag"], reply.text
    assert reply.text.startswith("Voyage Yoga Bag cuesta $32.00; el catálogo no menciona «azul»;"), reply.text
    assert reply.note is None
    added = shop.chat("añádela al carrito", session_id="es")
    assert _lines(added) == [("Voyage Yoga Bag", None, None, 1)] and added.text.startswith("Añadí Voyage Yoga Bag"), added.text

    n = _position(shop.chat("chaquetas de mujer", session_id="es2"), "Jade Yoga Jacket")
    jacket = shop.chat(f"la {_ORDINAL_ES[n]} en azul", session_id="es2")
    assert "en azul: $32.00, disponible" in jacket.text, jacket.text
    # (its Blue S is sold out: the M, said)
    assert _lines(shop.chat("añádela al carrito", session_id="es2")) == [("Jade Yoga Jacket", "M", "Blue", 1)]


def test_a_colour_none_is_left_of_is_said_in_the_reply_language_and_of_colours_only(shop: ShoppingAssistant, tmp_path: Path) -> None:
    reply = shop.chat("bolsos azules", session_id="n")  # (it was "bolsos azules": an English reply)
    assert reply.text.startswith("No hay nada en Blue; aquí tienes otros colores.\n"), reply.text
    assert reply.note == "No hay nada en Blue; aquí tienes otros colores."  # (it was English, and said "y tallas")
    assert localize_note("None in M right now; here are the closest options in other colours or sizes.", "zh") == "没有M的；这些是其他尺码。"
    # the hybrid searcher's own note: of colours only when only a colour was asked
    from catalog.repository import ProductFilter
    from retrieval.search import SearchRequest
    from tests.test_search import build, searcher_for

    searcher = searcher_for(build(f"sqlite:///{tmp_path / 'hybrid.db'}", CatalogData(products=_catalog())))
    res = searcher.search(SearchRequest(query="backpack", filter=ProductFilter(colors=["Blue"], category="Bags")))
    assert res.no_match is not None and res.no_match.message == "None in Blue; here are other colours.", res.no_match


def test_checkout_shows_the_cart_and_says_payment_is_the_shops_own(shop: ShoppingAssistant) -> None:
    empty = shop.chat("checkout", session_id="c")  # it searched: 'Nothing in our catalog matches "checkout".'
    assert empty.intent.kind == "chitchat" and not empty.products
    assert empty.text == "Your cart is empty. " + say("checkout", "en"), empty.text
    n = _position(shop.chat("backpacks", session_id="c"), "Driven Backpack")
    shop.chat(f"add the {_ORDINAL[n]} one", session_id="c")
    for message in ("checkout please", "I want to pay", "proceed to checkout"):
        reply = shop.chat(message, session_id="c")
        assert reply.text == "Your cart: 1 × Driven Backpack ($36.00). Total $36.00. " + say("checkout", "en"), (message, reply.text)
        assert not reply.products and _lines(reply) == [("Driven Backpack", None, None, 1)]
    spanish = shop.chat("quiero pagar", session_id="c")
    assert spanish.text == "Tu carrito: 1 × Driven Backpack ($36.00). Total $36.00. " + say("checkout", "es"), spanish.text
    assert shop.chat("结账", session_id="c").text.endswith(say("checkout", "zh"))
    assert say("checkout", "en") not in shop.chat("can I pay with PayPal?", session_id="c").text  # the shop's payment policy


def test_a_message_in_english_after_chinese_is_answered_in_english(shop: ShoppingAssistant) -> None:
    shop.chat("女士夹克", session_id="zh")
    reply = shop.chat("checkout please", session_id="zh")  # it was answered in Chinese
    assert reply.text == "Your cart is empty. " + say("checkout", "en"), reply.text
    assert conversation_language("blue please", ["chaquetas de mujer"]) == "en"
    assert conversation_language("how much?", ["女士夹克"]) == "en"
    assert conversation_language("pagar", ["jackets"]) == "es"
    # a size, a bare name or "ok" still keeps the conversation's language
    assert conversation_language("M", ["女士夹克"]) == "zh" and conversation_language("Solstix", ["chaquetas"]) == "es"
    assert conversation_language("ok", ["女士夹克"]) == "zh"


def test_spanish_colour_and_hood_questions_are_answered_in_spanish_from_the_catalog(shop: ShoppingAssistant) -> None:
    n = _position(shop.chat("mochilas por menos de 40", session_id="q"), "Driven Backpack")
    shop.chat(f"la {_ORDINAL_ES[n]}", session_id="q")
    blue = shop.chat("¿viene en azul?", session_id="q")  # it repeated the description
    assert blue.text == "Driven Backpack cuesta $36.00; el catálogo no menciona «azul».", blue.text
    sized = shop.chat("¿viene en talla M?", session_id="q")
    assert sized.text == "Driven Backpack cuesta $36.00; viene en talla única.", sized.text

    n = _position(shop.chat("chaquetas de mujer", session_id="h"), "Jade Yoga Jacket")
    shop.chat(f"la {_ORDINAL_ES[n]}", session_id="h")
    hood = shop.chat("¿tiene capucha?", session_id="h")  # it said "style: Jacket, Lightweight, Hooded"
    assert "estilo: Jacket, Lightweight, Hooded" in hood.text and "style" not in hood.text, hood.text
    red = shop.chat("¿viene en rojo?", session_id="h")
    assert "no viene en rojo (colores: Blue, Green)" in red.text, red.text
    english = shop.chat("does it have a hood?", session_id="h")
    assert "style: Jacket, Lightweight, Hooded" in english.text, english.text


def test_la_primera_en_m_keeps_the_size_when_added(shop: ShoppingAssistant) -> None:
    """'la segunda en M' was answered in size M, then 'añádela' added it without a size and asked '¿Qué talla?'."""
    n = _position(shop.chat("chaquetas de mujer", session_id="em"), "Adrienne Trek Jacket")
    picked = shop.chat(f"la {_ORDINAL_ES[n]} en M", session_id="em")
    assert "en talla M: $57.00, disponible" in picked.text, picked.text
    added = shop.chat("añádela al carrito", session_id="em")
    assert _lines(added) == [("Adrienne Trek Jacket", "M", "Gray", 1)], added.text
