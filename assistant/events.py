"""The typed events one assistant turn yields. The CLI, the Python API, the UI and the HTTP API all
consume this one stream, so none of them can show something the others cannot."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from assistant.intent import ShoppingIntent
from assistant.language import say


@dataclass
class ProductCard:
    """A recommended product as shown to the shopper; every fact is copied from the catalog."""

    id: int
    sku: str
    name: str
    price: Decimal
    currency: str
    regular_price: Decimal
    in_stock: bool
    stock_qty: int | None
    rating_avg: float | None
    rating_count: int
    image: str | None
    brand: str | None
    colors: list[str]
    sizes: list[str]
    explanation: str
    contributions: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["price"] = float(self.price)
        d["regular_price"] = float(self.regular_price)
        return d


@dataclass
class IntentParsed:
    intent: ShoppingIntent
    ms: float
    type: str = "intent"


@dataclass
class CandidatesFound:
    count: int
    ms: float
    type: str = "candidates"


@dataclass
class ProductsRanked:
    products: list[ProductCard]
    ms: float
    note: str | None = None  # e.g. "nothing under $5; the cheapest is $21.99"
    corrections: list[tuple[str, str]] = field(default_factory=list)  # misspelt words searched as catalog words
    type: str = "ranked"


@dataclass
class ReplyChunk:
    text: str
    type: str = "reply_chunk"


@dataclass
class ChatReply:
    """The whole turn: what `ShoppingAssistant.chat` returns."""

    text: str
    products: list[ProductCard]
    intent: ShoppingIntent
    timings_ms: dict[str, float]
    session_id: str
    cart: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    corrections: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "reply": self.text,
            "products": [p.to_json() for p in self.products],
            "intent": self.intent.model_dump(),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "session_id": self.session_id,
            "cart": self.cart,
            "note": self.note,
            "corrections": corrections_json(self.corrections),
        }


@dataclass
class TurnDone:
    reply: ChatReply
    type: str = "done"


Event = IntentParsed | CandidatesFound | ProductsRanked | ReplyChunk | TurnDone


def event_to_json(ev: Event) -> dict[str, Any]:
    if isinstance(ev, IntentParsed):
        return {"type": ev.type, "intent": ev.intent.model_dump(), "ms": round(ev.ms, 1)}
    if isinstance(ev, CandidatesFound):
        return {"type": ev.type, "count": ev.count, "ms": round(ev.ms, 1)}
    if isinstance(ev, ProductsRanked):
        return {"type": ev.type, "products": [p.to_json() for p in ev.products], "note": ev.note,
                "corrections": corrections_json(ev.corrections), "ms": round(ev.ms, 1)}
    if isinstance(ev, ReplyChunk):
        return {"type": ev.type, "text": ev.text}
    return {"type": ev.type, **ev.reply.to_json()}


def corrections_json(corrections: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"wrote": w, "searched": c} for w, c in corrections]


def corrections_line(corrections: list[tuple[str, str]], lang: str = "en") -> str:
    """'Showing results for "blade" (you wrote "blde").' -- said before the products, so a shopper sees at
    once when the assistant read a word differently."""
    if not corrections:
        return ""
    searched = ", ".join(f'"{c}"' for _, c in corrections)
    wrote = ", ".join(f'"{w}"' for w, _ in corrections)
    return say("corrections", lang, searched=searched, wrote=wrote)


T = TypeVar("T")
log = logging.getLogger(__name__)
_END = object()


def finished_anyway(events: Iterator[T]) -> Iterator[T]:
    """The same events, produced in a thread of their own that runs the turn to its end even when the
    reader stops early (a shopper closes the page mid-reply; the web server then stops reading). The turn,
    and what it changed in the session, are saved either way. An error in the turn is raised to the reader.
    The thread starts now, not at the first read."""
    out: queue.Queue[Any] = queue.Queue()
    reader_gone = threading.Event()

    def run() -> None:
        try:
            for ev in events:
                out.put(ev)
        except BaseException as exc:  # handed over to the reader; logged here when nobody reads any more
            if reader_gone.is_set():
                log.error("chat turn failed after the reader left", exc_info=exc)
            out.put(exc)
        finally:
            out.put(_END)

    threading.Thread(target=run, name="shopassist-turn", daemon=True).start()

    def read() -> Iterator[T]:
        try:
            while (item := out.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            reader_gone.set()

    return read()
