"""Regressions a reviewer found in the day's dialogue fixes: a shop's own product named like a colour wish ("Black
Jacket") dropped the colour, a Spanish or Chinese shop named by its product answered in English, and a model's add
said in words no list holds ("I'd like the second one") was thrown away."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.intent_parser import kind_said
from catalog.records import ProductRecord as P
from tests.test_follow_ups import _shop


def _jackets() -> list[Any]:
    def jacket(sku: str, name: str, colours: list[str]) -> Any:
        return P(sku=sku, name=name, price=Decimal("50.00"), categories=["Jackets"], attributes={"color": colours}, stock_qty=5)

    return [jacket("J1", "Black Jacket", ["Black"]), jacket("J2", "Classic Jacket", ["Black", "Red"]),
            jacket("J3", "Rain Jacket", ["Blue"])]


def test_a_colour_wish_stays_when_a_product_is_named_like_it(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _jackets())
    for message in ("black jacket", "a black jacket please"):
        reply = bot.chat(message, session_id=message.replace(" ", "-"))
        names = {p.name for p in reply.products}
        assert names == {"Black Jacket", "Classic Jacket"}, (message, reply.text)


def test_a_shop_named_in_spanish_or_chinese_answers_in_that_language(tmp_path: Path) -> None:
    bot = _shop(tmp_path, [
        P(sku="C1", name="Chaqueta Impermeable", price=Decimal("80.00"), categories=["Chaquetas"], stock_qty=3),
        P(sku="W1", name="羊毛围巾", price=Decimal("20.00"), categories=["围巾"], stock_qty=3),
    ])
    es = bot.chat("chaqueta impermeable", session_id="es")
    assert es.products and not es.text.startswith(("One match", "Here are")), es.text
    zh = bot.chat("羊毛围巾", session_id="zh")
    assert zh.products and not zh.text.startswith(("One match", "Here are")), zh.text


def test_a_models_cart_or_compare_reading_is_overruled_only_by_a_question_about_something_else() -> None:
    for add in ("I'd like the second one", "give me the second one", "dame el segundo", "第二个吧", "I want the second one"):
        assert kind_said("cart", add), add
    for question in ("how much is the wool scarf?", "do you gift wrap?", "how many are in stock?"):
        assert not kind_said("cart", question), question
    for compare in ("pros and cons of the first two?", "how do they stack up?", "¿en qué se diferencian el primero y el segundo?"):
        assert kind_said("compare", compare), compare
    assert not kind_said("compare", "what's the cheapest thing you sell?")
