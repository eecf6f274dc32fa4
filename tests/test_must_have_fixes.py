"""Must-haves said in words ("it has to be a v-neck", "must be waterproof") read as the catalog says them: words split
at any character other than a letter or digit ("Tee (V-Neck)", "Long-Sleeve"), a phrase as words in a row; never on
what a product is for (a climate "Warm" is for warm weather) nor on qualities of feel, size or price ("warm", "big");
"on sale" is the sale filter, "unisex" the gender's, the purpose said ("big enough for a laptop") words of the need;
"cheaper ones" keeps the must-have; "do they need to be dry cleaned?" is a question; "no hace falta" a courtesy."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import ShoppingAssistant
from catalog.db import open_catalog
from catalog.records import CatalogData
from catalog.repository import CatalogRepository, ProductFilter
from catalog.writer import sync_catalog
from tests.test_follow_ups import _shop


def _products() -> list[Any]:
    from catalog.records import ProductRecord as P

    def p(sku: str, name: str, price: str, category: str, gender: str | None = None, special: str | None = None,
          description: str = "", **attributes: list[str]) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=[category], stock_qty=10, gender=gender,
                 special_price=Decimal(special) if special else None, description=description or f"The {name}.",
                 attributes=dict(attributes))

    return [
        p("T1", "Ryker Tee (V-neck)", "28.00", "Men/Tees", "men", material=["Cotton"]),
        p("T2", "Ryker Tee (Crew-Neck)", "32.00", "Men/Tees", "men", "25.00", material=["Cotton"]),
        p("T3", "Deion Long-Sleeve Tee", "39.00", "Men/Tees", "men", material=["Polyester"]),
        p("T4", "Zoltan Gym Tee", "29.00", "Men/Tees", "men", material=["Polyester"]),
        p("T5", "Karissa V-Neck Tee", "30.00", "Women/Tees", "women", material=["Cotton"]),
        p("T6", "Juliana Short-Sleeve Tee", "27.00", "Women/Tees", "women", material=["Cotton"]),
        p("T7", "Layla Tee", "29.00", "Women/Tees", "women", "22.00", material=["Cotton"]),
        p("H1", "Daphne Full-Zip Hoodie", "57.00", "Hoodies", "women", style_general=["Full zip"]),
        p("H2", "Mona Pullover Hoodie", "60.00", "Hoodies", "women", style_general=["Pullover"]),
        p("H3", "Phoebe Zipper Sweatshirt", "59.00", "Hoodies", "women", style_general=["Hoodie"]),
        # climate says the weather a jacket is for: "Warm" is a jacket for warm weather, no warm jacket
        p("J1", "Olivia Light Jacket", "77.00", "Jackets", "women", climate=["Warm", "Spring"], material=["Nylon"]),
        p("J2", "Jupiter Trainer Jacket", "56.00", "Jackets", "men", climate=["Warm", "Windy"], material=["Polyester"]),
        p("J3", "Hyperion Insulated Jacket", "51.00", "Jackets", "men", climate=["Cold", "Wintry"], style_general=["Insulated"]),
        p("J4", "Juno Parka Jacket", "69.00", "Jackets", "women", climate=["Cold"], material=["Fleece"]),
        p("J5", "Lando Gym Jacket", "99.00", "Jackets", "men", climate=["Cool"], material=["Polyester"]),
        p("B1", "Voyage Yoga Bag", "32.00", "Bags", "unisex", features_bags=["Waterproof"], style_bags=["Exercise"]),
        p("B2", "Overnight Duffle", "45.00", "Bags", "unisex", features_bags=["Waterproof", "Lightweight"],
          style_bags=["Duffel"]),
        # (the gender said as an attribute too, as Magento's exports do)
        P(sku="B3", name="Savvy Shoulder Tote", price=Decimal("24.00"), categories=["Bags"], stock_qty=10, gender="unisex",
            description="The Savvy Shoulder Tote.", attributes={"features_bags": ["Audio Pocket"], "style_bags": ["Tote"],
                                                                "gender": ["Unisex"]}),
        p("B4", "Wayfarer Messenger Bag", "45.00", "Bags", "unisex", features_bags=["Laptop Sleeve"],
          style_bags=["Laptop", "Messenger"]),
        p("B5", "Joust Duffle Bag", "34.00", "Bags", "unisex", features_bags=["Lightweight"], style_bags=["Duffel"]),
        p("S1", "Lono Yoga Short", "32.00", "Shorts", "men"),
        p("S2", "Apollo Running Short", "30.00", "Shorts", "men"),
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShoppingAssistant:
    return _shop(tmp_path_factory.mktemp("must"), _products())


def _sid(text: str) -> str:
    return re.sub(r"[^\w.:-]+", "-", text)[:100]


def _names(reply: Any) -> set[str]:
    return {c.name for c in reply.products}


def _repo(db_url: str) -> CatalogRepository:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, CatalogData(products=_products()), progress=False)
    return CatalogRepository(db)


def _found(repo: CatalogRepository, *words: str) -> set[str]:
    return {p.name for p in repo.find(ProductFilter(must_words=list(words)), limit=50)}


def test_must_words_match_word_parts_and_phrases_in_sql(db_url: str) -> None:
    """SQLite and PostgreSQL: a word after "(" or "-" is a word ("V-neck" of "Tee (V-neck)"); "v-neck", "v neck" and
    "vneck" are one phrase, its words in a row; "zipper" finds "Full zip"; never inside a word, nor in a climate."""
    repo = _repo(db_url)
    v_neck = {"Ryker Tee (V-neck)", "Karissa V-Neck Tee"}
    for said in ("v-neck", "v neck", "vneck", "V-Neck"):
        assert _found(repo, said) == v_neck, said
    assert _found(repo, "crew neck") == {"Ryker Tee (Crew-Neck)"}
    assert _found(repo, "long sleeve") == _found(repo, "long-sleeve") == {"Deion Long-Sleeve Tee"}
    assert _found(repo, "short sleeve") == {"Juliana Short-Sleeve Tee"}
    assert _found(repo, "sleeve long") == set()  # (the words in the order said)
    assert _found(repo, "neck") == v_neck | {"Ryker Tee (Crew-Neck)"}
    assert _found(repo, "zipper") == {"Daphne Full-Zip Hoodie", "Phoebe Zipper Sweatshirt"}
    assert _found(repo, "waterproof") == {"Voyage Yoga Bag", "Overnight Duffle"}
    assert _found(repo, "warm") == set()  # the climate "Warm" is for warm weather
    assert _found(repo, "unisex") == set()  # the gender filter's word
    assert _found(repo, "insulated") == {"Hyperion Insulated Jacket"}


def test_the_snapshot_filter_cache_matches_phrases_as_sql_does(tmp_path: Path) -> None:
    from retrieval.snapshot import FilterCache, SearchSnapshot

    repo = _repo(f"sqlite:///{tmp_path / 'c.db'}")
    snap = SearchSnapshot(repo)
    cache = FilterCache(repo, snap)
    for words in (["v neck"], ["vneck"], ["long sleeve"], ["zipper"], ["warm"], ["crew neck", "cotton"]):
        f = ProductFilter(must_words=words)
        got = set(snap.ids[cache.mask(f)].tolist())
        assert got == set(repo.find_ids(f, limit=None)), words
    v_neck = ProductFilter(must_words=["v-neck"])
    assert {p.name for p in repo.get_many(snap.ids[cache.mask(v_neck)].tolist())} == {"Ryker Tee (V-neck)", "Karissa V-Neck Tee"}


@pytest.mark.parametrize(("must", "expected"), [
    ("it has to be a v-neck", {"Ryker Tee (V-neck)"}),
    ("must be v neck", {"Ryker Tee (V-neck)"}),
    ("they need to be crew neck", {"Ryker Tee (Crew-Neck)"}),
    ("it has to be long sleeve", {"Deion Long-Sleeve Tee"}),
])
def test_a_must_have_after_mens_tees_finds_the_word_after_a_bracket_or_hyphen(shop: ShoppingAssistant, must: str,
                                                                               expected: set[str]) -> None:
    """It said "None of our tees lists 'v-neck'" (or "'long, sleeve'") above every tee, or kept only Karissa."""
    shop.chat("show me tees for men", session_id=_sid(must))
    reply = shop.chat(must, session_id=_sid(must))
    assert _names(reply) == expected and "None of our" not in reply.text, reply.text


def test_must_be_v_neck_finds_every_v_neck_tee(shop: ShoppingAssistant) -> None:
    shop.chat("show me tees", session_id="v")
    reply = shop.chat("must be v-neck", session_id="v")
    assert _names(reply) == {"Ryker Tee (V-neck)", "Karissa V-Neck Tee"}, reply.text


def test_short_sleeve_is_a_tee_never_shorts_and_the_note_never_quotes_the_sentence(shop: ShoppingAssistant) -> None:
    """It said "None of our has to be short sleeve lists 'sleeve'; here are the has to be short sleeve we have" over shorts."""
    shop.chat("show me tees", session_id="ss")
    reply = shop.chat("has to be short sleeve", session_id="ss")
    assert _names(reply) == {"Juliana Short-Sleeve Tee"}, reply.text
    assert "has to be" not in reply.text
    shop.chat("show me tees", session_id="ss2")
    none = shop.chat("has to be three quarter sleeve", session_id="ss2")  # (a kind no product lists: the tees, said of tees)
    assert "has to be" not in none.text and not any("Short" in n and "Tee" not in n for n in _names(none)), none.text


def test_a_zipper_is_a_full_zip(shop: ShoppingAssistant) -> None:
    shop.chat("show me hoodies", session_id="z")
    reply = shop.chat("has to have a zipper", session_id="z")
    assert _names(reply) == {"Daphne Full-Zip Hoodie", "Phoebe Zipper Sweatshirt"}, reply.text


@pytest.mark.parametrize("said", ["I need a jacket, it has to be warm", "show me jackets|they need to be warm",
                                  "show me jackets|it must be comfortable"])
def test_warm_is_no_climate_filter(shop: ShoppingAssistant, said: str) -> None:
    """"it has to be warm" kept only the two jackets for warm weather (climate "Warm"): a quality only ranks."""
    *first, last = said.split("|")
    for msg in first:
        shop.chat(msg, session_id=_sid(said))
    reply = shop.chat(last, session_id=_sid(said))
    assert reply.intent.required == [] and len(reply.products) == 5, reply.text
    assert all("Jacket" in n for n in _names(reply)), reply.text


@pytest.mark.parametrize("said", ["show me bags|it needs to be big enough for a laptop",
                                  "show me bags|it has to be big enough for my laptop",
                                  "show me bags|it needs to have room for a laptop",
                                  "I need a bag, it has to be big enough for my laptop"])
def test_big_enough_for_a_laptop_is_a_laptop_bag(shop: ShoppingAssistant, said: str) -> None:
    """It said 'We do not carry "laptop"' and showed nothing, or lost "laptop"; "big" and "enough" were wishes."""
    *first, last = said.split("|")
    for msg in first:
        shop.chat(msg, session_id=_sid(said))
    reply = shop.chat(last, session_id=_sid(said))
    assert reply.products and "do not carry" not in reply.text, reply.text
    assert reply.products[0].name == "Wayfarer Messenger Bag", [c.name for c in reply.products]
    assert "laptop" in reply.intent.query and not {"big", "enough", "room"} & set(reply.intent.attributes), reply.intent
    assert reply.intent.required == []


@pytest.mark.parametrize(("first", "must"), [("show me tees", "they have to be on sale"),
                                             ("show me tees", "it needs to be on sale")])
def test_on_sale_said_as_a_must_is_the_sale_filter(shop: ShoppingAssistant, first: str, must: str) -> None:
    shop.chat(first, session_id=_sid(must))
    reply = shop.chat(must, session_id=_sid(must))
    assert reply.intent.on_sale and _names(reply) == {"Ryker Tee (Crew-Neck)", "Layla Tee"}, reply.text


def test_cheaper_ones_keep_the_must_have(shop: ShoppingAssistant) -> None:
    """It said "None of our bags lists 'waterproof'" and listed the (not waterproof) Savvy Shoulder Tote."""
    shop.chat("show me bags", session_id="c")
    shop.chat("must be waterproof", session_id="c")
    reply = shop.chat("cheaper ones", session_id="c")
    assert "Savvy Shoulder Tote" not in _names(reply) and "lists" not in reply.text, reply.text
    assert _names(reply) <= {"Voyage Yoga Bag"} and "Voyage Yoga Bag" in reply.text, reply.text
    assert reply.intent.required == ["waterproof"]


def test_unisex_is_the_gender_filter_never_a_must_word(shop: ShoppingAssistant) -> None:
    """It left the kind: "Nothing in Jackets matches; here are products from other categories"."""
    shop.chat("show me jackets", session_id="u")
    reply = shop.chat("has to be unisex", session_id="u")
    assert reply.intent.required == [] and "other categories" not in reply.text, reply.text
    assert all("Jacket" in n for n in _names(reply)), reply.text


def test_no_hace_falta_is_never_spell_corrected(shop: ShoppingAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """After "muéstrame chaquetas" it said 'Mostrando resultados para "face" (escribiste "hace")': the Magento demo's
    search index knows "face" (its descriptions), and "no hace falta" is read as English there."""
    monkeypatch.setattr(shop, "_spelling_fixes", lambda text, intent: [("hace", "face")] if "hace" in text else [])
    shown = shop.chat("muéstrame chaquetas", session_id="nh").products
    reply = shop.chat("no hace falta", session_id="nh")
    assert reply.intent.kind == "chitchat" and not reply.products and "face" not in reply.text, reply.text
    assert [c.id for c in shop.chat("la primera", session_id="nh").products] == [shown[0].id]


def test_do_they_need_to_be_dry_cleaned_is_a_question(shop: ShoppingAssistant) -> None:
    """It searched "they need to be dry cleaned" among everything (tees, a hoodie, a bra)."""
    shown = [c.name for c in shop.chat("show me jackets", session_id="q").products]
    reply = shop.chat("do they need to be dry cleaned?", session_id="q")
    assert reply.intent.kind == "question" and reply.intent.required == [], reply.text
    assert [c.name for c in reply.products] == shown and "does not mention" in reply.text, reply.text


def test_improvements_kept(shop: ShoppingAssistant) -> None:
    shop.chat("show me bags", session_id="k")
    assert _names(shop.chat("must be waterproof", session_id="k")) == {"Voyage Yoga Bag", "Overnight Duffle"}
    shop.chat("show me tees", session_id="k2")
    cotton = shop.chat("must be cotton", session_id="k2")
    assert _names(cotton) and all(n in {"Ryker Tee (V-neck)", "Ryker Tee (Crew-Neck)", "Karissa V-Neck Tee",
                                        "Juliana Short-Sleeve Tee", "Layla Tee"} for n in _names(cotton)), cotton.text
