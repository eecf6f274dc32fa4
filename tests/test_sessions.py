"""Conversations on a real catalog database: who may continue one, and turns that arrive at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from assistant.agent import ShoppingAssistant
from assistant.errors import SessionBusyError, SessionOwnerError
from assistant.sessions import SessionStore
from catalog.db import open_catalog
from catalog.models import ChatTurn
from catalog.writer import sync_catalog
from tests.catalog_fixtures import small_store


@pytest.fixture
def bot(db_url: str) -> ShoppingAssistant:
    db = open_catalog(db_url)
    with db.session() as s:
        sync_catalog(s, small_store(), progress=False)
    return ShoppingAssistant.from_config(db_url, llm="rules", search="catalog")


def turn_count(bot: ShoppingAssistant, session_id: str) -> int:
    with bot.db.session() as s:
        return int(s.scalar(select(func.count(ChatTurn.id)).where(ChatTurn.session_id == session_id)) or 0)


def test_a_save_that_lost_a_race_is_refused_and_the_first_turn_kept(bot: ShoppingAssistant) -> None:
    store: SessionStore = bot.sessions
    bot.chat("bags", session_id="race")
    # two writers (say two server processes) load the same version of the conversation
    first, second = store.load("race"), store.load("race")
    first.history.append("first")
    store.save(first, {"user_text": "first", "reply_text": "ok"})
    second.history.append("second")
    with pytest.raises(SessionBusyError, match="send it again"):
        store.save(second, {"user_text": "second", "reply_text": "ok"})
    again = store.load("race")
    assert again.history[-1] == "first" and "second" not in again.history
    assert turn_count(bot, "race") == 2  # the refused save wrote no turn either
    again.history.append("third")
    store.save(again)  # a fresh load saves normally
    assert store.load("race").history[-1] == "third"


def test_two_first_saves_of_one_new_conversation_do_not_both_win(bot: ShoppingAssistant) -> None:
    store: SessionStore = bot.sessions
    a, b = store.load("new"), store.load("new")
    store.save(a, {"user_text": "a", "reply_text": "ok"})
    with pytest.raises(SessionBusyError):
        store.save(b, {"user_text": "b", "reply_text": "ok"})
    assert turn_count(bot, "new") == 1


class SlowParser:
    """The real rules parser, slowed down on its first call so a second turn arrives mid-way."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.vocabulary, self.calls = inner, getattr(inner, "vocabulary", None), 0

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            time.sleep(0.5)
        return self.inner.parse(*args, **kwargs)


def test_a_message_resent_while_the_first_is_answered_waits_and_both_are_kept(bot: ShoppingAssistant) -> None:
    bot.parser = SlowParser(bot.parser)
    errors: list[BaseException] = []

    def say(text: str) -> None:
        try:
            bot.chat(text, session_id="twice")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    first = threading.Thread(target=say, args=("bags",))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=say, args=("jackets",))
    second.start()
    first.join(10)
    second.join(10)
    assert not errors, errors
    state = bot.sessions.load("twice")
    assert state.history == ["bags", "jackets"]  # the second turn saw the first one's result
    assert turn_count(bot, "twice") == 2


def test_a_signed_in_shoppers_conversation_is_theirs(bot: ShoppingAssistant) -> None:
    bot.chat("bags", session_id="roni-s", user_id="roni@example.com")  # Python API: a verified id
    bot.chat("jackets", session_id="roni-s", user_id="Roni@Example.com")  # the same shopper, any case
    popularity = bot.repo.popularity([1]).get(1, 0.0)
    for who, verified in ((None, False), ("roni@example.com", False), ("eve@example.com", True)):
        with pytest.raises(SessionOwnerError, match="omit session_id"):
            bot.chat("what is in my cart?", session_id="roni-s", user_id=who, user_verified=verified)
        with pytest.raises(SessionOwnerError):
            bot.feedback("like", 1, session_id="roni-s", user_id=who, user_verified=verified)
    bot.chat("cheaper", session_id="roni-s")  # the Python API's own (trusted) caller may go on without the id
    assert bot.sessions.load("roni-s").history == ["bags", "jackets", "cheaper"]
    assert bot.repo.popularity([1]).get(1, 0.0) == popularity  # the refused feedback was not logged


def test_a_guest_conversation_stays_open_until_a_signed_in_shopper_continues_it(bot: ShoppingAssistant) -> None:
    bot.chat("bags", session_id="g")
    bot.chat("jackets", session_id="g", user_id="claimed@example.com", user_verified=False)  # a claim owns nothing
    bot.chat("cheaper", session_id="g")
    bot.chat("in black", session_id="g", user_id="roni@example.com")  # signs in mid-conversation
    with pytest.raises(SessionOwnerError):
        bot.chat("hoodies", session_id="g", user_verified=False)  # a guest of the web API


def test_one_conversations_turn_never_blocks_another(bot: ShoppingAssistant) -> None:
    store: SessionStore = bot.sessions
    with store.lock("alice-conversation") as taken:
        assert taken
        for i in range(300):  # any sharing of locks between conversations would make some of these wait
            with store.lock(f"other-{i}", wait_s=0) as other:
                assert other, f"other-{i} waited for alice-conversation"


def test_feedback_from_inside_a_turn_in_the_same_thread_is_refused_at_once(bot: ShoppingAssistant) -> None:
    from assistant.agent import AssistantInputError
    from assistant.events import ProductsRanked

    took = None
    for ev in bot.stream("bags", session_id="nested"):
        if isinstance(ev, ProductsRanked):
            t0 = time.monotonic()
            with pytest.raises(AssistantInputError, match="middle of a turn"):
                bot.feedback("click", ev.products[0].id, session_id="nested")
            took = time.monotonic() - t0
    assert took is not None and took < 5  # not the lock's 60 s wait
    assert bot.sessions.load("nested").history == ["bags"]  # and the turn itself was saved
    bot.feedback("click", 1, session_id="nested")  # after the turn, feedback works


def test_export_and_delete_find_a_shopper_whatever_the_case_of_their_id(bot: ShoppingAssistant) -> None:
    bot.chat("bags", session_id="case", user_id="roni@example.com")
    bot.chat("jackets", session_id="case", user_id="Roni@Example.com")
    exported = bot.sessions.export_user("RONI@example.com")
    assert [c["id"] for c in exported["sessions"]] == ["case"]
    assert len(exported["sessions"][0]["turns"]) == 2
    assert bot.sessions.delete_user("roni@example.com")["sessions"] == 1
    assert not bot.sessions.exists("case")
