"""Cart follow-ups a new user typed on the Magento demo that went wrong: "the purple one", then "add it" added the
jacket with no colour; "the blue one" / "the M one" / "the first one" right after "Which one should I take off: ...?"
searched blue things or answered about the first product of the list, the removal forgotten; "set quantity to 3" with
an empty cart searched "set quantity to"; "remove it" right after adding asked which one when the cart held more."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_cart_phrases import _lines, _magento_like
from tests.test_follow_ups import _shop


def _sized_jackets() -> list[Any]:
    """Women's jackets in several colours, each in S, M and L: only the Adrienne comes in purple, two in blue."""
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    def p(sku: str, name: str, price: str, colours: list[str]) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=["Women/Tops/Jackets"], gender="women",
                 attributes={"color": colours}, variants=[V(sku=f"{sku}-{z}-{c}", color=c, size=z, stock_qty=3)
                                                          for c in colours for z in ("S", "M", "L")])

    return [p("A1", "Adrienne Trek Jacket", "57.00", ["Gray", "Orange", "Purple"]),
            p("J1", "Jade Yoga Jacket", "32.00", ["Blue", "Green"]),
            p("S1", "Stellar Solar Jacket", "75.00", ["Blue", "Red", "Yellow"]),
            p("R1", "Riona Full Zip Jacket", "60.00", ["Brown", "Red"]),
            p("I1", "Ingrid Running Jacket", "84.00", ["Black", "White"])]


@pytest.fixture
def jackets(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _sized_jackets())


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _magento_like())


# ----- 1. "the purple one", then "add it" ------------------------------------------------------------------------------

def test_add_it_after_the_colour_one_adds_it_in_that_colour_and_asks_the_size(jackets: ShoppingAssistant) -> None:
    assert len(jackets.chat("women's jackets", session_id="p").products) == 5
    picked = jackets.chat("the purple one", session_id="p")
    assert [p.name for p in picked.products] == ["Adrienne Trek Jacket"], picked.text
    added = jackets.chat("add it", session_id="p")
    assert _lines(added) == [("Adrienne Trek Jacket", 1, None, "Purple")], added.text
    assert added.text.startswith("Added Adrienne Trek Jacket in Purple to your cart."), added.text
    assert "Which size? It comes in S, M, L" in added.text and "Which colour?" not in added.text, added.text
    sized = jackets.chat("M", session_id="p")
    assert _lines(sized) == [("Adrienne Trek Jacket", 1, "M", "Purple")], sized.text


def test_the_colour_picked_stays_through_a_question_and_a_size_said_with_the_add(jackets: ShoppingAssistant) -> None:
    jackets.chat("women's jackets", session_id="q")
    jackets.chat("the brown one", session_id="q")
    jackets.chat("how much is it?", session_id="q")
    added = jackets.chat("add it in size L", session_id="q")
    assert _lines(added) == [("Riona Full Zip Jacket", 1, "L", "Brown")], added.text
    # a colour said in the add wins over the one picked
    jackets.chat("women's jackets", session_id="w")
    jackets.chat("the purple one", session_id="w")
    other = jackets.chat("add it in gray, size S", session_id="w")
    assert _lines(other) == [("Adrienne Trek Jacket", 1, "S", "Gray")], other.text


def test_the_second_of_the_blue_ones_is_added_in_blue_unless_another_colour_was_asked_about(jackets: ShoppingAssistant) -> None:
    jackets.chat("women's jackets", session_id="b")
    blue = jackets.chat("the blue one", session_id="b")
    assert blue.text.startswith("Which of these do you mean?"), blue.text
    second = jackets.chat("the second one", session_id="b")
    name = blue.products[1].name
    assert [p.name for p in second.products] == [name], second.text
    added = jackets.chat("add it in M", session_id="b")
    assert _lines(added) == [(name, 1, "M", "Blue")], added.text
    # "add the first one" straight from the blue ones: in blue too
    jackets.chat("women's jackets", session_id="f")
    jackets.chat("the blue one", session_id="f")
    first = jackets.chat("add the first one in size S", session_id="f")
    assert _lines(first) == [(blue.products[0].name, 1, "S", "Blue")], first.text
    # asked about another colour since: that colour is not assumed, nor the blue (the colour is asked)
    jackets.chat("women's jackets", session_id="g")
    jackets.chat("the blue one", session_id="g")
    jackets.chat("the first one", session_id="g")
    jackets.chat("does it come in green?", session_id="g")
    asked = jackets.chat("add it in M", session_id="g")
    assert [(n, q, z) for n, q, z, _ in _lines(asked)] == [(blue.products[0].name, 1, "M")], asked.text
    assert _lines(asked)[0][3] != "Blue", asked.text


# ----- 2. the answer to "which line?" -----------------------------------------------------------------------------------

def _three_lines(bot: ShoppingAssistant, session: str) -> None:
    bot.chat("show me the Stellar Solar Jacket", session_id=session)
    for add in ("add it in red, size S", "add it in blue, size M", "add it in yellow, size L"):
        bot.chat(add, session_id=session)
    bot.chat("what about watches?", session_id=session)  # (nothing just added: "which one?" is asked)


THREE = [("Stellar Solar Jacket", 1, "S", "Red"), ("Stellar Solar Jacket", 1, "M", "Blue"), ("Stellar Solar Jacket", 1, "L", "Yellow")]


@pytest.mark.parametrize(("answer", "gone"), [("the blue one", 1), ("the M one", 1), ("the first one", 0), ("the large", 2),
                                              ("the last one", 2), ("red", 0), ("size M", 1), ("the one in yellow", 2)])
def test_which_line_answered_finishes_the_removal(shop: ShoppingAssistant, answer: str, gone: int) -> None:
    _three_lines(shop, "r")
    which = shop.chat("remove one of them", session_id="r")
    assert which.text.startswith("Which one should I take off:") and _lines(which) == THREE, which.text
    done = shop.chat(answer, session_id="r")
    left = [x for i, x in enumerate(THREE) if i != gone]
    assert done.intent.kind == "cart" and _lines(done) == left and not done.products, done.text
    name, _, size, colour = THREE[gone]
    assert done.text.startswith(f"Removed {name} in size {size}, {colour}."), done.text


@pytest.mark.parametrize(("answer", "changed"), [("the blue one", 1), ("the M one", 1), ("the first one", 0), ("the large", 2)])
def test_which_line_answered_finishes_the_quantity_change(shop: ShoppingAssistant, answer: str, changed: int) -> None:
    _three_lines(shop, "q")
    which = shop.chat("change the quantity to 3", session_id="q")
    assert which.text.startswith("Which item's quantity should I change:") and _lines(which) == THREE, which.text
    done = shop.chat(answer, session_id="q")
    name, _, size, colour = THREE[changed]
    assert (name, 3, size, colour) in _lines(done) and sum(q for _, q, _, _ in _lines(done)) == 5, done.text
    assert done.text.startswith(f"{name} in size {size}, {colour}: quantity 3."), done.text


def test_the_pending_request_survives_a_restart(shop: ShoppingAssistant) -> None:
    _three_lines(shop, "s")
    shop.chat("set quantity to 2", session_id="s")
    again = ShoppingAssistant.from_config(str(shop.db.engine.url), llm="rules", search="catalog")
    done = again.chat("the blue one", session_id="s")
    assert ("Stellar Solar Jacket", 2, "M", "Blue") in _lines(done), done.text


def test_an_answer_that_fits_no_line_asks_again_and_another_request_drops_it(shop: ShoppingAssistant) -> None:
    _three_lines(shop, "n")
    shop.chat("remove one of them", session_id="n")
    none = shop.chat("the green one", session_id="n")  # none is green: asked again, nothing removed
    assert none.text.startswith("Which one should I take off:") and _lines(none) == THREE, none.text
    assert _lines(shop.chat("the red one", session_id="n")) == THREE[1:]
    # another request in between: the removal is forgotten, "the blue one" is no longer about the cart
    _three_lines(shop, "o")
    shop.chat("remove one of them", session_id="o")
    shop.chat("show me watches", session_id="o")
    later = shop.chat("the first one", session_id="o")
    assert _lines(later) == THREE and later.intent.kind != "cart", later.text


def test_which_one_to_remove_answered_by_position_or_name(shop: ShoppingAssistant) -> None:
    shop.chat("watches", session_id="w")
    shop.chat("add the Dash Digital Watch", session_id="w")
    shop.chat("add the Luma Analog Watch", session_id="w")
    shop.chat("show me the Hero Hoodie", session_id="w")
    which = shop.chat("remove it", session_id="w")
    assert which.text.startswith("Which one should I remove?"), which.text
    second = shop.chat("the second one", session_id="w")  # the second line of the cart, not of the list
    assert [x[0] for x in _lines(second)] == ["Dash Digital Watch"], second.text
    shop.chat("add the Luma Analog Watch", session_id="w")
    shop.chat("show me the Hero Hoodie", session_id="w")
    shop.chat("remove it", session_id="w")
    named = shop.chat("the Dash one", session_id="w")
    assert [x[0] for x in _lines(named)] == ["Luma Analog Watch"], named.text


# ----- 3. a quantity with nothing in the cart ---------------------------------------------------------------------------

@pytest.mark.parametrize("ask", ["set quantity to 3", "change the quantity to 3", "make it 3"])
def test_a_quantity_with_an_empty_cart_says_the_cart_is_empty(shop: ShoppingAssistant, ask: str) -> None:
    first = shop.chat(ask, session_id="e")
    assert first.text == "Your cart is empty." and not first.products and first.intent.kind == "cart", first.text
    shop.chat("show me the Stellar Solar Jacket", session_id="v")  # one in view: still nothing added
    viewed = shop.chat(ask, session_id="v")
    assert viewed.text == "Your cart is empty." and viewed.cart == [] and not viewed.products, viewed.text


def test_ill_take_two_of_them_with_an_empty_cart_adds_the_one_in_view(shop: ShoppingAssistant) -> None:
    shop.chat("show me the Stellar Solar Jacket", session_id="t")
    took = shop.chat("I'll take 2 of them", session_id="t")
    assert _lines(took) == [("Stellar Solar Jacket", 2, None, None)] and "Which size?" in took.text, took.text


# ----- the rest of the cart's follow-ups --------------------------------------------------------------------------------

def test_remove_it_right_after_adding_is_the_line_just_added(shop: ShoppingAssistant) -> None:
    shop.chat("watches", session_id="a")
    shop.chat("add the Dash Digital Watch", session_id="a")
    shop.chat("add the Luma Analog Watch", session_id="a")
    gone = shop.chat("remove it", session_id="a")  # it asked which one
    assert _lines(gone) == [("Dash Digital Watch", 1, None, None)] and gone.text.startswith("Removed Luma Analog Watch."), gone.text
    # two sizes of one product: only the one just added
    shop.chat("show me the Stellar Solar Jacket", session_id="b")
    shop.chat("add it in blue, size M", session_id="b")
    shop.chat("add it in blue, size L", session_id="b")
    one = shop.chat("remove it", session_id="b")
    assert _lines(one) == [("Stellar Solar Jacket", 1, "M", "Blue")], one.text


def test_add_another_one_and_an_emptied_cart(shop: ShoppingAssistant) -> None:
    shop.chat("watches", session_id="c")
    shop.chat("add the Dash Digital Watch", session_id="c")
    shop.chat("add the Luma Analog Watch", session_id="c")
    more = shop.chat("add another one", session_id="c")
    assert _lines(more) == [("Dash Digital Watch", 1, None, None), ("Luma Analog Watch", 2, None, None)], more.text
    emptied = shop.chat("empty my cart", session_id="c")
    assert emptied.cart == [] and emptied.text == "Removed Dash Digital Watch, Luma Analog Watch. Your cart is empty.", emptied.text
    seen = shop.chat("what's in my cart?", session_id="c")
    assert seen.text == "Your cart is empty." and seen.cart == [] and not seen.products, seen.text


def test_remove_one_of_them_with_several_products_takes_one_unit_of_the_line_named_next(shop: ShoppingAssistant) -> None:
    shop.chat("show me the Hero Hoodie", session_id="u")
    shop.chat("add 2 in black, size M", session_id="u")
    shop.chat("show me the Stellar Solar Jacket", session_id="u")
    shop.chat("add it in blue, size M", session_id="u")
    shop.chat("what about watches?", session_id="u")
    which = shop.chat("remove one of them", session_id="u")
    assert which.text.startswith("Which one should I take off: 2 × Hero Hoodie in size M, Black; "), which.text
    one = shop.chat("the black one", session_id="u")  # one of the two, not the whole line
    assert _lines(one) == [("Hero Hoodie", 1, "M", "Black"), ("Stellar Solar Jacket", 1, "M", "Blue")], one.text
    assert one.text.startswith("Hero Hoodie in size M, Black: quantity 1."), one.text


def test_a_position_past_the_listed_lines_asks_again_and_changes_nothing(shop: ShoppingAssistant) -> None:
    """Ordinals past "fifth" were no answer at all here (searched as words) though picks from lists take them."""
    _three_lines(shop, "p")
    shop.chat("remove one of them", session_id="p")
    again = shop.chat("the sixth one", session_id="p")
    assert _lines(again) == THREE and again.text.startswith("Which one should I take off:"), again.text
