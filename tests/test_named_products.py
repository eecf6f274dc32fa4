"""Questions about a product named by a word of its name, "similar to" a named or liked product, and "what goes with the …",
as a new user's tester typed them: "is the lantern in stock?" listed headlamps; "Silk Scarf" (taken off sale, the shop's
only scarf) said "Nothing in Scarves matches"; "something similar to the Adrienne Trek Jacket" listed that jacket first;
"what goes with the watch?" searched watches; "more like the one I liked" searched those words."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _cart, _shop


def _names(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name for p in reply.products]


def _camping(scarf: bool = True, mug: bool = True) -> list[Any]:
    """The tester's own shop, in short: a sold-out lantern among in-stock headlamps that mention lanterns, one tent,
    one mug, one scarf (its only scarf), two jackets."""
    from catalog.records import ProductRecord as P

    products = [
        P(sku="LAMP-1", name="Glow Camp Lantern", price=Decimal("29.50"), categories=["Outdoor/Camping/Lighting"], stock_qty=0,
          in_stock=False, description="USB rechargeable lantern."),
        P(sku="HL-1", name="Coastal Headlamp", price=Decimal("84.81"), categories=["Outdoor/Camping/Lighting"], stock_qty=9,
          description="A headlamp brighter than a lantern, for camp and trail."),
        P(sku="HL-2", name="Summit Headlamp", price=Decimal("36.63"), categories=["Outdoor/Camping/Lighting"], stock_qty=9,
          description="Light headlamp; the lantern of the night hiker."),
        P(sku="TENT-2", name="Ridge 2-Person Tent", price=Decimal("149.99"), categories=["Outdoor/Camping/Tents"], stock_qty=4,
          description="Two-person backpacking tent, 1.9 kg."),
        P(sku="MUG-7", name="Camp Mug, enamel", price=Decimal("12.50"), categories=["Home/Kitchen"], stock_qty=40,
          description="Enamel camp mug for coffee by the fire."),
        P(sku="BOOT-3", name="Wanderer Hiking Boot", price=Decimal("120.00"), categories=["Men/Shoes/Boots"], gender="men", stock_qty=3,
          description="Waterproof leather hiking boot."),
        P(sku="JK-1", name="Harbor Rain Jacket", price=Decimal("99.00"), categories=["Men/Tops/Jackets"], gender="men", stock_qty=5,
          description="Waterproof shell."),
        P(sku="JK-2", name="Alpine Down Jacket", price=Decimal("189.00"), categories=["Men/Tops/Jackets"], gender="men", stock_qty=5,
          description="Warm down jacket."),
    ]
    if not mug:
        products = [p for p in products if p.sku != "MUG-7"]
    if scarf:
        products.append(P(sku="SCARF-9", name="Silk Scarf", price=Decimal("45.00"), categories=["Women/Accessories/Scarves"],
                          gender="women", stock_qty=0, in_stock=False, description="A light silk scarf."))
    return products


def _gear_with_links(tmp_path: Path) -> ShoppingAssistant:
    """Women's jackets, two watches and some gear, with the shop's own cross-sells and related products."""
    from catalog.db import open_catalog
    from catalog.records import CatalogData, LinkRecord
    from catalog.records import ProductRecord as P
    from catalog.writer import sync_catalog

    def jacket(sku: str, name: str, price: str) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=["Collections/Erin Recommends", "Women/Tops/Jackets"],
                 gender="women", stock_qty=5, description=f"{name}: a women's jacket for trails and town.")

    products = [
        jacket("WJ08", "Adrienne Trek Jacket", "57.00"), jacket("WJ04", "Ingrid Running Jacket", "84.00"),
        jacket("WJ07", "Riona Full Zip Jacket", "60.00"), jacket("WJ12", "Jade Yoga Jacket", "32.00"),
        P(sku="MJ01", name="Beaumont Summit Kit", price=Decimal("42.00"), categories=["Men/Tops/Jackets"], gender="men", stock_qty=5),
        P(sku="24-MG05", name="Luma Analog Watch", price=Decimal("43.00"), categories=["Gear/Watches"], stock_qty=100,
          description="Analog watch with a leather strap."),
        P(sku="24-MG04", name="Dash Digital Watch", price=Decimal("92.00"), categories=["Gear/Watches"], stock_qty=100,
          description="Digital sport watch."),
        P(sku="24-UG04", name="Zing Jump Rope", price=Decimal("12.00"), categories=["Gear/Fitness Equipment"], stock_qty=50),
        P(sku="24-UG02", name="Pursuit Lumaflex Tone Band", price=Decimal("16.00"), categories=["Gear/Fitness Equipment"], stock_qty=50),
        P(sku="24-MB01", name="Joust Duffle Bag", price=Decimal("34.00"), categories=["Gear/Bags"], stock_qty=20),
        P(sku="WP01", name="Diana Tights", price=Decimal("59.00"), categories=["Women/Bottoms/Pants"], gender="women", stock_qty=8),
    ]
    links = [LinkRecord("WJ08", "24-UG04", "crosssell", 1), LinkRecord("WJ08", "24-UG02", "crosssell", 2),
             LinkRecord("WJ08", "WP01", "related", 1),
             LinkRecord("24-MG05", "24-MB01", "crosssell", 1), LinkRecord("24-MG05", "24-UG04", "related", 1),
             LinkRecord("24-MG04", "WP01", "crosssell", 1)]
    url = f"sqlite:///{tmp_path / 'gear.db'}"
    with open_catalog(url).session() as s:
        sync_catalog(s, CatalogData(products=products, links=links), progress=False)
    return ShoppingAssistant.from_config(url, llm="rules", search="catalog")


@pytest.fixture
def gear(tmp_path: Path) -> ShoppingAssistant:
    return _gear_with_links(tmp_path)


# ----- 1. a question about the shop's only product of that name ----------------------------------------------------
@pytest.mark.parametrize("before", [[], ["a tent", "add it", "hiking boots"]])
def test_is_the_lantern_in_stock_answers_about_the_only_lantern(tmp_path: Path, before: list[str]) -> None:
    """'is the lantern in stock?' listed headlamps (and a boot, a tee, a tent, a mug later in a session) and never said
    the lantern is out of stock; 'lantern' alone said so."""
    bot = _shop(tmp_path, _camping())
    for text in before:
        bot.chat(text, session_id="l")
    reply = bot.chat("is the lantern in stock?", session_id="l")
    assert reply.intent.kind == "question" and _names(reply) == ["Glow Camp Lantern"], reply.text
    assert reply.text.startswith("Glow Camp Lantern costs $29.50 and is out of stock right now"), reply.text
    # "it" is the lantern now
    again = bot.chat("when will it be back?", session_id="l")
    assert _names(again) == ["Glow Camp Lantern"], again.text


def test_a_word_several_products_share_is_still_a_search(tmp_path: Path) -> None:
    """'is the jacket waterproof?' with two jackets names neither: not a question about one of them."""
    bot = _shop(tmp_path, _camping())
    reply = bot.chat("is the jacket waterproof?", session_id="j")
    assert reply.intent.kind != "question" or len(reply.products) != 1, reply.text
    tent = bot.chat("how much is the tent?", session_id="t")  # the only tent: its price
    assert tent.intent.kind == "question" and _names(tent) == ["Ridge 2-Person Tent"] and "$149.99" in tent.text, tent.text


# ----- 2. a product taken off sale that was its category's only one -------------------------------------------------
def test_the_only_scarf_taken_off_sale_is_said_no_longer_available(tmp_path: Path) -> None:
    """After a --hide-missing re-import without the Silk Scarf (the shop's only scarf), "Silk Scarf" said "Nothing in
    Scarves matches; here are products from other categories." (the hidden Camp Mug said "no longer available")."""
    from catalog.db import open_catalog
    from catalog.records import CatalogData
    from catalog.writer import sync_catalog

    bot = _shop(tmp_path, _camping())
    with open_catalog(f"sqlite:///{tmp_path / 'shop.db'}").session() as s:
        sync_catalog(s, CatalogData(products=_camping(scarf=False, mug=False)), progress=False, hide_missing=True)
    for n, text in enumerate(("Silk Scarf", "silk scarf", "do you have the silk scarf?")):
        reply = bot.chat(text, session_id=f"s{n}")
        assert reply.text.startswith("Silk Scarf is no longer available; here is what comes closest."), (text, reply.text)
        assert "Nothing in Scarves" not in reply.text and "Silk Scarf" not in _names(reply), reply.text
    spanish = bot.chat("¿tienen la bufanda Silk Scarf?", session_id="es")
    assert spanish.text.startswith("Silk Scarf ya no está disponible"), spanish.text
    # a question naming one by a word of its name: said gone too (it searched "mug stock": "Nothing ... matches")
    for n, text in enumerate(("is the mug in stock?", "how much is the scarf?")):
        gone = bot.chat(text, session_id=f"q{n}")
        assert gone.text.startswith(("Camp Mug, enamel is no longer available", "Silk Scarf is no longer available")), gone.text
        assert "Nothing in our catalog" not in gone.text, gone.text
    assert "no longer" not in bot.chat("is the tent in stock?", session_id="q9").text  # one still sold


# ----- 3. similar to a named product, never itself -------------------------------------------------------------------
@pytest.mark.parametrize("text", ["something similar to the Adrienne Trek Jacket", "anything like the Adrienne Trek Jacket?",
                                  "show me more like the Adrienne Trek Jacket", "similar to the Adrienne jacket"])
def test_similar_to_a_named_product_leaves_it_out(gear: ShoppingAssistant, text: str) -> None:
    reply = gear.chat(text, session_id="s")
    names = _names(reply)
    assert reply.intent.kind == "search" and "Adrienne Trek Jacket" not in names and len(names) >= 2, reply.text
    assert all("Jacket" in n for n in names) and "Beaumont Summit Kit" not in names, reply.text  # the women's jackets
    assert reply.intent.category == "Women/Tops/Jackets", reply.intent


def test_similar_to_a_named_product_keeps_the_budget_said(gear: ShoppingAssistant) -> None:
    reply = gear.chat("something similar to the Adrienne Trek Jacket under 70", session_id="b")
    names = _names(reply)
    assert names and "Adrienne Trek Jacket" not in names and all(p.price <= Decimal("70") for p in reply.products), reply.text
    assert "Ingrid Running Jacket" not in names, reply.text


# ----- 4. what goes with the named / shown / carted product ----------------------------------------------------------
def test_what_goes_with_the_watch_in_the_cart(gear: ShoppingAssistant) -> None:
    """'watches', 'add the first one', 'what goes with the watch?' searched watches again."""
    first = _names(gear.chat("watches", session_id="w"))[0]
    assert _cart(gear.chat("add the first one", session_id="w")) == [(first, 1)]
    gear.chat("watches", session_id="w")  # both watches on screen again: the one in the cart is meant
    for text in ("what goes with the watch?", "what matches the watch?", "what can I wear with the watch?"):
        reply = gear.chat(text, session_id="w")
        assert reply.intent.kind == "question", (text, reply.text)
        assert reply.text.startswith(f"What the shop suggests with {first}:"), (text, reply.text)
        expected = ["Joust Duffle Bag", "Zing Jump Rope"] if first == "Luma Analog Watch" else ["Diana Tights"]
        assert _names(reply) == expected, (text, reply.text)
        gear.chat("watches", session_id="w")


def test_what_goes_with_a_product_named_in_full_or_by_its_own_word(gear: ShoppingAssistant) -> None:
    reply = gear.chat("what can I wear with the Adrienne Trek Jacket?", session_id="n")
    assert reply.text.startswith("What the shop suggests with Adrienne Trek Jacket:"), reply.text
    assert _names(reply) == ["Zing Jump Rope", "Pursuit Lumaflex Tone Band", "Diana Tights"], reply.text
    luma = gear.chat("what matches the Luma watch?", session_id="m")  # the catalog's only "Luma" watch
    assert luma.text.startswith("What the shop suggests with Luma Analog Watch:"), luma.text
    # two watches on screen, none in the cart: which one is asked, never a watch search
    gear.chat("watches", session_id="q")
    which = gear.chat("what goes with the watch?", session_id="q")
    assert which.intent.kind == "question" and which.text.startswith("Which of these do you mean?"), which.text


# ----- 5. more like what was liked -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["more like the one I liked", "similar to what I liked", "show me more like the ones I liked",
                                  "algo parecido a lo que me gustó", "给我看和我喜欢的类似的商品"])
def test_more_like_the_one_i_liked(gear: ShoppingAssistant, text: str) -> None:
    jackets = gear.chat("women's jackets", session_id="k")
    adrienne = next(p for p in jackets.products if p.name == "Adrienne Trek Jacket")
    assert gear.feedback("like", adrienne.id, session_id="k")
    gear.chat("watches", session_id="k")  # another list in between
    reply = gear.chat(text, session_id="k")
    names = _names(reply)
    assert reply.intent.kind == "search" and names and "Adrienne Trek Jacket" not in names, reply.text
    assert all("Jacket" in n for n in names) and "Beaumont Summit Kit" not in names, reply.text


def test_more_like_the_ones_i_liked_of_two_kinds(gear: ShoppingAssistant) -> None:
    shown = {p.name: p.id for p in gear.chat("women's jackets", session_id="t").products}
    gear.feedback("like", shown["Adrienne Trek Jacket"], session_id="t")
    watches = {p.name: p.id for p in gear.chat("watches", session_id="t").products}
    gear.feedback("like", watches["Luma Analog Watch"], session_id="t")
    reply = gear.chat("more like the ones I liked", session_id="t")
    names = _names(reply)
    assert names and not {"Adrienne Trek Jacket", "Luma Analog Watch"} & set(names), reply.text
    assert any("Jacket" in n for n in names) and "Dash Digital Watch" in names, reply.text


@pytest.mark.parametrize(("text", "start"), [
    ("more like the one I liked", "You haven't liked anything yet"),
    ("similar to what I liked", "You haven't liked anything yet"),
    ("algo parecido a lo que me gustó", "Todavía no te ha gustado nada en esta conversación, así que"),
    ("给我看和我喜欢的类似的商品", "您在本次对话中还没有喜欢任何商品")])
def test_more_like_what_i_liked_with_nothing_liked_says_so(gear: ShoppingAssistant, text: str, start: str) -> None:
    gear.chat("women's jackets", session_id="z")
    reply = gear.chat(text, session_id="z")
    assert reply.text.startswith(start) and not reply.products, reply.text
    assert gear.chat("which ones did I like?", session_id="z").text == "You haven't liked anything in this conversation yet."
