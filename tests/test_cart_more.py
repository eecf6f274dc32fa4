"""Cart phrases that went wrong: "put it in my basket" / "pop it in the basket" / "stick it in my cart" were no adds;
"remove one of them" right after adding a second product removed that product without asking; "make it 10" after
"running shoes size 9" said the cart was empty (and "under 50", then "make it 100" searched "make")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _shop


def _lines(reply: Any) -> list[tuple[str, int, str | None, str | None]]:
    return [(x["name"], x["qty"], x.get("size"), x.get("color")) for x in reply.cart]


def _names(reply: Any) -> list[str]:
    return [c.name for c in reply.products]


def _products() -> list[Any]:
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    def sized(sku: str, colours: list[str], sizes: list[str]) -> list[Any]:
        return [V(sku=f"{sku}-{s}-{c[:3].upper()}", color=c, size=s, stock_qty=5) for c in colours for s in sizes]

    return [
        P(sku="RS1", name="Swift Road Running Shoe", price=Decimal("80.00"), categories=["Men/Shoes/Running"], gender="men",
          attributes={"color": ["Black"]}, variants=sized("RS1", ["Black"], ["8", "9", "10", "11"])),
        P(sku="RS2", name="Trail Blaze Running Shoe", price=Decimal("95.00"), categories=["Men/Shoes/Running"], gender="men",
          attributes={"color": ["Green"]}, variants=sized("RS2", ["Green"], ["9", "10"])),
        P(sku="RS3", name="Pacer Running Shoe", price=Decimal("45.00"), categories=["Men/Shoes/Running"], gender="men",
          attributes={"color": ["Red"]}, variants=sized("RS3", ["Red"], ["9"])),
        P(sku="B1", name="Wicker Picnic Basket", price=Decimal("39.00"), categories=["Home/Picnic"], stock_qty=20),
        P(sku="B2", name="Joust Duffle Bag", price=Decimal("34.00"), categories=["Gear/Bags"], stock_qty=20),
        P(sku="B3", name="Voyage Yoga Bag", price=Decimal("32.00"), categories=["Gear/Bags"], stock_qty=20),
        P(sku="W1", name="Dash Digital Watch", price=Decimal("92.00"), categories=["Gear/Watches"], stock_qty=100),
        P(sku="W2", name="Luma Analog Watch", price=Decimal("43.00"), categories=["Gear/Watches"], stock_qty=100),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _products())


# ----- 1. "put it in my basket" is an add ----------------------------------------------------------------------------

@pytest.mark.parametrize("put", ["put the second one in my bag", "put the second one in my basket", "pop the second one in the basket",
                                 "stick the second one in my cart", "can you put the second one in my cart please"])
def test_put_a_shown_product_in_the_basket_adds_it(shop: ShoppingAssistant, put: str) -> None:
    assert _names(shop.chat("bags", session_id="p")) == ["Joust Duffle Bag", "Voyage Yoga Bag"]
    added = shop.chat(put, session_id="p")
    assert added.intent.kind == "cart" and _lines(added) == [("Voyage Yoga Bag", 1, None, None)], added.text
    assert added.text.startswith("Added Voyage Yoga Bag to your cart."), added.text


@pytest.mark.parametrize("put", ["put it in my basket", "pop it in the basket", "stick it in my cart", "add it to my cart"])
def test_put_it_in_the_basket_asks_which_among_several_and_adds_the_one_in_view(shop: ShoppingAssistant, put: str) -> None:
    shop.chat("bags", session_id="w")
    which = shop.chat(put, session_id="w")  # two bags on screen, none named: which, as "add it" asks
    assert which.intent.kind == "cart" and which.cart == [], which.text
    assert which.text == "Which of these do you mean? Say for example 'the second one', or its name. Your cart is empty.", which.text
    shop.chat("show me the Joust Duffle Bag", session_id="w")  # the one named is "it"
    added = shop.chat(put, session_id="w")
    assert _lines(added) == [("Joust Duffle Bag", 1, None, None)] and added.text.startswith("Added Joust Duffle Bag"), added.text


def test_put_two_of_them_in_the_basket_adds_two(shop: ShoppingAssistant) -> None:
    shop.chat("show me the Joust Duffle Bag", session_id="n")
    assert _lines(shop.chat("put 2 of them in my basket", session_id="n")) == [("Joust Duffle Bag", 2, None, None)]


def test_the_basket_looked_at_and_baskets_and_bags_searched_stay_so(shop: ShoppingAssistant) -> None:
    shop.chat("bags", session_id="b")
    shop.chat("put the first one in my basket", session_id="b")
    seen = shop.chat("what's in my basket?", session_id="b")
    assert seen.text == "Your cart: 1 × Joust Duffle Bag ($34.00). Total $34.00." and not seen.products, seen.text
    picnic = shop.chat("a basket for picnics", session_id="b")
    assert picnic.intent.kind == "search" and _names(picnic) == ["Wicker Picnic Basket"], picnic.text
    bag = shop.chat("a bag", session_id="b")
    assert bag.intent.kind == "search" and set(_names(bag)) == {"Joust Duffle Bag", "Voyage Yoga Bag"}, bag.text
    assert _lines(bag) == [("Joust Duffle Bag", 1, None, None)]  # nothing added by the searches


# ----- 2. "remove one of them" with several lines asks which ----------------------------------------------------------

def test_remove_one_of_them_right_after_adding_a_second_product_asks_which(shop: ShoppingAssistant) -> None:
    shop.chat("bags", session_id="r")
    shop.chat("add the second one to my cart", session_id="r")
    shop.chat("watches", session_id="r")
    shop.chat("add the first one to my cart", session_id="r")
    both = [("Voyage Yoga Bag", 1, None, None), ("Dash Digital Watch", 1, None, None)]
    which = shop.chat("remove one of them", session_id="r")  # nothing removed: which of the two, asked
    assert which.intent.kind == "cart" and _lines(which) == both, which.text
    assert which.text == ("Which one should I take off: 1 × Voyage Yoga Bag; 1 × Dash Digital Watch? "
                          "Name it, or say its size or colour."), which.text
    done = shop.chat("the watch", session_id="r")  # the answer finishes it
    assert _lines(done) == both[:1] and done.text.startswith("Removed Dash Digital Watch."), done.text


def test_remove_it_right_after_adding_still_removes_that_line(shop: ShoppingAssistant) -> None:
    shop.chat("bags", session_id="i")
    shop.chat("add the second one to my cart", session_id="i")
    shop.chat("watches", session_id="i")
    shop.chat("add the first one to my cart", session_id="i")
    gone = shop.chat("remove it", session_id="i")
    assert _lines(gone) == [("Voyage Yoga Bag", 1, None, None)] and gone.text.startswith("Removed Dash Digital Watch."), gone.text


# ----- 3. "make it 10": a size, a budget or how many ------------------------------------------------------------------

@pytest.mark.parametrize("again", ["make it 10", "make it a 10", "in a 10 instead", "make that 10"])
def test_make_it_10_after_a_search_in_size_9_is_size_10(shop: ShoppingAssistant, again: str) -> None:
    nine = shop.chat("running shoes size 9", session_id="s")
    assert len(nine.products) == 3 and nine.intent.sizes == ["9"]
    ten = shop.chat(again, session_id="s")
    assert ten.intent.kind == "refine" and ten.intent.sizes == ["10"] and ten.cart == [], ten.text
    assert sorted(_names(ten)) == ["Swift Road Running Shoe", "Trail Blaze Running Shoe"], ten.text
    assert ten.text.startswith("Here are 2 running shoes in size 10"), ten.text
    assert "cart" not in ten.text.lower(), ten.text


def test_make_it_100_after_a_budget_is_the_new_budget(shop: ShoppingAssistant) -> None:
    fifty = shop.chat("running shoes under 50", session_id="u")
    assert _names(fifty) == ["Pacer Running Shoe"]
    hundred = shop.chat("make it 100", session_id="u")
    assert hundred.intent.kind == "refine" and hundred.intent.max_price == 100, hundred.text
    assert len(hundred.products) == 3 and hundred.text.startswith("Here are 3 running shoes under $100.00"), hundred.text


def test_make_it_10_with_no_size_budget_or_cart_asks_what_10_is(shop: ShoppingAssistant) -> None:
    shop.chat("running shoes", session_id="a")
    asked = shop.chat("make it 10", session_id="a")
    assert asked.text == "Is 10 the size or your budget? Say for example 'size 10' or 'under 10'.", asked.text
    assert not asked.products and asked.cart == []
    sized = shop.chat("size 10", session_id="a")  # the search it was about is kept
    assert sized.intent.sizes == ["10"] and sorted(_names(sized)) == ["Swift Road Running Shoe", "Trail Blaze Running Shoe"]


def test_make_it_3_with_lines_in_the_cart_is_still_how_many(shop: ShoppingAssistant) -> None:
    shop.chat("running shoes size 9", session_id="q")
    shop.chat("add the first one to my cart", session_id="q")
    three = shop.chat("make it 3", session_id="q")  # right after the add: how many, not size 3
    assert _lines(three) == [("Pacer Running Shoe", 3, "9", "Red")] and three.intent.kind == "cart", three.text
    shop.chat("watches", session_id="q")
    shop.chat("add the second one to my cart", session_id="q")
    two = shop.chat("make it 2", session_id="q")
    assert _lines(two) == [("Pacer Running Shoe", 3, "9", "Red"), ("Luma Analog Watch", 2, None, None)], two.text

