"""The shopper's chat page (Gradio Blocks), mounted by `ui.server.create_app` at /ui.

Streaming chat; product cards (photo, name, price, rating, stock, "why this") with like / dislike /
more like this / add to cart; the parsed intent as removable chips; the cart; an optional photo upload
for visual search. Every catalog string is HTML-escaped by `ui.render`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from html import escape
from typing import Any

import gradio as gr

from assistant.agent import AssistantInputError, ShoppingAssistant
from assistant.events import ChatReply, IntentParsed, ProductsRanked, ReplyChunk, TurnDone, finished_anyway
from ui.refine import more_like, remove_constraint
from ui.render import card_html, cart_html, intent_chips

log = logging.getLogger(__name__)

THEME = gr.themes.Soft(font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"], font_mono=["ui-monospace", "monospace"])

CSS = """
.sa-cards-grid { display: grid !important; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; }
.sa-card-wrap { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px !important; background: var(--background-fill-primary); }
.sa-card { display: flex; flex-direction: column; gap: 6px; }
.sa-card-img { width: 100%; height: 150px; object-fit: contain; background: #f4f4f5; border-radius: 6px; }
.sa-card-noimg { display: flex; align-items: center; justify-content: center; color: #888; font-size: 12px; }
.sa-card-name { font-weight: 600; overflow-wrap: anywhere; }
.sa-card-pos { color: #888; font-weight: 400; }
.sa-card-brand, .sa-muted { color: #777; font-size: 12px; }
.sa-card-price { font-size: 16px; font-weight: 700; }
.sa-card-was { color: #999; font-weight: 400; font-size: 13px; }
.sa-card-rating { font-size: 13px; color: #b45309; }
.sa-card-rating.sa-muted { color: #777; }
.sa-card-stock { font-size: 12px; }
.sa-stock-in { color: #15803d; } .sa-stock-low { color: #b45309; } .sa-stock-out { color: #b91c1c; }
.sa-card-why { font-size: 12px; color: #444; overflow-wrap: anywhere; }
.sa-card-actions { display: grid !important; grid-template-columns: 1fr 1fr; gap: 4px !important; }
.sa-card-actions button { min-width: 0 !important; width: 100%; padding: 3px 4px !important; font-size: 12px !important; white-space: nowrap; }
.sa-chips { gap: 6px !important; flex-wrap: wrap; }
.sa-chip { flex: 0 0 auto !important; min-width: 0 !important; border-radius: 999px !important; font-size: 12px !important; padding: 2px 10px !important; }
.sa-cart ul { margin: 0; padding-left: 18px; }
.sa-cart-total { font-weight: 700; margin-top: 4px; }
.sa-note { font-size: 13px; color: #555; }
"""

WELCOME = "Hi! Tell me what you are looking for, e.g. *a waterproof jacket for women under $80*."


def _escape_chat(text: str) -> str:
    """Chat text is catalog-derived (product names): shown as text, never as HTML."""
    return escape(text, quote=False)


def build_blocks(assistant: ShoppingAssistant, *, ask_user: bool = True) -> gr.Blocks:
    """The chat UI. Its e-mail box is a claim (it personalises, never shows an order); `ask_user=False`
    (a server that only trusts the shop's signed tokens) leaves it out and every visitor is a guest."""
    image_ok = bool(getattr(assistant, "image_search_available", False))

    def new_session() -> str:
        return uuid.uuid4().hex

    def _uid(user: str | None) -> str | None:
        return ((user or "").strip() or None) if ask_user else None

    # ----- chat turn (streaming) ----------------------------------------------------------------------
    def respond(
        message: str, image: Any, history: list[dict[str, Any]], sid: str, user: str, cards: list[dict[str, Any]],
        intent: dict[str, Any] | None, cart: list[dict[str, Any]],
    ) -> Iterator[tuple[Any, ...]]:
        history = list(history or [])
        text = (message or "").strip()
        if not text and image is None:
            yield history, cards, intent, cart, "", image
            return
        history.append({"role": "user", "content": _escape_chat(text) if text else "(photo)"})
        history.append({"role": "assistant", "content": "…"})
        yield history, cards, intent, cart, "", None
        answer = ""
        try:
            turn = assistant.stream(text, session_id=sid, user_id=_uid(user), image=image if image_ok else None,
                                    user_verified=False)  # the e-mail box is a claim, not a sign-in
            for ev in finished_anyway(turn):  # the turn is saved even if the page is closed mid-reply
                if isinstance(ev, IntentParsed):
                    intent = ev.intent.model_dump() if ev.intent.kind in ("search", "refine") else intent
                    yield history, cards, intent, cart, "", None
                elif isinstance(ev, ProductsRanked):
                    if ev.products:
                        cards = [c.to_json() for c in ev.products]
                    yield history, cards, intent, cart, "", None
                elif isinstance(ev, ReplyChunk):
                    answer += ev.text
                    history[-1] = {"role": "assistant", "content": _escape_chat(answer)}
                    yield history, cards, intent, cart, "", None
                elif isinstance(ev, TurnDone):
                    cart = list(ev.reply.cart)
                    if ev.reply.intent.kind in ("search", "refine"):
                        intent = ev.reply.intent.model_dump()
                        cards = [c.to_json() for c in ev.reply.products]
                    history[-1] = {"role": "assistant", "content": _escape_chat(ev.reply.text or answer)}
                    yield history, cards, intent, cart, "", None
        except AssistantInputError as exc:
            history[-1] = {"role": "assistant", "content": _escape_chat(f"Sorry: {exc}")}
            yield history, cards, intent, cart, "", None
        except Exception:
            log.exception("chat turn failed")
            history[-1] = {"role": "assistant", "content": "Sorry, something went wrong on our side. Please try again."}
            yield history, cards, intent, cart, "", None

    def _apply(reply: ChatReply, history: list[dict[str, Any]], action: str) -> tuple[Any, ...]:
        history = [*(history or []), {"role": "user", "content": _escape_chat(action)},
                   {"role": "assistant", "content": _escape_chat(reply.text)}]
        return history, [c.to_json() for c in reply.products], reply.intent.model_dump(), list(reply.cart)

    # ----- layout ---------------------------------------------------------------------------------------
    with gr.Blocks(title="shopassist") as demo:
        sid = gr.State(new_session)
        cards_state = gr.State([])
        intent_state = gr.State(None)
        cart_state = gr.State([])
        gr.Markdown("## shopassist\nAsk for products in your own words; refine as you go.")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    value=[{"role": "assistant", "content": WELCOME}], height=380, label="Chat",
                    elem_id="sa-chat", feedback_options=None, buttons=["copy"],
                )
                with gr.Row():
                    box = gr.Textbox(placeholder="e.g. rain jacket for women under $80", show_label=False, scale=5,
                                     elem_id="sa-input", max_lines=3)
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="sa-send")
                if image_ok:
                    photo = gr.Image(type="pil", sources=["upload"], label="Search by photo (optional)", height=140,
                                     elem_id="sa-photo")
                else:
                    photo = gr.Image(type="pil", visible=False)
                    status = str(getattr(assistant, "image_status", "no image index is built"))
                    gr.Markdown(f"Photo search is not available on this server ({escape(status)}).",
                                elem_classes=["sa-note"], elem_id="sa-photo-note")
            with gr.Column(scale=2):
                with gr.Accordion("Your e-mail (optional, personalises results)", open=False, visible=ask_user):
                    user_box = gr.Textbox(placeholder="your e-mail", show_label=False, elem_id="sa-user")
                gr.Markdown("**What I understood** — click a chip to remove it and search again")

                @gr.render(inputs=[intent_state])
                def show_chips(intent: dict[str, Any] | None) -> None:
                    chips = intent_chips(intent, assistant.repo.shop_currency())
                    if not chips:
                        gr.Markdown("_nothing yet_", elem_classes=["sa-note"])
                        return
                    with gr.Row(elem_classes=["sa-chips"], elem_id="sa-chips"):
                        for field, value, label in chips:
                            chip = gr.Button(f"{label} ✕", size="sm", elem_classes=["sa-chip"], key=f"chip-{field}-{value}")

                            def drop(history: list[dict[str, Any]], sid: str, user: str, f: str = field, v: str = value,
                                     lab: str = label) -> tuple[Any, ...]:
                                try:
                                    reply = remove_constraint(assistant, session_id=sid, field=f, value=v, user_id=_uid(user),
                                                              user_verified=False)
                                except AssistantInputError as exc:
                                    raise gr.Error(str(exc)) from None
                                return _apply(reply, history, f"(removed: {lab})")

                            chip.click(drop, [chatbot, sid, user_box], [chatbot, cards_state, intent_state, cart_state])

                gr.Markdown("**Your cart**")
                cart_view = gr.HTML(cart_html([]), elem_id="sa-cart")

        gr.Markdown("### Products")

        @gr.render(inputs=[cards_state])
        def show_cards(cards: list[dict[str, Any]]) -> None:
            if not cards:
                gr.Markdown("_No products to show yet._", elem_classes=["sa-note"])
                return
            with gr.Row(elem_classes=["sa-cards-grid"], elem_id="sa-cards"):
                for i, c in enumerate(cards):
                    pid = int(c["id"])
                    with gr.Column(elem_classes=["sa-card-wrap"], min_width=200, key=f"card-{pid}"):
                        gr.HTML(card_html(c, i + 1), key=f"html-{pid}")
                        with gr.Row(elem_classes=["sa-card-actions"]):
                            like = gr.Button("Like", size="sm", elem_classes=["sa-like"], key=f"like-{pid}")
                            dislike = gr.Button("Dislike", size="sm", elem_classes=["sa-dislike"], key=f"dislike-{pid}")
                            more = gr.Button("More like this", size="sm", elem_classes=["sa-more"], key=f"more-{pid}")
                            add = gr.Button("Add to cart", size="sm", elem_classes=["sa-add"], key=f"add-{pid}")

                    def log_event(sid: str, user: str, event: str, p: int = pid, name: str = str(c["name"])) -> list[dict[str, Any]]:
                        assistant.feedback(event, p, session_id=sid, user_id=_uid(user), user_verified=False)
                        words = {"like": "Noted: you like", "dislike": "Noted: you don't like", "add_to_cart": "Added to your cart:"}
                        gr.Info(f"{words.get(event, event)} {name}")
                        return list(assistant.sessions.load(sid, _uid(user), verified=False).cart)

                    like.click(lambda s, u, f=log_event: f(s, u, "like"), [sid, user_box], [cart_state])
                    dislike.click(lambda s, u, f=log_event: f(s, u, "dislike"), [sid, user_box], [cart_state])
                    add.click(lambda s, u, f=log_event: f(s, u, "add_to_cart"), [sid, user_box], [cart_state])

                    def similar(history: list[dict[str, Any]], sid: str, user: str, p: int = pid, name: str = str(c["name"])) -> tuple[Any, ...]:
                        reply = more_like(assistant, session_id=sid, product_id=p, user_id=_uid(user), user_verified=False)
                        return _apply(reply, history, f"(more like {name})")

                    more.click(similar, [chatbot, sid, user_box], [chatbot, cards_state, intent_state, cart_state])

        cart_state.change(cart_html, [cart_state], [cart_view])
        turn_inputs = [box, photo, chatbot, sid, user_box, cards_state, intent_state, cart_state]
        turn_outputs = [chatbot, cards_state, intent_state, cart_state, box, photo]
        box.submit(respond, turn_inputs, turn_outputs)
        send.click(respond, turn_inputs, turn_outputs)
    return demo
