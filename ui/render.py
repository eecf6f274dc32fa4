"""HTML for product cards, intent chips and the cart. Every catalog string goes through `html.escape`:
a product named `<script>alert(1)</script>` is shown as text, never run."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from assistant.intent import ShoppingIntent
from assistant.language import variant_bits
from assistant.vocabulary import colour_key
from catalog.text import money


def e(value: Any) -> str:
    """Escape any value for HTML text and attribute context."""
    return escape("" if value is None else str(value), quote=True)


def image_url(product_id: int) -> str:
    """This server's public link to a product's photo (a local file is served, an http(s) one redirected to)."""
    return f"/api/v1/products/{int(product_id)}/image"


def stock_text(card: dict[str, Any]) -> tuple[str, str]:
    """(css class, words) for the stock badge."""
    if not card.get("in_stock"):
        return "out", "Out of stock"
    qty = card.get("stock_qty")
    if qty is not None and 0 < int(qty) <= 5:
        return "low", f"Only {int(qty)} left"
    return "in", "In stock"


def card_html(card: dict[str, Any], position: int | None = None) -> str:
    """One product card from `ProductCard.to_json()`."""
    pid = int(card["id"])
    name = e(card.get("name"))
    currency = str(card.get("currency") or "USD")
    price = money(card["price"], currency)
    regular = card.get("regular_price")
    was = (
        f' <s class="sa-card-was">{e(money(regular, currency))}</s>'
        if regular is not None and float(regular) > float(card["price"])
        else ""
    )
    if card.get("image"):
        img = f'<img class="sa-card-img" src="{e(image_url(pid))}" alt="{name}" loading="lazy">'
    else:
        img = '<div class="sa-card-img sa-card-noimg" aria-hidden="true">no photo</div>'
    rating = ""
    if card.get("rating_count"):
        rating = f'<div class="sa-card-rating">★ {float(card.get("rating_avg") or 0):.1f} ({int(card["rating_count"])} reviews)</div>'
    else:
        rating = '<div class="sa-card-rating sa-muted">no reviews yet</div>'
    stock_cls, stock_words = stock_text(card)
    brand = f'<div class="sa-card-brand">{e(card.get("brand"))}</div>' if card.get("brand") else ""
    pos = f'<span class="sa-card-pos">#{position}</span> ' if position is not None else ""
    why = e(card.get("explanation") or "")
    return (
        f'<div class="sa-card" data-product-id="{pid}">'
        f"{img}"
        f'<div class="sa-card-body">'
        f'<div class="sa-card-name">{pos}{name}</div>{brand}'
        f'<div class="sa-card-price">{e(price)}{was}</div>'
        f"{rating}"
        f'<div class="sa-card-stock sa-stock-{stock_cls}">{e(stock_words)}</div>'
        f'<div class="sa-card-why"><b>Why this:</b> {why}</div>'
        f"</div></div>"
    )


def cards_html(cards: list[dict[str, Any]]) -> str:
    if not cards:
        return '<div class="sa-cards sa-empty">No products to show yet.</div>'
    return '<div class="sa-cards">' + "".join(card_html(c, i + 1) for i, c in enumerate(cards)) + "</div>"


def _variant(line: dict[str, Any]) -> str:
    bits = variant_bits(line)
    return f" ({', '.join(bits)})" if bits else ""


def cart_html(cart: list[dict[str, Any]]) -> str:
    if not cart:
        return '<div class="sa-cart sa-empty">Your cart is empty.</div>'
    total = sum(Decimal(str(line["price"])) * int(line["qty"]) for line in cart)
    rows = "".join(
        f'<li class="sa-cart-line" data-product-id="{int(line["product_id"])}">'
        f'{int(line["qty"])} × {e(line["name"])}{e(_variant(line))} <span class="sa-muted">{e(money(line["price"], line.get("currency")))}</span></li>'
        for line in cart
    )
    return f'<div class="sa-cart"><ul>{rows}</ul><div class="sa-cart-total">Total {e(money(total, cart[0].get("currency") if cart else None))}</div></div>'


# ----- intent chips ---------------------------------------------------------------------------------
LIST_CHIPS = {"brands": "brand", "colors": "colour", "sizes": "size", "attributes": "wants", "exclude": "not"}


def intent_chips(intent: ShoppingIntent | dict[str, Any] | None, currency: str = "USD") -> list[tuple[str, str, str]]:
    """(field, value, label) for each constraint of the intent that the shopper may remove."""
    if intent is None:
        return []
    it = intent if isinstance(intent, ShoppingIntent) else ShoppingIntent.model_validate(intent)
    chips: list[tuple[str, str, str]] = []
    if it.query:
        chips.append(("query", it.query, f"looking for: {it.query}"))
    if it.category:
        chips.append(("category", it.category, f"category: {it.category.rsplit('/', 1)[-1]}"))
    if it.gender:
        chips.append(("gender", it.gender, f"for: {it.gender}"))
    for field, label in LIST_CHIPS.items():
        for value in getattr(it, field):
            chips.append((field, value, f"{label}: {value}"))
    if it.min_price is not None:
        chips.append(("min_price", str(it.min_price), f"over {money(it.min_price, currency)}"))
    if it.max_price is not None:
        chips.append(("max_price", str(it.max_price), f"under {money(it.max_price, currency)}"))
    if it.sort != "relevance":
        chips.append(("sort", it.sort, f"sorted: {it.sort.replace('_', ' ')}"))
    return chips


def without(intent: ShoppingIntent, field: str, value: str | None = None) -> ShoppingIntent:
    """A copy of `intent` without one constraint (a list field loses just `value`)."""
    data = intent.model_dump()
    before = data.get(field)
    if field in LIST_CHIPS:
        if value is None:
            data[field] = []
        else:
            data[field] = [v for v in data[field] if str(v).lower() != str(value).lower()]
    elif field == "query":
        data["query"] = ""
    elif field == "sort":
        data["sort"] = "relevance"
    elif field in ("category", "gender", "min_price", "max_price"):
        data[field] = None
    else:
        raise ValueError(f"unknown constraint '{field}'; use one of query, category, gender, "
                         f"{', '.join(LIST_CHIPS)}, min_price, max_price, sort")
    if data[field] == before:  # a chip that is not there: said, never a silent search again as if it were removed
        now = ", ".join(map(str, before)) if isinstance(before, list) else before
        what = f"{field} {value!r}" if value is not None and now else f"{field} constraint"
        has = f" (its {field}: {now})" if now and now != "relevance" else ""
        raise ValueError(f"the current search has no {what} to remove{has}")
    if field == "colors" and data["query"]:
        # the colour's word leaves the words searched too: "red jackets" less its Red chip still ranked red ones first
        dropped = {colour_key(str(c)) for c in before or []} - {colour_key(str(c)) for c in data[field]}
        data["query"] = " ".join(t for t in data["query"].split() if colour_key(t.strip(",.")) not in dropped)
    data["kind"] = "refine"
    data["references"] = []
    return ShoppingIntent.model_validate(data)
