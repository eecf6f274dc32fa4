"""A shop's own sizes and colours ("Matte Black", "Copper", "Small", "3 cup") in chat and in the cart, and a
size or colour priced apart from its product."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.agent import ShoppingAssistant
from catalog.db import open_catalog
from catalog.records import CatalogData, ProductRecord, VariantRecord
from catalog.writer import sync_catalog


def coffee_shop() -> CatalogData:
    def v(sku: str, size: str | None = None, color: str | None = None, price: str | None = None, stock: int = 10) -> VariantRecord:
        return VariantRecord(sku=sku, size=size, color=color, price=Decimal(price) if price else None, stock_qty=stock,
                             in_stock=stock > 0)

    return CatalogData(products=[
        ProductRecord(sku="KT-100", name="Fellow Stagg Kettle", price=Decimal("195.00"), brand="Fellow", categories=["Kettles"],
                      product_type="configurable", description="Electric gooseneck kettle.",
                      variants=[v("KT-100-MB", color="Matte Black"), v("KT-100-MW", color="Matte White", stock=0),
                                v("KT-100-CPR", color="Copper", price="215.00")]),
        ProductRecord(sku="CUP-1", name="KeepCup Brew Reusable Cup", price=Decimal("28.00"), brand="KeepCup", categories=["Cups"],
                      product_type="configurable", description="Glass cup with a cork band.",
                      variants=[v("CUP-1-S", size="Small"), v("CUP-1-M", size="Medium")]),
        ProductRecord(sku="BR-300", name="Bodum Chambord French Press", price=Decimal("29.99"), brand="Bodum", categories=["Brewers"],
                      product_type="configurable", description="Classic French press.",
                      variants=[v("BR-300-S", size="3 cup", price="32.00"), v("BR-300-M", size="8 cup"), v("BR-300-L", size="12 cup")]),
    ])


@pytest.fixture
def bot(tmp_path: Path) -> ShoppingAssistant:
    url = f"sqlite:///{tmp_path / 'coffee.db'}"
    with open_catalog(url).session() as s:
        sync_catalog(s, coffee_shop(), progress=False)
    return ShoppingAssistant.from_config(url, llm="rules", search="catalog")


def _lines(reply) -> list[tuple[str, str | None, str | None, float, int]]:  # type: ignore[no-untyped-def]
    return [(x["name"], x.get("size"), x.get("color"), x["price"], x["qty"]) for x in reply.cart]


@pytest.mark.parametrize(("add", "line"), [
    ("add it to my cart in Matte Black", ("Fellow Stagg Kettle", None, "Matte Black", 195.0, 1)),
    ("add it to my cart in black", ("Fellow Stagg Kettle", None, "Matte Black", 195.0, 1)),  # its only black
    ("add it to my cart in copper", ("Fellow Stagg Kettle", None, "Copper", 215.0, 1)),  # priced apart
])
def test_an_add_in_the_shops_own_colour(bot: ShoppingAssistant, add: str, line: tuple[str, None, str, float, int]) -> None:
    bot.chat("tell me about the Fellow Stagg Kettle", session_id="k")
    assert _lines(bot.chat(add, session_id="k")) == [line]


def test_a_colour_out_of_stock_is_not_added(bot: ShoppingAssistant) -> None:
    bot.chat("tell me about the Fellow Stagg Kettle", session_id="w")
    reply = bot.chat("add it to my cart in matte white", session_id="w")
    assert reply.cart == [] and "out of stock" in reply.text, reply.text


def test_changes_in_the_shops_own_words(bot: ShoppingAssistant) -> None:
    bot.chat("tell me about the Fellow Stagg Kettle", session_id="c")
    bot.chat("add it to my cart in Matte Black", session_id="c")
    copper = bot.chat("change it to Copper", session_id="c")
    assert copper.intent.kind == "cart" and _lines(copper) == [("Fellow Stagg Kettle", None, "Copper", 215.0, 1)], copper.text
    bot.chat("tell me about the Bodum Chambord French Press", session_id="c")
    bot.chat("add it to my cart in 8 cup", session_id="c")
    bigger = bot.chat("change it to 12 cup", session_id="c")
    assert _lines(bigger)[-1] == ("Bodum Chambord French Press", "12 cup", None, 29.99, 1), bigger.text
    smaller = bot.chat("change it to 3 cup", session_id="c")
    assert _lines(smaller)[-1] == ("Bodum Chambord French Press", "3 cup", None, 32.0, 1), smaller.text


@pytest.mark.parametrize(("add", "size"), [("add it in size Medium", "Medium"), ("add it in medium", "Medium"),
                                           ("add it in small", "Small"), ("add it in size S", "Small")])
def test_spelled_out_sizes(bot: ShoppingAssistant, add: str, size: str) -> None:
    bot.chat("tell me about the KeepCup Brew Reusable Cup", session_id="s")
    assert _lines(bot.chat(add, session_id="s")) == [("KeepCup Brew Reusable Cup", size, None, 28.0, 1)]


def test_a_bare_colour_answers_which_colour(bot: ShoppingAssistant) -> None:
    bot.chat("tell me about the Fellow Stagg Kettle", session_id="b")
    asked = bot.chat("add it to my cart", session_id="b")
    assert "Which colour?" in asked.text or "Which color?" in asked.text, asked.text
    assert _lines(bot.chat("copper", session_id="b")) == [("Fellow Stagg Kettle", None, "Copper", 215.0, 1)]


def test_what_sizes_after_one_product_are_its_sizes(bot: ShoppingAssistant) -> None:
    bot.chat("tell me about the Bodum Chambord French Press", session_id="z")
    reply = bot.chat("what sizes do you have?", session_id="z")
    assert "sizes: 3 cup, 8 cup, 12 cup" in reply.text and "Small" not in reply.text, reply.text
    assert "Our sizes: " in bot.chat("what sizes do you have?", session_id="fresh").text


def test_questions_about_a_size_or_colour_of_the_one_on_screen(bot: ShoppingAssistant) -> None:
    bot.chat("kettle", session_id="q")
    for question in ("how much is the copper one?", "what's the price in copper?"):
        reply = bot.chat(question, session_id="q")
        assert reply.intent.kind == "question" and "in Copper: $215.00" in reply.text, reply.text
    white = bot.chat("is the matte white in stock?", session_id="q")
    assert white.text == "Fellow Stagg Kettle costs $195.00; Matte White is out of stock right now.", white.text


def test_pour_over_is_one_word(bot: ShoppingAssistant) -> None:
    assert bot.chat("pour-over kettle", session_id="po").intent.query == "pour-over kettle"


def test_another_kind_in_a_colour_is_a_search_not_a_question(bot: ShoppingAssistant) -> None:
    bot.chat("tell me about the Fellow Stagg Kettle", session_id="m")
    assert bot.chat("do you have any black cups?", session_id="m").intent.kind == "search"


def test_shop_wide_brands_stay_shop_wide(bot: ShoppingAssistant) -> None:
    bot.chat("tell me about the Fellow Stagg Kettle", session_id="br")
    assert bot.chat("which brands do you carry?", session_id="br").text == "Our brands: Bodum, Fellow, KeepCup."


def test_product_api_lists_each_size_and_colour_with_its_own_price_and_stock(bot: ShoppingAssistant) -> None:
    """GET /api/v1/products/{id} gave the product's price only: a shop page offered the copper kettle at 195.00."""
    from fastapi.testclient import TestClient

    from ui.server import create_app

    client = TestClient(create_app(bot, admin_api_key="k" * 32, rate_limit=None, ui=False))
    kettle = bot.repo.get_by_sku("KT-100")
    assert kettle is not None
    body = client.get(f"/api/v1/products/{kettle.id}").json()
    assert body["price"] == 195.0
    assert [(v["sku"], v["color"], v["price"], v["stock_qty"], v["in_stock"]) for v in body["variants"]] == [
        ("KT-100-MB", "Matte Black", 195.0, 10, True),
        ("KT-100-MW", "Matte White", 195.0, 0, False),
        ("KT-100-CPR", "Copper", 215.0, 10, True),
    ]
    press = bot.repo.get_by_sku("BR-300")
    assert press is not None
    sizes = {v["size"]: v["price"] for v in client.get(f"/api/v1/products/{press.id}").json()["variants"]}
    assert sizes == {"3 cup": 32.0, "8 cup": 29.99, "12 cup": 29.99}


def test_the_cart_never_holds_more_than_the_shop_has(bot: ShoppingAssistant) -> None:
    """'add 10' of a product with 4 left put 10 in the cart; 'make that 4' of the 1 left did the same; the button too."""
    import uuid

    from fastapi.testclient import TestClient

    from ui.server import create_app

    sid = uuid.uuid4().hex  # an id of the server's form: the HTTP API below goes on with this conversation
    bot.chat("show me the Fellow Stagg Kettle", session_id=sid)
    reply = bot.chat("add 15 of them in Matte Black to my cart", session_id=sid)  # 10 Matte Black in stock
    assert _lines(reply) == [("Fellow Stagg Kettle", None, "Matte Black", 195.0, 10)], reply.text
    assert "(all 10 we have in stock)" in reply.text
    assert _lines(bot.chat("make that 3", session_id=sid))[0][-1] == 3
    more = bot.chat("make that 12", session_id=sid)
    assert _lines(more)[0][-1] == 10 and "all we have in stock" in more.text, more.text
    client = TestClient(create_app(bot, admin_api_key="k" * 32, rate_limit=None, ui=False))
    kettle = bot.repo.get_by_sku("KT-100")
    assert kettle is not None
    body = {"session_id": sid, "product_id": kettle.id, "event": "add_to_cart", "color": "Matte Black"}
    r = client.post("/api/v1/feedback", json=body)
    assert r.status_code == 409 and "only 10 in stock" in r.json()["error"], r.text
    assert _lines(bot.chat("what's in my cart?", session_id=sid))[0][-1] == 10


def test_a_search_in_the_shops_own_colour(bot: ShoppingAssistant) -> None:
    """'kettles in matte black' said 'None in Black' (the shop's Matte Black read as Black, which it has none of)."""
    reply = bot.chat("kettles in matte black", session_id="mb")
    assert reply.intent.colors == ["Matte Black"] and [c.name for c in reply.products] == ["Fellow Stagg Kettle"], reply.text
    assert "None in" not in reply.text
