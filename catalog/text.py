"""Small text helpers shared by importers and the writer."""

from __future__ import annotations

import html
import re
from decimal import Decimal

_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|br|li|ul|ol|div|h\d)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def strip_html(text: str) -> str:
    """HTML description -> plain text, keeping list items and paragraphs on their own lines."""
    if not text:
        return ""
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}


def money(value: Decimal | float | str, currency: str | None = "USD") -> str:
    """A price as shoppers read it, in the catalog's own currency: $57.00, €57.00, 57.00 CHF."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    code = (currency or "USD").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{amount}" if symbol else f"{amount} {code}"


ON_SALE_NOTE = "Nothing that matches is on sale right now; here are the matches at their usual price."
EXCLUSIONS_NOTE = "Everything that matches is {what}, which you ruled out; here they are anyway."


def ruled_out(exclude_terms: list[str], exclude_colors: list[str]) -> str:
    """What a shopper's exclusions ruled out, as the no-match note names it: 'Red or Blue', 'from Legend'."""
    words = list(dict.fromkeys([*exclude_colors, *exclude_terms]))
    if not words:
        return "excluded"
    return " or ".join(words) if len(words) <= 3 else ", ".join(words[:-1]) + " or " + words[-1]
