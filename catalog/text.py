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


# plurals no suffix rule undoes ("scarves" is no "scarve", and a shop's "Scarves" must be what "a scarf" asks for)
IRREGULAR_PLURALS = {
    "scarves": "scarf", "knives": "knife", "shelves": "shelf", "leaves": "leaf", "wolves": "wolf", "halves": "half",
    "loaves": "loaf", "calves": "calf", "hooves": "hoof", "elves": "elf", "dwarves": "dwarf", "thieves": "thief",
    "wives": "wife", "mice": "mouse", "lenses": "lens", "buses": "bus",
}
IRREGULAR_PLURAL_OF = {one: many for many, one in IRREGULAR_PLURALS.items()}


# words that end in "ie" whose plural is "-ies" ("hoodies" is no "hoody", as "batteries" is a "battery")
_IE_NOUNS = frozenset({
    "hoodie", "beanie", "cookie", "bootie", "onesie", "goalie", "brownie", "smoothie", "calorie", "movie", "selfie",
    "zombie", "rookie", "pixie", "necktie", "bowtie", "auntie", "hippie", "birdie", "veggie", "foodie", "freebie",
    "genie", "prairie", "collie", "boonie", "sweetie", "cowrie",
})


def singular(word: str) -> str:
    """The singular of an English word, lower case: 'shoes' -> 'shoe', 'boxes' -> 'box', 'dresses' -> 'dress',
    'hoodies' -> 'hoodie', 'batteries' -> 'battery', and the plurals no suffix rule undoes ('scarves' -> 'scarf',
    'knives' -> 'knife'); a singular of that table stays ('lens', 'bus'). The one rule of the assistant and the catalog's
    must-have words (they differed: 'hoodies' was 'hoody', 'boxes' 'boxe' and 'batteries' 'batterie')."""
    w = word.lower().strip()
    if w in IRREGULAR_PLURAL_OF:
        return w
    if w in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[w]
    if w.endswith("ies") and len(w) > 4:
        return w[:-1] if w[:-1] in _IE_NOUNS else w[:-3] + "y"
    if re.search(r"(?:ch|sh|ss|x|zz)es$", w):
        return w[:-2]
    return w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w
