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


def money(value: Decimal | float) -> str:
    """A price as shoppers read it: $57.00."""
    return f"${Decimal(str(value)).quantize(Decimal('0.01'))}"
