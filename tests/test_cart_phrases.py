"""Cart requests a new user typed on the Magento demo that went wrong: "remove one of them" took a unit off every line
of the product; "add it in red M" dropped the size; "change the quantity of the hoodie in my cart to 2" a turn later
searched hoodies; "add 2 of them" right after "add it in blue, size M" made a second line with no size or colour."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _cart, _shop


def _lines(reply) -> list[tuple[str, int, str | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(x["name"], x["qty"], x.get("size"), x.get("color")) for x in reply.cart]


def _magento_like() -> list[Any]:
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    def sized(sku: str, colours: list[str], sizes: list[str], stock: int) -> list[Any]:
        return [V(sku=f"{sku}-{s}-{c[:3].upper()}", color=c, size=s, stock_qty=stock) for c in colours for s in sizes]

    return [
        P(sku="WJ01", name="Stellar Solar Jacket", price=Decimal("75.00"), categories=["Women/Tops/Jackets"], gender="women",
          attributes={"color": ["Blue", "Red", "Yellow"]}, variants=sized("WJ01", ["Blue", "Red", "Yellow"], ["S", "M", "L"], 5)),
        P(sku="MH07", name="Hero Hoodie", price=Decimal("54.00"), categories=["Men/Tops/Hoodies & Sweatshirts"], gender="men",
          attributes={"color": ["Black", "Gray"]}, variants=sized("MH07", ["Black", "Gray"], ["M", "L", "XL"], 6)),
        P(sku="24-MG04", name="Dash Digital Watch", price=Decimal("92.00"), categories=["Gear/Watches"], stock_qty=100),
        P(sku="24-MG05", name="Luma Analog Watch", price=Decimal("43.00"), categories=["Gear/Watches"], stock_qty=100),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _magento_like())


def test_add_n_of_them_right_after_a_full_variant_adds_to_that_line(shop: ShoppingAssistant) -> None:
    """'add 2 of them' after 'add it in blue, size M' added a second line without a size or colour and asked 'Which
    size?'."""
    shop.chat("show me the Stellar Solar Jacket", session_id="a")
    assert _lines(shop.chat("add it in blue, size M", session_id="a")) == [("Stellar Solar Jacket", 1, "M", "Blue")]
    two = shop.chat("add 2 of them", session_id="a")
    assert _lines(two) == [("Stellar Solar Jacket", 3, "M", "Blue")] and "Which size?" not in two.text, two.text
    assert two.text.startswith("Added 2 × Stellar Solar Jacket in size M, Blue"), two.text
    assert _lines(shop.chat("add 2 more", session_id="a")) == [("Stellar Solar Jacket", 5, "M", "Blue")]
    other = shop.chat("add one in red, size S", session_id="a")  # another size and colour said: another line
    assert _lines(other) == [("Stellar Solar Jacket", 5, "M", "Blue"), ("Stellar Solar Jacket", 1, "S", "Red")], other.text


def test_remove_one_of_them_takes_one_unit_off_one_line(shop: ShoppingAssistant) -> None:
    """'remove one of them' took one off every line of the product (3 units became 1; three lines went at once);
    the line just added loses one, and with several lines and none just added it asks which."""
    shop.chat("show me the Stellar Solar Jacket", session_id="r")
    shop.chat("add it in blue, size M", session_id="r")
    shop.chat("add 2 of them", session_id="r")
    one = shop.chat("remove one of them", session_id="r")
    assert _lines(one) == [("Stellar Solar Jacket", 2, "M", "Blue")], one.text
    assert one.text.startswith("Stellar Solar Jacket in size M, Blue: quantity 2."), one.text
    shop.chat("show me the Stellar Solar Jacket", session_id="m")
    for add in ("add it in red, size S", "add it in blue, size M", "add it in yellow, size L"):
        shop.chat(add, session_id="m")
    three = [("Stellar Solar Jacket", 1, "S", "Red"), ("Stellar Solar Jacket", 1, "M", "Blue"), ("Stellar Solar Jacket", 1, "L", "Yellow")]
    just = shop.chat("remove one of them", session_id="m")  # the line just added
    assert _lines(just) == three[:2] and just.text.startswith("Removed Stellar Solar Jacket in size L, Yellow."), just.text
    shop.chat("what about watches?", session_id="m")
    which = shop.chat("remove one of them", session_id="m")  # none just added: which line, listed, nothing removed
    assert _lines(which) == three[:2], which.text
    assert which.text.startswith("Which one should I take off: 1 × Stellar Solar Jacket in size S, Red; "
                                 "1 × Stellar Solar Jacket in size M, Blue?"), which.text
    red = shop.chat("remove one of the red ones", session_id="m")
    assert _lines(red) == [three[1]], red.text


@pytest.mark.parametrize(("add", "size", "colour"), [("add it in red M", "M", "Red"), ("add it in Red M", "M", "Red"),
                                                     ("add it in blue L", "L", "Blue"), ("I'll take it in red S", "S", "Red"),
                                                     ("add one in red, M", "M", "Red")])
def test_a_one_letter_size_after_a_colour_is_the_size(shop: ShoppingAssistant, add: str, size: str, colour: str) -> None:
    """'add it in red M' added the red one and asked 'Which size? It comes in S, M, L'."""
    shop.chat("show me the Stellar Solar Jacket", session_id="s")
    reply = shop.chat(add, session_id="s")
    assert _lines(reply) == [("Stellar Solar Jacket", 1, size, colour)] and "Which size?" not in reply.text, reply.text


def test_a_letter_after_a_colour_is_a_size_only_when_the_product_comes_in_it(shop: ShoppingAssistant) -> None:
    for n, (add, size) in enumerate((("add it in gray L", "L"), ("add it in M gray", "M"), ("add it in gray, size XL", "XL"),
                                     ("add it in gray S", None))):  # the hoodie comes in M, L, XL: no S
        shop.chat("show me the Hero Hoodie", session_id=f"h{n}")
        reply = shop.chat(add, session_id=f"h{n}")
        assert _lines(reply) == [("Hero Hoodie", 1, size, "Gray")], (add, reply.text)


def test_the_quantity_of_a_cart_line_changes_a_turn_later(shop: ShoppingAssistant) -> None:
    """'change the quantity of the hoodie in my cart to 2' after another search searched hoodies; 'set quantity to 4'
    listed 'set quantity to' products; the cart stayed as it was."""
    shop.chat("show me the Hero Hoodie", session_id="q")
    shop.chat("add it in black, size L", session_id="q")
    shop.chat("what about watches?", session_id="q")
    two = shop.chat("change the quantity of the hoodie in my cart to 2", session_id="q")
    assert two.intent.kind == "cart" and _lines(two) == [("Hero Hoodie", 2, "L", "Black")], two.text
    shop.chat("what about watches?", session_id="q")
    assert _lines(shop.chat("make it 3 hoodies", session_id="q")) == [("Hero Hoodie", 3, "L", "Black")]
    shop.chat("what about watches?", session_id="q")
    assert _lines(shop.chat("set quantity to 4", session_id="q")) == [("Hero Hoodie", 4, "L", "Black")]
    shop.chat("what about watches?", session_id="q")
    capped = shop.chat("set quantity to 9", session_id="q")  # 6 in stock: all of them, said so
    assert _lines(capped) == [("Hero Hoodie", 6, "L", "Black")] and "all we have in stock" in capped.text, capped.text


def test_several_cart_lines_and_a_quantity_without_a_name_asks_which(shop: ShoppingAssistant) -> None:
    shop.chat("show me the Hero Hoodie", session_id="w")
    shop.chat("add it in black, size L", session_id="w")
    shop.chat("add the Dash Digital Watch to my cart", session_id="w")
    shop.chat("show me jackets", session_id="w")
    which = shop.chat("set quantity to 2", session_id="w")
    assert _cart(which) == [("Hero Hoodie", 1), ("Dash Digital Watch", 1)], which.text
    assert which.text.startswith("Which item's quantity should I change: 1 × Hero Hoodie in size L, Black; 1 × Dash Digital Watch?"), which.text
    watch = shop.chat("make it 25 watches", session_id="w")  # the line limit still holds
    assert ("Dash Digital Watch", 20) in _cart(watch) and ("Hero Hoodie", 1) in _cart(watch), watch.text


def test_remove_as_many_as_the_lines_hold_removes_them_all(shop: ShoppingAssistant) -> None:
    """(review) 'remove 2 jackets' with two lines of one each took one line off and kept the other."""
    shop.chat("show me the Stellar Solar Jacket", session_id="two")
    shop.chat("add it in red, size S", session_id="two")
    shop.chat("add it in blue, size M", session_id="two")
    both = shop.chat("remove 2 jackets", session_id="two")
    assert _lines(both) == [], both.text
    assert both.text.startswith("Removed Stellar Solar Jacket in size S, Red, Stellar Solar Jacket in size M, Blue."), both.text
