"""The reviewer's conversations that regressed with the relax phrases and the "no such wish" note: '红色蓝色都行' lost
the colours said; 'eso no importa, enséñame relojes' showed the backpacks again; 'running shorts for a race' said "We
have no running shorts"; 'doesn't have to be between 40 and 60' said it dropped "between 40"; '颜色无所谓' headed the
list "为您找到5件jackets"; 'I don't care about the colour' and 'skip the size filter' were spelling-corrected into junk
searches ("core", "slip")."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from tests.test_follow_ups import _shop


def _p(sku: str, name: str, price: str, category: str, colours: tuple[str, ...], sizes: tuple[str, ...] = ("S", "M", "L"),
       description: str = "", **attributes: list[str]) -> Any:
    from catalog.records import ProductRecord, VariantRecord

    return ProductRecord(sku=sku, name=name, price=Decimal(price), categories=[category], description=description or f"The {name}.",
                         attributes={"color": list(colours), **attributes},
                         variants=[VariantRecord(sku=f"{sku}-{s}-{c}", color=c, size=s, stock_qty=6) for c in colours for s in sizes])


def _store() -> list[Any]:
    """A small Magento-like shop: jackets, hoodies, shorts, tees, bags and watches, with materials and activities."""
    return [
        _p("J1", "Stellar Solar Jacket", "75.00", "Jackets", ("Red", "Blue"), description="A waterproof shell for rainy runs.",
           material=["Nylon"], climate=["Rainy"]),
        _p("J2", "Riona Full Zip Jacket", "60.00", "Jackets", ("Red", "Black"), description="A soft full zip jacket.",
           material=["Polyester"]),
        _p("J3", "Kenobi Trail Jacket", "47.00", "Jackets", ("Black", "White"), description="A light jacket for the trail.",
           material=["Fleece"]),
        _p("J4", "Jade Yoga Jacket", "32.00", "Jackets", ("Blue",), description="A stretchy jacket for the studio.",
           material=["Cotton"]),
        _p("H1", "Hero Hoodie", "54.00", "Hoodies & Sweatshirts", ("Red", "Blue", "Black"), ("M", "L", "XL")),
        _p("H2", "Chaz Kangeroo Hoodie", "52.00", "Hoodies & Sweatshirts", ("Red", "Gray"), ("S", "M", "L")),
        _p("H3", "Teton Pullover Hoodie", "170.00", "Hoodies & Sweatshirts", ("Blue", "Black"), ("M", "L")),
        _p("S1", "Ana Running Short", "40.00", "Shorts", ("Black",), description="A light short for long runs.", material=["Polyester"]),
        _p("S2", "Apollo Running Short", "32.50", "Shorts", ("Blue",), description="A short with a liner.", material=["Polyester"]),
        _p("S3", "Lono Yoga Short", "32.00", "Shorts", ("Gray",), description="A soft short for yoga.", material=["Cotton"]),
        _p("T1", "Strike Endurance Tee", "39.00", "Tees", ("White",), description="A crew neck tee.", material=["Cotton"]),
        _p("T2", "Race Day Tee", "29.00", "Tees", ("Blue",), description="A tee to run a race in.", material=["Polyester"]),
        _p("B1", "Driven Backpack", "36.00", "Gear/Bags", ("Black",), ("One Size",), description="A backpack for day trips.",
           material=["Nylon"], features_bags=["Waterproof"], activity=["Hiking", "Urban"]),
        _p("B2", "Crown Summit Backpack", "38.00", "Gear/Bags", ("Blue",), ("One Size",), description="A roomy pack.",
           material=["Polyester"], activity=["Hiking"]),
        _p("B3", "Compete Track Tote", "32.00", "Gear/Bags", ("Brown",), ("One Size",), description="A tote for the gym.",
           material=["Leather"], activity=["Gym"]),
        _p("W1", "Dash Digital Watch", "92.00", "Gear/Watches", ("Black",), ("One Size",), description="A digital watch with a race timer.",
           material=["Rubber"], activity=["Sports"]),
        _p("W2", "Luma Analog Watch", "43.00", "Gear/Watches", ("Brown",), ("One Size",), description="An analog watch.",
           material=["Leather"], activity=["Recreation"]),
        # words the spelling check could turn "care" and "skip" into
        _p("G1", "Core Strength Ball", "23.00", "Gear/Fitness Equipment", ("Blue",), ("One Size",), description="A core ball."),
        _p("G2", "Core Balance Board", "29.00", "Gear/Fitness Equipment", ("Black",), ("One Size",), description="A board."),
        _p("G3", "Non-Slip Yoga Mat", "25.00", "Gear/Fitness Equipment", ("Gray",), ("One Size",), description="A mat that does not slip."),
        _p("G4", "Slip Grip Towel", "12.00", "Gear/Fitness Equipment", ("White",), ("One Size",), description="A towel."),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> ShoppingAssistant:
    return _shop(tmp_path, _store())


@pytest.fixture
def spelled(tmp_path: Path) -> ShoppingAssistant:
    """The shop with the hybrid search's spelling check and unknown-word check (its corrector over the product
    texts), which the catalog search alone lacks."""
    from retrieval.spelling import QueryCorrector, word_corrections

    bot = _shop(tmp_path, _store())
    corrector = QueryCorrector([f"{p.name} {p.description}" for p in _store()], min_df=2)

    def spelling_fixes(text: str) -> list[tuple[str, str]]:
        searched = corrector.correct(text)
        return word_corrections(text, searched) if searched != text.lower() else []

    bot.searcher.spelling_fixes = spelling_fixes  # type: ignore[attr-defined]
    bot.searcher.unknown_words = corrector.unknown  # type: ignore[attr-defined]
    assert spelling_fixes("skip the care") == [("skip", "slip"), ("care", "core")]  # (what the shopper's words became)
    return bot


def _names(reply: Any) -> list[str]:
    return [p.name for p in reply.products]


# ----- 2. "都行 / 都可以" after values is "either is fine": those values, nothing relaxed


@pytest.mark.parametrize(("first", "then", "field", "expected"), [
    ("给我看看夹克", "红色蓝色都行", "colors", ["Red", "Blue"]),
    ("给我看看夹克", "黑色白色都可以", "colors", ["Black", "White"]),
    ("给我看看卫衣", "红色或者蓝色都可以", "colors", ["Red", "Blue"]),
    ("给我看看卫衣", "M码L码都行", "sizes", ["M", "L"]),
    ("给我看看卫衣", "100元以下都行", "max_price", 100),
])
def test_either_is_fine_in_chinese_keeps_what_was_said(shop: ShoppingAssistant, first: str, then: str, field: str,
                                                       expected: Any) -> None:
    shop.chat(first, session_id="z")
    reply = shop.chat(then, session_id="z")
    value = getattr(reply.intent, field)
    assert (sorted(value) == sorted(expected) if isinstance(expected, list) else value == expected), (reply.intent, reply.text)
    assert "去掉" not in reply.text, reply.text
    assert reply.products and all(("Jacket" if first.endswith("夹克") else "Hoodie") in n for n in _names(reply)), reply.text


def test_any_colour_is_fine_in_chinese_still_drops_the_colour(shop: ShoppingAssistant) -> None:
    shop.chat("红色夹克", session_id="c")
    reply = shop.chat("什么颜色都行", session_id="c")
    assert reply.intent.colors == [] and reply.text.startswith("已从搜索条件中去掉“颜色”。"), reply.text
    assert {"Kenobi Trail Jacket", "Jade Yoga Jacket"} <= set(_names(reply)), reply.text


# ----- 3. "eso no importa, enséñame relojes": the watches asked for next


def test_that_does_not_matter_then_another_kind_in_spanish_shows_that_kind(shop: ShoppingAssistant) -> None:
    shop.chat("mochilas impermeables", session_id="w")
    reply = shop.chat("eso no importa, enséñame relojes", session_id="w")
    assert sorted(_names(reply)) == ["Dash Digital Watch", "Luma Analog Watch"], reply.text
    assert reply.text.startswith("Aquí tienes"), reply.text
    english = shop.chat("that doesn't matter, show me watches", session_id="w2")  # (as it was in English)
    assert sorted(_names(english)) == ["Dash Digital Watch", "Luma Analog Watch"], english.text


# ----- 4. "We have no …" only for a material no product of the kind has


@pytest.mark.parametrize(("ask", "kind"), [
    ("running shorts for a race", "Short"), ("running watch", "Watch"), ("a running watch for my wife", "Watch"),
    ("hiking jacket", "Jacket"), ("hiking shorts", "Short"), ("hiking tee", "Tee"), ("running bag", "Backpack"),
    ("running backpack", "Backpack"), ("waterproof watch", "Watch"),
])
def test_a_usage_word_is_no_claim_that_the_kind_lacks_it(shop: ShoppingAssistant, ask: str, kind: str) -> None:
    reply = shop.chat(ask, session_id="u")
    assert not re.search(r"We have no [a-z ]*(?:short|watch|jacket|tee|bag|backpack)", reply.text), reply.text
    assert reply.products and any(kind in n for n in _names(reply)), reply.text


def test_a_material_no_product_of_the_kind_has_names_the_material(shop: ShoppingAssistant) -> None:
    reply = shop.chat("leather jacket", session_id="l")
    assert reply.text.startswith("We have no leather jackets; here are the jackets we have (material: "), reply.text
    assert all("Jacket" in n for n in _names(reply)), reply.text
    black = shop.chat("a black leather jacket", session_id="l2")  # only the material is named as missing
    assert black.text.startswith("We have no leather jackets;"), black.text
    assert not shop.chat("leather watch", session_id="l3").text.startswith("We have no"), "a leather watch is sold"


# ----- 10. a range relaxed is said whole


def test_a_price_range_relaxed_is_said_whole(shop: ShoppingAssistant) -> None:
    shop.chat("jackets between 40 and 60", session_id="r")
    reply = shop.chat("doesn't have to be between 40 and 60", session_id="r")
    assert reply.text.startswith('I have dropped "between 40 and 60" from your search.'), reply.text
    assert reply.intent.min_price is None and reply.intent.max_price is None, reply.intent
    assert {"Stellar Solar Jacket", "Jade Yoga Jacket"} <= set(_names(reply)), reply.text


# ----- 11. the colour dropped in Chinese keeps the kind's Chinese word


@pytest.mark.parametrize("relax", ["颜色无所谓，但是要防水", "颜色无所谓"])
def test_the_colour_dropped_in_chinese_keeps_the_chinese_header(shop: ShoppingAssistant, relax: str) -> None:
    shop.chat("红色夹克", session_id="h")
    reply = shop.chat(relax, session_id="h")
    assert reply.intent.colors == [] and "夹克" in reply.intent.query, reply.intent
    header = reply.text.splitlines()[1]
    assert header.startswith("为您找到") and "夹克" in header and "jackets" not in reply.text.lower(), reply.text
    assert reply.products and all("Jacket" in n for n in _names(reply)), reply.text


# ----- 12. relax phrases are read before spelling correction


@pytest.mark.parametrize(("relax", "line", "field", "value"), [
    ("I don't care about the colour", 'I have dropped "colour" from your search.', "colors", []),
    ("I don't really care about brand", None, "colors", ["Red"]),
    ("skip the size filter", None, "sizes", []),
])
def test_relax_phrases_are_not_spelling_corrected(spelled: ShoppingAssistant, relax: str, line: str | None, field: str,
                                                  value: list[str]) -> None:
    spelled.chat("red jackets in size M", session_id="s")
    reply = spelled.chat(relax, session_id="s")
    assert "core" not in reply.text.lower() and "slip" not in reply.text.lower(), reply.text
    assert "Nothing in our catalog mentions" not in reply.text, reply.text  # (their own words are no name asked for)
    assert reply.intent.kind == "refine" and reply.intent.category == "Jackets", reply.intent
    assert getattr(reply.intent, field) == value, reply.intent
    if line is not None:
        assert reply.text.startswith(line), reply.text
    assert reply.products and all("Jacket" in n for n in _names(reply)), reply.text
