"""Re-run the search with an edited intent (a removed chip, "more like this") through the assistant's own
searcher and reply writer, and remember the result in the session like any other turn."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from assistant.agent import AssistantInputError, ShoppingAssistant
from assistant.events import ChatReply
from assistant.intent import ShoppingIntent
from assistant.replies import card
from assistant.search_backend import SearchContext, apply_corrections
from assistant.sessions import SessionState
from ui.render import without


def run_intent(
    assistant: ShoppingAssistant,
    intent: ShoppingIntent | Callable[[SessionState], ShoppingIntent],
    *,
    session_id: str,
    user_id: str | None = None,
    user_verified: bool = True,
    label: str,
    exclude_ids: Sequence[int] = (),
) -> ChatReply:
    """Search with `intent` as the conversation's current need; `label` is logged as the shopper's action.
    `intent` may be a function of the conversation's state, read under the conversation's lock. Products in
    `exclude_ids` are never among the results."""
    with assistant.sessions.lock(session_id):
        return _run_intent(assistant, intent, session_id, user_id, user_verified, label, list(exclude_ids))


def _run_intent(
    assistant: ShoppingAssistant, edit: ShoppingIntent | Callable[[SessionState], ShoppingIntent], session_id: str,
    user_id: str | None, user_verified: bool, label: str, exclude_ids: list[int],
) -> ChatReply:
    t0 = time.perf_counter()
    state = assistant.sessions.load(session_id, user_id, verified=user_verified)
    intent = edit if isinstance(edit, ShoppingIntent) else edit(state)
    ctx = SearchContext(state.liked, state.disliked, state.viewed, state.user_id, None, exclude_ids=exclude_ids)
    outcome = assistant.searcher.search(intent, ctx, assistant.results)
    intent = apply_corrections(intent, outcome.corrections)  # no "you wrote" line: the shopper typed nothing here
    # the searchers filter `exclude_ids` out; a searcher that does not know the field must not show them either
    cards = [card(item, intent) for item in outcome.items if item.product.id not in exclude_ids]
    text = "".join(assistant.writer.write(intent, cards, outcome.note)).strip()
    timings = {"search": (time.perf_counter() - t0) * 1000}
    state.intent = intent.model_dump()
    state.shown = [{"id": c.id, "name": c.name, "price": float(c.price)} for c in cards]
    state.viewed.extend(c.id for c in cards if c.id not in state.viewed)
    timings["total"] = (time.perf_counter() - t0) * 1000
    assistant.sessions.save(
        state,
        {
            "user_text": label,
            "reply_text": text,
            "intent": intent.model_dump(),
            "product_ids": [c.id for c in cards],
            "timings_ms": {k: round(v, 1) for k, v in timings.items()},
        },
    )
    return ChatReply(text, cards, intent, timings, session_id, list(state.cart), outcome.note)


def remove_constraint(
    assistant: ShoppingAssistant, *, session_id: str, field: str, value: str | None = None, user_id: str | None = None,
    user_verified: bool = True,
) -> ChatReply:
    """The shopper removed one chip: search again without that constraint."""

    def edit(state: SessionState) -> ShoppingIntent:
        if not state.intent:
            raise AssistantInputError("there is no search to refine in this conversation yet; ask for something first")
        try:
            return without(ShoppingIntent.model_validate(state.intent), field, value)
        except ValueError as exc:
            raise AssistantInputError(str(exc)) from None

    return run_intent(assistant, edit, session_id=session_id, user_id=user_id, user_verified=user_verified,
                      label=f"[removed filter {field}: {value or ''}]".strip())


def more_like(
    assistant: ShoppingAssistant, *, session_id: str, product_id: int, user_id: str | None = None, user_verified: bool = True
) -> ChatReply:
    """'More like this': remember the like, then search the product's own category for similar names.

    The category is the product's most specific real one ("Women/Tops/Jackets"), never a collection or
    promotion it is also filed under ("Collections/Erin Recommends"); the product itself is never a result."""
    p = assistant.repo.get(product_id)
    if p is None:
        raise AssistantInputError(f"unknown product id {product_id}")
    assistant.feedback("like", product_id, session_id=session_id, user_id=user_id, user_verified=user_verified)
    data: dict[str, Any] = {"kind": "search", "query": p.name, "category": assistant.repo.product_category(p)}
    if p.gender in ("women", "men", "kids", "unisex"):
        data["gender"] = p.gender
    intent = ShoppingIntent.model_validate(data)
    return run_intent(assistant, intent, session_id=session_id, user_id=user_id, user_verified=user_verified,
                      label=f"[more like {p.name}]", exclude_ids=[product_id])
