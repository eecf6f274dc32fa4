"""Picks, comparisons and the cart: "the cheaper one" right after a comparison listed the shop's cheaper products (and
"add the cheaper one" after "is the third cheaper than the first?" added the list's cheapest); "I want to check out the
first one" searched "to check out"; "the first one in green" of a tee that has no green offered nothing, and "add 2"
then added it with no colour."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.test_follow_ups import _cart, _shop

_ORDINALS = ["first", "second", "third", "fourth", "fifth"]


def _tees(*, karissa: tuple[str, ...] = ("Green", "White")) -> list[Any]:
    from catalog.records import ProductRecord as P
    from catalog.records import VariantRecord as V

    def tee(sku: str, name: str, price: str, colours: tuple[str, ...], category: str = "Women/Tops/Tees") -> Any:
        return P(sku=sku, name=name, price=Decimal(price), categories=[category], gender="women",
                 description=f"The {name} is a soft tee for the gym.", attributes={"color": list(colours)},
                 variants=[V(sku=f"{sku}-{c[:3]}-{z}", color=c, size=z, stock_qty=5) for c in colours for z in ("S", "M")])

    return [
        tee("T1", "Diva Gym Tee", "32.00", ("Orange", "Yellow")),
        tee("T2", "Gwyn Endurance Tee", "24.00", ("Black", "Green")),
        tee("T3", "Karissa V-Neck Tee", "28.00", karissa),
        tee("T4", "Aero Daily Tee", "26.00", ("Blue",)),
        tee("T5", "Radiant Tee", "22.00", ("Red",)),
        tee("J1", "Olivia Trail Jacket", "60.00", ("Green",), category="Women/Tops/Jackets"),
    ]


def _at(reply: Any, name: str) -> str:
    """'the third' for the product of that name in the list `reply` shows."""
    return _ORDINALS[[p.name for p in reply.products].index(name)]


def test_the_cheaper_one_after_a_comparison_is_one_of_the_two(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    shown = bot.chat("tees", session_id="c")
    diva, gwyn = _at(shown, "Diva Gym Tee"), _at(shown, "Gwyn Endurance Tee")
    bot.chat(f"compare the {diva} and the {gwyn}", session_id="c")
    cheaper = bot.chat("the cheaper one", session_id="c")
    assert [p.name for p in cheaper.products] == ["Gwyn Endurance Tee"], cheaper.text
    assert "Gwyn Endurance Tee" in cheaper.text and "$24.00" in cheaper.text and "Radiant" not in cheaper.text, cheaper.text
    dearer = bot.chat("the more expensive one", session_id="c")  # still of the two compared
    assert [p.name for p in dearer.products] == ["Diva Gym Tee"] and "$32.00" in dearer.text, dearer.text
    added = bot.chat("add the cheaper one", session_id="c")
    assert _cart(added) == [("Gwyn Endurance Tee", 1)], added.text


def test_the_cheaper_one_after_a_price_question(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    shown = bot.chat("tees", session_id="q")
    diva, gwyn = _at(shown, "Diva Gym Tee"), _at(shown, "Gwyn Endurance Tee")
    asked = bot.chat(f"is the {diva} cheaper than the {gwyn}?", session_id="q")
    assert asked.text.startswith("No"), asked.text
    dearer = bot.chat("the more expensive one", session_id="q")
    assert [p.name for p in dearer.products] == ["Diva Gym Tee"] and "$32.00" in dearer.text, dearer.text
    bot.chat("tees", session_id="q2")
    bot.chat(f"is the {diva} cheaper than the {gwyn}?", session_id="q2")
    added = bot.chat("add the cheaper one", session_id="q2")  # it added the list's cheapest, the Radiant Tee
    assert _cart(added) == [("Gwyn Endurance Tee", 1)], added.text


def test_the_cheaper_one_in_spanish_and_chinese(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    for sid, (ask, pick, said) in {"es": ("compara el {a} y el {b}", "¿y el más barato?", "El más barato es Gwyn Endurance Tee"),
                                   "zh": ("比较{a}和{b}", "便宜的那个", "更便宜的是Gwyn Endurance Tee")}.items():
        shown = bot.chat("camisetas" if sid == "es" else "T恤", session_id=sid)
        names = [p.name for p in shown.products]
        if "Diva Gym Tee" not in names or "Gwyn Endurance Tee" not in names:
            shown = bot.chat("tees", session_id=sid)
            names = [p.name for p in shown.products]
        a, b = names.index("Diva Gym Tee"), names.index("Gwyn Endurance Tee")
        words = (["primero", "segundo", "tercero", "cuarto", "quinto"] if sid == "es"
                 else ["第一个", "第二个", "第三个", "第四个", "第五个"])
        bot.chat(ask.format(a=words[a], b=words[b]), session_id=sid)
        reply = bot.chat(pick, session_id=sid)
        assert [p.name for p in reply.products] == ["Gwyn Endurance Tee"], reply.text
        assert said in reply.text, reply.text


def test_check_out_the_first_one_is_a_look_at_it(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    shown = bot.chat("tees", session_id="k")
    told = bot.chat("tell me about the first one", session_id="k")
    looked = bot.chat("I want to check out the first one", session_id="k")
    assert looked.intent.kind == "question" and [p.name for p in looked.products] == [shown.products[0].name], looked.text
    assert looked.text == told.text and looked.cart == []
    second = bot.chat("let me check out the second one", session_id="k")
    assert [p.name for p in second.products] == [shown.products[1].name] and second.cart == [], second.text
    # a bare checkout is still the cart and the shop's own checkout
    bot.chat("add the first one in M", session_id="k")
    for text in ("checkout", "check out please"):
        paying = bot.chat(text, session_id="k")
        assert paying.text.startswith("Your cart: 1 ×") and "checkout" in paying.text and not paying.products, paying.text


def test_a_colour_the_pick_lacks_offers_those_of_its_kind_in_it(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    shown = bot.chat("tees", session_id="g")
    picked = bot.chat(f"the {_at(shown, 'Diva Gym Tee')} one in green", session_id="g")
    assert "Diva Gym Tee" in picked.text and "not in Green" in picked.text, picked.text
    # the tees that come in green, named with their prices, never the green jacket (another kind)
    assert "These tees do come in Green: " in picked.text, picked.text
    assert "Gwyn Endurance Tee ($24.00)" in picked.text and "Karissa V-Neck Tee ($28.00)" in picked.text, picked.text
    assert "Olivia" not in picked.text and [p.name for p in picked.products] == ["Diva Gym Tee"]
    # two green ones offered: "add 2" adds nothing in a colour never asked for; which is asked, with the Diva's colours
    asked = bot.chat("add 2", session_id="g")
    assert asked.cart == [], asked.text
    assert "Orange, Yellow" in asked.text and "Gwyn Endurance Tee, Karissa V-Neck Tee" in asked.text, asked.text
    # then one of them by name: in green
    done = bot.chat("add 2 of the Karissa V-Neck Tee", session_id="g")
    assert [(x["name"], x["qty"], x.get("color")) for x in done.cart] == [("Karissa V-Neck Tee", 2, "Green")], done.text
    # the list on screen is still what "the second one" counts in
    second = bot.chat("the second one", session_id="g")
    assert [p.name for p in second.products] == [shown.products[1].name], second.text


def test_one_green_alternative_is_the_one_added(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees(karissa=("White",)))
    shown = bot.chat("tees", session_id="o")
    picked = bot.chat(f"the {_at(shown, 'Diva Gym Tee')} one in green", session_id="o")
    assert "These tees do come in Green: Gwyn Endurance Tee ($24.00)." in picked.text, picked.text
    added = bot.chat("add 2", session_id="o")
    assert [(x["name"], x["qty"], x.get("color")) for x in added.cart] == [("Gwyn Endurance Tee", 2, "Green")], added.text


def test_no_alternative_in_that_colour_asks_which_colour(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    shown = bot.chat("tees", session_id="p")
    picked = bot.chat(f"the {_at(shown, 'Diva Gym Tee')} one in purple", session_id="p")
    assert "not in Purple" in picked.text and [p.name for p in picked.products] == ["Diva Gym Tee"], picked.text
    asked = bot.chat("add 2", session_id="p")
    assert asked.cart == [] and "Orange, Yellow" in asked.text and "Purple" in asked.text, asked.text
    added = bot.chat("add 2 in orange", session_id="p")  # a colour it has: added
    assert [(x["name"], x["qty"], x.get("color")) for x in added.cart] == [("Diva Gym Tee", 2, "Orange")], added.text
    # a pick in a colour it has is added in it as before
    bot.chat("tees", session_id="h")
    bot.chat(f"the {_at(shown, 'Gwyn Endurance Tee')} one in green", session_id="h")
    kept = bot.chat("add 2", session_id="h")
    assert [(x["name"], x["qty"], x.get("color")) for x in kept.cart] == [("Gwyn Endurance Tee", 2, "Green")], kept.text


def test_spanish_pick_in_a_missing_colour_offers_and_asks_in_spanish(tmp_path: Path) -> None:
    bot = _shop(tmp_path, _tees())
    shown = bot.chat("tees", session_id="s")
    pos = ["primera", "segunda", "tercera", "cuarta", "quinta"][[p.name for p in shown.products].index("Diva Gym Tee")]
    picked = bot.chat(f"la {pos} en verde", session_id="s")
    assert "Estos Tees sí vienen en verde: Gwyn Endurance Tee ($24.00), Karissa V-Neck Tee ($28.00)." in picked.text, picked.text
    asked = bot.chat("añade 2", session_id="s")
    assert asked.cart == [] and "Orange, Yellow" in asked.text and "¿" in asked.text, asked.text


def test_the_ones_offered_in_that_colour_come_in_the_size_said_too(tmp_path: Path) -> None:
    tees = _tees()
    gwyn = next(t for t in tees if t.name == "Gwyn Endurance Tee")
    gwyn.variants = [v for v in gwyn.variants if not (v.color == "Green" and v.size == "M")]  # green in S only
    bot = _shop(tmp_path, tees)
    shown = bot.chat("tees", session_id="z")
    picked = bot.chat(f"the {_at(shown, 'Diva Gym Tee')} one in green, size M", session_id="z")
    assert "come in Green: Karissa V-Neck Tee ($28.00)." in picked.text, picked.text
    added = bot.chat("add it", session_id="z")  # the one offered in green M: that one, so
    assert [(x["name"], x["qty"], x.get("color"), x.get("size")) for x in added.cart] == [("Karissa V-Neck Tee", 1, "Green", "M")], added.text
