"""A new user's references into the list and the shop that went wrong on the Magento demo: "the purple one" searched
purple jackets, "top rated" after men's shorts listed women's tops, "the second one" with one product shown and "and
the 6 foot one?" asked or listed nothing useful, "a tent" got a tank top as the closest alternative, "more expensive
than the Savvy Shoulder Tote" listed the tote itself with no floor."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _cart, _service_shop, _shop


def _coloured_jackets() -> list[Any]:
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    def p(sku: str, name: str, price: str, colours: list[str]) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=["Women/Tops/Jackets"], gender="women",
                 attributes={"color": colours}, variants=[V(sku=f"{sku}-{c}", color=c, size="M", stock_qty=3) for c in colours])

    return [p("A1", "Adrienne Trek Jacket", "57.00", ["Gray", "Orange", "Purple"]),
            p("J1", "Jade Yoga Jacket", "32.00", ["Blue", "Green"]),
            p("S1", "Stellar Solar Jacket", "75.00", ["Blue", "Red", "Yellow"]),
            p("R1", "Riona Full Zip Jacket", "60.00", ["Brown", "Red"]),
            p("I1", "Ingrid Running Jacket", "84.00", ["Black", "White"])]


def test_the_colour_one_picks_from_the_list_on_screen(tmp_path: Path) -> None:
    """'the purple one' (only the Adrienne of the list comes in purple) searched purple jackets, and 'add it to my
    cart' then asked 'which of these?' with nothing listed."""
    bot = _shop(tmp_path, _coloured_jackets())
    for session, text, picked in (("p", "the purple one", "Adrienne Trek Jacket"), ("y", "I like the yellow one", "Stellar Solar Jacket"),
                                  ("b", "show me the brown one", "Riona Full Zip Jacket")):
        assert len(bot.chat("women's jackets", session_id=session).products) == 5
        reply = bot.chat(text, session_id=session)
        assert reply.intent.kind == "question" and [p.name for p in reply.products] == [picked], reply.text
        assert reply.text.startswith(picked), reply.text
    added = bot.chat("add it to my cart", session_id="p")
    assert _cart(added) == [("Adrienne Trek Jacket", 1)], added.text
    # several on screen in that colour: those, to choose from; "the second one" then counts among them
    bot.chat("women's jackets", session_id="two")
    blue = bot.chat("the blue one", session_id="two")
    assert blue.text.startswith("Which of these do you mean?"), blue.text
    assert sorted(p.name for p in blue.products) == ["Jade Yoga Jacket", "Stellar Solar Jacket"], blue.text
    assert all(p.name in blue.text for p in blue.products)
    second = bot.chat("the second one", session_id="two")
    assert [p.name for p in second.products] == [blue.products[1].name], second.text
    # none on screen in that colour: a search for it, as before; "the purple ones" is a filter, as before
    bot.chat("women's jackets", session_id="f")
    assert bot.chat("the pink one", session_id="f").intent.kind in ("search", "refine")
    bot.chat("women's jackets", session_id="g")
    assert bot.chat("the purple ones", session_id="g").intent.kind in ("search", "refine")


def test_top_rated_keeps_the_need(tmp_path: Path) -> None:
    """'top rated' after men's shorts listed women's tops ('top' read as the kind Tops, a new search)."""
    from catalog.db import open_catalog
    from catalog.records import CatalogData, ReviewRecord
    from catalog.records import ProductRecord as P
    from catalog.writer import sync_catalog

    products = [
        P(sku="S1", name="Lono Yoga Short", price=Decimal("32.00"), categories=["Men/Bottoms/Shorts"], gender="men", stock_qty=5),
        P(sku="S2", name="Rapha Sports Short", price=Decimal("35.00"), categories=["Men/Bottoms/Shorts"], gender="men", stock_qty=5),
        P(sku="S3", name="Arcadio Gym Short", price=Decimal("20.00"), categories=["Men/Bottoms/Shorts"], gender="men", stock_qty=5),
        P(sku="T1", name="Electra Bra Top", price=Decimal("39.00"), categories=["Women/Tops/Bras & Tanks"], gender="women", stock_qty=5),
        P(sku="T2", name="Iris Workout Top", price=Decimal("29.00"), categories=["Women/Tops/Bras & Tanks"], gender="women", stock_qty=5),
        P(sku="E1", name="Helios EverCool Tee", price=Decimal("24.00"), categories=["Men/Tops/Tees"], gender="men", stock_qty=5),
    ]
    reviews = [ReviewRecord(sku="S1", rating=3), ReviewRecord(sku="S2", rating=5), ReviewRecord(sku="S2", rating=4),
               ReviewRecord(sku="T1", rating=5), ReviewRecord(sku="T2", rating=4)]
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with open_catalog(url).session() as s:
        sync_catalog(s, CatalogData(products=products, reviews=reviews), progress=False)
    bot = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    bot.chat("men's shorts", session_id="r")
    reply = bot.chat("top rated", session_id="r")
    names = [p.name for p in reply.products]
    assert reply.intent.sort == "rating" and names and all(n.endswith("Short") for n in names), reply.text
    assert names[0] == "Rapha Sports Short", reply.text


def _boots() -> list[Any]:
    from catalog.records import ProductRecord as P

    return [P(sku="B1", name="Wanderer Hiking Boots", price=Decimal("109.99"), categories=["Footwear"], stock_qty=5),
            P(sku="T1", name="Nomad Tent", price=Decimal("229.00"), categories=["Trekking"], stock_qty=5)]


def test_a_position_past_the_list_says_what_is_shown(tmp_path: Path) -> None:
    """'the second one' with one product on screen answered 'Which of these do you mean?' with nothing listed."""
    bot = _shop(tmp_path, _boots())
    shown = bot.chat("hiking boots", session_id="b")
    assert [p.name for p in shown.products] == ["Wanderer Hiking Boots"], shown.text
    reply = bot.chat("the second one", session_id="b")
    assert reply.text.startswith("Only one product is shown: Wanderer Hiking Boots ($109.99)."), reply.text
    assert [p.name for p in reply.products] == ["Wanderer Hiking Boots"] and "Which of these" not in reply.text
    add = bot.chat("add the third one", session_id="b")
    assert add.text.startswith("Only one product is shown") and _cart(add) == [], add.text
    assert _cart(bot.chat("add it to my cart", session_id="b")) == [("Wanderer Hiking Boots", 1)]


def test_and_the_other_size_one_is_that_product(tmp_path: Path) -> None:
    """'how much is the Sprite Yoga Strap 10 foot?', then 'and the 6 foot one?' listed five gear items for '6 foot one'."""
    from catalog.records import ProductRecord as P

    def strap(sku: str, feet: int, price: str) -> Any:
        return P(sku=sku, name=f"Sprite Yoga Strap {feet} foot", price=Decimal(price), categories=["Gear/Fitness Equipment"],
                 attributes={"size": [f"{feet} foot"]}, stock_qty=100)

    bot = _shop(tmp_path, [*_service_shop(), strap("Y6", 6, "14.00"), strap("Y8", 8, "17.00"), strap("Y10", 10, "21.00")])
    first = bot.chat("how much is the Sprite Yoga Strap 10 foot?", session_id="y")
    assert "$21.00" in first.text, first.text
    reply = bot.chat("and the 6 foot one?", session_id="y")
    assert reply.intent.kind == "question" and [p.name for p in reply.products] == ["Sprite Yoga Strap 6 foot"], reply.text
    assert reply.text.startswith("Sprite Yoga Strap 6 foot costs $14.00"), reply.text
    assert _cart(bot.chat("add it to my cart", session_id="y")) == [("Sprite Yoga Strap 6 foot", 1)]


def test_a_kind_the_shop_lacks_gets_no_unrelated_alternatives(tmp_path: Path) -> None:
    """'I want a tent' offered tank tops and a hoodie as the closest alternatives; 'do you sell shoes?' push-up grips."""
    bot = _shop(tmp_path, _service_shop())
    for text, what in (("I want a tent", "tent"), ("do you sell shoes?", "shoes")):
        reply = bot.chat(text, session_id=what)
        assert reply.text.startswith(f'We do not carry "{what}". We carry '), reply.text
        assert reply.products == [] and "Closest alternatives" not in reply.text, reply.text
    # alternatives that share a word with the request stay
    running = bot.chat("running shoes", session_id="r")
    assert running.text.startswith('We do not carry "shoes".'), running.text
    assert sorted(p.name for p in running.products) == ["Apollo Running Short", "Ingrid Running Jacket"], running.text


def _bags() -> list[Any]:
    from catalog.records import ProductRecord as P

    def bag(sku: str, name: str, price: str) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=["Gear/Bags"], stock_qty=5)

    return [bag("B1", "Savvy Shoulder Tote", "24.00"), bag("B2", "Compete Track Tote", "32.00"),
            bag("B3", "Wayfarer Messenger Bag", "45.00"), bag("B4", "Impulse Duffle", "74.00"),
            bag("B5", "Tiny Pouch", "12.00"), bag("B6", "Strive Shoulder Pack", "24.00")]


def test_more_expensive_than_a_product_is_above_its_price(tmp_path: Path) -> None:
    """'something more expensive than the Savvy Shoulder Tote' listed the tote itself first, and bags below it."""
    bot = _shop(tmp_path, _bags())
    reply = bot.chat("something more expensive than the Savvy Shoulder Tote", session_id="d")
    names = [p.name for p in reply.products]
    assert set(names) == {"Compete Track Tote", "Wayfarer Messenger Bag", "Impulse Duffle"}, reply.text
    assert all(p.price > Decimal("24.00") for p in reply.products)
    top = bot.chat("anything pricier than the Impulse Duffle?", session_id="t")
    assert top.text.startswith("Impulse Duffle at $74.00 is already the most expensive"), top.text
    cheaper = bot.chat("something cheaper than the Savvy Shoulder Tote", session_id="c")  # (as before)
    assert [p.name for p in cheaper.products] == ["Tiny Pouch"], cheaper.text
