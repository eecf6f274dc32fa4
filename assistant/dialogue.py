"""Dialogue state: fold each message's intent into the conversation's current need.

    state = merge(state, parser.parse(text, history, state), shown, text=text)
    picked = resolve_references(state, shown)

`shown` is what the shopper saw last, in display order: product ids, or `ShownProduct`s / dicts with an
`id` and (optionally) a `price`, which lets "cheaper ones" become a price cap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.intent import ShoppingIntent
from assistant.vocabulary import (
    ADDS_TO_LIST,
    COLOR_WORDS,
    CONNECTORS,
    OTHER_COLOURS,
    REPLACES_LIST,
    brand_pattern,
    canonical_color,
    is_cheaper_request,
)


@dataclass(frozen=True)
class ShownProduct:
    id: Any
    price: float | None = None
    name: str = ""


def _as_shown(item: Any) -> ShownProduct:
    if isinstance(item, ShownProduct):
        return item
    if isinstance(item, Mapping):
        price = item.get("price")
        return ShownProduct(item.get("id"), float(price) if price is not None else None, str(item.get("name", "")))
    if hasattr(item, "id") and not isinstance(item, int | str):
        price = getattr(item, "price", None)
        return ShownProduct(item.id, float(price) if price is not None else None, str(getattr(item, "name", "")))
    return ShownProduct(item)


def resolve_references(intent: ShoppingIntent, shown: Sequence[Any]) -> list[Any]:
    """The shown items the intent points at (1-based positions; -1 = last); out-of-range positions are dropped.
    Items are returned as given (ids stay ids)."""
    out: list[Any] = []
    n = len(shown)
    for r in intent.references:
        idx = r - 1 if r > 0 else n + r
        if 0 <= idx < n and shown[idx] not in out:
            out.append(shown[idx])
    return out


# "show me more", "any others?", "more options please", "muéstrame más", "还有吗", "换一批": the next results
MORE_RESULTS = re.compile(r"\s*(?:(?:ok(?:ay)?|and|so)[\s,]+)?(?:(?:show|give|get)(?: me)?\s+|see\s+|any\s+|i want\s+|can i see\s+)?"
                          r"(?:some\s+)?(?:more|others|other ones|more (?:options|results|ones|of them|like these)|the next (?:ones|page)|next(?: page)?)"
                          r"(?:\s+please)?[\s?!.]*|(?:muéstrame|muestrame|ver|enséñame)?\s*más(?: opciones)?[\s?!.¿]*|还有吗[？?]*|更多|再来几个|换一批")
# "not the Cronus one", "no, anything but Cronus", "I don't like the Cronus one": a shown product said no to
NOT_THIS = re.compile(r"^\s*(?:(?:no|nah|but)\s*,\s*|(?:no|nah)\s+(?=not\b))?(?:not|anything but|except|none of|i don'?t (?:like|want)|"
                      r"not so keen on|no me gusta)\b")
# "remove the Bruno hoodie", "quita el segundo", "删除第二个"
REMOVING = re.compile(r"\b(?:remove|delete|drop)\b|\bquita|\belimina|删除|去掉|拿掉|"
                      # "take it out", "can you take the Bruno hoodie out?" (not "... we take it out every weekend")
                      r"^\s*(?:(?:please|ok(?:ay)?|and|also|then|now|can you|could you)[\s,]+)*take\s+(?:\S+\s+){0,5}?out\b")
# "remove the Bruno hoodie", "take it out", "please delete the second one", "actually remove one of them": with
# something in the cart, a cart request even without "from my cart" (the message begins with the removal)
REMOVAL_REQUEST = re.compile(r"^\s*(?:(?:please|ok(?:ay)?|and|also|then|now|can you|could you|actually|sorry|oh|hmm|wait)[\s,]+)*(?:remove|delete|"
                             r"take\s+(?:out\b|(?:\S+\s+){0,5}?out\b)|quita|elimina|saca|borra|删除|删掉|去掉|拿掉)")
# "empty my cart", "clear the basket", "remove everything from my cart", "vacía mi carrito", "清空购物车"
EMPTY_CART = re.compile(r"\b(?:empty|clear)\s+(?:out\s+)?(?:my|the)\s+(?:shopping\s+)?(?:cart|basket)\b|"
                        r"\b(?:remove|delete|take out)\s+(?:everything|all(?:\s+(?:the\s+)?items)?)\s+(?:from|in)\s+(?:my|the)\s+(?:cart|basket)\b|"
                        r"\bvac[ií]a\w*\s+(?:mi|el)\s+carrito|清空购物车")
# "it", "this one", "that", "esto", "este", "它", "这个": one product the shopper has in mind
POINTS_AT_ONE = re.compile(r"\b(?:it|this(?: one)?|that(?: one)?|(?:\w+ )?of (?:those|these|them)|esto|este|esta|ese|esa)\b|它|这个|那个")
_CHEAPER_ONE = re.compile(r"\b(?:the\s+)?(?:cheaper|cheapest|least expensive|less expensive|lower[- ]priced)(?:\s+(?:one|of (?:the|them)|item))?\b|"
                          r"(?:el|la) más barat[oa]|便宜的那个|最便宜的")
_DEARER_ONE = re.compile(r"\b(?:the\s+)?(?:more expensive|most expensive|dearer|priciest|pricier)(?:\s+(?:one|of (?:the|them)|item))?\b|"
                         r"(?:el|la) más car[oa]|贵的那个|最贵的")
_NAME_STOP = frozenset("the and for with one this that ones from size colour color cart basket add remove please".split())  # noqa: SIM905


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'-]{2,}", name.lower()) if w not in _NAME_STOP}


def named_products(text: str, pool: Sequence[Mapping[str, Any]]) -> list[int]:
    """Ids of the products in `pool` (dicts with `id` and `name`) that the text names by a word of its name no
    other product there has: "the Bruno one", "the Abominable hoodie", "the Bruno and the Abominable" (never
    "the bag" when two bags are on screen: that is for the shopper to say which)."""
    items: dict[int, set[str]] = {}
    for p in pool:
        items.setdefault(int(p["id"]), _name_words(str(p.get("name", ""))))
    said = set(re.findall(r"[a-z][a-z'-]{2,}", text.lower()))
    owners: dict[str, set[int]] = {}
    for pid, words in items.items():
        for w in words:
            owners.setdefault(w, set()).add(pid)
    return [pid for pid, words in items.items() if any(len(owners[w]) == 1 for w in words & said)]


_FILLER = frozenset("the a one ones please either that this those them thanks thank you i it".split())  # noqa: SIM905


def names_only(text: str, pool: Sequence[Mapping[str, Any]], ids: Sequence[int]) -> bool:
    """True when the text, less a leading negation, "the" and "one(s)", is only words of these products' names:
    "not the Cronus one", "no, not Cronus" (but not "no, I want a backpack", "not the Nova one, under $100")."""
    words = {w for pid in ids for p in pool if int(p["id"]) == pid for w in _name_words(str(p.get("name", "")))}
    rest = NOT_THIS.sub("", text.lower(), count=1)
    left = [w for w in re.findall(r"[a-z][a-z'-]*", rest) if w not in words and w not in _FILLER]
    return not left and not re.search(r"\d", rest)


def superlative_products(text: str, pool: Sequence[Mapping[str, Any]]) -> list[int]:
    """'the cheaper one' / 'the more expensive one' among `pool` (the products just compared, else the list)."""
    priced = [p for p in pool if p.get("price") is not None]
    if len(priced) < 2:
        return []
    low = text.lower()
    if _CHEAPER_ONE.search(low):
        return [int(min(priced, key=lambda p: float(p["price"]))["id"])]
    if _DEARER_ONE.search(low):
        return [int(max(priced, key=lambda p: float(p["price"]))["id"])]
    return []


def _union(a: list[str], b: list[str]) -> list[str]:
    out = list(a)
    seen = {x.lower() for x in a}
    for x in b:
        if x.lower() not in seen:
            seen.add(x.lower())
            out.append(x)
    return out


DANGLING_AT_END = frozenset({"in", "en", "of", "de", "with", "con", "or", "and", "y", "o"})


def _without_words(query: str, gone: set[str]) -> str:
    """`query` without the words in `gone`, and without an "or"/"and"/"in" left dangling
    ("red or blue jackets" -> "jackets", "jackets in red, blue" -> "jackets")."""
    words: list[str | None] = []
    for w in query.replace("/", " / ").split():
        words.append(None if w.lower().strip(".,;:!?()") in gone else w)
    kept: list[str] = []
    for i, word in enumerate(words):
        if word is None:
            continue
        w = word
        if w.lower().strip(",") in CONNECTORS or w in (",", "/"):
            left = words[i - 1] if i > 0 else None
            right = words[i + 1] if i + 1 < len(words) else None
            if left is None or right is None or left.lower() in CONNECTORS or right.lower() in CONNECTORS:
                continue
        kept.append(w)
    while kept and kept[-1].lower().strip(",") in DANGLING_AT_END:
        kept.pop()
    return " ".join(kept).strip(" ,;/")


def merge(
    previous: ShoppingIntent | None,
    new: ShoppingIntent,
    shown_product_ids: Sequence[Any] = (),
    *,
    text: str | None = None,
) -> ShoppingIntent:
    """The conversation state after `new`.

    - no previous state, or a new search/order/policy/chitchat: `new` itself (a "refine" without a previous
      search becomes a "search");
    - "refine": the previous constraints, with each field the message states replacing the old one (colours,
      sizes, brands, gender, category, prices, sort, order id); attributes and exclusions accumulate, and an
      excluded colour leaves `colors`; "cheaper ones" caps `max_price` just below the cheapest shown price when
      prices are known (else sorts by price, ascending);
    - question/compare/cart: `new` with the previous search's constraints filled in where it states none, so
      references keep their context.
    """
    shown = [_as_shown(x) for x in shown_product_ids]
    if previous is None:
        if new.kind == "refine":
            return new.model_copy(update={"kind": "search"})
        return new.model_copy()
    if (new.kind == "refine" and new.category and "/" not in new.category and previous.category
            and new.category.lower() == previous.category.rsplit("/", 1)[-1].lower()):
        new = new.model_copy(update={"category": previous.category})  # "Tees" in a follow-up is still "Men/Tops/Tees"
    if new.kind == "refine" and new.category and previous.category and new.category != previous.category:
        new = new.model_copy(update={"kind": "search"})  # "now show me backpacks": a new search, not a refinement
    if new.kind in ("search", "order_status", "policy", "chitchat", "other"):
        return new.model_copy()
    if new.kind in ("question", "compare", "cart"):
        fill: dict[str, Any] = {}
        if not new.query:
            fill["query"] = previous.query
        if new.category is None:
            fill["category"] = previous.category
        return new.model_copy(update=fill)

    upd: dict[str, Any] = {"kind": "refine", "query": previous.query or new.query}
    for name in ("category", "gender", "order_id", "min_price", "max_price"):
        v = getattr(new, name)
        upd[name] = v if v is not None else getattr(previous, name)
    lowered = (text or "").lower()
    adds = ADDS_TO_LIST.search(lowered) is not None and REPLACES_LIST.search(lowered) is None
    for name in ("colors", "sizes", "brands"):
        v, before = list(getattr(new, name)), list(getattr(previous, name))
        upd[name] = (_union(before, v) if adds else v) if v else before
    upd["sort"] = new.sort if new.sort != "relevance" else previous.sort
    upd["on_sale"] = new.on_sale or previous.on_sale
    upd["attributes"] = _union(list(previous.attributes), list(new.attributes))
    upd["required"] = _union(list(previous.required), list(new.required))
    upd["exclude"] = _union(list(previous.exclude), list(new.exclude))
    # "the black one instead" after "no black": a wanted value stops being excluded, and vice versa
    wanted_now = {c.lower() for c in new.colors + new.brands + new.sizes}
    upd["exclude"] = [e for e in upd["exclude"] if e.lower() not in wanted_now]
    excluded = {e.lower() for e in upd["exclude"]}
    upd["colors"] = [c for c in upd["colors"] if c.lower() not in excluded]
    upd["brands"] = [b for b in upd["brands"] if b.lower() not in excluded]
    for b in previous.brands:  # "jackets by Legend", then "not Legend": the query stops asking for Legend
        if b.lower() in excluded:
            upd["query"] = re.sub(rf"\s*\b(?:by|from|de)?\s*{brand_pattern(b)}", " ", str(upd["query"]), flags=re.I).strip() or upd["query"]
    upd["references"] = list(new.references)
    # "show me other colours": the same need without the colours asked for so far
    if text is not None and not new.colors and OTHER_COLOURS.search(text.lower()) and previous.colors:
        upd["exclude"] = _union(upd["exclude"], list(previous.colors))
        upd["colors"] = []
        gone = {c.lower() for c in previous.colors}
        gone |= {w.lower() for c in previous.colors for w in COLOR_WORDS.get(canonical_color(c) or "", ())}  # rojas, 红色
        upd["query"] = _without_words(str(upd["query"]), gone) or upd["query"]
    elif new.colors and not adds and previous.colors:
        # "in blue instead" after "red jackets": the red leaves the words searched too (it went on searching "red
        # jackets", so "doesn't have to be blue" then listed the red ones)
        kept = {canonical_color(c) or c.lower() for c in upd["colors"]}
        replaced = [c for c in previous.colors if (canonical_color(c) or c.lower()) not in kept]
        gone = {c.lower() for c in replaced} | {w.lower() for c in replaced for w in COLOR_WORDS.get(canonical_color(c) or "", ())}
        upd["query"] = _without_words(str(upd["query"]), gone) or upd["query"]

    cheaper = is_cheaper_request(text) if text is not None else (
        new.sort == "price_asc" and new.max_price is None and previous.sort != "price_asc"
    )
    if cheaper and new.max_price is None:
        prices = [p.price for p in shown if p.price is not None]
        if prices:
            cap = round(min(prices) - 0.01, 2)
            upd["max_price"] = cap if upd["max_price"] is None else min(cap, upd["max_price"])
        else:
            upd["sort"] = "price_asc"
    if upd["min_price"] is not None and upd["max_price"] is not None and upd["min_price"] > upd["max_price"]:
        # ("around $40", then "something cheaper": below what is shown, no longer above the old floor)
        upd["min_price"] = None if new.max_price is not None or cheaper else upd["min_price"]
        if upd["min_price"] is not None:
            upd["max_price"] = None
    return previous.model_copy(update=upd)
