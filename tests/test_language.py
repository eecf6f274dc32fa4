"""Replies framed in the shopper's language (English, Spanish, Chinese); catalog facts stay as the catalog writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent import ShoppingAssistant
from assistant.language import LANGUAGES, MESSAGES, conversation_language, detect_language, localize_note, say
from tests.test_shopper_phrases import outdoor_bot


@pytest.mark.parametrize(("text", "lang"), [
    ("busco una chaqueta para mujer en color rojo, talla M", "es"), ("¿tienes algo más barato?", "es"),
    ("我要男士T恤，蓝色的", "zh"), ("a red jacket for my wife", "en"), ("jackets under 50", "en"),
    ("M", None), ("$40", None), ("Solstix", "en"),
])
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_a_message_without_words_keeps_the_conversations_language() -> None:
    assert conversation_language("M", ["busco una chaqueta roja"]) == "es"
    assert conversation_language("XL?", ["我要T恤"]) == "zh"
    assert conversation_language("M", []) == "en"
    assert conversation_language("Solstix", ["busco una chaqueta roja"]) == "es"
    assert conversation_language("and in blue", ["busco una chaqueta roja"]) == "en"


def test_every_sentence_exists_in_every_language_with_the_same_values() -> None:
    import string

    for key, forms in MESSAGES.items():
        assert set(forms) == set(LANGUAGES), key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in forms.items()}
        assert all(f <= fields["en"] for f in fields.values()), key  # no language needs a value English is not given


def test_rendering_is_strict() -> None:
    with pytest.raises(KeyError):
        say("here_are", "es", n=3)
    assert say("here_are", "fr", n=2, need="tents") == "Here are 2 tents you might like:"  # unknown language: English


def test_known_notes_are_framed_in_the_language_and_others_pass_through() -> None:
    assert localize_note("Nothing under $5.00; the cheapest is $32.00.", "es") == "Nada por menos de $5.00; lo más barato cuesta $32.00."
    assert localize_note("Nothing under $5.00 matches; the cheapest jackets is $32.00.", "zh") == "没有$5.00以下的商品；最便宜的是$32.00。"
    assert localize_note("Something new.", "es") == "Something new."


@pytest.fixture
def bot(tmp_path: Path) -> ShoppingAssistant:
    return outdoor_bot(tmp_path / "outdoor.db")


def test_a_spanish_conversation_is_answered_in_spanish(bot: ShoppingAssistant) -> None:
    reply = bot.chat("busco chaquetas de mujer", session_id="es")
    # the shopper's word for the kind, not the catalog's English category ("2 jackets de mujer")
    assert reply.text.startswith("Aquí tienes 2 chaquetas de mujer que te pueden gustar:")
    assert "Aurora Jacket, $99.99" in reply.text  # names and prices as the catalog has them
    reply = bot.chat("¿tienes algo más barato?", session_id="es")
    assert reply.text == "Nova Jacket, por $89.99, ya es lo más barato que encontré; no hay nada más barato."
    reply = bot.chat("chaquetas por menos de 5 dólares", session_id="es2")
    assert reply.text.startswith("Nada por menos de $5.00; lo más barato cuesta $89.99.\nLas alternativas más cercanas:")


def test_a_chinese_conversation_is_answered_in_chinese(bot: ShoppingAssistant) -> None:
    reply = bot.chat("我要女士夹克", session_id="zh")
    assert reply.text.startswith("为您找到2件女士夹克：")
    assert "：" in reply.text.splitlines()[0]
    reply = bot.chat("第一个有货吗？", session_id="zh")
    assert "有货" in reply.text and reply.text.endswith("。")


def test_spanish_and_chinese_product_words_are_searched_in_english_too(bot: ShoppingAssistant) -> None:
    from assistant.intent import ShoppingIntent
    from assistant.language import english_product_words
    from assistant.search_backend import query_text

    assert english_product_words("我想买一个背包，50美元以下") == ["backpack"]
    assert english_product_words("瑜伽裤") == ["yoga pants"]  # the longer word first
    assert english_product_words("mochila para senderismo") == ["hiking", "backpack"]
    # (the category's name only where the word is not known in English: "mochilas" in Bags listed every chalk bag)
    assert query_text(ShoppingIntent(query="背包", category="Bags")) == "背包 backpack"
    assert query_text(ShoppingIntent(query="手电筒", category="Gear")) == "手电筒 Gear"
    assert query_text(ShoppingIntent(query="backpack")) == "backpack"
    assert bot.chat("una mochila", session_id="one").text.startswith("Aquí tienes 2 mochilas que")
    reply = bot.chat("我想买一个背包，100美元以下", session_id="bp")
    assert {c.name for c in reply.products[:2]} == {"EcoVenture Olive Green Backpack", "EcoLodge 45L Travel Backpack"}
