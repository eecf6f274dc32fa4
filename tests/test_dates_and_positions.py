"""List positions against dates, and questions about two products shown.

A day or an occasion said with an ordinal ("tops for a 30th anniversary", "a gift for the 7th of July", "a party on the
21st", "my 40th birthday") was read as the 30th, 7th, 21st, 40th product on screen: the reply was "Only 5 products are
shown", or a search for "my th birthday". "is the third one cheaper than the first one?" ran a search capped below the
first one's price instead of answering about the two products named."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from assistant.vocabulary import references_in_text
from tests.test_follow_ups import _cart, _shop


def _clothes() -> list[Any]:
    from catalog.records import ProductRecord as P

    def top(sku: str, name: str, price: str) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=["Women/Tops/Tees"], gender="women")

    return [
        top("T1", "Gobi Cotton Top", "29.00"), top("T2", "Helios Linen Top", "34.00"), top("T3", "Iris Silk Top", "45.00"),
        top("T4", "Juno Tank Top", "22.00"), top("T5", "Kira Wrap Top", "39.00"), top("T6", "Lumi Crop Top", "27.00"),
        P(sku="W1", name="Aim Analog Watch", price=Decimal("45.00"), categories=["Gear/Watches"]),
        P(sku="B1", name="Voyage Yoga Bag", price=Decimal("32.00"), categories=["Gear/Bags"]),
    ]


@pytest.fixture
def clothes(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _clothes())


@pytest.mark.parametrize("text", [
    "the 7th of july", "a gift for the 7th of July", "july 7th", "jackets for July the 4th", "a party on the 21st",
    "arriving by the 3rd?", "my 40th birthday", "tops for a 30th anniversary", "our seventh anniversary",
    "her fifth birthday", "birthday number 40", "el primero de julio", "un regalo para el quinto aniversario",
    "mi cumpleaños número 40", "a 21st century design", "a gift for a 5th grader"])
def test_a_day_or_an_occasion_is_no_position(text: str) -> None:
    assert references_in_text(text) == [], text


@pytest.mark.parametrize(("text", "refs"), [
    ("the 7th one", [7]), ("show me the 6th", [6]), ("add the 2nd", [2]), ("el séptimo", [7]), ("第七个", [7]),
    ("is the 21st one in stock?", [21]),  # (it was [21, 1]: the "1st" of "21st")
    ("the second may be too small", [2]), ("is the 2nd one on sale on the 3rd?", [2]), ("the 1st and the 3rd", [1, 3])])
def test_a_real_position_is_still_one(text: str, refs: list[int]) -> None:
    assert references_in_text(text) == refs, text


@pytest.mark.parametrize("text", ["tops for a 30th anniversary", "do you have tops for a 30th anniversary?",
                                  "any tops for the 7th of july?", "tops for a party on the 21st"])
def test_tops_for_a_date_list_tops(clothes: ShoppingAssistant, text: str) -> None:
    clothes.chat("show me watches", session_id="d")  # a list on screen, shorter than the number said
    reply = clothes.chat(text, session_id="d")
    assert reply.intent.kind in ("search", "refine") and reply.intent.references == [], (reply.intent, reply.text)
    assert "products are shown" not in reply.text and "product is shown" not in reply.text, reply.text
    names = {c.name for c in reply.products}
    assert names and all(n.endswith(" Top") for n in names), reply.text
    assert not re.search(r"\b(?:th|st|nd|rd)\b", reply.intent.query), reply.intent.query


@pytest.mark.parametrize("text", ["a gift for the 7th of july", "what can I get for my 40th birthday?", "my 40th birthday",
                                  "a present for the 21st", "un regalo para el primero de julio"])
def test_a_gift_for_a_date_is_a_search(clothes: ShoppingAssistant, text: str) -> None:
    """'a gift for the 7th of july' searched "th of july" ("Nothing in our catalog matches 'july'"), 'what can I get for
    my 40th birthday?' said "Only 5 products are shown", 'el primero de julio' took the first product shown."""
    shown = clothes.chat("show me tops", session_id="g")
    assert len(shown.products) == 5
    reply = clothes.chat(text, session_id="g")
    assert reply.intent.kind in ("search", "refine") and reply.intent.references == [], (reply.intent, reply.text)
    assert len(reply.products) >= 2, reply.text
    low = reply.text.lower()
    assert "shown" not in low and "se muestran" not in low and "july" not in low and "julio" not in low, reply.text
    assert not re.search(r"\b(?:th|st|nd|rd)\b", low.split("\n")[0]), reply.text  # "Here are 5 my th birthday ..."


@pytest.mark.parametrize(("text", "said"), [("the 7th one", "Only 5 products are shown"), ("show me the 6th", "Only 5 products are shown"),
                                            ("is the 21st one in stock?", "Only 5 products are shown"),
                                            ("el séptimo", "Solo se muestran 5 productos"), ("第七个", "目前只展示了5件商品")])
def test_a_position_past_the_list_is_still_a_position(clothes: ShoppingAssistant, text: str, said: str) -> None:
    clothes.chat("show me tops", session_id="p")
    reply = clothes.chat(text, session_id="p")
    assert reply.text.startswith(said), reply.text


def test_add_the_2nd_still_adds_it(clothes: ShoppingAssistant) -> None:
    second = clothes.chat("show me tops", session_id="a").products[1].name
    assert _cart(clothes.chat("add the 2nd", session_id="a")) == [(second, 1)]


# ---------------------------------------------------------------------------------------------- two products' prices
def _jackets_on_sale() -> list[Any]:
    from catalog.records import ProductRecord as P

    def jacket(sku: str, name: str, price: str, sale: str | None = None) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), special_price=Decimal(sale) if sale else None,
                 categories=["Women/Tops/Jackets"], gender="women")

    # the Aurora's sale price ($60.00) makes it the cheapest, though its regular price ($150.00) is the highest
    return [jacket("J1", "Aurora Jacket", "150.00", "60.00"), jacket("J2", "Nova Jacket", "80.00"),
            jacket("J3", "Element Jacket", "100.00"), jacket("J4", "Stormbreaker Jacket", "120.00")]


@pytest.fixture
def jackets(tmp_path: Path) -> ShoppingAssistant:
    bot = _shop(tmp_path, _jackets_on_sale())
    listed = bot.chat("show me jackets, cheapest first", session_id="j")
    assert [c.name for c in listed.products] == ["Aurora Jacket", "Nova Jacket", "Element Jacket", "Stormbreaker Jacket"]
    return bot


@pytest.mark.parametrize(("text", "answer"), [
    ("is the third one cheaper than the first one?", "No: the Element Jacket is $100.00, the Aurora Jacket is $60.00."),
    ("is the first one cheaper than the third?", "Yes: the Aurora Jacket is $60.00, the Element Jacket is $100.00."),
    ("is the second one more expensive than the first?", "Yes: the Nova Jacket is $80.00, the Aurora Jacket is $60.00."),
    ("so is the 2nd one pricier than the 4th?", "No: the Nova Jacket is $80.00, the Stormbreaker Jacket is $120.00."),
    ("does the fourth one cost less than the first one?", "No: the Stormbreaker Jacket is $120.00, the Aurora Jacket is $60.00."),
    ("is the Nova Jacket cheaper than the Element Jacket?", "Yes: the Nova Jacket is $80.00, the Element Jacket is $100.00."),
    ("¿el tercero es más barato que el primero?", "No: Element Jacket cuesta $100.00 y Aurora Jacket cuesta $60.00."),
    ("¿es el segundo más caro que el primero?", "Sí: Nova Jacket cuesta $80.00 y Aurora Jacket cuesta $60.00."),
    ("第三个比第一个便宜吗？", "不是：Element Jacket售价$100.00，Aurora Jacket售价$60.00。"),
    ("第二个比第四个便宜？", "是的：Nova Jacket售价$80.00，Stormbreaker Jacket售价$120.00。")])
def test_is_one_cheaper_than_another_is_answered_with_both_prices(jackets: ShoppingAssistant, text: str, answer: str) -> None:
    """It searched jackets under the first one's price ("cheaper than the first"); the sale price is the price."""
    reply = jackets.chat(text, session_id="j")
    assert reply.text == answer, reply.text
    assert reply.intent.max_price is None and len(reply.products) == 2, reply.intent
    # the list stays the one the positions count in
    assert jackets.chat("is the third one cheaper than the fourth?", session_id="j").text == \
        "Yes: the Element Jacket is $100.00, the Stormbreaker Jacket is $120.00."


def test_add_it_after_the_question_adds_the_one_asked_about(jackets: ShoppingAssistant) -> None:
    jackets.chat("is the third one cheaper than the first one?", session_id="j")
    assert _cart(jackets.chat("add it", session_id="j")) == [("Element Jacket", 1)]


def test_a_position_past_the_list_in_the_question_is_said(jackets: ShoppingAssistant) -> None:
    reply = jackets.chat("is the 7th one cheaper than the first?", session_id="j")
    assert reply.text.startswith("Only 4 products are shown"), reply.text


@pytest.mark.parametrize(("text", "answer"), [
    ("which is cheaper, the first or the third?", "The cheaper one is Aurora Jacket at $60.00."),
    # (it named the cheaper one)
    ("which is more expensive, the second or the fourth?", "The more expensive one is Stormbreaker Jacket at $120.00."),
    ("¿cuál es más barata, la segunda o la tercera?", "El más barato es Nova Jacket, por $80.00."),
    ("¿cuál es más cara, la segunda o la tercera?", "El más caro es Element Jacket, por $100.00."),
    ("第二个和第四个哪个更贵？", "更贵的是Stormbreaker Jacket，$120.00。")])
def test_which_of_two_is_cheaper_or_dearer(jackets: ShoppingAssistant, text: str, answer: str) -> None:
    reply = jackets.chat(text, session_id="j")
    assert reply.intent.kind == "compare" and reply.text.endswith(answer), reply.text
    assert len(reply.products) == 2


@pytest.mark.parametrize("text", ["something cheaper than the third one", "is there anything cheaper than the third one?",
                                  "anything cheaper than the third?", "有比第三个便宜的吗？"])
def test_a_wish_for_cheaper_than_one_is_still_a_capped_search(jackets: ShoppingAssistant, text: str) -> None:
    reply = jackets.chat(text, session_id="j")
    assert reply.intent.kind in ("search", "refine") and reply.intent.max_price == pytest.approx(99.99), reply.intent
    assert {c.name for c in reply.products} == {"Aurora Jacket", "Nova Jacket"}, reply.text
