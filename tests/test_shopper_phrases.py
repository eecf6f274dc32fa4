"""What shoppers type in an outdoor store, as a new user tried it: short brands, brands with a colour in their
name, follow-ups that name only a brand or a gender, "other colours", "tell me about the first one"."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.agent import ShoppingAssistant
from catalog.db import open_catalog
from catalog.records import CatalogData, ProductRecord
from catalog.writer import sync_catalog


def _p(sku: str, name: str, price: str, brand: str, category: str, color: str = "", gender: str | None = None,
       description: str = "") -> ProductRecord:
    return ProductRecord(sku=sku, name=name, price=Decimal(price), brand=brand, categories=[category], gender=gender,
                         attributes={"color": [color]} if color else {}, description=description or f"{name} by {brand}.")


def outdoor_store() -> CatalogData:
    return CatalogData(products=[
        _p("B1", "Rock Chalk Bag", "21.99", "B&R", "Bags"),
        _p("B2", "Crag Haul Bag", "59.99", "B&R", "Bags"),
        _p("B3", "EcoLodge 45L Travel Backpack", "89.99", "Green Equipment", "Bags", "Black"),
        _p("B4", "EcoVenture Olive Green Backpack", "79.99", "Green Equipment", "Bags", "Green"),
        _p("B5", "Daypack 20", "49.99", "Solstix", "Bags", "Green"),
        _p("T1", "XE Dome Tent", "189.99", "XE", "Tents"),
        _p("T2", "Nomad Tunnel Tent", "149.99", "Solstix", "Tents"),
        _p("P1", "EcoLite Trekking Poles", "79.99", "Legend", "Trekking"),
        _p("P2", "Carbon Trekking Poles", "69.99", "Solstix", "Trekking"),
        _p("J1", "Stormbreaker Jacket", "139.99", "Legend", "Men/Jackets", "Red", "men",
           "Take on any weather with the Stormbreaker. Taped seams."),
        _p("J2", "Element Jacket", "119.99", "Solstix", "Men/Jackets", "Blue", "men"),
        _p("J3", "Aurora Jacket", "99.99", "Legend", "Women/Jackets", "Red", "women"),
        _p("J4", "Nova Jacket", "89.99", "Solstix", "Women/Jackets", "Blue", "women"),
    ])


def outdoor_bot(db_file: Path, **options: int) -> ShoppingAssistant:
    """The outdoor store in a new SQLite catalog, with the rules parser and catalog search."""
    url = f"sqlite:///{db_file}"
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, outdoor_store(), progress=False)
    return ShoppingAssistant.from_config(url, llm="rules", search="catalog", **options)


@pytest.fixture
def bot(tmp_path: Path) -> ShoppingAssistant:
    return outdoor_bot(tmp_path / "outdoor.db")


@pytest.mark.parametrize(("text", "brand"), [("bags from B&R", "B&R"), ("b&r bags", "B&R"), ("XE tent", "XE"),
                                             ("a tent by xe", "XE")])
def test_brands_of_one_or_two_letters(bot: ShoppingAssistant, text: str, brand: str) -> None:
    reply = bot.chat(text, session_id="b")
    assert reply.intent.brands == [brand]
    assert reply.products and {c.brand for c in reply.products} == {brand}


def test_a_two_letter_word_is_not_taken_for_a_brand(bot: ShoppingAssistant) -> None:
    assert bot.chat("a tent on sale", session_id="w").intent.brands == []
    assert bot.chat("xe", session_id="w2").intent.brands == []  # lower case, no cue: could be anything


def test_a_colour_inside_a_brand_name_is_no_colour(bot: ShoppingAssistant) -> None:
    reply = bot.chat("backpack from Green Equipment", session_id="g")
    assert reply.intent.colors == [] and reply.intent.brands == ["Green Equipment"]
    assert sorted(c.name for c in reply.products) == ["EcoLodge 45L Travel Backpack", "EcoVenture Olive Green Backpack"]
    assert bot.chat("a green backpack from Green Equipment", session_id="g2").intent.colors == ["Green"]


@pytest.mark.parametrize("follow_up", ["by Legend", "only from Legend", "Legend"])
def test_a_follow_up_naming_only_a_brand_refines(bot: ShoppingAssistant, follow_up: str) -> None:
    bot.chat("jackets under 150", session_id="r")
    reply = bot.chat(follow_up, session_id="r")
    assert reply.intent.kind == "refine" and reply.intent.max_price == 150
    assert reply.products and {c.name for c in reply.products} == {"Stormbreaker Jacket", "Aurora Jacket"}


def test_what_about_mens_keeps_the_need(bot: ShoppingAssistant) -> None:
    bot.chat("a women's jacket under 150", session_id="m")
    reply = bot.chat("what about men's?", session_id="m")
    assert reply.intent.kind == "refine" and reply.intent.gender == "men" and reply.intent.max_price == 150
    assert {c.name for c in reply.products} == {"Stormbreaker Jacket", "Element Jacket"}


def test_other_colours(bot: ShoppingAssistant) -> None:
    first = bot.chat("red jackets", session_id="c")
    assert {c.name for c in first.products} == {"Stormbreaker Jacket", "Aurora Jacket"}
    reply = bot.chat("show me other colours", session_id="c")
    assert reply.intent.colors == [] and "red" not in reply.intent.query.lower()
    assert {c.name for c in reply.products} == {"Element Jacket", "Nova Jacket"}


def test_tell_me_about_a_shown_product_and_then_another(bot: ShoppingAssistant) -> None:
    shown = bot.chat("jackets", session_id="q").products
    first = bot.chat("show me the first one", session_id="q")
    assert first.intent.kind == "question" and [c.id for c in first.products] == [shown[0].id]
    assert first.text.startswith(f"{shown[0].name} costs ")
    second = bot.chat("tell me more about the second one", session_id="q")  # still the list the shopper sees
    assert [c.id for c in second.products] == [shown[1].id]


def test_reply_line_names_the_thing_not_the_filler(bot: ShoppingAssistant) -> None:
    assert bot.chat("trekking poles", session_id="t").text.startswith("Here are 2 trekking poles you might like:")
    tents = bot.chat("XE tent", session_id="x").text
    assert not tents.lower().startswith("here are 1 xe") and "XE tent" not in tents.split(":")[0]
    line = bot.chat("jackets under 100", session_id="u").text.splitlines()
    assert line[0] == "Here are 2 jackets under $100.00 you might like:"
    assert line[1].startswith("1. ") and "$99.99: within your $100.00" in "\n".join(line[1:])  # the price said once


def test_like_this_but_cheaper_after_a_search(bot: ShoppingAssistant) -> None:
    shown = bot.chat("bags", session_id="lt").products
    reply = bot.chat("like this but cheaper", session_id="lt")
    assert reply.intent.kind == "refine" and "like this" not in reply.text.split("\n")[0]
    # the cheapest bag is on screen, so nothing is cheaper (and no budget is made up)
    assert reply.intent.query == "bags" and reply.intent.max_price is None
    assert reply.text.startswith(f"{min(shown, key=lambda c: c.price).name} at $21.99 is already the cheapest")



def test_cheaper_caps_below_the_prices_on_screen(two_a_page: ShoppingAssistant) -> None:
    shown = two_a_page.chat("jackets", session_id="c").products
    assert [c.name for c in shown] == ["Element Jacket", "Aurora Jacket"]
    reply = two_a_page.chat("like this but cheaper", session_id="c")
    assert reply.intent.max_price == 99.98 and [c.name for c in reply.products] == ["Nova Jacket"]


def test_not_black_in_a_shop_without_colour_data_reads_the_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, CatalogData(products=[
            _p("L1", "Quantum 2-Light Black LED Emergency Fixture", "40.00", "Lithonia", "Lighting"),
            _p("L2", "Quantum 2-Light White LED Emergency Fixture", "42.00", "Lithonia", "Lighting"),
        ]), progress=False)
    bot = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    reply = bot.chat("emergency fixture, not black", session_id="nb")
    assert [c.sku for c in reply.products] == ["L2"]


def test_a_first_search_for_a_gender_alone_keeps_its_category(bot: ShoppingAssistant) -> None:
    reply = bot.chat("what do you have for men?", session_id="g1")
    assert reply.products and all(c.name in ("Stormbreaker Jacket", "Element Jacket") for c in reply.products)


def test_cheaper_after_a_comparison_is_cheaper_than_the_products_compared(bot: ShoppingAssistant) -> None:
    shown = bot.chat("jackets", session_id="cc").products
    compared = bot.chat("compare the first and the second one", session_id="cc").products
    assert [c.id for c in compared] == [c.id for c in shown[:2]]
    reply = bot.chat("cheaper please", session_id="cc")
    assert reply.intent.max_price == round(float(min(c.price for c in compared)) - 0.01, 2)


@pytest.mark.parametrize("follow_up", ["different colours", "in different colors please", "do you have more colours?",
                                       "otros colores", "其他颜色"])
def test_other_colours_in_other_words(bot: ShoppingAssistant, follow_up: str) -> None:
    bot.chat("red jackets", session_id="oc")
    reply = bot.chat(follow_up, session_id="oc")
    assert reply.intent.kind == "refine" and reply.intent.colors == [] and "Red" in reply.intent.exclude
    assert {c.name for c in reply.products} == {"Element Jacket", "Nova Jacket"}


def test_the_price_is_said_once_even_after_a_colour(bot: ShoppingAssistant) -> None:
    text = bot.chat("red jackets under 150", session_id="p1").text
    assert "Aurora Jacket, $99.99: Red; within your $150.00" in text and text.count("$99.99") == 1


@pytest.mark.parametrize("follow_up", ["and Solstix", "Solstix too", "also Solstix", "Solstix as well"])
def test_and_a_brand_adds_it(bot: ShoppingAssistant, follow_up: str) -> None:
    assert {c.name for c in bot.chat("jackets by Legend", session_id="a").products} == {"Stormbreaker Jacket", "Aurora Jacket"}
    reply = bot.chat(follow_up, session_id="a")
    assert sorted(reply.intent.brands) == ["Legend", "Solstix"]
    assert {c.name for c in reply.products} == {"Stormbreaker Jacket", "Aurora Jacket", "Element Jacket", "Nova Jacket"}
    # without the additive word the brand still replaces
    assert bot.chat("Solstix", session_id="a").intent.brands == ["Solstix"]


def test_and_a_colour_adds_it(bot: ShoppingAssistant) -> None:
    bot.chat("red jackets", session_id="ac")
    reply = bot.chat("and blue", session_id="ac")
    assert sorted(reply.intent.colors) == ["Blue", "Red"]
    assert len(reply.products) == 4


def test_other_colours_after_two_colours_leaves_no_dangling_or(bot: ShoppingAssistant) -> None:
    bot.chat("red or blue jackets", session_id="oc")
    reply = bot.chat("show me other colours", session_id="oc")
    assert sorted(reply.intent.exclude) == ["blue", "red"] or sorted(e.lower() for e in reply.intent.exclude) == ["blue", "red"]
    assert reply.intent.query.lower().split() == ["jackets"]


@pytest.mark.parametrize(("follow_up", "brands"), [("and only Solstix", ["Solstix"]), ("or Solstix instead", ["Solstix"]),
                                                    ("Solstix also", ["Legend", "Solstix"]),
                                                    ("¿y Solstix?", ["Legend", "Solstix"])])
def test_an_adding_word_yields_to_a_replacing_one(bot: ShoppingAssistant, follow_up: str, brands: list[str]) -> None:
    bot.chat("jackets by Legend", session_id="r2")
    reply = bot.chat(follow_up, session_id="r2")
    assert reply.intent.kind == "refine" and sorted(reply.intent.brands) == brands


def test_and_in_blue_instead_replaces_the_colour(bot: ShoppingAssistant) -> None:
    bot.chat("red jackets", session_id="bi")
    assert bot.chat("and in blue instead", session_id="bi").intent.colors == ["Blue"]


@pytest.mark.parametrize("follow_up", ["a tent too", "thanks, you too"])
def test_a_trailing_too_does_not_swallow_a_new_need(bot: ShoppingAssistant, follow_up: str) -> None:
    bot.chat("red jackets", session_id="tt")
    reply = bot.chat(follow_up, session_id="tt")
    assert not {c.name for c in reply.products} & {"Stormbreaker Jacket", "Aurora Jacket"}


@pytest.mark.parametrize(("query", "gone", "left"), [
    ("red or blue jackets", {"red", "blue"}, "jackets"),
    ("red, blue or green jackets", {"red", "blue", "green"}, "jackets"),
    ("jackets in red or blue", {"red", "blue"}, "jackets"),
    ("jackets, red or blue", {"red", "blue"}, "jackets"),
    ("red/blue jackets", {"red", "blue"}, "jackets"),
    ("(red) jackets", {"red"}, "jackets"),
    ("rock and roll red shirt", {"red"}, "rock and roll shirt"),
    ("chaquetas rojas o azules", {"rojas", "azules"}, "chaquetas"),
])
def test_without_words_leaves_no_dangling_connectors(query: str, gone: set[str], left: str) -> None:
    from assistant.dialogue import _without_words

    assert _without_words(query, gone) == left


@pytest.mark.parametrize(("first", "follow_up"), [("jackets", "not Legend"), ("jackets", "no Legend please"),
                                                  ("jackets", "anything but Legend"), ("jackets by Legend", "not from Legend"),
                                                  (None, "jackets without Legend"), (None, "jackets not from Legend"),
                                                  (None, "jackets, no more Legend"), (None, "chaquetas sin Legend")])
def test_a_brand_said_no_to_is_excluded_not_wanted(bot: ShoppingAssistant, first: str | None, follow_up: str) -> None:
    if first:
        bot.chat(first, session_id="n")
    reply = bot.chat(follow_up, session_id="n")
    assert reply.intent.brands == [] and reply.intent.exclude == ["Legend"]
    assert "legend" not in reply.intent.query.lower()
    assert {c.name for c in reply.products} == {"Element Jacket", "Nova Jacket"}
    if first:
        assert reply.intent.kind == "refine"


def test_a_brand_added_and_another_dropped_in_one_message(bot: ShoppingAssistant) -> None:
    bot.chat("jackets by Legend", session_id="ad")
    reply = bot.chat("Solstix too, not Legend", session_id="ad")
    assert reply.intent.kind == "refine" and reply.intent.brands == ["Solstix"] and reply.intent.exclude == ["Legend"]
    assert reply.intent.query == "jackets"
    assert {c.name for c in reply.products} == {"Element Jacket", "Nova Jacket"}


@pytest.mark.parametrize(("text", "brands", "exclude"), [
    ("trekking poles without Legend or Solstix", [], ["Legend", "Solstix"]),
    ("trekking poles sin Legend ni Solstix", [], ["Legend", "Solstix"]),
    ("trekking poles from Solstix, not Legend", ["Solstix"], ["Legend"]),
    ("not sure, maybe Legend trekking poles", ["Legend"], []),  # "not" that negates no brand
])
def test_which_brands_a_negation_reaches(bot: ShoppingAssistant, text: str, brands: list[str], exclude: list[str]) -> None:
    reply = bot.chat(text, session_id="w")
    assert reply.intent.brands == brands and sorted(reply.intent.exclude) == exclude


def test_not_one_brand_then_another_only(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="o")
    reply = bot.chat("not Legend, Solstix only", session_id="o")
    assert reply.intent.kind == "refine" and reply.intent.brands == ["Solstix"] and reply.intent.exclude == ["Legend"]


def test_other_colours_when_every_match_has_a_colour_ruled_out(bot: ShoppingAssistant) -> None:
    bot.chat("red or blue jackets", session_id="e")
    reply = bot.chat("show me other colours", session_id="e")
    # the jackets there are, and why: never bags
    assert {c.name for c in reply.products} == {"Stormbreaker Jacket", "Element Jacket", "Aurora Jacket", "Nova Jacket"}
    assert "Red or Blue, which you ruled out" in reply.text


def test_the_cheaper_one_after_a_comparison_is_the_cheaper_one(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="c1")
    compared = bot.chat("compare the first two", session_id="c1").products
    assert len(compared) == 2
    cheaper = min(compared, key=lambda c: c.price)
    reply = bot.chat("add the cheaper one to cart", session_id="c1")
    assert [line["name"] for line in reply.cart] == [cheaper.name]
    dearer = max(compared, key=lambda c: c.price)
    assert [c.name for c in bot.chat("tell me more about the more expensive one", session_id="c1").products] == [dearer.name]


def test_cart_requests_that_name_the_product(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="c2")
    assert [x["name"] for x in bot.chat("add the Nova jacket to my cart", session_id="c2").cart] == ["Nova Jacket"]
    reply = bot.chat("add the Element one to my cart", session_id="c2")
    assert [x["name"] for x in reply.cart] == ["Nova Jacket", "Element Jacket"]
    reply = bot.chat("remove the Nova jacket from my cart", session_id="c2")
    assert reply.text.startswith("Removed Nova Jacket.") and [x["name"] for x in reply.cart] == ["Element Jacket"]
    # nothing removed is never reported as removed
    reply = bot.chat("remove the Aurora jacket from my cart", session_id="c2")
    assert reply.text.startswith("Aurora Jacket is not in your cart.") and len(reply.cart) == 1
    reply = bot.chat("remove it from my cart", session_id="c2")  # the only line there is
    assert reply.text.startswith("Removed Element Jacket.") and reply.cart == []


def test_it_after_a_sorted_list_is_the_one_on_top(bot: ShoppingAssistant) -> None:
    first = bot.chat("the cheapest jacket", session_id="c3").products[0]
    assert first.name == "Nova Jacket"
    reply = bot.chat("tell me more about it", session_id="c3")
    assert reply.intent.kind == "question" and [c.name for c in reply.products] == ["Nova Jacket"]
    assert [x["name"] for x in bot.chat("add it to my cart", session_id="c3").cart] == ["Nova Jacket"]


def test_it_after_an_unsorted_list_asks_which(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="c4")
    reply = bot.chat("tell me more about it", session_id="c4")
    assert reply.products == [] and "Which of these do you mean?" in reply.text


@pytest.fixture
def two_a_page(tmp_path: Path) -> ShoppingAssistant:
    return outdoor_bot(tmp_path / "pages.db", results=2)


def test_show_me_more_pages_through_the_same_need(two_a_page: ShoppingAssistant) -> None:
    bot = two_a_page
    seen = [c.name for c in bot.chat("jackets", session_id="p").products]
    for _ in range(1):
        reply = bot.chat("show me more", session_id="p")
        assert reply.intent.kind == "refine" and reply.intent.query == "jackets" and len(reply.products) == 2
        assert not {c.name for c in reply.products} & set(seen)  # never what was already shown
        seen += [c.name for c in reply.products]
    assert sorted(seen) == ["Aurora Jacket", "Element Jacket", "Nova Jacket", "Stormbreaker Jacket"]
    reply = bot.chat("any others?", session_id="p")
    assert reply.products == [] and reply.text.startswith("That is everything I found")
    # the need survives the last page: a refinement still knows it is about jackets
    assert {c.name for c in bot.chat("only red", session_id="p").products} == {"Aurora Jacket", "Stormbreaker Jacket"}


def test_cheaper_when_nothing_is_cheaper_says_so_without_inventing_a_budget(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="ch")
    reply = bot.chat("cheaper", session_id="ch")
    assert reply.text == "Nova Jacket at $89.99 is already the cheapest I found for this; nothing cheaper matches."
    assert [c.name for c in reply.products] == ["Nova Jacket"] and reply.intent.max_price is None
    assert "your $" not in reply.text


def test_not_the_x_one_drops_that_product_and_keeps_the_need(bot: ShoppingAssistant) -> None:
    shown = [c.name for c in bot.chat("jackets", session_id="nx").products]
    assert "Nova Jacket" in shown
    reply = bot.chat("not the Nova one", session_id="nx")
    assert reply.intent.kind == "refine" and reply.intent.query == "jackets"
    assert {c.name for c in reply.products} == {"Element Jacket", "Aurora Jacket", "Stormbreaker Jacket"}
    reply = bot.chat("I don't like the Element one", session_id="nx")
    assert {c.name for c in reply.products} == {"Aurora Jacket", "Stormbreaker Jacket"}  # Nova stays out too
    # a new search is not bound by them
    assert "Nova Jacket" in {c.name for c in bot.chat("blue jackets", session_id="nx").products}


def test_a_yes_no_question_the_catalog_cannot_answer_is_not_guessed(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="yn")
    assert bot.chat("is the first one waterproof?", session_id="yn").text == (
        'Element Jacket costs $119.99; the catalog does not mention "waterproof".')
    assert 'the description says: "Taped seams."' in bot.chat("does the last one have taped seams?", session_id="yn").text
    assert "Stormbreaker Jacket costs $139.99 and is in stock" in bot.chat("is the last one in stock?", session_id="yn").text


@pytest.mark.parametrize(("first", "message", "kind"), [
    ("bags", "no, I want a backpack", "search"),  # a new need, not "not the backpacks"
    ("jackets", "no, add the Nova jacket to my cart", "cart"),
])
def test_a_leading_no_is_not_always_not_this_one(bot: ShoppingAssistant, first: str, message: str, kind: str) -> None:
    bot.chat(first, session_id="ln")
    reply = bot.chat(message, session_id="ln")
    assert reply.intent.kind == kind
    if kind == "cart":
        assert [x["name"] for x in reply.cart] == ["Nova Jacket"]
    else:
        assert {c.name for c in reply.products} >= {"EcoLodge 45L Travel Backpack", "EcoVenture Olive Green Backpack"}


def test_not_the_x_one_with_more_said_keeps_what_else_was_said(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="nm")
    reply = bot.chat("not the Nova one, under $100", session_id="nm")
    assert reply.intent.max_price == 100 and [c.name for c in reply.products] == ["Aurora Jacket"]


def test_a_word_two_shown_products_share_names_neither(bot: ShoppingAssistant) -> None:
    bot.chat("bags", session_id="tie")
    assert bot.chat("add the bag to my cart", session_id="tie").cart == []
    assert bot.chat("add a rain cover to my bag", session_id="tie").intent.kind != "cart"


def test_it_is_the_product_in_focus_before_any_name(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="f")
    assert [c.name for c in bot.chat("tell me about the second one", session_id="f").products] == ["Aurora Jacket"]
    assert [c.name for c in bot.chat("is it a jacket for the storm?", session_id="f").products] == ["Aurora Jacket"]
    assert [x["name"] for x in bot.chat("add it to my cart", session_id="f").cart] == ["Aurora Jacket"]


def test_the_end_of_the_results_keeps_the_list_on_screen(bot: ShoppingAssistant) -> None:
    shown = [c.name for c in bot.chat("jackets", session_id="e2").products]
    assert bot.chat("any others?", session_id="e2").products == []
    assert [x["name"] for x in bot.chat("add the second one to my cart", session_id="e2").cart] == [shown[1]]


def test_cheaper_in_another_colour_is_not_answered_as_nothing_cheaper(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="cg")
    reply = bot.chat("cheaper ones in blue", session_id="cg")
    assert "already the cheapest" not in reply.text and reply.intent.colors == ["Blue"]


def test_a_brand_said_no_to_in_chinese(bot: ShoppingAssistant) -> None:
    for i, text in enumerate(("夹克，不要Legend", "除了Legend以外的夹克")):
        reply = bot.chat(text, session_id=f"zh{i}")
        assert reply.intent.brands == [] and reply.intent.exclude == ["Legend"]
        assert "Legend" not in {c.brand for c in reply.products}


def test_a_colour_the_shop_has_none_of_is_said_not_ignored(bot: ShoppingAssistant) -> None:
    reply = bot.chat("a yellow jacket", session_id="yl")
    assert reply.intent.colors == ["Yellow"]
    assert reply.text.startswith("None in Yellow right now; here are the closest options in other colours or sizes.")


def test_a_sold_out_product_asked_for_by_name_is_said_to_be_sold_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'beanie.db'}"
    data = outdoor_store()
    data.products.append(ProductRecord(sku="H1", name="Wool Beanie", price=Decimal("19.99"), brand="Legend", categories=["Hats"],
                                       stock_qty=0, in_stock=False, description="A warm wool beanie."))
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    bot = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    reply = bot.chat("wool beanie", session_id="wb")
    assert reply.text.startswith("Wool Beanie is out of stock right now; here is what comes closest.")
    assert "Wool Beanie" not in {c.name for c in reply.products}
    assert not bot.chat("a warm jacket", session_id="wb2").text.startswith("Wool Beanie")  # only when named


def test_products_of_one_name_are_told_apart_by_colour(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'balls.db'}"
    balls = CatalogData(products=[_p(f"SB{i}", "Sprite Stasis Ball 65 cm", "27.00", "Sprite", "Fitness", colour)
                                  for i, colour in enumerate(["Blue", "Gray", "Red"])])
    db = open_catalog(url)
    with db.session() as s:
        sync_catalog(s, balls, progress=False)
    text = ShoppingAssistant.from_config(url, llm="rules", search="catalog").chat("stasis ball", session_id="b").text
    lines = {line.split(". ", 1)[1].split(":")[0] for line in text.splitlines()[1:]}
    assert lines == {f"Sprite Stasis Ball 65 cm, $27.00 ({c})" for c in ("Blue", "Gray", "Red")}


def test_also_add_by_name_and_a_spanish_cheaper_the_model_called_a_comparison(bot: ShoppingAssistant) -> None:
    from assistant.intent import ShoppingIntent
    from assistant.vocabulary import normalize_intent, vocabulary_from_lists

    bot.chat("jackets", session_id="aa")
    assert [x["name"] for x in bot.chat("also add the Nova jacket", session_id="aa").cart] == ["Nova Jacket"]
    vocab = vocabulary_from_lists(colors=[], sizes=[], brands=[], categories=["Jackets"])
    raw = ShoppingIntent(kind="compare", query="algo más barato")  # what the embedded model answered
    assert normalize_intent(raw, vocab, "¿tienes algo más barato?", has_previous=True).kind == "refine"
    assert normalize_intent(raw, vocab, "¿cuál es más barato, el primero o el segundo?", has_previous=True).kind == "compare"


def test_which_one_is_lighter_compares_what_is_on_screen_and_guesses_nothing(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="wl")
    bot.chat("compare the first two", session_id="wl")
    reply = bot.chat("which one is warmer?", session_id="wl")
    assert reply.intent.kind == "compare" and [c.name for c in reply.products] == ["Element Jacket", "Aurora Jacket"]
    assert reply.text.endswith("The catalog does not say which is warmer.")
    reply = bot.chat("which one is lighter?", session_id="wl2")  # no list yet: nothing to compare
    assert "Which product do you mean?" in reply.text


@pytest.mark.parametrize(("text", "excluded", "query"), [
    ("jackets without taped seams", ["taped seams"], "jackets"),
    ("men's jackets, no taped seams", ["taped seams"], "jackets"),
    ("a jacket with no taped seams", ["taped seams"], "jacket"),
    ("jackets w/o taped seams please", ["taped seams"], "jackets please"),
    ("jackets without tape under 150", ["tape"], "jackets"),
])
def test_a_feature_said_no_to_is_excluded_by_name_and_description(bot: ShoppingAssistant, text: str,
                                                                    excluded: list[str], query: str) -> None:
    reply = bot.chat(text, session_id="nf")
    assert reply.intent.exclude == excluded and reply.intent.query.lower().replace("men's ", "") == query
    names = [p.name for p in reply.products]
    assert "Stormbreaker Jacket" not in names and "Element Jacket" in names  # its description says "Taped seams"
    assert f"without {excluded[0]}" in reply.text


@pytest.mark.parametrize("text", ["jackets, no more than 120", "jackets without breaking the bank", "no, I want a tent",
                                  "jackets without Legend", "tents with no red"])
def test_no_feature_exclusion_where_none_was_said(bot: ShoppingAssistant, text: str) -> None:
    intent = bot.chat(text, session_id="nn").intent
    assert not [e for e in intent.exclude if e not in ("Legend", "Red")]


@pytest.mark.parametrize("follow_up", ["hmm, I can go up to 80 actually", "my budget is 80", "ok, I can spend 80"])
def test_a_new_budget_keeps_the_need(bot: ShoppingAssistant, follow_up: str) -> None:
    bot.chat("a backpack under 60", session_id="nb")
    intent = bot.chat(follow_up, session_id="nb").intent
    assert (intent.kind, intent.category, intent.max_price, intent.query) == ("refine", "Bags", 80, "backpack")


def test_products_named_in_full_are_found_off_screen(bot: ShoppingAssistant) -> None:
    reply = bot.chat("compare the Element Jacket and the Nova Jacket", session_id="nm")
    assert reply.intent.kind == "compare" and [c.name for c in reply.products] == ["Element Jacket", "Nova Jacket"]
    assert reply.text.endswith("The cheaper one is Nova Jacket at $89.99.")
    reply = bot.chat("is the Stormbreaker Jacket in stock?", session_id="nm2")
    assert reply.intent.kind == "question" and [c.name for c in reply.products] == ["Stormbreaker Jacket"]
    assert reply.text.startswith("Stormbreaker Jacket costs $139.99")
    # a search that names a product to find others like it stays a search
    reply = bot.chat("do you have something like the Nova Jacket but cheaper?", session_id="nm3")
    assert reply.intent.kind in ("search", "refine")


def test_compare_the_first_and_second(bot: ShoppingAssistant) -> None:
    shown = [p.name for p in bot.chat("jackets", session_id="fs").products]
    reply = bot.chat("compare the first and second", session_id="fs")
    assert reply.intent.kind == "compare" and [c.name for c in reply.products] == shown[:2]


@pytest.mark.parametrize("text", ["something blue", "waterproof gear", "I want to go camping", "something warm for winter",
                                  "what would you recommend for hiking", "what do you sell"])
def test_no_not_carried_note_for_words_that_are_no_kind_of_product(bot: ShoppingAssistant, text: str) -> None:
    assert "We do not carry" not in bot.chat(text, session_id="wc").text


def test_not_carried_for_a_kind_of_product_the_shop_has_none_of(bot: ShoppingAssistant) -> None:
    assert bot.chat("running shoes", session_id="rs").text.startswith('We do not carry "shoes".')


def test_list_requests_with_removal_words_are_about_the_list(bot: ShoppingAssistant) -> None:
    bot.chat("jackets under 150", session_id="rl")
    assert bot.chat("remove the price limit", session_id="rl").intent.kind != "cart"
    bot.chat("tents", session_id="rt")
    bot.chat("add the first one to my cart", session_id="rt")
    reply = bot.chat("add the second one too, we take it out every weekend", session_id="rt")
    assert len(reply.cart) == 2  # added, not "not in your cart"


def test_make_it_n_is_a_quantity_only_right_after_an_add(bot: ShoppingAssistant) -> None:
    bot.chat("bags", session_id="mi")
    bot.chat("add the first one to my cart", session_id="mi")
    bot.chat("jackets under 100", session_id="mi")
    reply = bot.chat("make it 150", session_id="mi")
    assert reply.intent.kind != "cart" and [line["qty"] for line in reply.cart] == [1]
    bot.chat("jackets", session_id="m0")
    bot.chat("add the first one to my cart", session_id="m0")
    reply = bot.chat("make it 0", session_id="m0")
    assert reply.cart == [] and reply.text.startswith("Removed ")


def test_a_short_need_with_a_feature_said_no_to_is_a_new_search(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="pc")
    intent = bot.chat("poles without carbon", session_id="pc").intent
    assert intent.kind == "search" and intent.exclude == ["carbon"]


def test_a_question_about_two_products_keeps_their_names_out_of_each_answer(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="tw")
    text = bot.chat("are the Aurora and Nova waterproof?", session_id="tw").text
    assert 'does not mention "waterproof"' in text and "nova waterproof" not in text.lower() and "aurora waterproof" not in text.lower()


@pytest.mark.parametrize("text", ["chaquetas, no muy caras", "a tent, no bigger than 3 people", "no doubt the best jacket"])
def test_no_followed_by_no_feature(bot: ShoppingAssistant, text: str) -> None:
    assert [e for e in bot.chat(text, session_id="nx").intent.exclude if e not in ("Legend",)] == []


def test_a_kind_the_shop_sells_under_another_word_is_carried(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'knit.db'}"
    db = open_catalog(url)
    data = outdoor_store()
    data.products.append(_p("S1", "Hero Fleece Pullover", "54.00", "Legend", "Men/Hoodies & Sweatshirts", "Gray", "men"))
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    bot = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    reply = bot.chat("a sweater", session_id="sw")  # no product says "sweater"; a pullover is one
    assert "We do not carry" not in reply.text and "Hero Fleece Pullover" in [c.name for c in reply.products]
    assert bot.chat("running shoes", session_id="rs").text.startswith('We do not carry "shoes".')


def test_a_gender_no_shown_product_is_made_for_is_not_claimed(bot: ShoppingAssistant) -> None:
    reply = bot.chat("a backpack for my son", session_id="son")  # the store has no kids' products
    assert reply.intent.gender == "kids" and reply.products
    # never called kids' bags; said plainly instead
    assert "kids'" not in reply.text.lower() and reply.text.startswith("We have nothing made for kids; these are for anyone.")
    assert bot.chat("a jacket for women", session_id="w").text.startswith("Here are 2 women's jackets")


def test_i_meant_another_one_asks_again_about_that_one(bot: ShoppingAssistant) -> None:
    shown = bot.chat("jackets", session_id="im").products
    bot.chat("tell me about the second one", session_id="im")
    reply = bot.chat("no wait, I meant the third one", session_id="im")
    assert reply.intent.kind == "question" and [c.id for c in reply.products] == [shown[2].id]
    assert reply.text.startswith(f"{shown[2].name} costs ")
    # after an add, the product added is swapped for the one meant
    bot.chat("add the first one to my cart", session_id="im")
    reply = bot.chat("sorry, I meant the fourth one", session_id="im")
    assert [line["name"] for line in reply.cart] == [shown[3].name]
    assert reply.text.startswith(f"Removed {shown[0].name}. Added {shown[3].name} to your cart.")


def test_a_question_after_a_remark_about_a_named_product(bot: ShoppingAssistant) -> None:
    reply = bot.chat("I read good reviews about the Stormbreaker Jacket, does it have taped seams?", session_id="rv")
    assert reply.intent.kind == "question" and [c.name for c in reply.products] == ["Stormbreaker Jacket"]
    assert "Taped seams." in reply.text


def test_a_gender_the_shop_has_none_of_gives_up_the_gender_before_the_kind(bot: ShoppingAssistant) -> None:
    reply = bot.chat("a jacket for my 10 year old daughter", session_id="kid")  # no kids' products at all
    assert reply.text.startswith("Nothing for kids matches; here are the nearest products.")
    assert reply.products and all("Jacket" in c.name for c in reply.products)  # jackets, not bags


def test_follow_up_questions_about_the_products_just_compared(bot: ShoppingAssistant) -> None:
    bot.chat("bags", session_id="cmp")
    bot.chat("compare the first two", session_id="cmp")
    cheaper = bot.chat("which one is cheaper?", session_id="cmp")  # it asked "which of these do you mean?"
    assert cheaper.intent.kind == "compare" and cheaper.text.endswith("The cheaper one is Rock Chalk Bag at $21.99.")
    reviews = bot.chat("which one has better reviews?", session_id="cmp")
    assert reviews.text.endswith("None of them has reviews yet.")  # the outdoor store has no reviews
    lighter = bot.chat("which is lighter?", session_id="cmp")  # it searched for "which is lighter"
    assert lighter.intent.kind == "compare" and "The catalog does not say which is lighter." in lighter.text


def test_products_of_one_price_are_not_one_cheaper_than_the_other(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'same.db'}"
    db = open_catalog(url)
    data = outdoor_store()
    data.products.append(_p("B9", "Boulder Bag", "21.99", "XE", "Bags"))
    with db.session() as s:
        sync_catalog(s, data, progress=False)
    bot = ShoppingAssistant.from_config(url, llm="rules", search="catalog")
    reply = bot.chat("compare the Rock Chalk Bag and the Boulder Bag", session_id="sp")
    assert reply.intent.kind == "compare" and reply.text.endswith("They cost the same: $21.99.")


@pytest.mark.parametrize(("text", "said"), [("I need a refrigerator", 'We do not carry "refrigerator".'),
                                           ("a wooden spoon", 'Nothing in our catalog matches "wooden spoon".'),
                                           ("asdkjh qwpoeiru zzz", "Nothing in our catalog matches ")])
def test_words_no_product_has_are_said_above_the_closest_products(bot: ShoppingAssistant, text: str, said: str) -> None:
    reply = bot.chat(text, session_id="uw")
    # (a kind the shop lacks lists only alternatives related to it, else says what the shop carries instead)
    if said.startswith("We do not carry"):  # nothing in this shop is related to a refrigerator
        assert reply.text.startswith(said + " We carry ") and not reply.products, reply.text
    else:
        assert reply.text.startswith(said) and "Closest alternatives:" in reply.text, reply.text
    assert "you might like" not in reply.text  # never "Here are 5 refrigerator you might like"


@pytest.mark.parametrize("text", ["thanks, bye", "thank you so much!", "ok, that's all, thanks", "gracias, adiós", "谢谢，再见"])
def test_thanks_and_goodbye_are_no_search(bot: ShoppingAssistant, text: str) -> None:
    bot.chat("bags", session_id="by")
    reply = bot.chat(text, session_id="by")
    assert reply.intent.kind == "chitchat" and not reply.products
    assert reply.text in ("You're welcome! Come back any time.", "¡De nada! Vuelve cuando quieras.", "不客气！欢迎随时再来。")
    assert bot.chat("thanks, now show me tents", session_id="by").products  # a request after the thanks is searched


def test_a_product_they_own_is_not_what_they_ask_for(bot: ShoppingAssistant) -> None:
    reply = bot.chat("I already own the Stormbreaker Jacket, do you have trekking poles?", session_id="ow")
    assert reply.intent.kind == "search" and {p.name for p in reply.products} == {"EcoLite Trekking Poles", "Carbon Trekking Poles"}
    reply = bot.chat("I have the Nomad Tunnel Tent, what backpack would go with it?", session_id="ow2")
    assert reply.intent.kind == "search" and reply.products and all("Backpack" in p.name for p in reply.products)
    # owning it and asking about it is a question about it
    reply = bot.chat("I bought the Stormbreaker Jacket, does it come in blue?", session_id="ow3")
    assert reply.intent.kind == "question" and reply.text.startswith("Stormbreaker Jacket")


def test_a_word_searched_in_the_shops_words_is_said_in_the_plural(bot: ShoppingAssistant) -> None:
    reply = bot.chat("a purse", session_id="pu")  # a shop of bags: its bags, listed as purses
    assert reply.products and reply.text.startswith(f"Here are {len(reply.products)} purses")


def test_owning_one_product_and_asking_about_another(bot: ShoppingAssistant) -> None:
    reply = bot.chat("I already have a tent, how much is the Stormbreaker Jacket?", session_id="oa")
    assert reply.intent.kind == "question" and reply.text.startswith("Stormbreaker Jacket")
    reply = bot.chat("I already have trekking poles, is the Nova Jacket in stock?", session_id="ob")
    assert reply.intent.kind == "question" and reply.text.startswith("Nova Jacket")


def test_cheaper_than_a_named_product_and_filters_taken_off(bot: ShoppingAssistant) -> None:
    reply = bot.chat("something cheaper than the Stormbreaker Jacket", session_id="ct")
    assert reply.products and all(p.price < Decimal("139.99") for p in reply.products)
    assert "Stormbreaker Jacket" not in [p.name for p in reply.products]
    assert {p.name for p in reply.products} <= {"Element Jacket", "Aurora Jacket", "Nova Jacket"}
    bot.chat("red jackets under 120", session_id="rf")
    reply = bot.chat("remove the red filter", session_id="rf")
    assert reply.intent.colors == [] and reply.intent.max_price == 120
    assert {p.name for p in reply.products} == {"Element Jacket", "Aurora Jacket", "Nova Jacket"}
    reply = bot.chat("can you remove the price filter", session_id="rf")
    assert reply.intent.max_price is None and "Stormbreaker Jacket" in [p.name for p in reply.products]


def test_what_about_another_kind_is_a_new_search(bot: ShoppingAssistant) -> None:
    bot.chat("jackets", session_id="wa")
    reply = bot.chat("what about tents?", session_id="wa")
    assert {p.name for p in reply.products} == {"XE Dome Tent", "Nomad Tunnel Tent"}
    reply = bot.chat("what about red?", session_id="wb")  # a colour: the same need in red
    bot.chat("jackets", session_id="wc")
    assert bot.chat("what about red?", session_id="wc").intent.colors == ["Red"]


def test_the_cheapest_thing_in_the_shop(bot: ShoppingAssistant) -> None:
    reply = bot.chat("what's the cheapest thing you sell?", session_id="ch")
    assert reply.products[0].name == "Rock Chalk Bag" and reply.text.startswith("The cheapest products: Rock Chalk Bag at $21.99.")


def test_review_round_two_cases_stay_fixed(bot: ShoppingAssistant) -> None:
    """Each was wrong once: kind and category of 'cheaper than' come from the product named; 'to my bag' is
    where it goes; 'what about cheaper?' refines; 'not on sale' is no sale filter; the rest of a filter removal counts."""
    bot.chat("tents", session_id="r1")
    reply = bot.chat("do you have something cheaper than the Aurora Jacket?", session_id="r1")
    assert [p.name for p in reply.products] == ["Nova Jacket"]
    bot.chat("jackets", session_id="r2")
    assert [x["name"] for x in bot.chat("add the Nova to my bag", session_id="r2").cart] == ["Nova Jacket"]
    bot.chat("jackets", session_id="r3")
    reply = bot.chat("what about cheaper?", session_id="r3")
    assert reply.products and all("Jacket" in p.name for p in reply.products)
    assert not bot.chat("jackets that are not on sale", session_id="r4").intent.on_sale
    bot.chat("jackets under 100", session_id="r5")
    reply = bot.chat("remove the price limit and show me blue ones", session_id="r5")
    assert reply.intent.max_price is None and reply.intent.colors == ["Blue"]
    assert {p.name for p in reply.products} == {"Element Jacket", "Nova Jacket"}
    bot.chat("red jackets", session_id="r6")
    assert {p.name for p in bot.chat("clear all filters and show me tents", session_id="r6").products} == {"XE Dome Tent", "Nomad Tunnel Tent"}
    assert bot.chat("¿qué me recomiendas que compre para la lluvia?", session_id="r7").intent.kind != "order_status"


def test_cheap_is_the_kind_asked_for_cheapest_first(bot: ShoppingAssistant) -> None:
    """'a cheap jacket' ranked by relevance and searched the word 'cheap'; now: jackets, cheapest first."""
    for i, text in enumerate(["a cheap jacket", "una chaqueta barata", "便宜的夹克", "an affordable jacket"]):
        reply = bot.chat(text, session_id=f"cheap{i}")
        assert reply.intent.sort == "price_asc" and "cheap" not in reply.intent.query.lower(), text
        assert [c.name for c in reply.products] == ["Nova Jacket", "Aurora Jacket", "Element Jacket", "Stormbreaker Jacket"], text
    # not a price preference: said the other way, or a question about one product
    for text in ["a jacket, not too cheap", "is the Aurora jacket cheap?"]:
        reply = bot.chat(text, session_id="cheap-no")
        assert reply.intent.sort == "relevance", text
    assert bot.chat("a jacket, not too cheap", session_id="cheap-q").intent.query == "jacket"
    # nothing of the kind: the closest products by what was asked, not the shop's cheapest things
    reply = bot.chat("cheap trekking shoes", session_id="cheap-miss")
    assert reply.text.startswith('We do not carry "shoes"')  # (it listed the Trekking poles as "trekking shoes")
    assert [c.name for c in reply.products] == [c.name for c in bot.chat("trekking shoes", session_id="rel").products]
