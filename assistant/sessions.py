"""Conversation state stored in the SQL catalog, so a restart keeps every conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from catalog.db import CatalogDB
from catalog.models import ChatSession, ChatTurn, Interaction


@dataclass
class SessionState:
    session_id: str
    user_id: str | None = None
    intent: dict[str, Any] | None = None  # the merged ShoppingIntent so far
    shown: list[dict[str, Any]] = field(default_factory=list)  # [{"id", "name", "price"}] last shown, in order
    history: list[str] = field(default_factory=list)  # earlier user messages (most recent last)
    cart: list[dict[str, Any]] = field(default_factory=list)  # [{"product_id", "sku", "name", "price", "qty"}]
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    viewed: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "shown": self.shown,
            "history": self.history[-10:],
            "cart": self.cart,
            "liked": self.liked[-50:],
            "disliked": self.disliked[-50:],
            "viewed": self.viewed[-50:],
        }


class SessionStore:
    def __init__(self, db: CatalogDB):
        self.db = db

    def exists(self, session_id: str) -> bool:
        with self.db.session() as s:
            return s.get(ChatSession, session_id) is not None

    def load(self, session_id: str, user_id: str | None = None) -> SessionState:
        with self.db.session() as s:
            row = s.get(ChatSession, session_id)
            if row is None:
                return SessionState(session_id=session_id, user_id=user_id)
            st = dict(row.state or {})
        return SessionState(
            session_id=session_id,
            user_id=user_id or row.user_id,
            intent=st.get("intent"),
            shown=list(st.get("shown", [])),
            history=list(st.get("history", [])),
            cart=list(st.get("cart", [])),
            liked=list(st.get("liked", [])),
            disliked=list(st.get("disliked", [])),
            viewed=list(st.get("viewed", [])),
        )

    def save(self, state: SessionState, turn: dict[str, Any] | None = None) -> None:
        """Persist the state (and the turn) in one transaction."""
        with self.db.session() as s:
            row = s.get(ChatSession, state.session_id)
            if row is None:
                row = ChatSession(id=state.session_id, user_id=state.user_id, state={})
                s.add(row)
            row.state = state.to_json()
            if state.user_id and not row.user_id:
                row.user_id = state.user_id
            if turn is not None:
                s.add(ChatTurn(session_id=state.session_id, **turn))

    def turns(self, session_id: str) -> list[ChatTurn]:
        with self.db.session() as s:
            return list(s.scalars(select(ChatTurn).where(ChatTurn.session_id == session_id).order_by(ChatTurn.id)))

    def export_user(self, user_id: str) -> dict[str, Any]:
        """Privacy: everything stored about one shopper (conversations with their turns, logged events)."""
        with self.db.session() as s:
            sessions = list(s.scalars(select(ChatSession).where(ChatSession.user_id == user_id)))
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
                    {"event": ev.event, "product_id": ev.product_id, "session_id": ev.session_id, "at": ev.created_at.isoformat()}
                    for ev in s.scalars(select(Interaction).where(Interaction.user_id == user_id).order_by(Interaction.id))
                ],
            }

    def delete_user(self, user_id: str) -> dict[str, int]:
        """Privacy: remove every conversation and logged event of this user."""
        with self.db.session() as s:
            ids = list(s.scalars(select(ChatSession.id).where(ChatSession.user_id == user_id)))
            n_turns = 0
            if ids:
                n_turns = len(list(s.scalars(select(ChatTurn.id).where(ChatTurn.session_id.in_(ids)))))
                s.execute(delete(ChatTurn).where(ChatTurn.session_id.in_(ids)))
                s.execute(delete(ChatSession).where(ChatSession.id.in_(ids)))
            n_events = len(list(s.scalars(select(Interaction.id).where(Interaction.user_id == user_id))))
            s.execute(delete(Interaction).where(Interaction.user_id == user_id))
        return {"sessions": len(ids), "turns": n_turns, "events": n_events}
