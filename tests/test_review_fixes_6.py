"""Must-haves read as the catalog says them, found on the Magento demo: a phrase no product has ("racer back") is never
required word by word where no product of the kind has them all, and is quoted as said; "pockets" finds "Pocket"; no
"none lists" above products whose descriptions say it; "from Under Armour" is a brand, never the wish "from"; "the
cheaper one" of two at one price says they cost the same; a quality ("big") never ranks another kind first."""

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

    def p(sku: str, name: str, price: str, category: str, gender: str | None = None, description: str = "",
          brand: str | None = None, **attributes: list[str]) -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=[category], stock_qty=10, gender=gender,
                 description=description or f"The {name}.", brand=brand, attributes=dict(attributes))

    return [
        p("K1", "Antonia Racer Tank", "34.00", "Tanks", "women", material=["Nylon"]),
        p("K2", "Tiberius Gym Tank", "18.00", "Tanks", "men", material=["Polyester"]),
        p("K3", "Helios Endurance Tank", "32.00", "Tanks", "men", material=["Polyester"]),
        p("H1", "Mona Pullover Hoodie", "57.00", "Hoodies", "women", description="A soft pullover for cool days."),
        p("H2", "Selene Yoga Hoodie", "42.00", "Hoodies", "women", description="Front kangaroo pocket and a hood."),
        p("H3", "Hera Pullover Hoodie", "48.00", "Hoodies", "women", description="Ribbed cuffs and hem."),
        p("J1", "Lando Gym Jacket", "99.00", "Jackets", "men", description="A jacket for the gym.", brand="Luma",
          material=["Polyester"]),
        p("J2", "Kenobi Trail Jacket", "47.00", "Jackets", "men", description="A jacket for the trail.", brand="Luma",
          material=["Nylon"]),
        p("J3", "Jupiter All-Weather Trainer", "56.00", "Jackets", "men", brand="Under Armour",
          description="Water resistant shell for wet runs.", material=["Nylon"]),
        p("W1", "Dash Digital Watch", "92.00", "Watches", "unisex"),
        p("W2", "Didi Sport Watch", "92.00", "Watches", "unisex"),
        p("G1", "Sprite Water Bottle", "7.00", "Gear", "unisex"),
        p("B1", "Savvy Shoulder Tote", "24.00", "Bags", "unisex", features_bags=["Audio Pocket"], style_bags=["Tote"]),
        p("B2", "Joust Duffle Bag", "34.00", "Bags", "unisex", description="A big duffle for the gym.",
          style_bags=["Duffel"]),
        p("B3", "Driven Backpack", "36.00", "Bags", "unisex", description="A backpack for the commute.",
          style_bags=["Backpack"]),
        p("B4", "Fusion Backpack", "59.00", "Bags", "unisex", description="A backpack for the trail.",
          style_bags=["Backpack"]),
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShoppingAssistant:
    return _shop(tmp_path_factory.mktemp("rf6"), _products())


def _sid(text: str) -> str:
    return re.sub(r"[^\w.:-]+", "-", text)[:100]


def _names(reply: Any) -> list[str]:
    return [c.name for c in reply.products]


def _tags(card: Any) -> list[str]:
    return [t.strip() for t in card.explanation.split(";")]


def _talk(shop: ShoppingAssistant, said: str) -> Any:
    reply = None
    for msg in said.split("|"):
        reply = shop.chat(msg, session_id=_sid(said))
    return reply


def test_a_phrase_no_product_has_requires_only_the_words_the_kind_has(shop: ShoppingAssistant) -> None:
    """It required "racer" and "back" (a backpack says "back"), found no tank, and said 'None of our tanks lists
    "racer, back"' above the tanks while the Antonia Racer Tank is one."""
    reply = _talk(shop, "show me tanks|must be a racer back")
    assert "none of our" not in reply.text.lower() and "racer, back" not in reply.text, reply.text
    assert _names(reply) == ["Antonia Racer Tank"], reply.text


def test_a_phrase_whose_words_no_product_of_the_kind_has_only_ranks(shop: ShoppingAssistant) -> None:
    """"water resistant" is in no name or feature, "water" only in a bottle's name: it said 'None of our jackets lists
    "water"' above a jacket whose description says "Water resistant"."""
    reply = _talk(shop, "show me jackets for men|must be water resistant")
    assert "lists" not in reply.text and reply.intent.required == [], reply.text
    assert _names(reply)[0] == "Jupiter All-Weather Trainer", reply.text
    assert all("Jacket" in n or "Trainer" in n for n in _names(reply)), reply.text


def test_must_words_match_the_plural_said(tmp_path: Path) -> None:
    db = open_catalog(f"sqlite:///{tmp_path / 'c.db'}")
    with db.session() as s:
        sync_catalog(s, CatalogData(products=_products()), progress=False)
    repo = CatalogRepository(db)
    for said in ("pockets", "pocket", "audio pockets"):
        assert {p.name for p in repo.find(ProductFilter(must_words=[said]), limit=50)} == {"Savvy Shoulder Tote"}, said


def test_no_none_lists_above_hoodies_whose_descriptions_say_it(shop: ShoppingAssistant) -> None:
    """It said 'None of our hoodies lists "pockets"' above hoodies tagged "pocket", and listed one without it first."""
    reply = _talk(shop, "show me hoodies|it must have pockets")
    assert "lists" not in reply.text, reply.text
    assert _names(reply)[0] == "Selene Yoga Hoodie", reply.text
    assert "pocket" in _tags(reply.products[0]), reply.products[0]


def test_the_note_quotes_the_phrase_as_said(shop: ShoppingAssistant) -> None:
    """A must-have no product of the kind has is quoted whole, never as its words with a comma ("racer, back")."""
    reply = _talk(shop, "show me watches|it has to have an audio pocket")
    assert 'lists "audio pocket"' in reply.text, reply.text
    tanks = _talk(shop, "show me tanks")
    for text, lang, quoted in (("must be a racer back", "en", '"racer back"'), ("has to have a hood and a racer back", "en",
                                                                               '"racer back" or "hood"')):
        note = shop._unlisted_note(["racer", "back", "hood"] if "hood" in text else ["racer", "back"], tanks.intent,
                                   tanks.products, text, lang)
        assert f"lists {quoted}" in note and "racer, back" not in note, note


def test_from_a_brand_is_the_brand_filter_never_the_wish_from(shop: ShoppingAssistant) -> None:
    """Every card was tagged "from"."""
    reply = _talk(shop, "show me jackets|has to be from Under Armour")
    assert reply.intent.brands == ["Under Armour"] and "from" not in reply.intent.attributes, reply.intent
    assert _names(reply) == ["Jupiter All-Weather Trainer"], reply.text
    other = _talk(shop, "show me jackets|it has to be from Nike")
    assert "from" not in other.intent.attributes and all("from" not in _tags(c) for c in other.products), other.text
    assert other.intent.category and other.products, other.text


def test_the_cheaper_one_of_two_at_one_price_says_so(shop: ShoppingAssistant) -> None:
    """It asked "Which of these do you mean?" without saying why."""
    reply = _talk(shop, "show me watches|compare the first and second|I'll take the cheaper one")
    assert "They cost the same: $92.00." in reply.text and "Which of these" in reply.text, reply.text
    assert reply.cart == [], reply.cart


def test_big_never_ranks_a_duffle_above_the_backpacks(shop: ShoppingAssistant) -> None:
    reply = _talk(shop, "I need a backpack, it has to be big")
    assert _names(reply)[:2] and all("Backpack" in n for n in _names(reply)[:2]), reply.text
    assert "big" not in reply.intent.attributes, reply.intent
