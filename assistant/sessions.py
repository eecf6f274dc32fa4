"""Conversation state stored in the SQL catalog, so a restart keeps every conversation."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.errors import AssistantInputError, SessionBusyError, SessionOwnerError
from catalog.db import CatalogDB, unicode_lower
from catalog.models import ChatSession, ChatTurn, Interaction, utcnow
from catalog.privacy import normalize_user_id, user_pseudonym

# A turn waits this long for another turn of the same conversation before going ahead anyway (the
# version check still refuses a lost race): a stream someone never finished must not block forever.
LOCK_WAIT_S = 60.0


class _ConversationLock:
    """A lock for one conversation, and the thread that holds it (each turn runs in one thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None


SESSION_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")  # a session id as the web API and the Python API accept it


@dataclass
class SessionState:
    session_id: str
    user_id: str | None = None
    intent: dict[str, Any] | None = None  # the merged ShoppingIntent so far
    shown: list[dict[str, Any]] = field(default_factory=list)  # [{"id", "name", "price"}] last shown, in order
    # the products a question or comparison is about (the list above stays what references count in)
    focus: list[dict[str, Any]] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # earlier user messages (most recent last)
    cart: list[dict[str, Any]] = field(default_factory=list)  # [{"product_id", "sku", "name", "price", "qty"}]
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    viewed: list[int] = field(default_factory=list)
    owner_verified: bool = False  # the owner signed in (a verified id): only they may continue it
    # the cart line the last turn added to or changed ({"product_id", "size", "color", "added"}): what "it",
    # "make that 3", "change the size to L" and "I meant the other one" mean right after; None after any other turn
    touched: dict[str, Any] | None = None
    # a cart request waiting for the shopper to say which line ("Which one should I take off: ...?"): {"action":
    # "remove" | "quantity", "n": how many (None: the whole line), "lines": [{"product_id", "size", "color"}] in the
    # order they were listed}; the next turn's "the blue one" / "the first one" finishes it; None after any other turn
    pending: dict[str, Any] | None = None
    version: int | None = None  # as loaded; None: not stored yet

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "shown": self.shown,
            "focus": self.focus,
            "history": self.history[-10:],
            "cart": self.cart,
            "liked": self.liked[-50:],
            "disliked": self.disliked[-50:],
            "viewed": self.viewed[-50:],
            "owner_verified": self.owner_verified,
            "touched": self.touched,
            "pending": self.pending,
        }


def _named(user_id: str) -> None:
    """A blank id names nobody: it must never match the guests' conversations."""
    if not (user_id or "").strip():
        raise AssistantInputError("the user id is empty: give the shopper's id (e-mail or customer id)")


def _same_user(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().lower() == b.strip().lower()  # type: ignore[union-attr]


def _is_user(column: Any, user_id: str) -> Any:
    """Ids are e-mails or shop ids: the same shopper whatever the case they were typed in."""
    return unicode_lower(column) == normalize_user_id(user_id)


def _user_events(s: Session, user_id: str, session_ids: list[str]) -> Any:
    """The shopper's logged events: under their pseudonym, or in one of their conversations (a guest's
    likes before signing in belong to the conversation they then claimed)."""
    mine = Interaction.user_id == user_pseudonym(s, user_id)
    return mine | Interaction.session_id.in_(session_ids) if session_ids else mine


class SessionStore:
    def __init__(self, db: CatalogDB):
        self.db = db
        # one lock per conversation, dropped when no turn holds or waits for it
        self._locks: weakref.WeakValueDictionary[str, _ConversationLock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()

    @contextmanager
    def lock(self, session_id: str, *, wait_s: float = LOCK_WAIT_S) -> Iterator[bool]:
        """Serialise the turns of one conversation in this process: a message re-sent while the first is
        still being answered waits, then sees the first one's result. Yields whether the lock was taken."""
        with self._locks_guard:
            entry = self._locks.get(session_id)
            if entry is None:
                entry = self._locks[session_id] = _ConversationLock()
        me = threading.get_ident()
        if entry.owner == me:  # waiting here would wait for ourselves
            raise AssistantInputError(
                f"conversation '{session_id}' is in the middle of a turn in this thread: read that turn's events "
                "to the end before sending feedback or another message for it"
            )
        taken = entry.lock.acquire(timeout=wait_s)
        if taken:
            entry.owner = me
        try:
            yield taken
        finally:
            if taken:
                entry.owner = None
                entry.lock.release()

    def exists(self, session_id: str) -> bool:
        with self.db.session() as s:
            return s.get(ChatSession, session_id) is not None

    def load(self, session_id: str, user_id: str | None = None, *, verified: bool = True) -> SessionState:
        """The conversation's state. A conversation a shopper continued while signed in (`verified`) is
        theirs: an unverified caller (a guest, or a mere claim of their id) or another signed-in shopper
        gets SessionOwnerError."""
        with self.db.session() as s:
            row = s.get(ChatSession, session_id)
            if row is None:
                return SessionState(session_id=session_id, user_id=user_id, owner_verified=bool(user_id and verified))
            st = dict(row.state or {})
            owner, version = row.user_id, int(row.version or 0)
        owner_verified = bool(st.get("owner_verified")) and owner is not None
        # verified with no id is the Python API's own caller (trusted) continuing its conversation
        if owner_verified and not (verified and (user_id is None or _same_user(user_id, owner))):
            raise SessionOwnerError(
                "this conversation belongs to a signed-in shopper: sign in as them, or omit session_id to start a new one"
            )
        return SessionState(
            session_id=session_id,
            user_id=user_id or owner,
            intent=st.get("intent"),
            shown=list(st.get("shown", [])),
            focus=list(st.get("focus", [])),
            history=list(st.get("history", [])),
            cart=list(st.get("cart", [])),
            liked=list(st.get("liked", [])),
            disliked=list(st.get("disliked", [])),
            viewed=list(st.get("viewed", [])),
            touched=st.get("touched"),
            pending=st.get("pending"),
            # a signed-in shopper continuing a guest's (or a mere claim's) conversation makes it theirs
            owner_verified=owner_verified or bool(verified and user_id),
            version=version,
        )

    def save(self, state: SessionState, turn: dict[str, Any] | None = None) -> None:
        """Persist the state (and the turn) in one transaction. If another writer saved this conversation
        since `state` was loaded, nothing is written and SessionBusyError says to send the message again."""
        busy = SessionBusyError(
            "another message in this conversation was answered at the same time; nothing of this one was "
            "saved: send it again"
        )
        with self.db.session() as s:
            if state.version is None:
                s.add(ChatSession(id=state.session_id, user_id=state.user_id, state=state.to_json(), version=1))
                try:
                    s.flush()  # a concurrent first save of the same id fails here, before the turn is added
                except IntegrityError:
                    raise busy from None
                new_version = 1
            else:
                done = s.execute(
                    update(ChatSession)
                    .where(ChatSession.id == state.session_id, ChatSession.version == state.version)
                    .values(state=state.to_json(), version=ChatSession.version + 1, updated_at=utcnow())
                )
                if getattr(done, "rowcount", 0) != 1:
                    raise busy
                if state.user_id:
                    # a signed-in shopper takes the conversation over from a guest, a mere claim or another
                    # shopper; the stored spelling of the same shopper's id is kept (export/delete find it)
                    which = [ChatSession.id == state.session_id]
                    if state.owner_verified:
                        which.append(ChatSession.user_id.is_(None) | (unicode_lower(ChatSession.user_id) != normalize_user_id(state.user_id)))
                    else:
                        which.append(ChatSession.user_id.is_(None))
                    s.execute(update(ChatSession).where(*which).values(user_id=state.user_id))
                new_version = state.version + 1
            if turn is not None:
                s.add(ChatTurn(session_id=state.session_id, **turn))
        state.version = new_version

    def turns(self, session_id: str) -> list[ChatTurn]:
        with self.db.session() as s:
            return list(s.scalars(select(ChatTurn).where(ChatTurn.session_id == session_id).order_by(ChatTurn.id)))

    def export_user(self, user_id: str) -> dict[str, Any]:
        """Privacy: everything stored about one shopper (conversations with their turns, logged events)."""
        _named(user_id)
        with self.db.session() as s:
            sessions = list(s.scalars(select(ChatSession).where(_is_user(ChatSession.user_id, user_id))))
            return {
                "user_id": user_id,
                "sessions": [
                    {
                        "id": cs.id,
                        "state": cs.state,
                        "turns": [
                            {"user": t.user_text, "reply": t.reply_text, "at": t.created_at.isoformat()}
                            for t in s.scalars(select(ChatTurn).where(ChatTurn.session_id == cs.id).order_by(ChatTurn.id))
                        ],
                    }
                    for cs in sessions
                ],
                "events": [
                    # everything the log holds about them, the words they searched with included
                    {"event": ev.event, "product_id": ev.product_id, "session_id": ev.session_id, "query": ev.query,
                     "position": ev.position, "at": ev.created_at.isoformat()}
                    for ev in s.scalars(select(Interaction).where(_user_events(s, user_id, [cs.id for cs in sessions])).order_by(Interaction.id))
                ],
            }

    def delete_user(self, user_id: str) -> dict[str, int]:
        """Privacy: remove every conversation and logged event of this user."""
        _named(user_id)
        with self.db.session() as s:
            ids = list(s.scalars(select(ChatSession.id).where(_is_user(ChatSession.user_id, user_id))))
            n_turns = 0
            if ids:
                n_turns = len(list(s.scalars(select(ChatTurn.id).where(ChatTurn.session_id.in_(ids)))))
                s.execute(delete(ChatTurn).where(ChatTurn.session_id.in_(ids)))
                s.execute(delete(ChatSession).where(ChatSession.id.in_(ids)))
            events = _user_events(s, user_id, ids)
            n_events = len(list(s.scalars(select(Interaction.id).where(events))))
            s.execute(delete(Interaction).where(events))
        return {"sessions": len(ids), "turns": n_turns, "events": n_events}
