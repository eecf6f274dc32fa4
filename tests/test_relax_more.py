"""Requirements dropped or changed in a follow-up, as shoppers type them: "doesn't have to be under 100", "forget the
budget", "not only jackets, show me scarves too", "the colour isn't important but they need to be waterproof", "not
necessarily silk", and the same in Spanish and Chinese ("no tiene que ser impermeable", "价格无所谓")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _shop


def _p(sku: str, name: str, price: str, category: str, colour: str, description: str, sizes: tuple[str, ...] = ("S", "M", "L")) -> Any:
    from catalog.records import ProductRecord, VariantRecord

    return ProductRecord(sku=sku, name=name, price=Decimal(price), categories=[category], description=description,
                         attributes={"color": [colour]},
                         variants=[VariantRecord(sku=f"{sku}-{s}", color=colour, size=s, stock_qty=8) for s in sizes])


def _jackets() -> list[Any]:
    return [
        _p("J1", "Storm Waterproof Jacket", "90.00", "Jackets", "Red", "A waterproof shell for rainy days."),
        _p("J2", "Breeze Wind Jacket", "60.00", "Jackets", "Red", "A light wind jacket."),
        _p("J3", "Harbor Waterproof Jacket", "120.00", "Jackets", "Blue", "A waterproof jacket for wet walks."),
        _p("J4", "Summit Down Jacket", "150.00", "Jackets", "Black", "A warm down jacket.", ("XL",)),
        _p("J5", "Nova Fleece Jacket", "45.00", "Jackets", "Blue", "A cosy fleece."),
    ]


def _scarves(category: str) -> list[Any]:
    return [
        _p("S1", "Silk Scarf", "40.00", category, "Red", "A silk scarf.", ("One Size",)),
        _p("S2", "Wool Scarf", "30.00", category, "Gray", "A warm wool scarf.", ("One Size",)),
        _p("S3", "Cashmere Scarf", "80.00", category, "Blue", "A soft cashmere scarf.", ("One Size",)),
        # a silk thing that is no scarf, in the same category
        _p("A1", "Silk Sleep Mask", "20.00", category, "Black", "A silk mask for travel.", ("One Size",)),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    """Jackets, and scarves kept among Accessories (no Scarves category: "scarves" is in no product's text)."""
    return _shop(tmp_path, [*_jackets(), *_scarves("Accessories")])


def _names(reply: Any) -> list[str]:
    return [c.name for c in reply.products]


# ----- 1. the budget relaxed


@pytest.mark.parametrize(("relax", "said"), [("doesn't have to be under 100", "under 100"),
                                             ("it doesn't need to be under $100", "under $100"),
                                             ("price doesn't matter", "price"), ("forget the budget", "budget"),
                                             ("I don't care about the price", "price")])
def test_the_budget_relaxed_drops_the_cap_and_says_so(shop: ShoppingAssistant, relax: str, said: str) -> None:
    """'doesn't have to be under 100' kept the $100 cap (the same three jackets again, without a word); 'forget the
    budget' searched "forget the" among everything."""
    first = shop.chat("jackets under 100", session_id="b")
    assert first.intent.max_price == 100 and all(c.price <= 100 for c in first.products), first.text
    reply = shop.chat(relax, session_id="b")
    assert reply.intent.max_price is None and reply.intent.category == "Jackets", reply.intent
    assert reply.text.startswith(f'I have dropped "{said}" from your search.'), reply.text
    assert any(c.price > 100 for c in reply.products) and all("Jacket" in n for n in _names(reply)), reply.text


def test_a_floor_relaxed_drops_the_floor(shop: ShoppingAssistant) -> None:
    shop.chat("jackets over 100", session_id="f")
    reply = shop.chat("doesn't need to be over 100", session_id="f")
    assert reply.intent.min_price is None and reply.text.startswith('I have dropped "over 100"'), reply.text
    assert any(c.price < 100 for c in reply.products), reply.text


def test_the_budget_relaxed_with_a_wish_keeps_both(shop: ShoppingAssistant) -> None:
    shop.chat("jackets under 100", session_id="w")
    reply = shop.chat("doesn't have to be under 100, but they should be waterproof", session_id="w")
    assert reply.intent.max_price is None and "waterproof" in reply.intent.attributes, reply.intent
    assert set(_names(reply)[:2]) == {"Harbor Waterproof Jacket", "Storm Waterproof Jacket"}, reply.text


# ----- 2. "not only jackets, show me scarves too"


def test_not_only_one_kind_lists_the_other_kind_too(shop: ShoppingAssistant) -> None:
    """It said "I have dropped "jackets"" and listed jackets only, in the Jackets category."""
    shop.chat("jackets", session_id="k")
    reply = shop.chat("not only jackets, show me scarves too", session_id="k")
    names = _names(reply)
    assert reply.intent.category is None and "scarves" in reply.intent.query, reply.intent
    # (both kinds, each in turn: the scarves were listed alone)
    assert len({"Silk Scarf", "Wool Scarf", "Cashmere Scarf"} & set(names)) >= 2 and sum("Jacket" in n for n in names) >= 2, reply.text
    assert "Silk Sleep Mask" not in names and all("Scarf" in n or "Jacket" in n for n in names), reply.text
    assert reply.text.startswith('I have added "scarves" to your search.'), reply.text
    assert "dropped" not in reply.text


def test_not_only_jackets_in_a_shop_without_the_other_kind_says_so(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _jackets())
    before = bot.chat("jackets", session_id="n")
    reply = bot.chat("not only jackets, show me scarves too", session_id="n")
    assert reply.text.startswith('We do not carry "scarves".'), reply.text
    assert "dropped" not in reply.text and set(_names(reply)) == set(_names(before)), reply.text


# ----- 3. one requirement dropped, another added


def test_the_colour_dropped_and_a_wish_added(shop: ShoppingAssistant) -> None:
    """It dropped red but lost "waterproof" and the Jackets category: "red jackets" searched among everything (a scarf
    among the jackets)."""
    first = shop.chat("red jackets", session_id="c")
    assert {c for p in first.products for c in p.colors} == {"Red"}
    reply = shop.chat("the colour isn't important but they need to be waterproof", session_id="c")
    assert reply.intent.colors == [] and reply.intent.category == "Jackets", reply.intent
    assert "waterproof" in reply.intent.attributes or "waterproof" in reply.intent.query, reply.intent
    names = _names(reply)
    assert set(names[:2]) == {"Harbor Waterproof Jacket", "Storm Waterproof Jacket"} and all("Jacket" in n for n in names), reply.text
    assert reply.text.startswith('I have dropped "red" from your search.'), reply.text


# ----- 4. a material dropped keeps the kind


def test_a_material_dropped_still_searches_the_kind(shop: ShoppingAssistant) -> None:
    """'not necessarily silk' searched "scarves", which no product's text has (the shop says "Scarf"): it listed the
    shop's jackets under "Here are 5 scarves"."""
    shop.chat("silk scarves", session_id="s")
    reply = shop.chat("not necessarily silk", session_id="s")
    names = _names(reply)
    assert reply.text.startswith('I have dropped "silk" from your search.'), reply.text
    assert {"Wool Scarf", "Cashmere Scarf"} <= set(names) and all("Scarf" in n for n in names), reply.text


# ----- 5. Spanish and Chinese


@pytest.mark.parametrize(("first", "relax", "line", "shown"), [
    ("chaquetas impermeables", "no tiene que ser impermeable", "He quitado «impermeable» de tu búsqueda.", "Breeze Wind Jacket"),
    ("chaquetas de menos de 100", "el precio no importa", "He quitado «precio» de tu búsqueda.", "Summit Down Jacket"),
    ("chaquetas en talla M", "la talla da igual", "He quitado «talla» de tu búsqueda.", "Summit Down Jacket"),
    ("防水夹克", "不一定要防水", "已从搜索条件中去掉“防水”。", "Breeze Wind Jacket"),
    ("100元以下的夹克", "价格无所谓", "已从搜索条件中去掉“价格”。", "Summit Down Jacket"),
    ("M码的夹克", "尺码无所谓", "已从搜索条件中去掉“尺码”。", "Summit Down Jacket"),
])
def test_relaxed_in_spanish_and_chinese(shop: ShoppingAssistant, first: str, relax: str, line: str, shown: str) -> None:
    """They searched the words said ("no tiene que ser impermeable", "价格无所谓") among everything, headed with them."""
    shop.chat(first, session_id="l")
    reply = shop.chat(relax, session_id="l")
    assert reply.text.startswith(line), reply.text
    assert reply.intent.category == "Jackets" and reply.intent.max_price is None and reply.intent.sizes == [], reply.intent
    names = _names(reply)
    assert shown in names and all("Jacket" in n for n in names), reply.text
    assert not {"防水", "impermeable", "无所谓", "importa", "igual"} & set(reply.intent.query.split()), reply.intent


def test_a_chinese_question_is_not_taken_for_a_relaxed_wish(shop: ShoppingAssistant) -> None:
    """'这个不需要防水吗？' asks whether it needs to be waterproof: nothing is dropped from the search."""
    shop.chat("防水夹克", session_id="q")
    reply = shop.chat("这个不需要防水吗？", session_id="q")
    assert "去掉" not in reply.text and "防水" in (reply.intent.query if reply.intent else ""), reply.text
