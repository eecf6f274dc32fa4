"""Grounded reply text: explanations built from catalog facts, and a validator for any free text.

The default writer is a template (instant, always true). An LLM writer may phrase the opening line;
whatever it says is checked against the products shown (names, prices, stock) and replaced by the
template on any mismatch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Protocol

from pydantic import Field

from assistant.events import ProductCard
from assistant.intent import ShoppingIntent
from assistant.language import PRODUCT_WORDS, colour_name, localize_note, product_word_pairs, say
from assistant.search_backend import RankedItem, names_nothing, soft_match
from assistant.vocabulary import IRREGULAR_PLURAL_OF, PRODUCT_KINDS, canonical_color, without_brands
from catalog.repository import singular
from catalog.text import money

# the ranking features that may be given as a reason (their words, in each language: assistant.language "reason_<feature>");
# "shown" (close to products merely shown earlier) ranks but is never given as a reason: nobody chose those
CONTEXT_REASONS = frozenset({"popularity", "season", "session", "liked before", "history", "image", "recency"})
# a shallow category match (a mug and a bag share only "Gear") is too weak to tell the shopper about
# and one like or one cart is not "popular with shoppers" (0.05: about six weighted events, e.g. three likes)
_REASON_MIN = {"history": 0.05, "popularity": 0.05}


def explain(item: RankedItem, intent: ShoppingIntent, lang: str = "en", *, budget_said: bool = True) -> str:
    """'waterproof leather, brown; $109.99 is within your $120; 4.6★ from 23 reviews'."""
    p = item.product
    parts: list[str] = []
    wished = soft_match(p, intent.attributes)
    # a kind of product wished for ("dress") is no quality: said as what it is ("a dress, as asked"), not a bare "Dress"
    kinds = [w for w in wished if singular(w.split()[-1]) in PRODUCT_KINDS]
    wished = [w for w in wished if w not in kinds]
    colours = [c for c in p.colors if c.lower() in {x.lower() for x in intent.colors}]
    sizes = [s for s in p.sizes if s.lower() in {x.lower() for x in intent.sizes}]
    if kinds:
        what = kinds[0].lower()
        if lang == "en" and singular(what.split()[-1]) == what.split()[-1]:  # "a dress", "jeans"
            what = ("an " if what[:1] in "aeiou" else "a ") + what
        parts.append(say("reason_kind", lang, what=what))
    if wished or colours or sizes:
        parts.append(", ".join([*wished, *colours, *(say("size_value", lang, size=s) for s in sizes)]))
    cur = p.currency  # a budget is read in the currency of the products it is compared with
    price = money(p.price, cur)
    if not budget_said:  # a cap the shopper never named ("cheaper than the Lando", "around $40"): no "your $98.99"
        parts.append(price)
    elif intent.max_price is not None and p.price <= Decimal(str(intent.max_price)):
        parts.append(say("within_budget", lang, price=price, budget=money(intent.max_price, cur)))
    elif intent.max_price is not None:
        parts.append(say("above_budget", lang, price=price, budget=money(intent.max_price, cur)))
    elif intent.min_price is not None and p.price >= Decimal(str(intent.min_price)):
        parts.append(say("over_minimum", lang, price=price, budget=money(intent.min_price, cur)))
    else:
        parts.append(price)
    if p.on_sale:
        parts.append(say("on_sale", lang, regular=money(p.regular_price, cur)))
    elif intent.on_sale and _in_shop_sale(p):  # in the shop's sale (its category or flag) at its full price: said, never as a discount
        # (only where the catalog puts it there: "any hats on sale?" in a shop with no sale called a beanie at its usual
        # price "in the shop's sale")
        parts.append(say("in_shop_sale", lang))
    if p.rating_avg and p.rating_count:
        parts.append(say("rating", lang, avg=f"{p.rating_avg:.1f}", n=p.rating_count, s="s" if p.rating_count != 1 else ""))
    if p.stock_qty is not None and 0 < p.stock_qty <= 5:
        parts.append(say("only_left", lang, n=p.stock_qty))
    # Context reasons (season, session, history, popularity, photo) from the ranking contributions;
    # text-match reasons are implied by the list itself.
    context = [(v, k) for k, v in item.contributions.items() if k in CONTEXT_REASONS and v > _REASON_MIN.get(k, 0.02)]
    for _, feature in sorted(context, reverse=True)[:2]:
        parts.append(say(f"reason_{feature}", lang))
    return "; ".join(parts)


def _in_shop_sale(p: object) -> bool:
    """Whether the catalog puts the product in the shop's own sale, as the on-sale filter reads it
    (catalog.repository): a category named "Sale" ("Women Sale", "Sale Items"), or a sale flag set ("sale: Yes")."""
    leaves = [str(c).rsplit("/", 1)[-1].strip().lower() for c in getattr(p, "categories", None) or []]
    if any(re.search(r"(?:^|\s)sale(?:\s|$)", leaf) for leaf in leaves):
        return True
    attributes = getattr(p, "attributes", None) or {}
    return any(str(v).strip().lower() in ("yes", "1", "true", "y")
               for name in ("sale", "on_sale", "on sale") for v in attributes.get(name, []))


def card(item: RankedItem, intent: ShoppingIntent, lang: str = "en", *, budget_said: bool = True) -> ProductCard:
    p = item.product
    return ProductCard(
        id=p.id, sku=p.sku, name=p.name, price=p.price, currency=p.currency, regular_price=p.regular_price,
        in_stock=p.in_stock, stock_qty=p.stock_qty, rating_avg=p.rating_avg, rating_count=p.rating_count,
        image=p.image, brand=p.brand, colors=list(p.colors), sizes=list(p.sizes),
        explanation=explain(item, intent, lang, budget_said=budget_said), contributions=dict(item.contributions),
    )


_GENDER_WORDS = frozenset({"men", "mens", "man", "women", "womens", "woman", "ladies", "kids", "s",
                           "mujer", "mujeres", "hombre", "hombres", "dama", "damas", "caballero", "caballeros", "niño", "niños",
                           "niña", "niñas"})
# a word that joins the need's words, left hanging once the words it joined are said otherwise ("clothes for women"
# less "women", said as "women's": "Here are 2 blue women's clothes for you might like")
_JOINING = frozenset({"for", "in", "with", "of", "to", "and", "or", "para", "de", "en", "con", "y", "o"})


_PRICE_PHRASE = re.compile(
    r"\b(?:under|below|over|above|less than|more than|cheaper than|between|up to)\s+[$€£¥]?\s?\d+(?:[.,]\d+)?"
    r"(?:\s*(?:and|to|-)\s*[$€£¥]?\s?\d+(?:[.,]\d+)?)?(?:\s*(?:dollars?|bucks|usd|euros?|eur))?", re.I)


_ASKING = frozenset("""what what's whats which how is are do does you your have got sell carry recommend suggest there can could
would should good best great nice ideal perfect suitable useful only just much many price cost costs""".split())  # noqa: SIM905


def plural_en(word: str) -> str:
    """An English noun's plural, as the reply's header says it ("purse" -> "purses", "hoody" -> "hoodies", "scarf" ->
    "scarves", never "scarfs")."""
    if word.lower() in IRREGULAR_PLURAL_OF:
        return IRREGULAR_PLURAL_OF[word.lower()]
    if re.search(r"(?:s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _plural_es(word: str) -> str:
    """'chaqueta' -> 'chaquetas', 'pantalón' -> 'pantalones', 'mochilas' stays (a header counts several)."""
    if word.endswith("s") or " " in word:
        return word
    if word.endswith("z"):
        return word[:-1] + "ces"
    if word[-1] in "aeiouáéó":
        return word + "s"
    return word.translate(str.maketrans("áéíóú", "aeiou")) + "es"


class StatedNeed(ShoppingIntent):
    """The need as a reply's header states it, with what the intent alone does not say (the agent knows it from the
    search): the words an explicit sort kept to ("the cheapest black yoga pants", where "yoga" narrowed the pants), how
    many of the products listed first are of the kind asked for ("1 water bottle, and 3 more"), and whether the price
    cap is one the shopper never said (one cent under the list on screen after "something cheaper")."""

    narrowed_by: list[str] = Field(default_factory=list)
    kind_word: str | None = None  # the kind the sort kept to, in place of its category's name ("backpack" in Bags)
    of_kind: int | None = None
    cap_unsaid: bool = False


def _singular_es(word: str) -> str:
    """'botellas' -> 'botella', 'pantalones' -> 'pantalón' (one of them): the singular the product words know, else the
    word less its plural 's'."""
    plain = word.lower().translate(str.maketrans("áéíóú", "aeiou"))
    english = PRODUCT_WORDS.get(word.lower())
    for other, en in PRODUCT_WORDS.items():
        bare = other.translate(str.maketrans("áéíóú", "aeiou"))
        if en == english and other != word.lower() and plain.startswith(bare) and 0 < len(plain) - len(bare) <= 2:
            return other
    return word[:-1] if word.endswith("s") and not word.endswith("es") else word


def _es_number(phrase: str, head: str, *, plural: bool) -> str:
    """A Spanish product phrase that starts with the product word `head`, in the number a header needs: "botella de agua"
    -> "botellas de agua", "chaqueta impermeable" -> "chaquetas impermeables" (the words up to "de", "para", ...)."""
    words = phrase.split()
    if not words or words[0].lower() != head.lower():
        return phrase
    cut = next((i for i, w in enumerate(words) if i and (w.lower() in _JOINING or not w.isalpha())), len(words))
    change = _plural_es if plural else _singular_es
    return " ".join([*(change(w) for w in words[:cut]), *words[cut:]])


def describe_need(intent: ShoppingIntent, currency: str = "USD", lang: str = "en", *, one: bool = False,
                  single: bool = False) -> str:
    """The need as a header says it ("black women's jackets under $100.00"). `one`: said of one product (no plural
    made); `single`: also the plural the shopper typed made singular ("1 water bottle" for "water bottles")."""
    one = one or single
    words = []
    if intent.colors:
        words.append("/".join(c.lower() for c in intent.colors))
    if intent.gender in ("women", "men", "kids"):
        words.append({"women": "women's", "men": "men's", "kids": "kids'"}[intent.gender])
    noun = intent.category.rsplit("/", 1)[-1].lower() if intent.category else ""
    if intent.on_sale and re.search(r"(?:^|\s)sale(?:\s|$)", noun):
        noun = ""  # the shop's "Sale" category on sale names no kind ("One match for sale on sale")
    # the query, less what the line says anyway: its price phrase, brands, colours, gender words
    query = without_brands(_PRICE_PHRASE.sub(" ", intent.query or ""), intent.brands)
    said = {w for part in words for w in re.findall(r"[a-z]+", part.lower())}
    if intent.gender:
        said |= _GENDER_WORDS
    kept = [w for w in query.split() if re.sub(r"[^a-záéíóúñü]", "", w.lower()) not in said and w.lower() not in ("from", "by")]
    kept = [w for i, w in enumerate(kept) if w.lower() not in _JOINING or (i + 1 < len(kept) and kept[i + 1].lower() not in _JOINING)]
    while kept and kept[0].lower() in ("a", "an", "the"):
        kept = kept[1:]
    low = [w.lower() for w in kept]
    if noun in ("", "men", "women", "kids"):  # a gender-only category says nothing the line has not said
        # ("purple women's purple jacket" -> "purple women's jacket"); "gift my wife" -> "gift" names nothing
        cut = next((i for i, w in enumerate(low) if i and w in ("my", "your", "his", "her", "their", "our", "the", "a", "an")), len(kept))
        # "what's good for hiking?": the question's own words name nothing ("5 what's good hiking")
        asking = [w for w in kept[:cut] if re.sub(r"[?!.,¿]", "", w.lower()) in _ASKING]
        kept = [w for w in kept[:cut] if w not in asking]
        noun = " ".join(kept) if any(not names_nothing(w) for w in kept) else say("products", lang)
        if len(kept) == 1 and not names_nothing(kept[0]) and (asking or kept[0].lower().endswith("ing") or (
                # "algo para correr", "para senderismo": an activity in Spanish ("5 correr" said nothing)
                lang == "es" and re.fullmatch(r"[a-záéíóúñ]+(?:ar|er|ir|ismo)", kept[0].lower()) is not None)):
            noun = say("products_for", lang, what=kept[0])  # an activity or an occasion asked about, not a thing
    elif noun.endswith("ing") and " " not in noun and noun in low[:-1]:
        # an activity category that modifies the thing asked for ("Trekking" for "trekking poles")
        noun = " ".join(kept[low.index(noun):])
    if lang != "en":  # framed in the shopper's language
        # (a kind of product: "mochila", not "impermeable" in "mochila impermeable")
        own = [w for w, en in product_word_pairs(intent.query or "") if singular(en.split()[-1]) in PRODUCT_KINDS]
        if own and (intent.category or noun.strip().lower() == own[0].lower()):  # their own word ("3 chaquetas")
            noun = _plural_es(own[0]) if lang == "es" and not one else _singular_es(own[0]) if lang == "es" and single else own[0]
        elif own and lang == "es":  # "5 botella de agua": the phrase in the number said ("botellas de agua")
            noun = _es_number(noun, own[0], plural=not one) if not one or single else noun
        noun = _narrowed(noun, intent, lang)
        gender = say(f"gender_{intent.gender}", lang) if intent.gender in ("women", "men", "kids") else ""
        colours = "/".join(colour_name(c, lang) for c in intent.colors)
        if lang == "es":
            words = [noun, gender, say("in_colours", lang, colours=colours) if colours else ""]
        else:  # Chinese runs its words together ("女士夹克"); an English category name stays apart ("女士 jackets")
            words = ["".join(w for w in (colours, gender, noun) if w)] if intent.category and own else [colours, gender, noun]
    else:
        noun = _narrowed(noun, intent, lang)
        last = noun.rsplit(" ", 1)[-1]
        if not one and last in PRODUCT_KINDS and singular(last) == last:
            noun = noun[: len(noun) - len(last)] + plural_en(last)  # "5 headlamps", never "5 headlamp"
        elif single and last.lower() != singular(last.lower()) and singular(last.lower()) in PRODUCT_KINDS:
            noun = noun[: len(noun) - len(last)] + singular(last)  # "1 water bottle", never "1 water bottles"
        words.append(noun)
    if intent.sizes:
        words.append(say("in_size", lang, sizes="/".join(intent.sizes)))
    if intent.on_sale:
        words.append(say("on_sale_need", lang))
    # what was said no to is part of the need the list answers ("jackets without Legend", "... not in red")
    unwanted_colours = [colour_name(e, lang) for e in intent.exclude if canonical_color(e) is not None]
    unwanted = [e for e in intent.exclude if canonical_color(e) is None]
    if unwanted:
        words.append(say("without", lang, what="/".join(unwanted)))
    if unwanted_colours:
        words.append(say("not_in_colours", lang, colours="/".join(unwanted_colours)))
    if intent.min_price is not None and intent.max_price is not None:
        words.append(say("between", lang, lo=money(intent.min_price, currency), hi=money(intent.max_price, currency)))
    elif intent.max_price is not None and getattr(intent, "cap_unsaid", False) and f"{intent.max_price:.2f}".endswith(".99"):
        # one cent under the list on screen ("something cheaper"): cheaper than that, never "under $28.99" as if said
        words.append(say("cheaper_than_price", lang, price=money(Decimal(f"{intent.max_price:.2f}") + Decimal("0.01"), currency)))
    elif intent.max_price is not None:
        words.append(say("under", lang, hi=money(intent.max_price, currency)))
    elif intent.min_price is not None:
        words.append(say("over", lang, lo=money(intent.min_price, currency)))
    return " ".join(w for w in words if w)


def _narrowed(noun: str, intent: ShoppingIntent, lang: str) -> str:
    """The kind with the words an explicit sort kept to, when the noun does not say them ("yoga pants")."""
    kind = getattr(intent, "kind_word", None)
    if kind and lang == "en" and kind not in {singular(w) for w in noun.lower().split()}:
        noun = kind  # (made plural by the header as any kind)
    extra = [w for w in getattr(intent, "narrowed_by", None) or [] if w.lower() not in noun.lower().split()]
    if not extra or not noun:
        return noun
    return say("narrowed_kind", lang, what=" ".join(extra), kind=noun)


def template_reply(intent: ShoppingIntent, cards: Sequence[ProductCard], note: str | None, lang: str = "en") -> str:
    lines: list[str] = []
    if note:
        lines.append(localize_note(note, lang))
    if not cards:
        if not note:
            lines.append(say("nothing_found", lang))
        return " ".join(lines)
    cur = cards[0].currency
    if note:
        lines.append(say("alternatives", lang))
    elif intent.sort == "price_asc":
        lines.append(say("cheapest", lang, need=describe_need(intent, cur, lang), name=cards[0].name, price=money(cards[0].price, cur)))
    elif intent.sort == "price_desc":
        lines.append(say("dearest", lang, need=describe_need(intent, cur, lang), name=cards[0].name, price=money(cards[0].price, cur)))
    else:
        # one card: "1 red tees" would be wrong, and singularising a category name is guesswork
        of_kind = getattr(intent, "of_kind", None)
        if of_kind is not None and 0 < of_kind < len(cards):
            # only the products of the kind asked for are counted as it ("1 water bottle, and 3 more you might like")
            lines.append(say("one_of_kind", lang, m=len(cards) - 1, need=describe_need(intent, cur, lang, single=True)) if of_kind == 1
                         else say("some_of_kind", lang, n=of_kind, m=len(cards) - of_kind, need=describe_need(intent, cur, lang)))
        else:
            lines.append(say("one_match", lang, need=describe_need(intent, cur, lang, one=True)) if len(cards) == 1
                         else say("here_are", lang, n=len(cards), need=describe_need(intent, cur, lang)))
    same_name = {c.name for c in cards if sum(d.name == c.name for d in cards) > 1}
    for i, c in enumerate(cards, 1):
        stock = "" if c.in_stock else say("out_of_stock_tag", lang)
        if c.name in same_name and c.colors and not c.explanation.startswith(", ".join(c.colors)):
            # three "Sprite Stasis Ball 65 cm" in a row: their colours tell them apart
            stock = f" ({', '.join(c.colors)})" + stock
        price = money(c.price, c.currency)
        # the price is on the line already: "Red; $57.00 is within your $60.00" -> "Red; within your $60.00"
        parts = [re.sub(rf"^{re.escape(price)}(?:\s+(?:is|está)\s+|,\s*|，|$)", "", part) for part in c.explanation.split("; ")]
        why = "; ".join(part for part in parts if part)
        lines.append(f"{i}. {c.name}, {price}{stock}" + (f": {why}" if why else ""))
    return "\n".join(lines)


# a price as any reply writes one: "$57.00", "€57.00", "57.00 CHF", "USD 57.00"
_CODES = "USD|EUR|GBP|JPY|CNY|INR|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|MXN|BRL|ZAR|SGD|HKD|KRW|TRY"
_MONEY = re.compile(rf"(?:[$€£¥₹]\s?|\b(?:{_CODES})\s?)(\d+(?:[.,]\d{{1,2}})?)|\b(\d+(?:[.,]\d{{1,2}})?)\s?(?:(?:{_CODES})\b|[€£¥₹])")


def _amount(m: re.Match[str]) -> Decimal:
    return Decimal((m.group(1) or m.group(2)).replace(",", ".")).quantize(Decimal("0.01"))


def validate_reply(
    text: str,
    cards: Sequence[ProductCard],
    catalog_names: set[str] | None = None,
    *,
    intent: ShoppingIntent | None = None,
    grounded_text: str = "",
) -> list[str]:
    """Problems with a free-text reply: prices or products it states that the shown cards do not back.

    Prices may also be the shopper's own budget (from the intent) or appear in `grounded_text`
    (notes computed from the catalog, e.g. "the cheapest is $21.99")."""
    problems: list[str] = []
    prices = {c.price.quantize(Decimal("0.01")) for c in cards} | {c.regular_price.quantize(Decimal("0.01")) for c in cards}
    if intent is not None:
        prices |= {Decimal(str(v)).quantize(Decimal("0.01")) for v in (intent.min_price, intent.max_price) if v is not None}
    prices |= {_amount(m) for m in _MONEY.finditer(grounded_text)}
    for m in _MONEY.finditer(text):
        value = _amount(m)
        if value not in prices:
            problems.append(f"price {m.group(0)} is not the price of any product shown")
    if catalog_names:
        shown = {c.name.lower() for c in cards}
        lower = text.lower()
        for name in catalog_names:
            if name.lower() in lower and name.lower() not in shown:
                problems.append(f"mentions '{name}', which is not among the products shown")
    for c in cards:
        if c.name.lower() in text.lower():
            window = text.lower().split(c.name.lower(), 1)[1][:60]
            if "out of stock" in window and c.in_stock:
                problems.append(f"says {c.name} is out of stock, but it is in stock")
            if "in stock" in window and "out of stock" not in window and not c.in_stock:
                problems.append(f"says {c.name} is in stock, but it is not")
    return problems


class ReplyWriter(Protocol):
    def write(self, intent: ShoppingIntent, cards: Sequence[ProductCard], note: str | None, lang: str = "en") -> Iterator[str]: ...


class TemplateReplyWriter:
    def write(self, intent: ShoppingIntent, cards: Sequence[ProductCard], note: str | None, lang: str = "en") -> Iterator[str]:
        text = template_reply(intent, cards, note, lang)
        yield from text.splitlines(keepends=True)
