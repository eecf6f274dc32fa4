"""Follow-ups that refine or relax the need on screen, as shoppers type them: "it doesn't have to be waterproof", "it
can be for men too", a size said alone ("M"), picks past the fifth ("the seventh one"), "top rated tees under 30",
"in blue instead" then "doesn't have to be blue", "cheaper ones", "show me more"."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from assistant.intent import ShoppingIntent
from assistant.sessions import SessionState
from assistant.vocabulary import bare_size, references_in_text
from catalog.records import CatalogData, ProductRecord, ReviewRecord, VariantRecord

_WOMEN_JACKETS = "Women/Tops/Jackets"
_MEN_JACKETS = "Men/Tops/Jackets"
_TEES = "Women/Tops/Tees"


def _product(sku: str, name: str, price: str, category: str, gender: str, colours: list[str], sizes: list[str],
             description: str = "") -> ProductRecord:
    return ProductRecord(
        sku=sku, name=name, price=Decimal(price), categories=[category], gender=gender, product_type="configurable",
        description=description or f"The {name}.", attributes={"color": colours},
        variants=[VariantRecord(sku=f"{sku}-{s}-{c[:3].upper()}", size=s, color=c, stock_qty=5) for c in colours for s in sizes])


def _store() -> CatalogData:
    tees = [  # (sku, name, price, ratings)
        ("WT1", "Gwyn Endurance Tee", "24.00", [5, 5]),
        ("WT2", "Helios Cool Tee", "26.00", [4, 4]),
        ("WT3", "Diva Gym Tee", "32.00", [5, 4]),
        ("WT4", "Layla Tee", "29.00", [2]),
        ("WT5", "Aero Fitness Tee", "22.00", [3, 3]),
        ("WT6", "Karissa V-Neck Tee", "35.00", [4]),
        ("WT7", "Radiant Tee", "21.00", []),
        ("WT8", "Gabrielle Micro Sleeve Top", "28.00", [3]),
        ("WT9", "Iris Workout Top", "29.00", [1]),
    ]
    products = [
        _product("WJ1", "Storm Waterproof Jacket", "90.00", _WOMEN_JACKETS, "women", ["Red", "Blue"], ["S", "M", "L"],
                 "A waterproof shell for rainy days."),
        _product("WJ2", "Breeze Wind Jacket", "60.00", _WOMEN_JACKETS, "women", ["Red"], ["S", "M", "L"]),
        _product("WJ3", "Nova Fleece Jacket", "45.00", _WOMEN_JACKETS, "women", ["Blue"], ["XS", "S", "M"]),
        _product("MJ1", "Ridge Softshell Jacket", "70.00", _MEN_JACKETS, "men", ["Red"], ["M", "L", "XL"]),
        _product("MJ2", "Harbor Waterproof Jacket", "95.00", _MEN_JACKETS, "men", ["Blue"], ["M", "L", "XL"],
                 "A waterproof jacket for wet walks."),
        *(_product(sku, name, price, _TEES, "women", ["White"], ["S", "M", "L"]) for sku, name, price, _ in tees),
    ]
    reviews = [ReviewRecord(sku=sku, rating=r, title="Review", body="Nice", reviewer=f"R{i}")
               for sku, _, _, ratings in tees for i, r in enumerate(ratings)]
    reviews += [ReviewRecord(sku="MJ1", rating=5, title="Great", body="Warm", reviewer="A"),
                ReviewRecord(sku="WJ2", rating=4, title="Good", body="Light", reviewer="B"),
                ReviewRecord(sku="WJ1", rating=2, title="Meh", body="Heavy", reviewer="C")]
    return CatalogData(products=products, reviews=reviews)


def _bot(tmp_path: Path, results: int = 5) -> ShoppingAssistant:
    from catalog.db import open_catalog
    from catalog.writer import sync_catalog

    url = f"sqlite:///{tmp_path / 'refine.db'}"
    with open_catalog(url).session() as s:
        sync_catalog(s, _store(), progress=False)
    return ShoppingAssistant.from_config(url, llm="rules", search="catalog", results=results)


@pytest.fixture
def bot(tmp_path: Path) -> ShoppingAssistant:
    return _bot(tmp_path)


def _names(reply: Any) -> list[str]:
    return [c.name for c in reply.products]


# ----- 1. "it doesn't have to be waterproof"


@pytest.mark.parametrize("relax", ["it doesn't have to be waterproof", "doesn't need to be waterproof",
                                   "waterproof isn't necessary", "it does not have to be waterproof anymore",
                                   "ok, it doesn't have to be waterproof"])
def test_a_requirement_relaxed_drops_its_word_and_searches_the_rest(bot: ShoppingAssistant, relax: str) -> None:
    """It searched "it doesn't to be waterproof" among everything (a tank and a duffle for a jacket)."""
    first = bot.chat("a waterproof jacket for women", session_id="w")
    assert "Storm Waterproof Jacket" in _names(first)
    reply = bot.chat(relax, session_id="w")
    assert reply.intent.kind == "refine" and "waterproof" not in reply.intent.query.lower(), reply.intent
    assert "jacket" in reply.intent.query.lower() and reply.intent.gender == "women"
    assert reply.text.startswith('I have dropped "waterproof" from your search.'), reply.text
    names = _names(reply)
    assert {"Breeze Wind Jacket", "Nova Fleece Jacket"} <= set(names) and all("Jacket" in n for n in names), names


def test_a_requirement_relaxed_with_more_said_keeps_both(bot: ShoppingAssistant) -> None:
    bot.chat("a waterproof jacket for women", session_id="m")
    reply = bot.chat("waterproof isn't necessary, but under 70", session_id="m")
    assert reply.intent.max_price == 70 and "waterproof" not in reply.intent.query.lower() and reply.intent.gender == "women"
    assert set(_names(reply)) == {"Breeze Wind Jacket", "Nova Fleece Jacket"}, reply.text
    assert reply.text.startswith('I have dropped "waterproof"')


def test_a_requirement_the_need_never_had_keeps_the_need(bot: ShoppingAssistant) -> None:
    """Nothing to drop: the same jackets again, never a search for the words said, nor a claim that something was dropped."""
    before = bot.chat("jackets for women", session_id="n")
    reply = bot.chat("it doesn't have to be waterproof", session_id="n")
    assert reply.intent.kind == "refine" and reply.intent.query == before.intent.query and reply.intent.gender == "women"
    assert set(_names(reply)) == set(_names(before)) and "dropped" not in reply.text, reply.text


def test_a_wish_the_model_set_is_dropped_too(bot: ShoppingAssistant) -> None:
    """An LLM puts "waterproof" in the attributes (wishes searched with the query): relaxed, it leaves them too."""
    need = ShoppingIntent(kind="search", query="jacket", category="Jackets", attributes=["waterproof", "hood"], max_price=100)
    loose = bot._loosened("it doesn't have to be waterproof", need, SessionState(session_id="x"), "en")
    assert loose is not None
    intent, line = loose
    assert intent.attributes == ["hood"] and intent.query == "jacket" and intent.max_price == 100 and intent.kind == "refine"
    assert line == 'I have dropped "waterproof" from your search.'
    es = bot._loosened("it doesn't have to be waterproof", need, SessionState(session_id="x"), "es")
    assert es is not None and es[1] == "He quitado «waterproof» de tu búsqueda."


def test_a_purpose_relaxed_leaves_no_dangling_word(bot: ShoppingAssistant) -> None:
    need = ShoppingIntent(kind="search", query="jacket for hiking", category="Jackets")
    loose = bot._loosened("not necessarily for hiking", need, SessionState(session_id="x"), "en")
    assert loose is not None and loose[0].query == "jacket" and loose[1] == 'I have dropped "for hiking" from your search.'


def test_size_does_not_matter_drops_the_size_filter(bot: ShoppingAssistant) -> None:
    bot.chat("jackets for men in size XL", session_id="z")
    reply = bot.chat("size doesn't matter", session_id="z")
    assert reply.intent.sizes == [] and reply.intent.gender == "men" and reply.text.startswith('I have dropped "size"')


# ----- 2. "doesn't have to be for women", "it can be for men too"


@pytest.mark.parametrize("relax", ["doesn't have to be for women", "it doesn't have to be women's", "it can be for men too",
                                   "for men too", "not only for women", "any gender is fine"])
def test_the_gender_relaxed_keeps_colour_kind_and_budget(bot: ShoppingAssistant, relax: str) -> None:
    """It kept the women's filter ("doesn't have to be for women"), or switched to men's only ("it can be for men too")."""
    first = bot.chat("red jackets for women under 80", session_id="g")
    assert _names(first) == ["Breeze Wind Jacket"], first.text
    reply = bot.chat(relax, session_id="g")
    assert reply.intent.gender is None and reply.intent.colors == ["Red"] and reply.intent.max_price == 80, reply.intent
    assert set(_names(reply)) == {"Breeze Wind Jacket", "Ridge Softshell Jacket"}, reply.text
    assert reply.text.startswith('I have dropped "for women" from your search.'), reply.text
    assert "women's" not in reply.text


def test_for_men_too_without_a_gender_filter_keeps_the_need(bot: ShoppingAssistant) -> None:
    before = bot.chat("red jackets", session_id="h")
    reply = bot.chat("it can be for men too", session_id="h")
    assert reply.intent.gender is None and reply.intent.colors == ["Red"] and set(_names(reply)) == set(_names(before))


# ----- 3. a size said alone after a list


@pytest.mark.parametrize(("said", "size"), [("M", "M"), ("size M", "M"), ("in large", "L"), ("L please", "L"), ("S", "S"),
                                            ("m", "M")])
def test_a_size_alone_is_that_size_of_the_need(bot: ShoppingAssistant, said: str, size: str) -> None:
    """'M' answered "Here are 5 M" (the letter searched among everything); 'S' was dropped without a word."""
    bot.chat("jackets for women", session_id="s")
    reply = bot.chat(said, session_id="s")
    assert reply.intent.kind == "refine" and reply.intent.sizes == [size] and reply.intent.gender == "women", reply.intent
    assert f"in size {size}" in reply.text and f"Here are 5 {said}" not in reply.text, reply.text
    assert reply.products and all(size in c.sizes and "Jacket" in c.name for c in reply.products), reply.text


@pytest.mark.parametrize("said", ["XL please", "XL"])
def test_a_size_alone_filters_what_comes_in_it(bot: ShoppingAssistant, said: str) -> None:
    bot.chat("jackets", session_id="x")
    reply = bot.chat(said, session_id="x")
    assert reply.intent.sizes == ["XL"] and set(_names(reply)) == {"Ridge Softshell Jacket", "Harbor Waterproof Jacket"}


@pytest.mark.parametrize("said", ["3XL", "size 3XL", "XXS"])
def test_a_size_the_shop_lacks_is_said_and_the_need_stays(bot: ShoppingAssistant, said: str) -> None:
    """'XXS' alone listed the shop's first products under "nothing in size XXS", the jackets forgotten."""
    bot.chat("jackets for women", session_id="n")
    reply = bot.chat(said, session_id="n")
    assert reply.intent.kind == "refine" and reply.intent.gender == "women" and reply.intent.category, reply.intent
    assert reply.text.startswith(f"We have nothing in size {said.removeprefix('size ')} (our sizes: XS, S, M, L)"), reply.text
    assert reply.products and all("Jacket" in n for n in _names(reply))


def test_a_size_alone_still_answers_which_size_after_adding(bot: ShoppingAssistant) -> None:
    bot.chat("show me the Breeze Wind Jacket", session_id="c")
    asked = bot.chat("add it to my cart", session_id="c")
    assert "Which size?" in asked.text, asked.text
    reply = bot.chat("M", session_id="c")
    assert [(x["name"], x["qty"], x.get("size")) for x in reply.cart] == [("Breeze Wind Jacket", 1, "M")], reply.text


def test_bare_size() -> None:
    assert [bare_size(t) for t in ("M", "size 3XL", "in large", "XL please", "extra large", "size 32")] == ["M", "3XL", "L", "XL", "XL", "32"]
    assert [bare_size(t) for t in ("32", "the M", "M jackets", "hoodies")] == [None, None, None, None]


# ----- 4. picks past the fifth


def test_ordinals_past_the_fifth_pick_from_a_longer_list(tmp_path: Path) -> None:
    """'the sixth one' searched "sixth" ("Nothing in our catalog matches"), 'the 7th' searched "th"."""
    bot = _bot(tmp_path, results=10)
    shown = _names(bot.chat("tees", session_id="o"))
    assert len(shown) == 9
    for said, at in [("the sixth one", 5), ("the 7th", 6), ("number 8", 7), ("the eighth one", 7), ("the last one", 8),
                     ("is the ninth one in stock?", 8), ("tell me more about the 6th one", 5)]:
        reply = bot.chat(said, session_id="o")
        assert reply.intent.kind == "question" and _names(reply) == [shown[at]], (said, reply.text)
    added = bot.chat("add the seventh one to my cart", session_id="o")
    assert [x["name"] for x in added.cart] == [shown[6]], added.text


@pytest.mark.parametrize("said", ["the sixth one", "the 7th", "the tenth one"])
def test_an_ordinal_past_the_end_says_what_is_shown(bot: ShoppingAssistant, said: str) -> None:
    shown = _names(bot.chat("tees", session_id="p"))
    reply = bot.chat(said, session_id="p")
    assert reply.text.startswith("Only 5 products are shown: "), reply.text
    assert _names(reply) == shown


def test_references_in_text_past_the_fifth() -> None:
    assert references_in_text("the sixth one") == [6]
    assert references_in_text("the 7th") == [7]
    assert references_in_text("the tenth one please") == [10]
    assert references_in_text("the 12th one") == [12]
    assert references_in_text("第六个") == [6]
    assert references_in_text("el séptimo") == [7]
    assert references_in_text("第10个") == [10]  # (not the first and the tenth)
    assert references_in_text("a sixth sense") == []


# ----- 5. "top rated tees", "best rated jackets under 100"


def _rating(reply: Any) -> list[tuple[float, int]]:
    return [(c.rating_avg or 0.0, c.rating_count or 0) for c in reply.products]


def test_top_rated_tees_under_a_budget_are_tees_best_rated_first(bot: ShoppingAssistant) -> None:
    """The words "top rated" were searched with the tees: the two "... Top" products came up alone."""
    reply = bot.chat("top rated tees under 30", session_id="t")
    assert reply.intent.sort == "rating" and reply.intent.max_price == 30 and "top" not in reply.intent.query.lower()
    names = _names(reply)
    assert names[:3] == ["Gwyn Endurance Tee", "Helios Cool Tee", "Aero Fitness Tee"], reply.text
    assert all(c.price <= 30 for c in reply.products) and _rating(reply) == sorted(_rating(reply), reverse=True)


@pytest.mark.parametrize("ask", ["best rated jackets under 100", "top-rated jackets under 100", "jackets with the best reviews under 100"])
def test_best_rated_jackets_keep_the_kind_and_the_budget(bot: ShoppingAssistant, ask: str) -> None:
    reply = bot.chat(ask, session_id="j")
    assert reply.intent.sort == "rating" and reply.intent.max_price == 100 and reply.intent.query.lower() == "jackets", reply.intent
    assert _names(reply)[0] == "Ridge Softshell Jacket" and all("Jacket" in n for n in _names(reply)), reply.text


def test_top_rated_alone_keeps_the_need_on_screen(bot: ShoppingAssistant) -> None:
    bot.chat("jackets for women under 80", session_id="k")
    reply = bot.chat("top rated", session_id="k")
    assert reply.intent.kind == "refine" and reply.intent.sort == "rating" and reply.intent.gender == "women"
    assert reply.intent.max_price == 80 and _names(reply) == ["Breeze Wind Jacket", "Nova Fleece Jacket"], reply.text


# ----- cheaper, more, instead


def test_cheaper_ones_and_show_me_more_after_a_list(tmp_path: Path) -> None:
    bot = _bot(tmp_path, results=3)
    first = bot.chat("tees", session_id="c")
    cheapest_shown = min(c.price for c in first.products)
    assert cheapest_shown > Decimal("21.00"), first.text  # (the shop's cheapest tee is not on screen)
    cheaper = bot.chat("cheaper ones", session_id="c")
    assert cheaper.products and all(c.price < cheapest_shown for c in cheaper.products), cheaper.text
    assert all("Tee" in n or "Top" in n for n in _names(cheaper)) and "Radiant Tee" in _names(cheaper)
    again = bot.chat("tees", session_id="m")
    more = bot.chat("show me more", session_id="m")
    assert more.intent.kind == "refine" and more.intent.query == "tees"
    assert len(_names(more)) == 3 and not set(_names(more)) & set(_names(again)), more.text


def test_something_cheaper_after_jackets(bot: ShoppingAssistant) -> None:
    first = bot.chat("jackets for women", session_id="sc")
    reply = bot.chat("something cheaper", session_id="sc")
    assert reply.products and all(c.price < min(c.price for c in first.products) for c in reply.products) \
        or reply.text.startswith("Nova Fleece Jacket at $45.00 is already the cheapest"), reply.text


def test_in_blue_instead_leaves_red_out_of_the_words_searched(bot: ShoppingAssistant) -> None:
    """'in blue instead' kept searching "red jackets", so 'doesn't have to be blue' then listed red ones first."""
    bot.chat("red jackets", session_id="b")
    blue = bot.chat("in blue instead", session_id="b")
    assert blue.intent.colors == ["Blue"] and "red" not in blue.intent.query.lower(), blue.intent
    assert set(_names(blue)) == {"Storm Waterproof Jacket", "Nova Fleece Jacket", "Harbor Waterproof Jacket"}
    anyc = bot.chat("doesn't have to be blue", session_id="b")
    assert anyc.intent.colors == [] and anyc.intent.query.lower() == "jackets", anyc.intent
    # "and blue" adds: both colours, and the red stays in the words
    bot.chat("red jackets", session_id="b2")
    both = bot.chat("and blue", session_id="b2")
    assert both.intent.colors == ["Red", "Blue"]
