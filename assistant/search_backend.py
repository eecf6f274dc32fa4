"""From a validated ShoppingIntent to ranked catalog products.

Hard constraints become a `ProductFilter` (exact SQL). Soft wishes (attributes) only rank. When the
retrieval layer is available its hybrid searcher does the ranking; `CatalogSearch` is the
dependency-free fallback over the catalog's own lexical index.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from assistant.intent import ShoppingIntent
from assistant.language import detect_language, english_product_words
from assistant.vocabulary import canonical_color
from catalog.db import python_word_text
from catalog.repository import CatalogRepository, ProductFilter, ProductSummary
from catalog.text import EXCLUSIONS_NOTE, ON_SALE_NOTE, money, ruled_out
from retrieval.sort_pool import sort_pool

EXPLICIT_SORTS = ("price_asc", "price_desc", "rating", "newest")


@dataclass
class RankedItem:
    product: ProductSummary
    score: float
    contributions: dict[str, float] = field(default_factory=dict)


@dataclass
class SearchOutcome:
    items: list[RankedItem]
    candidates: int
    note: str | None = None  # set when the exact request had no match and alternatives are shown
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (shopper's word, word searched)


def apply_corrections(intent: ShoppingIntent, corrections: list[tuple[str, str]]) -> ShoppingIntent:
    """The intent with the searched words in place of the misspelt ones, so the reply and the session
    (and every follow-up turn built on it) use the words the catalog has."""
    if not corrections:
        return intent

    return intent.model_copy(update={"query": replace_words(intent.query, corrections),
                                     "attributes": [replace_words(a, corrections) for a in intent.attributes]})


def replace_words(text: str, corrections: list[tuple[str, str]]) -> str:
    """`text` with each whole word (shopper's word, word searched) replaced, case-insensitively."""
    for wrote, searched in corrections:
        text = _whole_word(wrote).sub(searched, text)
    return text


def corrections_in(text: str, corrections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Only the corrections of words the shopper typed in `text` (not words carried over from an earlier
    turn or added by the intent parser): those are the ones worth telling them about."""
    return [(w, c) for w, c in corrections if _whole_word(w).search(text)]


def _whole_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)


@dataclass
class SearchContext:
    session_liked: list[int] = field(default_factory=list)
    session_disliked: list[int] = field(default_factory=list)
    session_viewed: list[int] = field(default_factory=list)
    user_id: str | None = None
    image: Any = None
    exclude_ids: list[int] = field(default_factory=list)  # never these products (e.g. the one "more like this" is about)
    keep_words: frozenset[str] = frozenset()  # names the shopper wrote ("Nike"): never spell-corrected
    with_sold_out: bool = False  # "including out of stock ones": products out of stock are listed too (and said so)


class ProductSearch(Protocol):
    """One method. A searcher may also offer `spelling_fixes(text) -> [(typed, catalog word)]`, which the
    assistant uses to fix misspelt product words before it grounds the intent in the catalog."""

    def search(self, intent: ShoppingIntent, context: SearchContext, limit: int) -> SearchOutcome: ...



def intent_to_filter(intent: ShoppingIntent, *, in_stock: bool = True, exclude_ids: Sequence[int] = ()) -> ProductFilter:
    wanted = {c.lower() for c in intent.colors}
    # an excluded colour is a colour filter ("no red": some other colour), not a word banned from the name
    excluded_colours = [e for e in intent.exclude if canonical_color(e) is not None and e.lower() not in wanted]
    excluded_words = [e for e in intent.exclude if e.lower() not in wanted and e not in excluded_colours]
    # The leaf name ("Pants") matches every category of that name (men's, women's, promotions);
    # gender, when stated, is its own exact filter.
    category = intent.category.rsplit("/", 1)[-1] if intent.category else None
    return ProductFilter(
        category=category,
        brands=list(intent.brands),
        min_price=intent.min_price,
        max_price=intent.max_price,
        colors=list(intent.colors),
        sizes=list(intent.sizes),
        gender=intent.gender,
        in_stock=in_stock,
        on_sale=intent.on_sale,
        exclude_terms=excluded_words,
        exclude_colors=excluded_colours,
        exclude_ids=list(exclude_ids),
        must_words=list(intent.required),
    )


# words that name no product: a query of only these ("something", "a gift for her") says nothing the category does not
def names_nothing(word: str) -> bool:
    """A word that names no product ("something", "gift", "men")."""
    return word.lower() in _NAMES_NOTHING


_NAMES_NOTHING = frozenset("""
a an the some any something anything stuff thing things item items product products one ones good nice cool great best
new cheap please show me my i want need looking for find get give gift present her him his their them for to of in with
and or men women mens womens man woman kids""".split())  # noqa: SIM905


def query_text(intent: ShoppingIntent) -> str:
    parts = [intent.query, *intent.attributes]
    if intent.category:
        # The category is an exact filter already. Its name is added only to a query that names nothing
        # ("something" in Jackets): added to "backpack for hiking" in Bags it ranked every "... Bag" above the
        # backpacks, and to "hoodies" in "Hoodies & Sweatshirts" it pulled sweatshirts in.
        leaf = intent.category.rsplit("/", 1)[-1]
        words = [w for w in re.findall(r"\w+", f"{intent.query} {' '.join(intent.attributes)}".lower()) if not w.isdigit()]
        # a Spanish or Chinese query ("chaquetas") shares no word with an English catalog: the category's name does,
        # unless the query's own product word is known in English ("mochilas" in Bags listed every chalk bag)
        if not [w for w in words if w not in _NAMES_NOTHING] or (
                detect_language(intent.query) in ("es", "zh") and not english_product_words(intent.query)):
            parts.append(leaf)
    parts.extend(english_product_words(intent.query))  # "背包", "mochila" are searched as "backpack" as well
    return " ".join(dict.fromkeys(p for p in parts if p)).strip()


def soft_match(product: ProductSummary, wishes: list[str]) -> list[str]:
    """Which of the shopper's soft wishes the catalog says this product has."""
    if not wishes:
        return []
    haystack = " ".join(
        [product.name, product.description, " ".join(v for vals in product.attributes.values() for v in vals)]
    )
    # whole words, whatever stands between them ("rain", never "tRAINing"; "long sleeve" and "v-neck" in "Long-Sleeve
    # Tee (V-Neck)")
    spaced, glued = python_word_text(haystack), python_word_text(haystack, True)
    return [w for w in wishes if (parts := re.findall(r"[^\W_]+", w.lower()))
            and (f" {' '.join(parts)} " in spaced or f" {''.join(parts)} " in glued)]


def no_match_note(repo: CatalogRepository, intent: ShoppingIntent, f: ProductFilter) -> tuple[str, ProductFilter] | None:
    """Say why nothing matched and which relaxed filter gives the nearest alternatives."""
    if f.max_price is not None or f.min_price is not None:
        relaxed = ProductFilter(**{**f.__dict__, "min_price": None, "max_price": None})
        bounds = repo.price_bounds(relaxed)
        if bounds is not None:
            lo, hi = bounds
            cur = repo.shop_currency()
            what = (intent.category or intent.query or "matching products").rsplit("/", 1)[-1].lower()
            if f.max_price is not None and lo > Decimal(str(f.max_price)):
                return f"Nothing under {money(f.max_price, cur)} matches; the cheapest of the {what} is {money(lo, cur)}.", relaxed
            if f.min_price is not None and hi < Decimal(str(f.min_price)):
                return f"Nothing over {money(f.min_price, cur)} matches; the most expensive of the {what} is {money(hi, cur)}.", relaxed
            return f"Nothing matches between {money(f.min_price or 0, cur)} and {money(f.max_price or hi, cur)}.", relaxed
    if f.colors or f.sizes:
        relaxed = ProductFilter(**{**f.__dict__, "colors": [], "sizes": []})
        if repo.count(relaxed):
            want = " ".join([*f.colors, *f.sizes])
            # "water bottle in pink" where the pink one is sold out: it is not that the shop has no pink
            sold_out = f.in_stock and repo.count(ProductFilter(**{**f.__dict__, "in_stock": False}))
            return f"None in {want}{' in stock' if sold_out else ''} right now; here are the closest options in other colours or sizes.", relaxed
    if f.on_sale:
        relaxed = ProductFilter(**{**f.__dict__, "on_sale": False})
        if repo.count(relaxed):
            return ON_SALE_NOTE, relaxed
    if f.in_stock:
        relaxed = ProductFilter(**{**f.__dict__, "in_stock": False})
        if repo.count(relaxed):
            return "Everything that matches is out of stock at the moment.", relaxed
    if f.exclude_terms or f.exclude_colors:  # before brands and category (see retrieval.search)
        relaxed = ProductFilter(**{**f.__dict__, "exclude_terms": [], "exclude_colors": []})
        if repo.count(relaxed):
            return EXCLUSIONS_NOTE.format(what=ruled_out(f.exclude_terms, f.exclude_colors)), relaxed
    if f.brands:
        relaxed = ProductFilter(**{**f.__dict__, "brands": []})
        if repo.count(relaxed):
            return f"Nothing from {', '.join(f.brands)} matches; here are other brands.", relaxed
    if f.gender:  # before the category (see retrieval.search)
        relaxed = ProductFilter(**{**f.__dict__, "gender": None})
        if repo.count(relaxed):
            return f"Nothing for {f.gender} matches; here are the nearest products.", relaxed
    if f.must_words:  # before the category (see retrieval.search)
        relaxed = ProductFilter(**{**f.__dict__, "must_words": []})
        if repo.count(relaxed):
            return f"Nothing is listed as {', '.join(f.must_words)}; here are the nearest products.", relaxed
    if f.category:
        relaxed = ProductFilter(**{**f.__dict__, "category": None})
        if repo.count(relaxed):
            return f"No {f.category} matches that; here are the nearest products in other categories.", relaxed
    return None


class CatalogSearch:
    """Lexical (FTS/BM25) search with exact filters, plus rating and soft-preference scoring."""

    def __init__(self, repository: CatalogRepository):
        self.repo = repository

    def _rank(self, intent: ShoppingIntent, f: ProductFilter, context: SearchContext, limit: int,
              *, whole_filter: bool = False) -> tuple[list[RankedItem], int]:
        if intent.sort in EXPLICIT_SORTS:
            # Exact order over what the shopper is looking at (retrieval.sort_pool, as the hybrid searcher
            # does): the whole filtered set when the query adds nothing to the filter, else the products
            # named with its words or of the kind asked for plus the top relevance results of that kind.
            # `whole_filter`: the alternatives of an impossible constraint, whose note names the cheapest
            # (or dearest) price of the whole relaxed filter.
            pool = None if whole_filter else sort_pool(
                self.repo, query_text(intent), f, lambda k: self._relevant_ids(intent, f, context, k), limit=limit)
            if pool is not None:
                allowed = set(f.ids) if f.ids is not None else None
                f = dataclasses.replace(f, ids=[i for i in pool if allowed is None or i in allowed])
            products = self.repo.find(f, sort=intent.sort, limit=limit)
            return [RankedItem(p, float(len(products) - i), {"sort": 1.0}) for i, p in enumerate(products)], len(products)
        text = query_text(intent)
        hits = self.repo.lexical_search(text, f, limit=100) if text else []
        if not hits:
            ids = self.repo.find_ids(f, sort="popularity", limit=100)
            lex = {pid: 0.0 for pid in ids}
        else:
            top = max(h.score for h in hits) or 1.0
            lex = {h.product_id: h.score / top for h in hits}
        products = self.repo.get_many(list(lex))
        ranked = []
        for p in products:
            contrib = {"text relevance": round(1.0 * lex[p.id], 4)}
            if p.rating_avg:
                contrib["rating"] = round(0.15 * (p.rating_avg - 3) / 2 * min(1.0, math.log1p(p.rating_count) / 3), 4)
            matched = soft_match(p, intent.attributes)
            if intent.attributes:
                contrib["preferences"] = round(0.3 * len(matched) / len(intent.attributes), 4)
            if p.id in context.session_liked:
                contrib["liked before"] = 0.2
            if p.id in context.session_disliked:
                contrib["disliked before"] = -1.0
            ranked.append(RankedItem(p, sum(contrib.values()), contrib))
        ranked.sort(key=lambda r: (-r.score, r.product.id))
        return ranked[:limit], len(products)

    def _relevant_ids(self, intent: ShoppingIntent, f: ProductFilter, context: SearchContext, k: int) -> list[int]:
        """The top-k relevance results' ids; none when the words match no product's text (the relevance
        order is then mere popularity, and an explicit sort keeps the whole filtered set)."""
        text = query_text(intent)
        if not text or not self.repo.lexical_search(text, f, limit=1):
            return []
        ranked, _ = self._rank(intent.model_copy(update={"sort": "relevance"}), f, context, k)
        return [r.product.id for r in ranked]

    def search(self, intent: ShoppingIntent, context: SearchContext, limit: int = 5) -> SearchOutcome:
        f = intent_to_filter(intent, exclude_ids=context.exclude_ids, in_stock=not context.with_sold_out)
        items, n = self._rank(intent, f, context, limit)
        if items:
            return SearchOutcome(items, n)
        relaxed = no_match_note(self.repo, intent, f)
        if relaxed is None:
            return SearchOutcome([], 0, "I could not find anything in the catalog that matches that.")
        note, rf = relaxed
        alt_intent = intent.model_copy(update={"sort": "price_asc"}) if "cheapest" in note else intent
        items, n = self._rank(alt_intent, rf, context, limit, whole_filter=True)
        return SearchOutcome(items, n, note)
