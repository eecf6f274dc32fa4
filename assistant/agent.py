"""`ShoppingAssistant`: one turn = parse intent -> update dialogue state -> call tools -> grounded reply.

Every turn yields typed events (assistant.events). The LLM only ever proposes a `ShoppingIntent`;
code validates it, turns it into parameterised catalog queries, and writes the reply from catalog
facts. Product text (descriptions, reviews) is never sent to the LLM as instructions.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.dialogue import (
    EMPTY_CART,
    MORE_RESULTS,
    NOT_THIS,
    POINTS_AT_ONE,
    REMOVAL_REQUEST,
    REMOVING,
    merge,
    named_products,
    names_only,
    superlative_products,
)
from assistant.errors import AssistantInputError, OutOfStockError
from assistant.events import (
    CandidatesFound,
    ChatReply,
    Event,
    IntentParsed,
    ProductCard,
    ProductsRanked,
    ReplyChunk,
    TurnDone,
    corrections_line,
)
from assistant.intent import ShoppingIntent
from assistant.intent_parser import IntentParser, RuleIntentParser
from assistant.language import (
    attribute_label,
    colour_name,
    conversation_language,
    detect_language,
    english_product_words,
    feature_words,
    localize_note,
    product_word_pairs,
    say,
    spanish_fixes,
    variant_bits,
)
from assistant.replies import ReplyWriter, StatedNeed, TemplateReplyWriter, card, describe_need, plural_en
from assistant.search_backend import (
    CatalogSearch,
    ProductSearch,
    RankedItem,
    SearchContext,
    apply_corrections,
    corrections_in,
    intent_to_filter,
    names_nothing,
    query_text,
    replace_words,
    soft_match,
)
from assistant.sessions import SESSION_ID_RE, SessionState, SessionStore
from assistant.vocabulary import (
    COLOR_WORDS,
    ORDINAL_WORDS,
    PRODUCT_KINDS,
    PUT_IN_CART,
    SIZE_ADVICE,
    TOP_AS_RANK,
    CatalogVocabulary,
    bare_size,
    canonical_color,
    categories_in_text,
    colors_in_text,
    colour_key,
    gender_in_text,
    is_cheaper_request,
    kind_in_text,
    map_color,
    normalize_intent,
    number_forms,
    other_spellings,
    references_in_text,
    same_kind,
    singular,  # (the one singular rule, shared with the vocabulary's)
    sizes_in_text,
    vocabulary_from_lists,
)
from catalog.db import CatalogDB, open_catalog, python_word_text
from catalog.models import Customer, Order, Variant
from catalog.repository import (
    CatalogRepository,
    ProductFilter,
    must_attribute,
    must_parts,
    policy_topics,
    storable_id,
    units_of,
)
from catalog.text import money
from retrieval.sort_pool import has_every_word, residual_words

MAX_MESSAGE_CHARS = 4000


# what a shop's page may report ("impression" is the assistant's own record of what it showed)
FEEDBACK_EVENTS = ("view", "click", "like", "dislike", "add_to_cart", "remove_from_cart", "purchase")


def vocabulary_of(repo: CatalogRepository) -> CatalogVocabulary:
    v = repo.vocabulary()
    return vocabulary_from_lists(v["colors"], v["sizes"], v["brands"], v["categories"])


# a currency a shopper names beside a number ("25€", "50 euros", "100元", "£40", "200 yuan")
_CURRENCY_WORDS = [(re.compile(r"€|\beuros?\b|\beur\b|欧元"), "EUR"), (re.compile(r"£|\bpounds? sterling\b|\bgbp\b|英镑"), "GBP"),
                   (re.compile(r"元|块|人民币|\byuan\b|\brmb\b|\bcny\b"), "CNY"), (re.compile(r"\$|\bdollars?\b|\bbucks\b|\busd\b|dólares|美元|美金|刀"), "USD")]
_CURRENCY_NAMES = frozenset(f"currency_{code}" for _, code in _CURRENCY_WORDS)  # (each has its words in assistant.language)


def _says_amount(text: str, amount: float) -> bool:
    """The text states this amount ("under 80", "$79.99", "80块"), as a budget the shopper set does."""
    said = {f"{amount:g}", f"{amount:.2f}"}  # "80" and "80.00"; "79.99"
    return any(re.search(rf"(?<![\d.]){re.escape(a)}(?![\d])", text.replace(",", "")) for a in said)


def _currency_said(text: str) -> str | None:
    low = text.lower()
    return next((code for pattern, code in _CURRENCY_WORDS if pattern.search(low)), None)


_WHICH_MORE = re.compile(r"^\s*¿?\s*(?!.*\b(?:barat|car[oa]s?\b|econ[oó]mic))cu[aá]l(?:es)?\s+(?:de\s+(?:ellos|ellas|estos|estas|esos|esas|"
                         r"los\s+dos|las\s+dos)\s+)?(?:es|son|tiene|tienen|pesa|abriga|dura)\s+(?:m[aá]s|mejor(?:es)?|menos)\b(?!\s+de\s+\d)|"
                         r"^\s*(?:哪个|哪一个|哪款|哪一款)(?!.*(?:便宜|贵)).*(?:更|最)")
_AND_IN = re.compile(r"^[\s¿]*(?:and|y|what about|how about|¿?qu[eé] tal)\s+(?:in|en)\s+(?:(?:size|talla)\s+)?[^\s?]+\s*\?\s*$")
_LOOSE_FILLER = frozenset("""add buy please to my the cart basket of a an some two three four five six couple and also then
now ok okay too""".split())  # noqa: SIM905
_FILLER_WORDS = frozenset("a an the for of with and or to in on that my me i".split())  # noqa: SIM905


def _set_variant_sku(line: dict[str, Any], sku: str | None) -> None:
    """The variant's own SKU on a cart line whose size and colour name one variant ("WJ01-M-Blue": what a shop's
    checkout needs; `sku` stays the product's), none while a choice is open."""
    if sku:
        line["variant_sku"] = sku
    else:
        line.pop("variant_sku", None)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names_kind_word(low: str) -> bool:
    """The text names a kind of product, in English or in Spanish/Chinese ("chaquetas", "背包")."""
    return bool(_product_kinds_in(low))


def _word_form(word: str) -> str:
    """One form for a word of a need and of a product's text ('tents' and 'tent', 'people' and 'person')."""
    return "person" if word in ("people", "persons") else singular(word)


class ShoppingAssistant:
    def __init__(
        self,
        db: CatalogDB,
        *,
        intent_parser: IntentParser,
        search: ProductSearch,
        reply_writer: ReplyWriter | None = None,
        results: int = 5,
    ):
        self.db = db
        self.repo = CatalogRepository(db)
        self.sessions = SessionStore(db)
        self.parser = intent_parser
        self.searcher = search
        self.writer = reply_writer or TemplateReplyWriter()
        self.results = results

    @property
    def image_search_available(self) -> bool:
        return bool(getattr(self.searcher, "image_search_available", False))

    @property
    def image_status(self) -> str:
        return str(getattr(self.searcher, "image_status", "image search is off: run `shopassist index` with an image model"))

    # ----- construction ---------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        db_url: str | None = None,
        *,
        llm: str = "embedded",
        llm_url: str | None = None,
        llm_model: str | None = None,
        llm_api_key: str | None = None,
        search: str = "auto",
        results: int = 5,
    ) -> ShoppingAssistant:
        """Build everything once at start-up. llm: embedded | openai | rules. search: auto | hybrid | catalog."""
        # a misspelt option must not quietly load a 469 MB model or fall back to another search
        if llm not in ("embedded", "openai", "rules"):
            raise AssistantInputError(f"unknown llm {llm!r}: use 'embedded', 'openai' or 'rules'")
        if search not in ("auto", "hybrid", "catalog"):
            raise AssistantInputError(f"unknown search {search!r}: use 'auto', 'hybrid' or 'catalog'")
        if not isinstance(results, int) or not 1 <= results <= 50:
            raise AssistantInputError(f"results must be a whole number from 1 to 50, not {results!r}")
        from catalog.config import default_db_url, missing_sqlite_file, normalize_db_url

        url = normalize_db_url(db_url) if db_url else default_db_url()
        if missing_sqlite_file(url) is not None:
            # serving a catalog that is not there would answer every shopper "nothing found" (a misspelt
            # SHOPASSIST_HOME made a new, empty one)
            raise AssistantInputError(f"no catalog at {url}: check the path"
                                      + ("" if db_url else " (SHOPASSIST_HOME / SHOPASSIST_DB_URL)")
                                      + ", or import one first (shopassist catalog import ...)")
        db = open_catalog(db_url)
        repo = CatalogRepository(db)
        vocab = vocabulary_of(repo)
        parser: IntentParser
        if llm == "rules":
            parser = RuleIntentParser(vocab)
        else:
            from assistant.intent_parser import LLMIntentParser
            from assistant.llm import LLMConfig, build_chat_model

            config = LLMConfig(backend="openai" if llm == "openai" else "embedded", base_url=llm_url, model=llm_model, api_key=llm_api_key)
            parser = LLMIntentParser(build_chat_model(config), vocab)
        searcher: ProductSearch = CatalogSearch(repo)
        if search in ("auto", "hybrid"):
            try:
                from assistant.hybrid import build_hybrid_search

                searcher = build_hybrid_search(db, repo)
            except Exception as exc:  # retrieval not installed / no index yet
                if search == "hybrid":
                    raise
                import logging

                # no index yet is the normal state of a new shop; anything else (an index of another model or
                # catalog, a damaged one, a configured server that does not answer) is worth a warning
                not_built = type(exc).__name__ == "VectorIndexError" and "there is no vector index" in str(exc)
                logging.getLogger(__name__).log(
                    logging.INFO if not_built else logging.WARNING,
                    "hybrid search unavailable (%s); using catalog search (words only)%s", exc,
                    "" if not_built or type(exc).__name__ == "IndexDamagedError"  # (that one's message says the fix)
                    else ": fix the index (`shopassist index --verify`, or delete the index folder and run `shopassist index`) "
                    "or the settings it names",
                )
        return cls(db, intent_parser=parser, search=searcher, results=results)

    # ----- the public API -------------------------------------------------------------------------
    def chat(self, message: str, *, session_id: str | None = None, user_id: str | None = None, image: Any = None,
             user_verified: bool = True) -> ChatReply:
        reply: ChatReply | None = None
        for ev in self.stream(message, session_id=session_id, user_id=user_id, image=image, user_verified=user_verified):
            if isinstance(ev, TurnDone):
                reply = ev.reply
        assert reply is not None
        return reply

    def stream(self, message: str, *, session_id: str | None = None, user_id: str | None = None, image: Any = None,
               user_verified: bool = True) -> Iterator[Event]:
        """One turn as typed events. `user_id` personalises; `user_verified=False` marks it as a mere claim
        (an unsigned id from a browser), which never unlocks private data such as an order's status."""
        if message is not None and not isinstance(message, str):
            raise AssistantInputError(f"the message must be text (str), not {type(message).__name__}")
        text = (message or "").strip()
        if not text and image is None:
            raise AssistantInputError("the message is empty: type what you are looking for")
        if len(text) > MAX_MESSAGE_CHARS:
            raise AssistantInputError(f"the message is too long ({len(text)} characters; the limit is {MAX_MESSAGE_CHARS})")
        _check_encodable(text, "the message")
        if isinstance(image, (bool, int, float, dict, list, tuple, set)):  # (an image embedder may take its own objects)
            raise AssistantInputError("'image' must be a PIL image, the photo's bytes, a file path or an http(s) URL, "
                                      f"not {type(image).__name__}")
        _check_ids(session_id, user_id)
        user_id = user_id if user_id is None or user_id.strip() else None  # a blank id is a guest, never a shopper ''
        if image is not None:
            if not self.image_search_available:  # (it listed the first products by id as "5 products you might like")
                raise AssistantInputError(f"photo search is not available ({self.image_status}); send text only")
            image = shopper_photo(image)
        # checked now, not when the events are first read: a bad call fails where it is made
        return self._events(text, session_id or uuid.uuid4().hex, user_id, image, user_verified)

    def _events(self, text: str, session_id: str, user_id: str | None, image: Any, user_verified: bool) -> Iterator[Event]:
        # one turn at a time per conversation: a re-sent message waits for the first and sees its result
        with self.sessions.lock(session_id):
            yield from self._turn(text, session_id, user_id, image, user_verified)

    def _turn(self, text: str, session_id: str, user_id: str | None, image: Any, user_verified: bool) -> Iterator[Event]:
        state = self.sessions.load(session_id, user_id, verified=user_verified)
        # the frame of every answer: en, es or zh, from the shopper's own words (a catalog name they quote, "Silk Scarf
        # 絲巾", is no Chinese)
        lang = conversation_language(text, state.history)
        if lang != "en":  # (a name can only have made it another language: English stands as it is)
            lang = conversation_language(text, state.history, own_words=self._own_words)
        in_cart, gone, fewer = self._refresh_cart(state, lang)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()

        previous = ShoppingIntent.model_validate(state.intent) if state.intent else None
        need_text = self._without_owned(text)  # (what they own left out: their need is something else)
        raw = self.parser.parse(need_text, list(state.history), previous)
        if raw.max_price is None and _NOTHING_COSTS.search(need_text.lower()):
            # "hoodies under $0": answered exactly ("nothing under $0.00; the cheapest is …"), never ignored (a model's
            # 0 means "no price", so the intent drops it; the text is sure)
            raw = raw.model_copy(update={"max_price": 0.0, "query": re.sub(r"\s+", " ", _NOTHING_COSTS.sub(" ", raw.query)).strip(" $")})
        if ON_SALE.search(need_text.lower()) and raw.kind in ("search", "refine"):
            # "any bags on sale?": an exact filter on today's special prices, not the word "sale" searched
            rest = re.sub(r"\s+", " ", ON_SALE.sub(" ", raw.query)).strip(" ?!.,¿")
            if all(w in _SALE_FILLER for w in re.findall(r"[^\W\d_]+", rest.lower())):
                rest = ""  # "what is on sale?", "anything on sale": everything on sale
            raw = raw.model_copy(update={"on_sale": True, "query": rest})
            if (raw.category and re.search(r"(?:^|\s)sale(?:\s|$)", raw.category.rsplit("/", 1)[-1].lower())
                    and not re.search(r"\bsale\b", ON_SALE.sub(" ", need_text.lower()))):
                # "what's on sale?" in a shop with a "Sale" category: every product on sale (the on-sale filter takes
                # that category in too), not that category alone under "sale on sale" (a tent at a special price was left out)
                raw = raw.model_copy(update={"category": None})
        if _WITH_SOLD_OUT.search(need_text.lower()) and raw.kind in ("search", "refine"):  # (a filter, not words to search)
            raw = raw.model_copy(update={"query": re.sub(r"\s+", " ", _WITH_SOLD_OUT.sub(" ", raw.query.lower())).strip(" ,.?!")
                                         .removesuffix(" ones").removesuffix(" items").strip()})
        if raw.kind in ("search", "refine") and raw.query and all(w in _SALE_FILLER or w in _ANY_PRODUCT or not _ZH_FILLER.sub("", w)
                                                                 for w in re.findall(r"[^\W\d_]+(?:'[a-z]+)?", raw.query.lower())):
            if (raw.kind == "search" and previous is None) or _SHOP_WIDE.search(need_text.lower()):
                # "what's the cheapest thing you sell?": every product, cheapest first (it searched for "what's thing"),
                # also right after watches (it answered the cheapest watch)
                raw = raw.model_copy(update={"query": "", "kind": "search"})
            else:  # "and the most expensive?": the same need, another order (it searched for "and the most expensive")
                raw = raw.model_copy(update={"query": "", "kind": "refine"})
        # Misspelt product words are fixed before the intent is grounded, so "a jakcet for men" gets the
        # jackets category, not only "Men"; the reply then says what was searched.
        # a word written with a capital inside the message is a name ("do you have Nike shoes?"): never "corrected"
        names = frozenset(w.lower() for w in _NAMES.findall(text))
        # a colour word is no typo ("a gold watch" is not "good", "rose" not "rise")
        names |= frozenset(w for w in re.findall(r"[a-z]+", text.lower()) if canonical_color(w) is not None)
        # nor a word of a requirement relaxed ("I don't care about the colour" is no "core", "skip the size filter" no "slip")
        unfixed = names | frozenset(w for m in [*_NEED_RELAX.finditer(text.lower().replace("’", "'")), *_FILTER_OFF.finditer(text.lower())]
                                   for w in re.findall(r"[a-z]+", m.group(0)))
        # a Spanish message's words are no misspelt English ("que no sean negras" is not "seam")
        # (its product words one letter off are fixed to the Spanish word: "chaqeta" listed bags "for anyone")
        fixes = ([f for f in spanish_fixes(text) if f[0] not in unfixed] if raw.kind in ("search", "refine") else []) \
            if detect_language(text) == "es" else [f for f in self._spelling_fixes(text, raw) if f[0].lower() not in unfixed]
        if THANKS_BYE.match(text.lower()) or _DECLINED.fullmatch(text.lower().strip()):
            fixes = []  # a courtesy is no misspelt search ("no hace falta" was "no face falta", searched)
        grounded_text = text
        if fixes:
            grounded_text = replace_words(text, fixes)
            raw = apply_corrections(raw, fixes)
            vocab = getattr(self.parser, "vocabulary", None)
            if isinstance(vocab, CatalogVocabulary):
                raw = normalize_intent(raw, vocab, grounded_text, has_previous=previous is not None or bool(state.history))
        if (raw.category and re.search(r"[\u4e00-\u9fff]", need_text) and not re.search(r"[\u4e00-\u9fff]", self._own_words(need_text))
                and not (set(re.findall(r"[a-z]+", need_text.lower())) & set(re.findall(r"[a-z]+", raw.category.lower())))
                and isinstance(own_vocab := getattr(self.parser, "vocabulary", None), CatalogVocabulary)
                and not categories_in_text(need_text, own_vocab)):
            # "how much is the Silk Scarf 絲巾?": Chinese only in the name quoted, so a category the words never name was
            # the model's guess from the history (Jackets, after a jacket), dropped as for any English message
            raw = raw.model_copy(update={"category": None})
        if raw.colors and (quoted := self.repo.named_in(grounded_text)):
            # "cheaper than the Wanderer Black Hiking Boots", "do you sell the Café Denim Jacket?": a colour word of a
            # name the shopper quotes is no colour wished for (it filtered black boots, and answered "not in Brown")
            # Only a name quoted as a product's ("the …", "than …"): "black jacket" or "a black jacket in M" in a shop
            # with a "Black Jacket" still wishes black (it listed a blue Rain Jacket)
            low_text = " ".join(grounded_text.lower().split())
            as_names = [p.name for p in self.repo.get_many(quoted)
                        if re.search(rf"\b(?:the|than|el|la|los|las)\s+{re.escape(' '.join(p.name.lower().split()))}", low_text)]
            if as_names:
                raw = raw.model_copy(update={"colors": _colours_outside_names(raw.colors, grounded_text, as_names)})
        # "cheaper" after a comparison: cheaper than the products compared, which are what is on screen
        intent = merge(previous, raw, state.focus or state.shown, text=grounded_text)
        if (back := _BACK_TO.match(grounded_text.lower())) and (earlier := _earlier_ask(back.group("what"), state.history)):
            # "back to the tees" after tanks: the tees as asked then, with their colour, size and budget ("womens
            # tees in blue size M under 30"), not tees of any kind
            intent = self.parser.parse(earlier, [], None).model_copy(update={"kind": "search"})
        if (previous is not None and (what_about := _WHAT_ABOUT.fullmatch(grounded_text.lower().strip()))
                and _names_a_kind(what_about.group(1), self.parser) and singular(what_about.group(1)) not in previous.query.lower()):
            # "what about tvs?" after laptops: a new kind of product asked for, not the last need again
            intent = self.parser.parse(what_about.group(1), [], None).model_copy(update={"kind": "search"})
        elif (previous is not None and raw.kind == "refine" and raw.query and not raw.category and not raw.references
              # ("top rated" after men's shorts: a rank, not the kind tops, which searched "top rated" among all tops)
              and (new_kinds := {singular(w) for w in re.findall(r"[a-z]+", TOP_AS_RANK.sub(" ", raw.query.lower()))
                                 if singular(w) in PRODUCT_KINDS})
              and not new_kinds & {singular(w) for w in re.findall(r"[a-z]+", f"{previous.query} {previous.category or ''}".lower())}):
            # "a sweater for men" after "do you sell shoes?": a new kind of product with a constraint, not the shoes for men
            intent = raw.model_copy(update={"kind": "search"})
        relaxed_line: str | None = None  # "I have dropped "waterproof" from your search." above the list without it
        if previous is not None and (off := _FILTER_OFF.search(grounded_text.lower())):
            # "remove the blue filter", "drop the price filter", "clear all filters (and show me tents)": the need
            # without it, with whatever else the message asks
            rest = _FILTER_OFF.sub(" ", grounded_text.lower())
            if not re.search(r"[^\W\d_]{3,}", re.sub(r"\b(?:please|and|then|now|just|also|ok(?:ay)?|can you|could you|"
                                                    r"show me|the|results?|again|everything)\b", " ", rest)):
                # "remove the price filter" alone: the last need less that filter (it searched for "remove price filter")
                intent = previous.model_copy(update={"kind": "refine"})
            intent = _without_filter(intent, off.group("what") or "")
            if _FILTER_OFF.search(intent.query.lower()):  # "clear all filters and show me tees": tees are the words
                intent = intent.model_copy(update={"query": _LEAD_IN_WORDS.sub("", re.sub(
                    r"^\W*(?:and\W+)?", "", _FILTER_OFF.sub(" ", intent.query.lower()).strip())).strip()})
        elif previous is not None and previous.colors and (relax := _COLOUR_RELAX.search(grounded_text.lower())) and all(
                not v or canonical_color(v) for v in (relax.group("val"), relax.group("val2"))):
            # "any colour is fine", "doesn't have to be red", "other colours too": the colour filter off (it kept
            # showing red only, and "other colours too" read as "not red"); "doesn't have to be for women",
            # "not just for hiking" are about other things
            said = next((v for v in (relax.group("val"), relax.group("val2")) if v), None)
            rest = _COLOUR_RELAX.sub(" ", grounded_text.lower())
            alone = not re.search(r"[^\W\d_]{3,}", re.sub(r"\b(?:please|and|then|now|just|also|ok(?:ay)?|fine|the|that'?s|"
                                                        r"is|are|too|as well|show me|results?|again|everything|them|but|it)\b", " ", rest))
            # more said ("... but under 95", "... but not blue"): the parsed constraints on the earlier need's words
            # (what else it says is read on the earlier need: "the colour isn't important but they need to be waterproof"
            # kept the jackets and wished waterproof; it searched "red jackets" among everything)
            base = previous if alone else (self._rest_need(rest, previous, state) or intent.model_copy(update={"query": previous.query}))
            base = base.model_copy(update={"exclude": [e for e in base.exclude if canonical_color(e) is None
                                                       or canonical_color(e) != canonical_color(said or "")]})
            added = [c for c in intent.colors if canonical_color(c) not in {canonical_color(x) for x in previous.colors}]
            if relax.group("val2") and added and not alone:
                # "not just red, blue too": red and blue (it showed blue only)
                intent = base.model_copy(update={"kind": "refine", "colors": [*previous.colors, *added]})
            else:
                intent = _without_filter(base.model_copy(update={"kind": "refine"}), said or "colour")
                if off_colours := [c for c in previous.colors if c not in intent.colors]:
                    # said above the list, as any other requirement dropped ("I have dropped "red" from your search.")
                    relaxed_line = say("relaxed", lang, what="/".join(colour_name(c, lang) for c in off_colours))
        elif (previous is not None and raw.kind not in ("cart", "order_status", "policy") and not _ADDING.search(grounded_text.lower())
              and (loosened := self._loosened(grounded_text, previous, state, lang)) is not None):
            # "it doesn't have to be waterproof", "doesn't have to be for women", "it can be for men too": the need
            # without that requirement, said so (it searched "it doesn't to be waterproof", and kept the women's filter)
            intent, relaxed_line = loosened
        if (intent.kind in ("search", "refine") and raw.kind in ("search", "refine")
                and (wish := _wish_said(grounded_text)) is not None):
            # "they need to be waterproof", "must have a hood": only the products whose name or attributes say it (it
            # ranked them first among the others); "preferably waterproof", "ideally with a hood": those first
            intent = self._with_wishes(intent, raw, wish, previous, state, grounded_text)
        cheaper_than = None  # the product named in "cheaper than the …"
        dearer_than = None  # ... and in "more expensive than the …"
        # "is the third one cheaper than the first one?": a yes or no about those two, never a capped search
        price_asked = self._price_question(grounded_text, state) if state.shown or state.focus else None
        dearer = _DEARER_THAN.search(grounded_text.lower()) is not None and not _CHEAPER_THAN.search(grounded_text.lower())
        # "anything cheaper than the third one?": the one at that position on screen (a search, never a question about it)
        picked_than = _picked_after_than(grounded_text, state.shown) if _CHEAPER_THAN.search(grounded_text.lower()) or dearer else []
        if price_asked is None and (_CHEAPER_THAN.search(grounded_text.lower()) or dearer) and (intent.kind in ("search", "refine") or picked_than) and (
                than := self.repo.named_in(grounded_text) or picked_than
                or named_products(grounded_text, [*state.focus, *state.shown]) or self._named_after_than(grounded_text)):
            # "something cheaper than the Lando Gym Jacket" / "than the Chemex": below that product's price, among its
            # kind (it took the cheapest on screen as the bar, and the named one's words as the query); "more
            # expensive than the Savvy Shoulder Tote": above it (it listed the tote itself first, with no floor)
            named_p = self.repo.get(than[0])
            if dearer:
                dearer_than = named_p
            else:
                cheaper_than = named_p
            if named_p is not None:
                # the named product's own kind: its real category (never a collection it is also in), else the
                # last word of its name
                own_category = self.repo.product_category(named_p)
                leaf = own_category.rsplit("/", 1)[-1] if own_category else None
                kind_word = (leaf or (re.sub(r"[^a-z ]", "", named_p.name.lower()).split()[-1:] or [""])[0]).lower()
                bound = {"min_price": round(float(named_p.price) + 0.01, 2), "max_price": None} if dearer \
                    else {"max_price": round(float(named_p.price) - 0.01, 2)}
                intent = intent.model_copy(update={**bound, "query": kind_word, "references": [],
                                                   "kind": "search", "category": own_category,
                                                   # ("the Chemex" names the product, not a brand to keep to)
                                                   "brands": [b for b in intent.brands if b.lower() != (named_p.brand or "").lower()],
                                                   "gender": intent.gender or (named_p.gender if named_p.gender in ("women", "men", "kids") else None)})
        # "show me more": the same need, without what this conversation has shown already
        more = previous is not None and MORE_RESULTS.fullmatch(grounded_text.strip().lower()) is not None
        if more and previous is not None:
            intent = previous.model_copy(update={"kind": "refine", "references": []})
        # "not the Cronus one": the same need without that product (and less like it from now on)
        dropped = named_products(grounded_text, state.shown) if previous is not None and NOT_THIS.search(grounded_text.lower()) else []
        if dropped and (raw.exclude or raw.colors):
            dropped = []  # "not Legend", "not the green ones": a brand or colour is the intent's to exclude
        if (previous is not None and not dropped and NOT_THIS.search(grounded_text.lower()) and state.shown
                and (picked := references_in_text(grounded_text.lower())) and _only_a_pick(re.sub(
                    r"\b(?:not|i don'?t (?:like|want)|none of|except|no me gusta|no|nah|but)\b", " ", grounded_text.lower()))):
            # "I don't want the second one", "not the first one": the same need without those
            dropped = [int(x["id"]) for x in _at_positions(state.shown, picked)]
            intent = previous.model_copy(update={"kind": "refine", "references": []})
        if dropped and previous is not None:
            if names_only(grounded_text, state.shown, dropped):  # nothing else said: the same need
                intent = previous.model_copy(update={"kind": "refine", "references": []})
            elif intent.kind not in ("search", "refine"):
                dropped = []
            state.disliked.extend(i for i in dropped if i not in state.disliked)
        picked_like = _at_positions(state.shown, references_in_text(grounded_text.lower())) \
            if _SIMILAR_TO_PICK.match(grounded_text.lower()) else []
        no_likes = False  # "more like the one I liked" with nothing liked yet: said so
        withdrawn_meant: str | None = None  # the product taken off sale a question names ("is the mug in stock?")
        also_like: list[ShoppingIntent] = []  # ... liked products of other kinds: their searches, shown in turn
        if (_SIMILAR.fullmatch(grounded_text.strip().lower()) or len(picked_like) == 1) and (
                one := picked_like if len(picked_like) == 1 else state.focus if len(state.focus) == 1
                else state.shown if len(state.shown) == 1 and not state.focus else []):
            # "show me similar items" about the one product in view: its own kind, like its name, never itself (the
            # words "similar items" were searched: a tote, a messenger bag and a jacket for a tee)
            like = self.repo.get(int(one[0]["id"]))
            if like is not None:
                intent, dropped = self._similar_intent([like], ShoppingIntent()), [like.id]
        elif _SIMILAR.fullmatch(grounded_text.strip().lower()) and (state.shown or state.focus):
            intent = intent.model_copy(update={"kind": "question", "references": []})  # like which? ("Which of these …")
        elif _LIKED_SIMILAR.search(grounded_text.lower()):
            # "more like the one I liked", "similar to what I liked": like the products liked here (a thumbs-up, the
            # API's like), never those words searched; nothing liked yet: said so
            liked_ids = [i for i in state.liked if i not in state.disliked][-3:][::-1]  # (latest first)
            if not liked_ids and _SAID_LIKE.search(" ".join(state.history[-3:]).lower()):
                # "I like the first one" (said, no thumbs-up), then "more like the one I liked": the one in focus
                liked_ids = [int(e["id"]) for e in state.focus][:3]
            liked_ps = self.repo.get_many(liked_ids)
            if liked_ps:
                # one search a kind ("the ones I liked", a jacket and a watch: jackets and watches, never one search
                # for both names), the latest liked first
                by_kind: dict[str | None, list[Any]] = {}
                for p in liked_ps:
                    by_kind.setdefault(self.repo.product_category(p), []).append(p)
                intent, *also_like = [self._similar_intent(ps, raw) for ps in by_kind.values()]
                dropped = [p.id for p in liked_ps]
            else:
                intent, no_likes = intent.model_copy(update={"kind": "chitchat", "references": []}), True
        elif (not picked_like and (similar_to := _SIMILAR_TO_NAMED.search(grounded_text))
              # ("something like a rain jacket" names a kind, not the jacket on screen: only "the …" or a full name)
              and (_THE_NAME.match(similar_to.group("what").lower()) or self.repo.named_in(similar_to.group("what")))
              and (like_named := self._product_meant(similar_to.group("what"), state)) is not None):
            # "something similar to the Adrienne Trek Jacket": its kind, like its name, never itself (its words were
            # searched, and it came first); what else is said stays ("... under 50", "... in blue")
            # for whom: a gender this message says ("men's watches similar to ..."), else one the shopper said they
            # shop for ("a gift for my wife"), else the named product's own; never a gender only an earlier list was
            # filtered by ("men's hoodies", then "similar to the Adrienne Trek Jacket": women's jackets, like it)
            here = gender_in_text(_without_names(grounded_text, [like_named.name]))
            intent, dropped = self._similar_intent([like_named], raw.model_copy(update={"gender": raw.gender if here else None}),
                                                   here or _shopping_for(state.history)), [like_named.id]
            if is_cheaper_request(grounded_text):  # "... but cheaper": below its price (it listed dearer ones, cheapest first)
                intent = intent.model_copy(update={"max_price": round(float(like_named.price) - 0.01, 2)})
            elif _DEARER.search(grounded_text.lower()):  # "... but more upmarket": above it
                intent = intent.model_copy(update={"min_price": round(float(like_named.price) + 0.01, 2), "max_price": None})
        low = grounded_text.lower()
        cart_before = [dict(line) for line in state.cart]
        focus_before = list(state.focus)  # (a colour picked with "the purple one" stays with it while it is in view)
        just_added = bool(state.touched) and int((state.touched or {}).get("added", 0)) > 0
        quantity = _quantity_request(low, [z for p in in_cart.values() for z in p.sizes])
        cart_words = [{"id": x["product_id"], "name": x["name"]} for x in state.cart]
        removing = REMOVAL_REQUEST.match(low) is not None and (
            # "remove it", "take one out", "take the Bruno hoodie out": what it names is in the cart ("remove the
            # price limit", "remove the red ones" are about the list)
            POINTS_AT_ONE.search(low) is not None or references_in_text(low) != [] or _REMOVAL_COUNT.search(low) is not None
            or named_products(grounded_text, cart_words) != []
            or _lines_of_kind(low, state.cart, {pid: p.categories for pid, p in in_cart.items()}) != [])
        # "change the jacket in my cart to size L", "can I get it in blue instead" right after adding it: another
        # size or colour of a cart line (it searched, or added a second line)
        # (a line just added or just changed is the one "it" means)
        just_carted = state.touched is not None and bool(state.cart)
        # the sizes and colours the cart's products come in, in the shop's words ("Copper", "12 cup")
        own = [v for p in in_cart.values() for v in (*p.sizes, *p.colors)] if _ADDING.search(low) is None else []
        about_a_line = bool(state.cart) and quantity is None and _ADDING.search(low) is None \
            and (_mentions_variant_change(low, own) or (
                # "M", "blue" right after an add that left a size or colour open (the answer to "Which size?")
                just_carted and _only_variant_words(low, own) and not (state.cart[-1].get("size") and state.cart[-1].get("color")))) \
            and (_IN_CART.search(low) is not None
                 # "change it to size L" with one line in the cart, a search later: that line (a list is not "changed")
                 # (unless that product is in the list on screen: "jackets", then "change it to red" is about the list)
                 or (len(state.cart) == 1 and _CHANGE_IT.match(low) is not None
                     and all(int(x["id"]) != state.cart[0]["product_id"] for x in state.shown)) or (
                ((named_lines := named_products(grounded_text, cart_words)) != [] or (just_carted and (
                    POINTS_AT_ONE.search(low) is not None or _THE_VARIANT.search(low) is not None or "instead" in low
                    or re.match(r"\s*(?:(?:please|ok|okay|actually|no|hmm)[\s,]+)*(?:(?:change|switch|swap|make)\b|换成|改成|换)", low) is not None
                    or _only_variant_words(low, own))))
                # "I'd like a red jacket instead", "show me large jackets instead": another search, not the line
                and not self._asks_for_other(low, next((x["name"] for x in state.cart if named_lines and x["product_id"] in named_lines),
                                                       state.cart[-1]["name"]))))
        if (not about_a_line and just_carted and quantity is None and (_ADDING.search(low) or _ES_WANT_IT.match(low))
                and (POINTS_AT_ONE.search(low) or _ES_WANT_IT.match(low) or _ES_ADD_IT.search(low))
                and not references_in_text(low) and not _ANOTHER_LINE.search(low)
                and ((state.cart[-1].get("color") is None and colors_in_text(_spaced(low))[0])
                     or (state.cart[-1].get("size") is None and sizes_in_text(_sized(grounded_text))))
                # only the option left open ("add it in green" after choosing blue is another line)
                and not (state.cart[-1].get("color") and colors_in_text(_spaced(low))[0])):
            # "add it in size M in blue" right after "Which colour?": the answer for the line just added (it asked
            # "which of these?"); one it does not come in is refused with those it does
            about_a_line = True
        changing = about_a_line and _NOT_NOW.search(_spaced(low)) is None
        # "don't change the size to M, keep it", "if it runs small I'll switch it": the cart as it is, said so
        keeping = about_a_line and not changing
        # "add one more", "add another one", "I'll take 2 more" right after adding: more of that line
        more_of = _ONE_MORE.search(low) if state.cart and just_carted and not references_in_text(low) else None
        if more_of is not None and named_products(grounded_text, state.shown):
            more_of = None  # "add one more Nova Jacket" names what to add
        # "make it 10", "make it a 10", "in a 10 instead" after a search: that search in size 10 when it had a size (it
        # said "Your cart is empty."), at that budget when it had one ("under 50", then "make it 100"), and which it is
        # asked when it had neither and nothing is in the cart; right after an add "make it 3" is how many (below)
        renumber = _RENUMBER.match(low) if not (about_a_line or removing or more_of) else None
        number_meant = _number_meant(renumber, previous, just_carted=just_carted, has_lines=bool(state.cart), one_in_view=len(
            state.focus) == 1 or (len(state.shown) == 1 and not state.focus),
            sells_size=lambda z: self._sells_size(previous, state.shown, z)) if renumber is not None else None
        ask_number: str | None = None
        if number_meant is not None:
            quantity = None
            meant_as, said_n = number_meant
            if previous is not None and meant_as == "size":
                intent = previous.model_copy(update={"kind": "refine", "sizes": [said_n], "references": []})
            elif previous is not None and meant_as == "budget":
                n_budget = float(said_n)
                intent = previous.model_copy(update={"kind": "refine", "references": [], **(
                    {"min_price": n_budget} if previous.max_price is None and previous.min_price is not None else
                    {"max_price": n_budget, "min_price": previous.min_price if (previous.min_price or 0) < n_budget else None})})
            else:
                ask_number = said_n
                intent = (previous or intent).model_copy(update={"kind": "chitchat", "references": []})
        # "the blue one", "the M one", "the first one" right after "Which one should I take off: ...?": that line, for
        # the removal or quantity change that asked (it searched blue ones, or answered about the first product shown)
        pending, state.pending = state.pending, None  # (kept only by a turn that asks again)
        pending_lines = self._pending_lines(grounded_text, pending, state) if pending else None
        if pending_lines is not None:
            intent = (previous or intent).model_copy(update={"kind": "cart", "references": []})
        if intent.kind != "cart" and (EMPTY_CART.search(low) or removing or changing or keeping or more_of or (
                # "set quantity to 3", "make it 3" with nothing in the cart: said so (it searched "set quantity to");
                # "I'll take 2 of them" with one product in view: 2 of it
                not state.cart and quantity is not None and _number_word(quantity.group("n")) <= 99
                and (not _TAKES_N_OF_THEM.search(low) or len(state.focus) == 1 or (len(state.shown) == 1 and not state.focus))) or (
                # "make that 3" right after adding ("make it 150" after a search is a budget); "set quantity to 4",
                # "make it 2 hoodies" (a cart line named) a turn or two later too (it searched "set quantity to")
                state.cart and quantity is not None and _number_word(quantity.group("n")) <= 99 and (
                    (just_carted and not _quantity_what(quantity)) or quantity.group("qword") in ("quantity", "qty")
                    # "make it 3" a search later that had no size or budget: how many, of a cart line (it searched "make")
                    or renumber is not None
                    or _IN_CART.search(low) is not None or (bool(_quantity_what(quantity)) and _lines_named(
                        _quantity_what(quantity), state.cart, {pid: p.categories for pid, p in in_cart.items()}) != [])))):
            # "remove the Bruno hoodie" / "take it out": about the cart, never a search for "remove"
            intent = (previous or intent).model_copy(update={"kind": "cart", "references": intent.references})

        kind = intent.kind
        if kind in ("search", "refine") and _ADDING.search(low) and re.match(r"\s*(?:(?:please|ok|okay|also|and|now|then)[\s,]+)*(?:add|buy)\b", low) \
                and (self.repo.named_in(grounded_text) or self._named_loosely(grounded_text)):
            # "add 3 Hero Hoodie size XL gray": a product named in full, to the cart
            kind = "cart"
            intent = intent.model_copy(update={"kind": "cart"})
        no_list = False
        listed_anew = False  # a question answered with a list of other products (what goes with it)
        if kind in ("search", "refine") and not state.shown and not state.cart and references_in_text(low) and _only_a_pick(low):
            kind, no_list = "chitchat", True  # "the second one" with nothing shown: no list to pick from
        # "I want to check out the first one", "let me have a look at the second": a look at it, never the cart's checkout
        # nor a search for "check out"
        looking = _LOOKS_AT.sub(" ", low)
        looked_at = False  # a look at the one picked: its overview, as "tell me about it" gives it
        if (kind in ("search", "refine") or (looking != low and kind in ("cart", "chitchat", "other", "question"))) and state.shown \
                and references_in_text(low) and _only_a_pick(looking) and not picked_like:
            # "the second one", "number 2", "el segundo", "第二个": that product, never a search for "second"
            kind = "cart" if _ADDING.search(looking) else "question"
            intent = (previous or intent).model_copy(update={"kind": kind, "references": references_in_text(low)})
            # ("have a look at the second one" answered with a sentence of its text that says "looking stylish")
            looked_at = looking != low and kind == "question"
        # the product picked in a colour it does not come in, that colour, and those of its kind offered in it instead
        colour_unmet: tuple[Any, str, list[int]] | None = None
        price_pick: list[Any] = []  # "the cheaper one" right after a comparison: that one of the products compared
        price_pool = [{k: v for k, v in x.items() if k != "compared"} for x in _compared(state)]  # (and those compared)
        if (kind in ("search", "refine", "cart", "question") and _PRICE_PICK.fullmatch(low.strip(" ¿¡"))
                and (compared := self.repo.get_many([int(x["id"]) for x in price_pool], matching=ProductFilter()))
                and len(compared) >= 2):
            # (it searched the shop's cheaper products, and "add the cheaper one" after "is the third cheaper than the
            # first?" added the list's cheapest)
            kind = "cart" if _ADDING.search(low) else "question"
            intent = (previous or intent).model_copy(update={"kind": kind, "references": []})
            dearer_pick = _DEARER_PICK.search(low) is not None
            by_price = (max if dearer_pick else min)(compared, key=lambda p: p.price)
            # two at one price: neither is "the cheaper one" (both shown, said so)
            price_pick = compared if all(p.price == by_price.price for p in compared) else [by_price]
        pick_variant = False  # "the second one in size M", "la segunda en azul": that one, in that size or colour
        if kind in ("search", "refine", "question") and state.shown and not picked_like and not _ADDING.search(low) \
                and _pick_in_variant(low):
            # whether it comes in it, at what price, and "add it" then adds it so (it searched the list again in size
            # M, and "add it" asked "which of these?")
            kind, pick_variant = "question", True
            intent = (previous or intent).model_copy(update={"kind": kind, "references": references_in_text(low)})
        coloured: list[Any] = []  # "the purple one": the products of the list on screen that come in that colour
        if kind in ("search", "refine") and state.shown and not picked_like and not _ADDING.search(low) \
                and (coloured := self._coloured_on_screen(low, state)):
            # a pick from the list, never a search for purple ones ("add it" then asked "which of these?" of nothing);
            # several that come in it: which of them
            kind = "question"
            intent = (previous or intent).model_copy(update={"kind": kind, "references": []})
        cards: list[ProductCard] = []
        currency_line = ""  # "(Our prices are in US dollars ...)" below a list whose budget was said in another currency
        asked_for: Any = None  # the sold-out product the shopper asked for by name, said above the alternatives
        note: str | None = None
        corrections: list[tuple[str, str]] = []
        answer: str | None = None
        if kind in ("search", "refine") and _ES_WANT_IT.match(low) and not changing and (
                len(state.focus) == 1 or (len(state.shown) == 1 and not state.focus)):
            kind, intent = "cart", intent.model_copy(update={"kind": "cart"})
        if kind in ("search", "refine") and (state.focus or state.shown) and (
                # "¿viene en azul?", "多少钱？" (Spanish and Chinese drop the "it"); several in view: which one
                # (not when it names another product or kind: "¿qué colores tiene la Hero Hoodie?", "... las chaquetas?")
                (_DROPPED_IT.match(low) and not self.repo.named_in(grounded_text) and not _names_kind_word(low))
                # "does it come in blue?", then "and in size M?": still about that one
                or (len(state.focus) == 1 and _AND_IN.match(low) is not None)
                # "what are the reviews like?", "when will it be back?", unless they name another product or kind
                or (_ASKS_ABOUT_IT.search(low) and not self.repo.named_in(grounded_text) and not raw.category)
                # "do you have them in size 10?" about the one pair of boots shown
                or (len(state.shown) == 1 and not state.focus and _ABOUT_THEM.search(low))):
            # about what is in view: a question, not a search for its words
            kind, intent = "question", (previous or intent).model_copy(update={"kind": "question", "references": []})
        referenced = coloured or price_pick or self._referenced(intent, state, grounded_text)
        if kind == "cart" and len(price_pick) > 1:
            referenced = []  # "add the cheaper one" of two at one price: which is asked
        if kind in ("search", "refine") and len(state.focus) >= 2 and _WHICH_OF_THEM.match(low.lstrip("¿ ")) and not named_products(grounded_text, state.shown):
            kind = "compare"  # "which is lighter?" right after a comparison: about the products compared
        elif (kind in ("search", "refine") and len(state.shown) >= 2 and _WHICH_MORE.match(low) and not _names_kind_word(low)
              and not self.repo.named_in(grounded_text)):
            # "¿cuál tiene mejores reseñas?", "哪个更轻？" with a list on screen: among them, as "which one has..." is
            # (a first message "哪款外套最便宜？" or "¿cuáles son menos de 50 dólares?" is a search or a filter)
            kind = "compare"
            intent = intent.model_copy(update={"kind": "compare"})
        if (kind in ("question", "compare") and (not referenced or (kind == "compare" and len(referenced) < 2))
                and _WHICH_OF_THEM.search(grounded_text.lower())):
            # "which one is lighter?": the products just compared, else the list on screen
            on_screen = state.focus if len(state.focus) >= 2 else state.shown
            referenced = self.repo.get_many([int(x["id"]) for x in on_screen[:5]]) if len(on_screen) >= 2 else []
            kind = "compare" if len(referenced) >= 2 else kind
        if (kind in ("search", "refine") and len(state.shown) >= 2 and not referenced and _ASKS_WHETHER.match(low)
                and re.search(r"\b(?:they|them|these|those|both)\b", low) and _MUST_HAVE.search(low) and not raw.category
                and not self.repo.named_in(grounded_text)):
            # "do they need to be dry cleaned?" with a list on screen: asked of each of them, answered from the catalog
            # (it searched "they need to be dry cleaned" among everything)
            referenced = self.repo.get_many([int(x["id"]) for x in state.shown[:5]])
            kind, intent = "question", (previous or intent).model_copy(update={"kind": "question", "references": []})
        count_of = _COUNT_OF_KIND.fullmatch(low.strip(" ¿¡")) if kind in ("search", "refine", "question") and not references_in_text(low) else None
        if count_of is not None and (count_of.group("what") or count_of.group("es") or "").strip() in _POINTING:
            count_of = None  # "how many of them do you have?": the stock of what is on screen
        named: list[int] | None = None  # the products the message names in full (looked up once, when needed)
        # the line the last turn added ("how many are left?" right after adding it: that one, in its size and colour)
        added_line = state.touched if just_added and state.touched and any(
            int(x["product_id"]) == int(state.touched["product_id"]) for x in state.cart) else None
        if (kind in ("search", "refine", "question") and _HOW_MANY.search(low) and count_of is None
                and (state.focus or state.shown or referenced or added_line or (named := self.repo.named_in(grounded_text)))
                and not (raw.category and (previous is None or raw.category != previous.category))):
            # "how many are in stock?", "how many of the first one do you have?": the catalog's counts of what is on
            # screen (it searched for "how many stock"); "how many tents do you have?" names a new kind and searches
            picks = references_in_text(low)
            on_screen = state.focus or state.shown
            if picks:
                referenced = self.repo.get_many([int(x["id"]) for x in _at_positions(state.shown, picks)])
            elif not referenced:  # a product named in full, else the one just added, else what is on screen
                named = self.repo.named_in(grounded_text) if named is None else named
                referenced = self.repo.get_many(named or ([int(added_line["product_id"])] if added_line else [])
                                                or [int(x["id"]) for x in on_screen[:5]])
            kind = "question" if referenced else kind
        if kind in ("search", "refine") and _ASKS_ABOUT.search(low) and not _LIKE_OTHER.search(low) and need_text == text:
            # "is the Fusion Backpack in stock?", "what is the Beaumont made of?": a question about that product,
            # named in full (the catalog's) or by a word only it has on screen; "how much is the copper one?" with
            # one product on screen that comes in copper
            one = state.focus if len(state.focus) == 1 else state.shown if len(state.shown) == 1 and not state.focus else []
            about = self.repo.named_in(grounded_text) or named_products(grounded_text, [*state.focus, *state.shown])
            if (elsewhere := self._named_off_screen(grounded_text, about, [*state.focus, *state.shown])) is not None:
                about = elsewhere  # (another product of the catalog named by all its words, not the one sharing "scarf")
            elif not about:
                about = [int(x["id"]) for x in one for p in self.repo.get_many([int(x["id"])]) if _about_the_one(grounded_text, p)]
            if not about and not _GOES_WITH.search(low):
                # "is the lantern in stock?" where the Glow Camp Lantern is the shop's only lantern: that one, answered
                # from its facts (it searched "is the lantern stock" and listed headlamps)
                about = self._one_named_by_words(grounded_text, several=3)  # (words several fit: each answered)
                if not about and (gone_ids := self._one_named_by_words(grounded_text, withdrawn=True)) \
                        and (gone_p := self.repo.get(gone_ids[0])) is not None:
                    # "is the mug in stock?" once the Camp Mug was taken off sale: its name searched, so the reply says
                    # it is no longer available above the closest (it searched "mug stock": "nothing matches")
                    withdrawn_meant, kind = gone_p.name, "search"
                    intent = ShoppingIntent(kind="search", query=" ".join(re.sub(r"[^\w\s-]", " ", gone_p.name).split()))
            if about:
                referenced, kind = self.repo.get_many(about), "question"
        if (kind in ("search", "refine") and len(state.focus) == 1 and lang != "en" and not raw.category
                and ((feature_words(low) and _YES_NO_OTHER.search(low)) or _ASKS_MATERIAL.search(low))):
            # "¿es impermeable?", "有口袋吗？", "¿de qué material es?" right after one product: about that one
            referenced, kind = self.repo.get_many([int(state.focus[0]["id"])]), "question"
        if (kind in ("search", "refine", "question") and (goes_asked := _GOES_WITH.search(low))
                and (goes_what := _GOES_WITH_THE.search(low, goes_asked.start())) is not None):
            # "what goes with the watch?", "what matches the Luma watch?", "what can I wear with the Adrienne jacket?":
            # the shop's own links for the product meant (the one named in full, in focus, in the cart, the one on
            # screen so named, else the catalog's only one), never a search for watches; several on screen: which one
            meant = self._product_meant(goes_what.group(0), state)
            first = re.findall(r"[a-z0-9]+", goes_what.group("what"))[:1]
            if meant is not None:
                kind, referenced = "question", [meant]
            elif first and sum(singular(first[0]) in _name_words(str(x.get("name", ""))) for x in state.shown) >= 2:
                kind, referenced = "question", []  # "the jacket" with several jackets on screen: which one
        wants_named = kind in ("question", "compare") or (kind == "cart" and _ADDING.search(low))
        if wants_named and len(referenced) < (2 if kind == "compare" else 1):
            # products named in full that are not on screen ("compare the Kenobi Trail Jacket and the Lando Gym
            # Jacket"): the catalog's own
            named = self.repo.named_in(grounded_text)
            if len(named) >= (2 if kind == "compare" else 1):
                referenced = self.repo.get_many(named)
        if kind == "question" and not referenced and len(state.shown) >= 2 and _ASKS_VARIANTS.search(grounded_text.lower()) \
                and not references_in_text(low):
            # "does it come in other colours?" with a list on screen: each one's colours, not "which product?" ("is
            # the 21st one in stock?" points past the list: said so)
            referenced = self.repo.get_many([int(x["id"]) for x in state.shown[:5]])
        searched_query = ""  # the text a search ran with (logged with what it showed)
        only_one = False  # the answer is one product of the list on screen ("already the cheapest"), not a new list
        singled: int | None = None  # the one product a comparison's answer singled out ("which has the best reviews?")
        told: ShoppingIntent | None = None  # the need as the reply states it, when that differs from the search's
        header: dict[str, Any] = {}  # what the list's header says besides the need (replies.StatedNeed)
        # "no wait, I meant the third one": the last request again, about that product
        redo: str | None = "tell me about it" if looked_at else None
        undone: str | None = None  # (and the cart line the last request added, taken back)
        if (I_MEANT.search(low) and state.history and state.shown and referenced and kind in ("search", "refine", "question")
                and (references_in_text(low) or named_products(grounded_text, state.shown))):
            earlier = state.history[-1]
            # the one meant is what follows "not that one,": "that one" is the one just added, not the one meant
            meant = I_MEANT.sub(" ", grounded_text)
            meant_ids = named_products(meant, state.shown) or [int(x["id"]) for x in _at_positions(state.shown, references_in_text(meant.lower()))]
            if meant_ids:
                referenced = self.repo.get_many(meant_ids)
            if _ADDING.search(earlier.lower()) and not REMOVING.search(earlier.lower()):
                kind, redo = "cart", earlier  # that add again, of the product meant
                if just_added:
                    taken = state.cart[-1]  # the line that request added to: that many fewer, logged like the button's
                    taken["qty"] -= min(taken["qty"], int((state.touched or {}).get("added", 1)))
                    state.cart = [x for x in state.cart if x["qty"] > 0]
                    self.repo.log_interaction("remove_from_cart", taken["product_id"], user_id=state.user_id, session_id=state.session_id)
                    undone = taken["name"]
            else:
                kind, redo = "compare" if len(referenced) >= 2 else "question", earlier if _ASKS_ABOUT.search(earlier.lower()) or "?" in earlier else "tell me about it"
        elif (kind == "question" and state.history and state.shown and referenced and state.touched is None
              and references_in_text(low) and _only_a_pick(low) and _ADDING.search(state.history[-1].lower())
              and not REMOVING.search(state.history[-1].lower()) and _only_a_pick(state.history[-1].lower())
              and not references_in_text(state.history[-1].lower())):
            # "add 2" with two bags on screen asked "which of these?": "the second one" is the answer, 2 of it
            kind, redo = "cart", f"{state.history[-1]} {text}"
        if (kind in ("search", "refine") and not coloured and (state.focus or state.shown)
                and (other := self._the_one_by_words(grounded_text, state)) is not None):
            # "how much is the Sprite Yoga Strap 10 foot?", then "and the 6 foot one?": that other strap, asked the
            # same (it listed five products for "6 foot one")
            kind, referenced = "question", [other]
            earlier = state.history[-1] if state.history else ""
            if len(state.focus) == 1 and ("?" in earlier or _ASKS_ABOUT.search(earlier.lower())):
                # less the words of the earlier product's name that this one's lacks ("is the Element Jacket
                # waterproof?", "and the Nova one?": the Nova Jacket asked "waterproof", never "element waterproof")
                own_words = {w.lower() for w in re.findall(r"\w+", getattr(other, "name", ""))}
                drop = {w.lower() for w in re.findall(r"\w+", str(state.focus[0].get("name", "")))} - own_words
                redo = re.sub(r"\s+", " ", re.sub(r"\w+", lambda w: "" if w.group().lower() in drop else w.group(), earlier)).strip()
        # (only a question can be an FAQ heading: no lookup of the shop's entries on every search)
        faq = (self.repo.heading_asked(grounded_text) if kind in ("search", "refine", "question") and not referenced
               and ("?" in grounded_text or "？" in grounded_text or _YES_NO.match(low) or _ASKS_ABOUT.search(low)) else None)
        if faq is not None:  # "do you gift wrap?" under the shop's FAQ entry "Do you gift-wrap?": its answer, not a search
            kind = "policy"
        if THANKS_BYE.match(low) or _DECLINED.fullmatch(low.strip()):  # "thanks, bye", "不用了": no search for their words
            kind = "chitchat"
        if (kind == "policy" and faq is None and _SIZE_ADVICE.search(low) and len(in_view := state.focus or state.shown) == 1
                and not [d for d in self.repo.documents("size guide sizing fit", limit=3) if "size" in f"{d.title} {d.body}".lower()]):
            # "does it run small?" about the one product in view, in a shop with no size guide: its sizes, not "no policy"
            kind, referenced = "question", self.repo.get_many([int(in_view[0]["id"])])
        if ask_number is not None:  # "make it 10" with no size, budget or cart line it could be: which it is, asked
            kind, answer = "chitchat", say("which_number", lang, n=ask_number)
        elif kind in ("search", "refine", "other", "chitchat") and (talk := _talk_about(text)) is not None:
            # "delete my data", "what do you know about me?", "my email is ...", "you are useless", "what's the
            # weather?": answered as what they are, never searched ("Here are 5 know about me you might like")
            kind, answer = "chitchat", say(talk, lang)
            if talk == "privacy_delete" and (contact := self._contact_entry()) is not None:
                answer += " " + _entry(contact, lang)
        elif kind in ("search", "refine", "other", "chitchat", "cart") and _CHECKOUT.fullmatch(low.strip()):
            # "checkout please", "I want to pay", "quiero pagar", "结账": the cart, and that paying is the shop's own
            # checkout, never a search for "checkout" (nor a link or a step the shop has not given)
            kind, answer = "chitchat", self._cart_summary(state, lang) + " " + say("checkout", lang)
        if no_likes:  # "more like the one I liked" before any like: said, never a search for those words
            kind, answer = "chitchat", say("liked_none_similar", lang)
        elif kind in ("search", "refine", "question", "chitchat") and _MY_LIKES.search(low) and not _LIKED_SIMILAR.search(low):
            # "which ones did I like?": the products liked in this conversation, as a list to pick from (it searched)
            liked = self.repo.get_many(state.liked[-self.results:], matching=ProductFilter())
            kind, cards = "chitchat", [card(RankedItem(p, 0.0), ShoppingIntent(), lang) for p in liked]
            answer = "\n".join([say("liked_list", lang)] + [f"{i}. {c.name}, {money(c.price, c.currency)}" for i, c in enumerate(cards, 1)]) \
                if cards else say("liked_none", lang)
            listed_anew = bool(cards)
        if count_of is not None:
            # "how many jackets do you have?": the catalog's count of that kind; a kind it lacks is searched
            # alone ("how many tents do you sell?" -> "We do not carry tents", not a list headed "how many tents")
            kind_asked = self.parser.parse((count_of.group("what") or count_of.group("es") or "").strip(), [], None)
            if kind_asked.category or kind_asked.brands or kind_asked.gender:
                total = self.repo.count(intent_to_filter(kind_asked, in_stock=False))
                kind, referenced = "question", []
                what = describe_need(kind_asked, self.repo.shop_currency(), lang)
                answer = (say("product_count", lang, n=total, what=what, m=self.repo.count(intent_to_filter(kind_asked))) if total
                          else say("product_count_none", lang, what=what))
            else:
                kind, intent = "search", kind_asked.model_copy(update={"kind": "search"})
        shop_facts = self._shop_values(low, lang)
        one_on_screen = state.focus if len(state.focus) == 1 else state.shown if len(state.shown) == 1 and not state.focus else []
        if shop_facts is not None and one_on_screen and not re.search(r"brand|marca|品牌", low):
            # "what sizes do you have?" right after one product: its sizes, not every size the shop has
            kind, referenced = "question", self.repo.get_many([int(one_on_screen[0]["id"])])
        elif shop_facts is not None:  # "what sizes do you have?": the shop's own list, not a search for "sizes"
            kind, answer, referenced = "question", shop_facts, []
        if price_asked is not None and answer is None:
            # (both products, or none when a position said is off the list: "Only 5 products are shown")
            # (the need on screen stays the conversation's: no cap below either, no search for the question's words)
            kind, referenced = "compare", price_asked[0]
            intent = (previous or intent).model_copy(update={"kind": kind, "references": references_in_text(low)})
        if kind != intent.kind:  # what the turn turned out to be about ("is the Fusion Backpack in stock?")
            intent = intent.model_copy(update={"kind": kind})
        timings["intent"] = (time.perf_counter() - t0) * 1000
        yield IntentParsed(intent, timings["intent"])
        t1 = time.perf_counter()
        if kind in ("search", "refine"):
            # nor does the searcher "correct" a Spanish message's words
            keep = names | frozenset(re.findall(r"[a-záéíóúñü]+", text.lower())) if detect_language(text) == "es" else names
            # nor a word for a kind of product ("shirts" is not "shorts" where the shop calls them tees)
            keep |= frozenset(w for w in re.findall(r"[a-z]+", text.lower()) if singular(w) in PRODUCT_KINDS)
            ctx = SearchContext(state.liked, state.disliked, state.viewed, user_id, image, keep_words=keep,
                                with_sold_out=_WITH_SOLD_OUT.search(low) is not None,
                                # a refinement never brings back what the shopper said no to in this conversation
                                exclude_ids=list(state.viewed) if more else list(state.disliked) if kind == "refine" else dropped)
            searched = intent
            if (intent.category is None or intent.category.lower() in ("men", "women", "kids")) and lang == "en" \
                    and (head := _head_noun(intent.query)) and singular(head) in _SAME_KIND and not self._carries(head):
                # "a sweater" in a shop of pullovers: searched with the words the shop uses, said as asked, in the
                # category those words name ("a men's sweater" listed jogging pants in Men)
                others = [w for w in _SAME_KIND[singular(head)] if self._carries(w)]
                vocab = getattr(self.parser, "vocabulary", None)
                kinds = [c for w in others for c in (categories_in_text(w, vocab) if isinstance(vocab, CatalogVocabulary) else [])
                         if c.lower() not in ("men", "women", "kids")]
                searched = intent.model_copy(update={"query": " ".join([intent.query, *others]),
                                                     **({"category": kinds[0]} if kinds else {})})
                if head == singular(head):  # "Here are 5 purses", never "5 purse"
                    told = intent.model_copy(update={"query": re.sub(rf"\b{re.escape(head)}\b", plural_en(head), intent.query, count=1, flags=re.I)})
            as_said = searched  # (before the spellings below: a search in the shop's own words is no other need)
            if spelt := other_spellings(searched.query):
                # "knives" finds the Chef Knife, "scarf" the Scarves category's wraps (the search's stemming keeps
                # knives/knife and scarves/scarf apart), "tshirt dress" the T-Shirt Dress
                searched = searched.model_copy(update={"query": " ".join([searched.query, *spelt])})
            # must-haves no product of the kind has: searched as wishes, said so
            if unlisted := self._unlisted(searched, ctx):
                # (nor wished for: the wish would only bring in products of other kinds that have it; unless products
                # of the kind say it in their descriptions: "it must have pockets" after hoodies ranks those first)
                described = self._described(unlisted, searched, ctx)
                searched = searched.model_copy(update={
                    "required": [w for w in searched.required if w not in unlisted],
                    "attributes": [a for a in searched.attributes if a.lower() in described or (
                        a.lower() not in unlisted and not {en for _, en in feature_words(a)} & set(unlisted))]})
                if described:  # (and no "none lists" above the products whose descriptions say it)
                    unlisted = []
            outcome = self.searcher.search(searched, ctx, self.results)
            if not also_like and (each_kind := self._two_kinds(searched)) is not None:
                # "not only jackets, scarves too": the jackets and the scarves in turn (it listed scarves only)
                runs = [items for one, its in each_kind if (items := [
                    i for i in self.searcher.search(one, ctx, self.results).items  # (only that kind: never a bag as a jacket)
                    if any(_names_word(i.product.name, k) or any(_names_word(c.rsplit("/", 1)[-1], k) for c in i.product.categories)
                           for k in its)])]
                if runs:  # (a kind with nothing under the filters said: the other alone, "under 50" after jackets and scarves)
                    merged = list({i.product.id: i for group in itertools.zip_longest(*runs) for i in group if i is not None}.values())
                    outcome = dataclasses.replace(outcome, items=merged[:self.results], note=None)
            if also_like:  # like each kind liked, in turn (the latest liked's first)
                runs = [outcome.items, *(self.searcher.search(other, ctx, self.results).items for other in also_like)]
                merged = list({i.product.id: i for group in itertools.zip_longest(*runs) for i in group if i is not None}.values())
                outcome = dataclasses.replace(outcome, items=merged[:self.results], note=None, corrections=[])
                told = ShoppingIntent(kind="search")  # "Here are 5 products", never "5 women's jackets" with a watch
            searched_query = query_text(searched)
            timings["search"] = (time.perf_counter() - t1) * 1000
            yield CandidatesFound(outcome.candidates, timings["search"])
            intent = apply_corrections(intent, outcome.corrections)
            # "water bottle in pink" with the pink one sold out: the alternatives are in other colours, never "Pink" on a line
            shown_for = intent.model_copy(update={"colors": [], "sizes": []}) \
                if outcome.note and outcome.note.startswith("None in ") else intent
            self._at_variant_prices(outcome.items, shown_for)
            said_texts = [text, *state.history]
            budget_said = all(bound is None or any(_says_amount(t, bound) for t in said_texts)
                              for bound in (intent.max_price, intent.min_price))
            cards = [card(item, shown_for, lang, budget_said=budget_said) for item in outcome.items]
            if state.disliked and intent.sort == "relevance":
                # a new search is not bound by a "no" (a refinement is), but what the shopper disliked here comes last:
                # "womens yoga pants" again after a thumbs-down on the Karmen Yoga Pant listed it first
                cards.sort(key=lambda c: c.id in state.disliked)
            unmade_for: str | None = None
            if intent.gender and not any(_made_for(i.product, intent.gender) for i in outcome.items):
                # "a backpack for my son" in a shop with no kids' bags: the bags for anyone are never "kids' bags", and
                # the reply says so ("anything for kids?" listed a tote and a jump rope without a word)
                told = (told or intent).model_copy(update={"gender": None})
                unmade_for = intent.gender if intent.gender in ("kids", "women", "men") else None
            note = outcome.note
            if note is None and unlisted and cards:
                # "jackets, they need to be waterproof" with no jacket listed as waterproof: said, above the jackets
                note = self._unlisted_note(unlisted, intent, cards, text, lang)
            if note is None and unmade_for is not None and cards:
                # ("We have nothing made for women" only where that is so: a misspelt "chaqeta ... mujer" said it of a
                # shop of women's clothes)
                shop_has = any(_made_for(p, unmade_for) for p in self.repo.find(ProductFilter(gender=unmade_for), limit=500))
                note = say("none_matching_made_for" if shop_has else "none_made_for", lang, who=say(f"who_{unmade_for}", lang))
            if note and cards and (under := _NOTHING_UNDER.match(note)):
                # "yoga straps under $3": the alternatives cheapest first, and the cheapest said is one of them
                # (it said "the cheapest is $5.00" of the whole shop above straps from $14.00)
                if not query_text(searched).strip():  # "under $0" alone: the shop's cheapest, as the note says
                    lowest = self.repo.find(intent_to_filter(searched.model_copy(update={"max_price": None, "min_price": None})),
                                            sort="price_asc", limit=self.results)
                    cards = [card(RankedItem(p, 0.0), intent, lang) for p in lowest] or cards
                cards.sort(key=lambda c: c.price)
                if cards[0].price > Decimal(under.group("lo").replace(",", "")):
                    note = note[:under.start("lo") - 1] + money(cards[0].price, cards[0].currency) + note[under.end("lo"):]
            said_fixes = bool(fixes or outcome.corrections)
            missed_kind = False  # nothing of the kind asked for: the closest products are shown instead
            uncarried: str | None = None  # (the kind of product the shop does not carry: "tent")
            unknown = getattr(self.searcher, "unknown_words", None)
            # a name said no to ("jackets without Legend" in a shop with no Legend) needs no note: the list is the answer
            # (a colour word is no name: "grey" for the shop's Gray is the colour filter's, said by its own note)
            wanted_names = {w for w in names if w not in {e.lower() for e in intent.exclude} and canonical_color(w) is None
                            and not re.search(rf"\b(?:not|no|without|except|sin|ni)\s+(?:\w+\s+){{0,2}}{re.escape(w)}\b", text, re.I)}
            if cards and kind in ("search", "refine") and (withdrawn := self._withdrawn_asked(grounded_text, cards) or withdrawn_meant):
                # "silk scarf" once the Silk Scarf is taken off sale: said, never the Wool Scarf as "one match for silk scarf"
                # (also over the search's own note: where it was the only scarf, "Nothing in Scarves matches" told less)
                note = say("no_longer_sold", lang, name=withdrawn)
                # the alternatives are of its kind where some are (a tee and a dress are no alternative to a scarf)
                kin = {singular(w) for w in re.findall(r"[a-z0-9]+", withdrawn.lower()) if len(w) >= 3}
                cards = [c for c in cards if kin & {singular(w) for w in re.findall(r"[a-z0-9]+", c.name.lower())}] or cards
            missing = unknown(sorted(wanted_names)) if callable(unknown) and wanted_names and cards and not note else []
            sold_out = self._sold_out_named(grounded_text, intent, cards, lang) if kind == "search" and not note else None
            if sold_out is not None:  # "wool beanie" when the Wool Beanie is sold out: say so, then the closest
                note = say("sold_out", lang, name=sold_out[1])
                asked_for = sold_out[0]
            if missing:  # "Nike" in a shop that has no Nike: say so above the closest products
                note = say("not_in_catalog", lang, names=" / ".join(chr(34) + w.capitalize() + chr(34) for w in missing))
            elif cards and not note and (shade := self._closest_colour(grounded_text, intent)) is not None:
                # "pink shorts" in a shop with no pink: the red ones are shown, and the reply says so
                note = say("closest_colour", lang, asked=shade[0].lower(), shown=shade[1].lower())
            elif (cards and not note and (any(c.sizes for c in cards) or re.search(r"\bsizes?\b|\btallas?\b|码", low))
                  and (unstocked := self._size_not_stocked(grounded_text, intent)) is not None):
                # "jackets in XXL" in a shop whose sizes stop at XL: said, never silently dropped
                note = say("no_size_in_shop", lang, size=unstocked[0], sizes=", ".join(unstocked[1]))
            elif cards and not note and lang == "en" and self._not_carried(intent.query):
                # "running shoes" in a shop with no shoes: say so, rather than list jackets as "5 running shoes" (also
                # when a word before it named a category: "trekking shoes" listed the Trekking poles as shoes)
                note, missed_kind = say("not_carried", lang, what=_head_noun(intent.query) or ""), True
                uncarried = _head_noun(intent.query)
            elif cards and not note and lang != "en" and (
                    kinds := [own for own, en in product_word_pairs(text) if self._not_carried(en)]) \
                    and say("not_carried", lang, what=kinds[0]) != relaxed_line:  # (said already: "no solo chaquetas, también bufandas")
                # "跑步鞋", "zapatillas" in a shop with no shoes: the same, in the shopper's words
                note, missed_kind = say("not_carried", lang, what=kinds[0]), True
            elif cards and not note and lang == "en" and kind in ("search", "refine") and not intent.brands \
                    and (unmet := self._wish_unmet(intent)) is not None \
                    and (of_its_kind := [c for c in cards if unmet[3] is None or c.id in unmet[3]]):
                # "silk hat" where the shop's hats are wool and straw: said plainly, above the hats it has (they were
                # listed as "2 hats you might like", as if silk)
                cards = of_its_kind
                note = self._no_such_wish(unmet[0], unmet[1], unmet[2], intent, cards, lang)
            elif (cards and not note and kind in ("search", "refine") and not said_fixes
                  and (unnamed := self._name_unmet(text, intent, lang)) is not None
                  and (of_its_kind := [c for c in cards if c.id in unnamed[2]])):
                # "do you have a Sol jacket?" where no jacket is a Sol: said, above the jackets (only a quoted word, or
                # one capitalised mid-sentence: "running watch", "hiking jacket" say what it is for, not its name)
                cards = of_its_kind
                note = say("no_such_name", lang, name=unnamed[0], kind=unnamed[1])
            elif (cards and not note and kind == "search" and not intent.category and not intent.brands and not said_fixes
                  and as_said is intent  # ("a sweater" searched as pullovers is no miss)
                  and (everything_unseen := self._all_words_unseen(intent.query))):
                # "I need a refrigerator", "asdkjh qwpoeiru": no product text has any word of it; the closest
                # products are shown under that, never as "5 refrigerator you might like"
                note, missed_kind = say("no_word_matches", lang, words=" ".join(everything_unseen)), True
            if (cards and not note and kind == "search" and intent.sort == "relevance" and lang == "en" and (head := _head_noun(intent.query))
                    and self._two_kinds(searched) is None):  # ("jackets and hoodies": both kinds)
                by_id = {i.product.id: i.product for i in outcome.items}
                # of the kind: named so, or in a category named so ("belts": a "Leather Strap" in Accessories/Belts)
                of_kind = [c for c in cards if _names_word(c.name, head) or any(
                    _names_word(cat.rsplit("/", 1)[-1], head) for cat in getattr(by_id.get(c.id), "categories", None) or [])]
                if of_kind and intent.category is None:  # (a category asked is the kind already)
                    # "chef knife": the knife, not a kettle and a jacket beside it as "5 chef knife" (a product that
                    # neither is of the kind nor shares a word with the request is no match for it)
                    kind_cats = {cat for c in of_kind for cat in (getattr(by_id.get(c.id), "categories", None) or [])}
                    # (a word beside the kind is not enough: "yoga brick" listed yoga pants, "insulated water bottle" a
                    # down jacket)
                    cards = [c for c in cards if c in of_kind or _shares_a_word(head, by_id.get(c.id))
                             or kind_cats & set(getattr(by_id.get(c.id), "categories", None) or [])]
                elif not of_kind and not (intent.min_price or intent.max_price or intent.colors or intent.sizes or intent.brands
                                          or intent.on_sale) \
                        and singular(head) in PRODUCT_KINDS and self._carries(head) and not self._has_in_stock_named(head):
                    # "camping chairs" when the only chair is sold out: said, never a lantern and a mug as "5 chairs"
                    note, missed_kind = say("kind_sold_out", lang, what=_kind_phrase(intent.query, head)), True
            if missed_kind and searched.sort != "relevance":
                # "cheap hiking shoes" with no shoes: the closest products by what was asked, not the shop's cheapest
                outcome = self.searcher.search(searched.model_copy(update={"sort": "relevance"}), ctx, self.results)
                cards = [card(item, intent, lang) for item in outcome.items] or cards
            if uncarried is not None and cards:
                # "I want a tent", "do you sell shoes?" in a shop with neither: only alternatives that share a word or a
                # category with the request (it offered tank tops for a tent and push-up grips for shoes), else what
                # the shop does carry
                alike = {p.id for p in self.repo.get_many([c.id for c in cards], matching=ProductFilter())
                         if _related_to(intent.query, uncarried, p)}
                cards = [c for c in cards if c.id in alike]
                if not cards and (carried := self._kinds_carried())[0]:
                    note = f"{note} {say('shop_carries_more' if carried[1] else 'shop_carries', lang, kinds=carried[0])}"
            if cards and not note and not more:
                # "cheapest?" after "something for yoga, pants": the words the sort kept to said ("yoga pants"); "water
                # bottles": only the bottles counted as such; a cap never said is no budget ("under $28.99")
                header, cards = self._header_facts(intent, searched, ctx, cards, lang, budget_said=budget_said)
            if (intent.max_price is not None or intent.min_price is not None) and cards \
                    and (theirs := _currency_said(text)) and theirs != self.repo.shop_currency():
                # "100元以下", "menos de 50 euros" in a shop priced in dollars: the budget is read in dollars, and said so
                # (no exchange rate is known here: never a converted price that could be wrong)
                currency_line = say("currency_read_as", lang, currency=say(f"currency_{self.repo.shop_currency()}", lang)
                                    if f"currency_{self.repo.shop_currency()}" in _CURRENCY_NAMES else self.repo.shop_currency())
            if more and (note or not cards):
                cards, note = [], None
                answer = say("everything_shown", lang)
            elif note and cheaper_than is not None and intent.max_price is not None and float(cheaper_than.price) > intent.max_price \
                    and not any(float(c.price) <= intent.max_price for c in cards):
                # "anything cheaper than the Sprite Foam Yoga Brick" when nothing of its kind is: that one is the cheapest
                cards, note = [card(RankedItem(cheaper_than, 0.0), intent, lang)], None
                answer = say("already_cheapest", lang, name=cheaper_than.name, price=money(cheaper_than.price, cheaper_than.currency))
                only_one = True
            elif note and dearer_than is not None and intent.min_price is not None and float(dearer_than.price) < intent.min_price \
                    and not any(float(c.price) >= intent.min_price for c in cards):
                # "anything more expensive than the Stellar Solar Jacket" when nothing of its kind is: that one is the dearest
                cards, note = [card(RankedItem(dearer_than, 0.0), intent, lang)], None
                answer = say("already_dearest", lang, name=dearer_than.name, price=money(dearer_than.price, dearer_than.currency))
                only_one = True
            elif (kind == "refine" and previous is not None and is_cheaper_request(grounded_text) and (state.focus or state.shown)
                  and all(getattr(intent, f) == getattr(previous, f)  # only the price cap changed ("cheaper in green" is not this)
                          for f in ("colors", "sizes", "brands", "category", "gender", "exclude", "min_price", "attributes"))
                  # (alternatives cheaper than the list are an answer: after "running shorts, medium" in a shop with no
                  # shorts in M, "something cheaper" said nothing was, above men's shorts at $20 in other sizes)
                  and ((note and not any(float(c.price) < min(float(x.get("price") or 0) for x in (state.focus or state.shown)) for c in cards))
                       # "cheaper" after three yoga straps: no strap is, and a yoga brick and a water bottle are no cheaper
                       # strap ("The cheapest yoga strap: Sprite Foam Yoga Brick at $5.00")
                       or (not note and lang == "en" and _none_of_the_kind(intent, cards, state.focus or state.shown)))):
                # nothing is cheaper than what is on screen: say so, rather than quote a budget the shopper never set
                on_screen = state.focus or state.shown
                cheapest = self.repo.get(int(min(on_screen, key=lambda x: float(x.get("price") or 0))["id"]))
                if cheapest is not None:
                    cards, note = [card(RankedItem(cheapest, 0.0), previous, lang)], None
                    answer = say("already_cheapest", lang, name=cheapest.name, price=money(cheapest.price, cheapest.currency))
                    only_one = True
                    intent = previous.model_copy(update={"kind": "refine"})  # the need stays, not a cap below everything
            # said only above real results (not above "nothing matched; alternatives"), and only for words
            # the shopper typed in this message
            said = list(dict.fromkeys([*fixes, *corrections_in(text, outcome.corrections)]))
            # (a relaxed filter's note, "Nothing under $5; the cheapest is ...", still lists the word searched)
            corrections = said if cards and (not note or outcome.note) else []
        elif price_asked is not None and len(referenced) == 2:
            # "is the third one cheaper than the first one?": "Yes: the Nova Jacket is $89.99, the Element Jacket is $119.99."
            answer = self._answer_price_question(referenced, price_asked[1], lang)
            cards = [card(RankedItem(p, 0.0), intent, lang) for p in referenced]
            singled = referenced[0].id  # "add it" then: the one asked about
        elif (state.shown and (
                ((picks := references_in_text(low)) and not referenced and not _at_positions(state.shown, picks) and (kind == "question" or (
                    kind == "cart" and _ADDING.search(low) and not (changing or keeping or more_of is not None or REMOVING.search(low)))))
                # "compare the first and second", "which is cheaper?" with one product on screen: that one is all there
                # is (it asked "which of these?", and the next message, whatever it asked, got the same question)
                or (kind == "compare" and len(referenced) < 2 and len(state.focus) < 2
                    and (len(state.shown) == 1 or len(_at_positions(state.shown, picks)) < len(set(picks)))))):
            # "the second one" with one product on screen: that one is all there is, said with it (it asked "which of
            # these?" with nothing listed)
            shown_ids = [int(x["id"]) for x in state.shown]
            cards = [card(RankedItem(p, 0.0), ShoppingIntent(), lang)
                     for p in sorted(self.repo.get_many(shown_ids, matching=ProductFilter()), key=lambda p: shown_ids.index(p.id))]
            names_shown = ", ".join(f"{c.name} ({money(c.price, c.currency)})" for c in cards)
            answer = say(("only_one_to_compare" if kind == "compare" else "only_one_shown") if len(cards) == 1 else "only_some_shown",
                         lang, n=len(cards), names=names_shown)
            listed_anew = bool(cards)
        elif kind == "question" and price_pick and referenced == price_pick:
            # "the cheaper one" right after comparing two: that one, with its catalog price ("add it" then adds it)
            picked_p = price_pick[0]
            which = ("dearer_one" if len(price_pool) == 2 else "dearest_of") if _DEARER_PICK.search(low) \
                else ("cheaper_one" if len(price_pool) == 2 else "cheapest_of")
            answer = say(which if len(price_pick) == 1 else "same_price", lang, **({"name": picked_p.name} if len(price_pick) == 1 else {}),
                         price=money(picked_p.price, picked_p.currency))
            cards = [card(RankedItem(p, 0.0), intent, lang) for p in price_pick]
        elif kind == "question" and len(referenced) == 1 and _GOES_WITH.search(low):
            # "what goes with this jacket?": the shop's own cross-sell and related links, in stock (it described the
            # jacket again)
            of = referenced[0]
            links = self.repo.linked(of.id, ("crosssell", "related"))
            order = {pid: i for i, (pid, kind_) in enumerate(sorted(links, key=lambda x: x[1] != "crosssell"))}
            goes = sorted(self.repo.get_many(list(order), matching=ProductFilter(in_stock=True)), key=lambda p: order[p.id])[:self.results]
            cards = [card(RankedItem(p, 0.0), intent, lang) for p in goes]
            answer = "\n".join([say("goes_with", lang, name=of.name)] + [f"{i}. {c.name}, {money(c.price, c.currency)}"
                                                                          for i, c in enumerate(cards, 1)]) \
                if cards else say("goes_with_none", lang, name=of.name)
            listed_anew = bool(cards)
        elif kind == "question" and len(coloured) > 1 and referenced == coloured:
            # "the blue one" with two blue ones on screen: those two, to pick from (the list "the first one" counts in)
            cards = [card(RankedItem(p, 0.0), intent, lang) for p in coloured]
            answer = "\n".join([say("which_of_these", lang)] + [f"{i}. {c.name}, {money(c.price, c.currency)}" for i, c in enumerate(cards, 1)])
            listed_anew = True
        elif kind == "question" and referenced:
            answer = self._answer_question(redo or text, referenced, lang, held=added_line, picked=pick_variant)
            cards = [card(RankedItem(p, 0.0), intent, lang) for p in referenced]
            if pick_variant and len(referenced) == 1 and (lacked := _colour_lacked(referenced[0], grounded_text)) is not None:
                # "the first one in green" of a tee with no green: the tees that do come in green, to pick from (it
                # offered nothing), and "add 2" then asks rather than add it in no colour (below, and in _cart)
                instead = self._in_colour_instead(referenced[0], lacked, sizes_in_text(_sized(grounded_text)))
                colour_unmet = (referenced[0], lacked, [q.id for q in instead])
                if instead:  # (named, not listed: "the second one" still counts in the list on screen)
                    kind_words = (self.repo.product_category(referenced[0]) or "").rsplit("/", 1)[-1]
                    answer += " " + say("in_colour_instead", lang, kind=kind_words.lower() if lang == "en" else kind_words,
                                        colour=lacked if lang == "en" else colour_name(lacked, lang),
                                        names=", ".join(f"{q.name} ({money(q.price, q.currency)})" for q in instead))
        elif kind == "compare" and len(referenced) >= 2:
            # ("which is more expensive, the second or the fourth?" named the cheaper one)
            # ("compare the first and third, nothing more expensive than 40 please" is a limit, not the dearer asked)
            dearest = intent.sort == "price_desc" or (intent.sort != "price_asc" and _ASKS_DEARER.search(_NOT_DEARER.sub(" ", low)) is not None)
            answer = self._compare(referenced, lang, dearest=dearest)
            if (dearest or intent.sort == "price_asc") and len({p.price for p in referenced}) > 1:
                # "which one is the most expensive?", then "add it": the one that answer named
                pick = max if dearest else min
                singled = pick(referenced, key=lambda p: p.price).id
            if _ASKS_REVIEWS.search(grounded_text.lower()):
                answer += " " + self._better_reviewed(referenced, lang)
                rated = [p for p in referenced if p.rating_count]
                top = max(((p.rating_avg, p.rating_count) for p in rated), default=None)
                if _WHICH_OF_THEM.search(grounded_text.lower()) and rated \
                        and sum((p.rating_avg, p.rating_count) == top for p in rated) == 1:  # (a tie singles out none)
                    # "which one has the best reviews?", then "is it waterproof?": the one that answer named
                    singled = max(rated, key=lambda p: (p.rating_avg, p.rating_count)).id
            asked = _COMPARATIVE.search(grounded_text.lower())
            if asked and not any(asked.group(1).rstrip("er") in f"{n} {' '.join(vs)}".lower()
                                 for p in referenced for n, vs in p.attributes.items()):
                answer += " " + say("not_compared", lang, what=asked.group(1))  # never a guess at weights it lacks
            cards = [card(RankedItem(p, 0.0), intent, lang) for p in referenced]
        elif kind == "cart":
            if pending and pending_lines is not None:
                answer = self._finish_pending(pending, pending_lines, state, lang)
            elif changing:
                answer = self._change_variant(grounded_text, state, just_carted, lang)
            elif keeping:
                answer = say("cart_kept", lang) + " " + self._cart_summary(state, lang)
            elif more_of is not None:
                last = state.cart[-1]
                said_n = more_of.group("n") or more_of.group("n2")
                wanted = min(MAX_QUANTITY, last["qty"] + (_number_word(said_n) if said_n and said_n not in ("another", "one") else 1))
                # never more than the shop has ("add 2 more" of the 4 mugs, all in the cart, made 6)
                have = self.repo.units_available(int(last["product_id"]), last.get("size"), last.get("color"))
                asked_for = last["qty"] + (_number_word(said_n) if said_n and said_n not in ("another", "one") else 1)
                last["qty"] = max(last["qty"], min(wanted, have)) if have is not None else wanted
                self.repo.log_interaction("add_to_cart", last["product_id"], user_id=state.user_id, session_id=state.session_id)
                answer = say("cart_quantity_capped" if have is not None and last["qty"] < wanted
                             else "cart_quantity_limit" if last["qty"] == MAX_QUANTITY < asked_for else "cart_quantity", lang,
                             name=last["name"] + _variant_words(last, lang), n=last["qty"]) + " " + self._cart_summary(state, lang)
            else:
                answer = self._cart(redo or text, referenced, state, intent, previous, lang)
            if undone:
                answer = say("cart_removed", lang, names=undone) + " " + answer
        elif kind == "order_status":
            answer = self._order_status(intent, state, verified=user_verified, lang=lang)
        elif kind == "policy":
            answer = _entry(faq, lang) if faq is not None else self._policy(text, lang)
        elif kind in ("question", "compare") and answer is None:
            answer = say("which_of_these" if state.shown else "which_product", lang)
        elif kind in ("question", "compare"):
            pass  # answered above (the shop's sizes, colours or brands)
        elif answer is None:
            answer = say("no_list_yet" if no_list else ("goodbye" if _THANKED.search(low) else "farewell") if THANKS_BYE.match(low)
                         else "declined" if _DECLINED.fullmatch(low.strip()) else "greeting", lang)
        timings["ranked"] = (time.perf_counter() - t0) * 1000
        # (a searcher's note, "None in Blue; …", in the reply's language in the event and the reply as in the text)
        shown_note = localize_note(note, lang) if note else note
        yield ProductsRanked(cards, timings["ranked"], shown_note, corrections)

        chunks: list[str] = []
        for name in gone:  # a product the shop took off sale since: said, never dropped from the cart without a word
            line = say("cart_gone", lang, names=name) + "\n"
            chunks.append(line)
            yield ReplyChunk(line)
        for name, n in fewer:  # fewer left than the cart held: the cart holds what there is, said
            line = say("cart_fewer_now", lang, name=name, n=n) + "\n"
            chunks.append(line)
            yield ReplyChunk(line)
        if answer is not None:
            chunks.append(answer)
            yield ReplyChunk(answer)
        else:
            if relaxed_line and kind in ("search", "refine"):
                line = relaxed_line + "\n"
                chunks.append(line)
                yield ReplyChunk(line)
            if corrections:
                line = corrections_line(corrections, lang) + "\n"
                chunks.append(line)
                yield ReplyChunk(line)
            stated = told or intent
            if header and kind in ("search", "refine") and answer is None:
                stated = StatedNeed.model_validate({**stated.model_dump(), **header})
            for chunk in self.writer.write(stated, cards, note, lang):
                chunks.append(chunk)
                yield ReplyChunk(chunk)
            if currency_line:
                line = "\n" + currency_line
                chunks.append(line)
                yield ReplyChunk(line)
        reply_text = "".join(chunks).strip()
        timings["total"] = (time.perf_counter() - t0) * 1000

        if listed_anew:  # what goes with it: the list "the first one" now counts in
            state.shown, state.focus = _listed(cards), []
        elif only_one and state.shown:
            # "the cheaper one" answered with the cheapest already on screen: that one is in focus, and the list
            # stays what "the first and second" count in
            state.focus = _listed(cards)
        elif kind in ("search", "refine") and not (more and not cards):  # "that is everything": the list stays
            # a question or comparison points into this list; it does not replace it ("tell me about the
            # first one", then "and the second one?" still means the list the shopper is looking at)
            state.shown, state.focus = _listed(cards), []
            if kind == "search" and cards and len(named_now := self.repo.named_in(grounded_text, limit=2)) == 1 \
                    and any(c.id == named_now[0] for c in cards):
                # "show me the Stellar Solar Jacket", then "does it come in XL?": the one named is "it" (it asked
                # "which of these?" of the list the name brought up)
                state.focus = [x for x in _listed(cards) if int(x["id"]) == named_now[0]]
            if asked_for is not None:
                # "I want the Ingrid Running Jacket" (sold out), then "is it available in S?" / "when will it be back?": the
                # one asked for, not each of the alternatives shown below it
                state.focus = [{"id": asked_for.id, "name": asked_for.name, "price": float(asked_for.price)}]
            if searched_query and cards:  # what this search showed, in order: what a click on one of them is credited to
                self.repo.log_impressions([c.id for c in cards], query=searched_query, session_id=state.session_id, user_id=state.user_id)
        elif kind in ("question", "compare") and cards:
            state.focus = [x for x in _listed(cards) if singled is None or int(x["id"]) == singled]
            if len(state.focus) == 1 and (kind == "compare" and len(cards) >= 2 or price_pick):
                # "is the third cheaper than the first?", then "the more expensive one": still one of those compared
                state.focus[0]["compared"] = _listed(cards) if kind == "compare" else price_pool
        if kind == "question" and coloured and cards:
            # "the purple one": that one in purple, so "add it" then adds it in purple (it added it with no colour);
            # several in purple listed to pick from: each in purple ("the second one", then "add it")
            for entry in state.shown if listed_anew else state.focus:
                if (one_coloured := next((q for q in coloured if q.id == int(entry["id"])), None)) is not None \
                        and (picked_shade := _own_value(low, one_coloured.colors, "color")) is not None:
                    entry["color"] = picked_shade
        elif kind in ("question", "compare") and cards and not listed_anew and not colors_in_text(_spaced(low))[0]:
            # "is it waterproof?", "the second one" of those purple ones: still the colour picked
            for entry in state.focus:
                if (was := next((x for x in [*focus_before, *state.shown] if int(x["id"]) == int(entry["id"]) and x.get("color")), None)):
                    entry["color"] = was["color"]
        if pick_variant and kind == "question" and cards:
            # "the second one in size M", "la segunda en azul": that one in it, so "add it" then adds it so (it asked
            # "which of these?"); one it does not come in is kept for none
            for entry in state.focus:
                if (one_picked := next((q for q in referenced if q.id == int(entry["id"])), None)) is not None:
                    entry.update(self._variant(one_picked, ShoppingIntent(), None, grounded_text, lang)[0])
        elif kind in ("question", "compare") and cards and not listed_anew and not sizes_in_text(_sized(low)) \
                and not re.search(r"\b(?:in|en)\s+(?:xxs|xs|s|m|l|xl|xxl|xxxl|\d{1,3})\b", low):
            # "is it waterproof?" after "the second one in size M": still that size
            for entry in state.focus:
                if (was := next((x for x in focus_before if int(x["id"]) == int(entry["id"]) and x.get("size")), None)):
                    entry["size"] = was["size"]
        if colour_unmet is not None and kind == "question":
            # the one picked stays "it", marked with the colour it lacks (so "add 2" asks, never adds it in none), with
            # those offered in that colour (added in it, and in the size said)
            lacking, lacked_colour, offered = colour_unmet
            state.focus = [{"id": lacking.id, "name": lacking.name, "price": float(lacking.price),
                            **self._variant(lacking, ShoppingIntent(), None, grounded_text, lang)[0],
                            "unmet_color": lacked_colour, "offered": offered, "unmet_sizes": sizes_in_text(_sized(grounded_text))}]
        state.viewed.extend(c.id for c in cards if c.id not in state.viewed)
        if kind in ("search", "refine") and not (more and not cards):
            state.intent = intent.model_dump()
        state.history = [*state.history, text][-10:]
        if kind == "cart" and state.cart == cart_before and state.touched:
            state.touched = {**state.touched, "added": 0}  # a change refused leaves "it" what it was; it added nothing
        else:
            state.touched = _touched(cart_before, state.cart)
            if kind == "cart" and state.touched and state.touched["added"] > 0 and intent.references \
                    and state.touched["product_id"] not in {int(x["id"]) for x in state.focus}:
                # (one of the products compared stays among them: "the more expensive one" is still of the two)
                # "add the second one in size L", then "does it come in blue?": the one just added is "it" (it answered
                # about the first of the list, the one the header had named)
                just = state.cart[-1]
                state.focus = [{"id": just["product_id"], "name": just["name"], "price": float(just.get("price") or 0)}]
        self.sessions.save(
            state,
            {
                "user_text": text,
                "reply_text": reply_text,
                "intent": intent.model_dump(),
                "product_ids": [c.id for c in cards],
                "timings_ms": {k: round(v, 1) for k, v in timings.items()},
            },
        )
        reply = ChatReply(reply_text, cards, intent, timings, session_id, list(state.cart), shown_note, corrections)
        yield TurnDone(reply)

    def _header_facts(self, intent: ShoppingIntent, searched: ShoppingIntent, ctx: SearchContext, cards: list[ProductCard],
                      lang: str, *, budget_said: bool) -> tuple[dict[str, Any], list[ProductCard]]:
        """What a list's header says besides the need (replies.StatedNeed), and the list it heads.

        * An explicit price sort whose first product is not the cheapest (dearest) of the whole filter kept to the
          query's words (retrieval.sort_pool): the header says those of them every product listed has ("The cheapest
          black yoga pants", not "black pants" above the Karmen Yoga Pant with the Caesar Warm-Up Pant $4 cheaper);
          none such, under a category's name: the sort over the whole filter, which is what that header says.
        * A cap the shopper never said (one cent under the list on screen, after "something cheaper"): "cheaper than
          $29.00", and no cap at all above the cheapest (the cheapest under it is the cheapest).
        * A list of the kind asked for padded with others ("water bottles": one bottle, three bags that mention
          bottles): the products of that kind first, and only they counted as it ("1 water bottle, and 3 more")."""
        facts: dict[str, Any] = {}
        if not budget_said and intent.max_price is not None:
            facts["cap_unsaid"] = True
            if intent.sort == "price_asc" and intent.min_price is None:
                facts["max_price"] = None
        sort = searched.sort
        if sort in ("price_asc", "price_desc") and cards:
            f = intent_to_filter(searched, in_stock=not ctx.with_sold_out, exclude_ids=ctx.exclude_ids)
            extreme = self.repo.find(f, sort=sort, limit=1)
            first = cards[0]
            if extreme and extreme[0].id != first.id and (
                    extreme[0].price < first.price if sort == "price_asc" else extreme[0].price > first.price):
                words = [w for w in residual_words(query_text(searched), f)
                         if len(w) > 2 and not w.isdigit() and not names_nothing(w) and w not in _LEAD_WORDS
                         and w not in _ASKING_WORDS and w not in _FOR_WHOM and w not in _SORT_FILLER]
                products = self.repo.get_many([c.id for c in cards], matching=ProductFilter())
                texts = [" ".join([p.name, p.description or "", *(v for vs in p.attributes.values() for v in vs)]) for p in products]
                kept = [w for w in words if texts and all(has_every_word([w], t) for t in texts)]
                # (only the shopper's own words: "backpack" searched for "mochila" is the kind "mochilas" says already)
                own = set(re.findall(r"[^\W\d_]+", intent.query.lower()))
                said = [w for w in kept if w.lower() in own]
                kinds = [w for w in said if singular(w.lower()) in PRODUCT_KINDS]
                if [w for w in said if w not in kinds]:
                    facts["narrowed_by"] = [w for w in said if w not in kinds]
                if kinds and lang == "en":  # "backpack" in Bags: "the cheapest backpacks", not "bags"
                    facts["kind_word"] = singular(kinds[-1].lower())
                shoppers = [w for w in words if w.lower() in own]
                if not kept and shoppers:
                    # "cheapest running shorts": the sort kept to the shopper's words, and the header says them (the
                    # whole category's cheapest gym short is no running short)
                    facts["narrowed_by"] = [w for w in shoppers if singular(w.lower()) not in PRODUCT_KINDS] or None
                    if facts["narrowed_by"] is None:
                        del facts["narrowed_by"]
                elif not kept and searched.category and searched.category.lower() not in ("men", "women", "kids"):
                    # no word of the shopper's: the header names the category only, so its cheapest (dearest)
                    whole = self.searcher.search(searched.model_copy(update={"query": "", "attributes": []}), ctx, self.results)
                    if whole.items and not whole.note:
                        self._at_variant_prices(whole.items, intent)
                        cards = [card(item, intent, lang, budget_said=budget_said) for item in whole.items]
        elif (sort == "relevance" and (not intent.category or intent.category.lower() in ("men", "women", "kids")) and len(cards) > 1
              and self._two_kinds(searched) is None):  # ("jackets and hoodies": both kinds, each in turn)
            head = _head_noun(intent.query) if lang == "en" else next(
                (en.split()[-1] for _, en in product_word_pairs(intent.query)), None)
            if head and singular(head) in PRODUCT_KINDS:
                by_id = {p.id: p for p in self.repo.get_many([c.id for c in cards], matching=ProductFilter())}
                of_kind = [c for c in cards if _names_word(c.name, head) or any(
                    _names_word(cat.rsplit("/", 1)[-1], head) for cat in getattr(by_id.get(c.id), "categories", None) or [])]
                if 0 < len(of_kind) < len(cards):
                    cards = of_kind + [c for c in cards if c not in of_kind]
                    facts["of_kind"] = len(of_kind)
        return facts, cards

    def _spelling_fixes(self, text: str, intent: ShoppingIntent) -> list[tuple[str, str]]:
        """(typed, catalog word) for the misspelt words of a search the shopper typed in this message."""
        spell = getattr(self.searcher, "spelling_fixes", None)
        if intent.kind not in ("search", "refine") or not callable(spell):
            return []
        # a word for a kind of product is no typo even where the shop has none by that name ("t-shirts" is not
        # "t-shorts" in a shop that calls them tees: its other words are searched instead, below)
        fixes = [(typed, fixed) for typed, fixed in corrections_in(text, spell(query_text(intent)))
                 if singular(typed.lower()) not in PRODUCT_KINDS]
        return fixes + self._colour_fixes(text, {typed.lower() for typed, _ in fixes})

    def _closest_colour(self, text: str, intent: ShoppingIntent) -> tuple[str, str] | None:
        """(asked, searched) when a colour the text names is not the catalog's and its closest catalog colour
        was searched instead ("pink" -> Red where the catalog's colours are Red, Blue, ...)."""
        vocab = getattr(self.parser, "vocabulary", None)
        if not isinstance(vocab, CatalogVocabulary) or not vocab.colors:
            return None
        have = {c.lower() for c in vocab.colors}
        for asked in colors_in_text(text)[0]:
            searched = map_color(asked, vocab)
            if asked.lower() not in have and searched and searched in intent.colors:
                return asked, searched
        return None

    def _kinds_carried(self, limit: int = 8) -> tuple[str, bool]:
        """'bags, fitness equipment, watches, pants, …': the kinds of product the shop's categories name (the last
        part of each category path that has none below it, and names a kind of product), for a shopper asking for one
        it lacks; and whether there are more than those."""
        vocab = getattr(self.parser, "vocabulary", None)
        paths = list(vocab.categories) if isinstance(vocab, CatalogVocabulary) else []
        leaves = [c.rsplit("/", 1)[-1] for c in paths if not any(o.startswith(c + "/") for o in paths)]
        kinds = [x for x in leaves if any(singular(w) in PRODUCT_KINDS for w in re.findall(r"[a-z]+", x.lower()))] or leaves
        unique = list(dict.fromkeys(x.lower() for x in kinds))
        return ", ".join(unique[:limit]), len(unique) > limit

    def _in_colour_instead(self, p: Any, colour: str, sizes: Sequence[str] = ()) -> list[Any]:
        """The products of `p`'s own kind (its real category) that come in `colour` (the catalog's exact colour, in
        stock, in a size said too), `p` left out; none when it has no category."""
        own_category = self.repo.product_category(p)
        if not own_category:
            return []
        return self.repo.find(ProductFilter(category=own_category, colors=[colour], sizes=list(sizes), in_stock=True,
                                            exclude_ids=[p.id]), limit=self.results)

    def _coloured_on_screen(self, low: str, state: SessionState) -> list[Any]:
        """'the purple one', 'I like the yellow one', 'show me the brown one': the products of the list on screen that
        come in that colour, in the list's order; [] when the message asks more than that ("the purple ones" is a
        filter) or none on screen comes in it (then it is a search for that colour)."""
        wanted, unwanted = colors_in_text(_spaced(low))
        if not wanted or unwanted or not re.search(r"\bone\b", low) or re.search(r"\bones\b", low) \
                or not _only_a_pick(_without_colours(low)):
            return []
        said = {canonical_color(c) or c for c in wanted}
        order = [int(x["id"]) for x in state.shown[:10]]
        on_screen = sorted(self.repo.get_many(order), key=lambda p: order.index(p.id))
        return [p for p in on_screen if said & {canonical_color(c) or c for c in p.colors}]

    def _the_one_by_words(self, text: str, state: SessionState) -> Any:
        """'and the 6 foot one?', 'the Adrienne one': the one product of the list on screen whose name has every word
        said, else (right after one product) the one product like it whose name has them ("Sprite Yoga Strap 6 foot"
        after the 10 foot one); None when the words are no such name or name several."""
        m = _THE_WORDS_ONE.match(text.lower())
        words = re.findall(r"[a-z0-9]+", m.group("what")) if m else []
        if not words or references_in_text(text.lower()) or colors_in_text(m.group("what") if m else "")[0] \
                or all(w in _PICK_WORDS or w in _LEAD_WORDS for w in words):
            return None

        def has_all(name: str) -> bool:
            return set(words) <= set(re.findall(r"[a-z0-9]+", name.lower()))

        hits = [int(x["id"]) for x in [*state.focus, *state.shown] if has_all(str(x.get("name", "")))]
        if len(set(hits)) == 1:
            return self.repo.get(hits[0])
        if hits or len(state.focus) != 1 or (like := self.repo.get(int(state.focus[0]["id"]))) is None:
            return None
        own = set(re.findall(r"[a-z0-9]+", like.name.lower())) - set(words)
        found = [h.product_id for h in self.repo.lexical_search(" ".join(words), ProductFilter(), limit=20, mode="all")]
        kin = [(len(own & set(re.findall(r"[a-z0-9]+", p.name.lower()))), p) for p in self.repo.get_many(found)
               if p.id != like.id and has_all(p.name)]
        best = max((n for n, _ in kin), default=0)
        closest = [p for n, p in kin if n == best]
        # (it shares the rest of the name: "Sprite Yoga Strap", not any product that is 6 foot)
        return closest[0] if best and len(closest) == 1 and best >= len(own) - len(words) else None

    def _named_after_than(self, text: str) -> list[int]:
        """'cheaper than the Chemex': the one product whose name has every word said after 'than'."""
        m = re.search(r"\bthan\s+(?:the\s+|that\s+|this\s+|my\s+)?([\w' -]{2,60}?)\s*(?:one)?\s*[?.!]*$", text, re.I)
        words = [w for w in re.findall(r"[a-z0-9]+", m.group(1).lower())] if m else []
        if not words:
            return []
        hits = [h.product_id for h in self.repo.lexical_search(" ".join(words), ProductFilter(), limit=5, mode="all")]
        named = [p.id for p in self.repo.get_many(hits) if set(words) <= set(re.findall(r"[a-z0-9]+", p.name.lower()))]
        return named[:1] if len(named) == 1 else []

    def _shop_values(self, low: str, lang: str) -> str | None:
        """'what sizes do you have?', 'which brands do you carry?', '¿qué tallas tienen?': the catalog's own values."""
        m = _SHOP_VALUES.match(low.strip())
        vocab = getattr(self.parser, "vocabulary", None)
        if m is None or not isinstance(vocab, CatalogVocabulary):
            return None
        word = next(g for g in m.groups() if g)
        key = "sizes" if word.startswith(("size", "talla", "尺码")) else "brands" if word.startswith(("brand", "marca", "品牌")) else "colours"
        values = sorted(vocab.sizes, key=_size_order) if key == "sizes" else sorted(vocab.brands) if key == "brands" else sorted(vocab.colors)
        if not values:
            return say("shop_has_no", lang, what=word)
        return say(f"shop_{key}", lang, values=", ".join(values[:40]) + (" …" if len(values) > 40 else ""))

    def _loosened(self, text: str, previous: ShoppingIntent, state: SessionState, lang: str) -> tuple[ShoppingIntent, str | None] | None:
        """The need less the requirement the message relaxes ("it doesn't have to be waterproof", "doesn't have to be
        for women", "it can be for men too", "size doesn't matter", "doesn't have to be under 100", "forget the budget",
        "no tiene que ser impermeable", "价格无所谓"), and the line that says what was dropped (None when the need had no
        such requirement: the same need again). None when the message relaxes nothing."""
        low = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()
        either = _EITHER_GENDER.search(low)
        relax = None if either else (_NEED_RELAX.search(low) or _NEED_RELAX_ES.search(low)
                                     # (a question is asked, not relaxed: "不需要电池吗？")
                                     or (None if re.search(r"[吗呢？?]\W*$", low) else _NEED_RELAX_ZH.search(low)))
        matched = either or relax
        if matched is None:
            return None
        words: list[str] = []
        tail = ""
        if relax is not None:
            said = next((v for k, v in relax.groupdict().items() if k.startswith("what") and v), "").split()
            while said and said[0] in ("being", "the", "a", "an", "it", "to", "be", "made", "of", "from", "by", "in",
                                       "el", "la", "los", "las", "un", "una", "de", "del", "hecho", "hecha"):
                said = said[1:]
            # (a comma ends it too: "not only jackets, show me scarves too" relaxes "jackets")
            words = []
            for w in itertools.takewhile(lambda w: w.strip(",.;:!?") not in _RELAX_STOP, said):
                words.append(w.strip(",.;:!?"))
                if w[-1:] in ",.;:!?":
                    break
            if (price := _PRICE_SAID.match(" ".join(said))) is not None and len(price.group(0).split()) > len(words):
                # a range is said whole ("between 40 and 60": its "and" ends no word of it)
                words = [w.strip(",.;:!?") for w in price.group(0).split()]
            tail = " ".join(said[len(words):])
        rest = _RELAX_FILLER.sub(" ", f"{low[:matched.start()]} {tail} {low[matched.end():]}").strip(" ,.;:!?，。！？、")
        phrase = " ".join(words)
        if (relax is not None and relax.groupdict().get("only") not in (None, "necessarily")
                and (widened := self._widened(words, rest, previous, lang)) is not None):
            return widened
        base = self._rest_need(rest, previous, state)
        if base is None:
            return None
        anew = base.kind == "search" and base is not previous
        base = base.model_copy(update={"kind": "search" if anew else "refine", "references": []})
        if either is not None or phrase == "gender" or re.fullmatch(rf"(?:for\s+|para\s+)?(?:the\s+)?{_GENDER_WORD}", phrase):
            if base.gender is None:
                return base, None
            # (a category under that gender, "Women/Tops/Jackets", is that kind for anyone)
            leaf = base.category.rsplit("/", 1)[-1] if base.category and "/" in base.category else base.category
            loose = base.model_copy(update={"gender": None, "category": leaf})
            return loose, say("relaxed_for", lang, who=say(f"who_{base.gender}", lang)) if base.gender in ("women", "men", "kids") else None
        if (filter_name := _filter_named(phrase)) is not None:
            # "size doesn't matter", "forget the budget", "el precio no importa", "尺码无所谓": that filter off
            loose = _without_filter(base, filter_name)
            if filter_name == "size" and loose.sizes != base.sizes:  # (and its words: "M码的夹克" is "夹克")
                loose = loose.model_copy(update={"query": re.sub(r"\s+", " ", _SIZE_WORDS.sub(" ", loose.query)).strip() or loose.query})
            return loose, say("relaxed", lang, what=phrase) if loose != base.model_copy(update={"kind": loose.kind}) else None
        if _PRICE_SAID.fullmatch(phrase):
            # "doesn't have to be under 100": the cap off ("... over 50": the floor; "... between 50 and 100": both)
            floor, cap = re.search(_PRICE_FLOOR, phrase) is not None, re.search(_PRICE_CAP, phrase) is not None
            both = not floor and not cap or re.search(r"\bbetween\b|\bentre\b", phrase) is not None
            loose = base.model_copy(update={**({"max_price": None} if cap or both else {}), **({"min_price": None} if floor or both else {}),
                                            "sort": "relevance" if base.sort == "price_asc" and (cap or both) else base.sort})
            return loose, say("relaxed", lang, what=phrase) if loose != base else None
        if phrase in ("cheap", "that cheap", "so cheap", "inexpensive", "affordable", "under budget", "barato", "barata", "baratos",
                      "baratas", "便宜"):
            loose = base.model_copy(update={"min_price": None, "max_price": None,
                                            "sort": "relevance" if base.sort == "price_asc" else base.sort})
            return loose, say("relaxed", lang, what=phrase) if loose != base else None
        if len(words) == 1 and canonical_color(phrase) is not None:  # (a colour filter is the colour rule's: this is its word)
            loose = _without_filter(base, phrase)
            return loose, say("relaxed", lang, what=phrase) if loose != base.model_copy(update={"kind": loose.kind}) else None
        if (size := bare_size(phrase)) and size.upper() in {z.upper() for z in base.sizes}:
            loose = base.model_copy(update={"sizes": [z for z in base.sizes if z.upper() != size.upper()]})
            return loose, say("relaxed", lang, what=phrase)
        if (brand := next((b for b in base.brands if b.lower() == phrase), None)) is not None:
            loose = base.model_copy(update={"brands": [b for b in base.brands if b != brand],
                                            "query": re.sub(rf"\s*\b(?:by|from)?\s*{re.escape(brand)}\b", " ", base.query, flags=re.I).strip() or base.query})
            return loose, say("relaxed", lang, what=brand)
        # a word of the need ("waterproof" in "waterproof jacket", or a wish the model set): out of the words searched
        # and out of the wishes, the rest of the need searched again
        def pieces(word: str) -> list[str]:
            # (a Spanish or Chinese word counts as its English word too: "impermeable", "防水" are "waterproof")
            own_words = [singular(x) for x in re.findall(r"[a-z0-9]+", word.lower())]
            return [*own_words, *(singular(x) for _, en in feature_words(word) for x in re.findall(r"[a-z0-9]+", en))]

        own = {x for w in [*base.query.split(), *base.attributes] for x in pieces(w)}
        lead = list(itertools.takewhile(lambda w: w in ("for", "with", "in", "con", "para", "de"), words))
        named = words[len(lead):]

        def in_need(word: str) -> bool:
            if re.search(r"[\u4e00-\u9fff]", word):  # "防水" of "防水夹克" (no spaces between Chinese words)
                return word in base.query or bool(pieces(word)) and set(pieces(word)) <= own
            return bool(pieces(word)) and (set(pieces(word)) <= own or bool(english := [
                singular(x) for _, en in feature_words(word) for x in re.findall(r"[a-z0-9]+", en)]) and set(english) <= own)

        cut = next((n for n in range(len(named), 0, -1) if all(in_need(w) for w in named[:n])), 0)
        if not cut:
            return base, None  # nothing of the need to relax: the same need again (it searched the words said)
        gone = {x for w in named[:cut] for x in pieces(w)}
        query = base.query
        for w in named[:cut]:
            if re.search(r"[\u4e00-\u9fff]", w):  # "防水夹克" less "防水": "夹克"
                query = re.sub(rf"{re.escape(w)}的?", "", query)
        tokens: list[str | None] = [None if pieces(t) and set(pieces(t)) <= gone else t for t in query.split()]
        for i, t in enumerate(tokens):  # "jacket for hiking" less "hiking": "jacket"
            if t is not None and t.lower() in ("for", "with", "in", "de", "con", "para") and (i + 1 >= len(tokens) or tokens[i + 1] is None):
                tokens[i] = None
        query = " ".join(t for t in tokens if t is not None).strip(" ,;")
        update: dict[str, Any] = {"query": query, "attributes": [a for a in base.attributes if not set(pieces(a)) & gone],
                                  "required": [a for a in base.required if not set(pieces(a)) & gone]}
        leaf = base.category.rsplit("/", 1)[-1].lower() if base.category else ""
        if leaf and singular(leaf) in gone:
            # "not just jackets": the kind itself is what is relaxed, so the Jackets category goes too (it said "I have
            # dropped "jackets"" above jackets only)
            update["category"] = None
        loose = self._grounded(base.model_copy(update=update))
        return loose, say("relaxed", lang, what=" ".join([*lead, *named[:cut]]))

    def _with_wishes(self, intent: ShoppingIntent, raw: ShoppingIntent, wish: tuple[list[tuple[str, str]], bool, re.Match[str]],
                     previous: ShoppingIntent | None, state: SessionState, text: str) -> ShoppingIntent:
        """The need with the qualities a message says it must have (a hard filter on the words the catalog's names and
        attribute values use, where some product has them; else a wish) or would rather have (a wish that ranks); "on
        sale" is the sale filter, and what it is for ("big enough for a laptop") words of the need."""
        pairs, hard, said = wish
        low = text.lower()
        clause = _wish_clause(low, said)
        purpose = _purpose_after(low, said)
        on_sale = _SAYS_ON_SALE.search(clause) is not None
        from_brand = _FROM_BRAND.match(low, said.end()) is not None  # "has to be from Under Armour": a brand, never the wish "from"
        if not pairs and not purpose and not on_sale and not from_brand:
            return intent
        before = low[:said.start()]
        # (a category read from the wish's own words is no kind asked: "has to be short sleeve" is no search for shorts)
        names_kind = bool(raw.category and any(w not in _NOT_A_WISH and w not in _RELAX_STOP for w in re.findall(r"[^\W\d_]{3,}", before))
                          or _product_kinds_in(before) or any(
            _names_a_kind(w, self.parser) for w in re.findall(r"[^\W\d_]{3,}", low[:said.start()])))
        if intent.kind == "refine":
            purpose = None  # (the need read on the earlier one already: "the colour isn't important but they need to be waterproof")
        elif previous is not None and not names_kind:
            # "they need to be waterproof" after jackets: the jackets with it (it searched "they need to be waterproof")
            after = low[said.end() + len(clause):]
            if purpose:  # ("big enough for a laptop" after bags: the bags for a laptop, never a search for laptops)
                after = after.replace(purpose, " ", 1)
            rest = re.sub(r"\s+", " ", f"{low[:said.start()]} {after}").strip(" ,.;:!?，。！？、")
            base = self._rest_need(rest, previous, state) if rest else previous
            intent = (base or previous).model_copy(update={"kind": "refine", "references": []})
        else:
            # "bags that must be waterproof": the bags (the words of the wish are no words of the kind asked)
            q = intent.query
            if (in_query := _WISH_SAID.search(q.lower())) is not None:
                q = _WISH_TAIL.sub("", q[:in_query.start()]).strip(" ,.;:!?，。！？、") or q
            intent = intent.model_copy(update={"query": q})
        # (a quality of use, feel, size or price alone is no wish that ranks: "it has to be big" after a backpack put the
        # "big" Joust Duffle Bag above every backpack)
        update: dict[str, Any] = {"attributes": list(dict.fromkeys([*intent.attributes, *(
            en for _, en in pairs if not set(en.split()) <= _QUALITY_WORDS)]))}
        if purpose and purpose not in intent.query.lower():
            update["query"] = f"{intent.query} {purpose}".strip()
        if on_sale:
            update["on_sale"] = True
        vocab = getattr(self.parser, "vocabulary", None)
        if from_brand and isinstance(vocab, CatalogVocabulary) and (brand := next((
                b for b in sorted(vocab.brands, key=len, reverse=True)
                if re.search(rf"\b(?:from|by)\s+{re.escape(b.lower())}(?!\w)", low)), None)) is not None:
            # (the shop's brand: its filter; a brand the shop lacks is said so as any unknown name is)
            update["brands"] = [brand]
            update["attributes"] = [a for a in update["attributes"] if a.lower() not in brand.lower().split()]
        if hard:  # (only what the catalog can check: a word no name or attribute value has stays a wish)
            update["required"] = list(dict.fromkeys([*intent.required, *self._must_words(
                [en for _, en in pairs], intent.model_copy(update={"required": [], **update}))]))
        return intent.model_copy(update=update)

    def _must_words(self, wished: list[str], need: ShoppingIntent | None = None) -> list[str]:
        """The wishes a catalog can check as musts: a phrase as said where some name or feature says it ("long sleeve":
        "Long-Sleeve"); a phrase none says ("racer back") only by the words of it that products of the kind asked have,
        where together they find one of them ("Antonia Racer Tank"), else it only ranks (requiring "racer" and "back"
        found no tank); never a quality of use, feel, size or price ("warm", "big": those rank)."""
        out: list[str] = []
        kind_f = dataclasses.replace(intent_to_filter(need), must_words=[]) if need is not None else ProductFilter()
        kinds = [] if need is None or need.category else sorted(_product_kinds_in(need.query))

        def found(words: list[str]) -> bool:
            f = dataclasses.replace(kind_f, must_words=words)
            if not kinds:
                return self.repo.count(f) > 0
            return any(self.repo.lexical_search(x, f, limit=1) for k in kinds for x in number_forms(k))

        for en in wished:
            words = en.split()
            if len(words) > 1 and not set(words) <= _QUALITY_WORDS and self.repo.count(ProductFilter(must_words=[en])):
                out.append(en)
                continue
            each = [w for w in words if w not in _QUALITY_WORDS and re.search(r"[^\W\d_]{3}", w)
                    and self.repo.count(ProductFilter(must_words=[w]))]
            if len(words) > 1:
                each = [w for w in each if found([w])]
                if not each or not found(each):
                    continue  # (a wish: it ranks)
            out.extend(each)
        return out

    def _unlisted(self, need: ShoppingIntent, ctx: SearchContext) -> list[str]:
        """The must-haves of a need that no product of its kind has (all of them when only together they match none):
        none when every one is met, or when the need matches nothing without them either (the search's own notes)."""
        if not need.required:
            return []
        must_f = intent_to_filter(need, in_stock=not ctx.with_sold_out, exclude_ids=ctx.exclude_ids)
        loose_f = dataclasses.replace(must_f, must_words=[])
        # the kind, where no category says it ("bufandas": the scarves, never waterproof jackets as "bufandas")
        kinds = [] if need.category else sorted(_product_kinds_in(need.query))

        def met(f: ProductFilter) -> bool:
            if not kinds:
                return self.repo.count(f) > 0
            return any(self.repo.lexical_search(x, f, limit=1) for k in kinds for x in number_forms(k))

        # (met at another price is listed: "cheaper ones" after waterproof bags is the price's note, never "none lists")
        if met(must_f) or met(dataclasses.replace(must_f, min_price=None, max_price=None)) or not met(loose_f):
            return []
        return [w for w in need.required if not met(dataclasses.replace(must_f, must_words=[w]))] or list(need.required)

    def _described(self, unlisted: list[str], need: ShoppingIntent, ctx: SearchContext) -> set[str]:
        """The must-haves no name or feature of the kind says that the descriptions of products of the kind do (the
        hoodies' "front kangaroo pocket"): their cards say it, so no "none lists" is said of them."""
        loose_f = intent_to_filter(need.model_copy(update={"required": []}), in_stock=not ctx.with_sold_out,
                                   exclude_ids=ctx.exclude_ids)
        # (the kind, where no category says it: the scarves' descriptions, never a waterproof jacket's)
        kinds = [] if need.category else sorted(_product_kinds_in(need.query))
        out: set[str] = set()
        for w in unlisted:
            ids = [h.product_id for h in self.repo.lexical_search(
                " ".join([w, *kinds]) if kinds else w, loose_f, limit=50, mode="all")]
            if any(soft_match(p, [w]) for p in self.repo.get_many(ids)):
                out.add(w)
        return out

    def _unlisted_note(self, unlisted: list[str], intent: ShoppingIntent, cards: Sequence[ProductCard], text: str, lang: str) -> str:
        """"None of our jackets lists "waterproof"; here are the jackets we have (features: Lightweight)": a must-have no
        product of the kind has, and what the products shown have instead under the attributes that word is a value of."""
        pairs = _wish_pairs(text.lower())
        own = dict((en, mine) for mine, en in pairs)
        # each wish quoted as said, a phrase whole ("racer back", never "racer, back"), one quote each
        said = [own.get(w) or next((mine for mine, en in pairs if w in en.split()), w) for w in unlisted]
        what = {"es": "» o «", "zh": "”或“"}.get(lang, '" or "').join(dict.fromkeys(said))
        # (the kind in the words searched, never the shopper's sentence: "None of our has to be short sleeve lists ...")
        said_kind = "" if _WISH_SAID.search(intent.query.lower()) or _MUST_BE.search(intent.query.lower()) else intent.query.strip()
        kind = said_kind or (intent.category or "").rsplit("/", 1)[-1].lower() or say("products", lang)
        names: dict[str, int] = {}  # the attributes whose values say it, by how many products
        parts = must_parts(unlisted[0])
        for p in self.repo.find(ProductFilter(must_words=[unlisted[0]]), limit=50):
            for name, vals in p.attributes.items():
                if must_attribute(name) and any(f" {' '.join(parts)}" in python_word_text(v)
                                                or f" {''.join(parts)}" in python_word_text(v, True) for v in vals):
                    names[name] = names.get(name, 0) + 1
        return (self._values_said(names, cards, "unlisted_wish_values", lang, what=what, kind=kind)
                or say("unlisted_wish", lang, what=what, kind=kind))

    def _values_said(self, counts: dict[str, int], cards: Sequence[Any], template: str, lang: str, **slots: str) -> str | None:
        """`template` quoting the shown products' values of the attribute most products hold the word in (`counts`:
        attribute -> products); None when no attribute holds it or no shown product has a value of it."""
        if not counts:
            return None
        attr = max(counts, key=lambda n: counts[n])
        shown = self.repo.get_many([c.id for c in cards], matching=ProductFilter())
        theirs = list(dict.fromkeys(v for p in shown for v in p.attributes.get(attr, [])))
        return say(template, lang, label=_attribute_label(attr), values=", ".join(theirs), **slots) if theirs else None

    def _rest_need(self, rest: str, previous: ShoppingIntent, state: SessionState) -> ShoppingIntent | None:
        """The earlier need with what else a message that relaxes part of it says ("..., but under 60", "..., in blue
        please", "... but they need to be waterproof"): `previous` itself when it says nothing more; a new need when it
        names another kind of product ("... I need a rain jacket"); None when the rest asks no search."""
        rest = _MUST_BE.sub(" ", rest).strip(" ,.;:!?，。！？、")
        if not re.search(r"[^\W\d_]{2,}|\d", rest):
            return previous
        extra = self.parser.parse(rest, [], previous)
        if extra.kind not in ("search", "refine"):
            return None
        said_kinds = _product_kinds_in(rest)
        had_kinds = _product_kinds_in(f"{previous.query} {(previous.category or '').rsplit('/', 1)[-1]}")
        if said_kinds and not said_kinds & had_kinds and not any(k in _SAME_KIND.get(h, ()) for k in said_kinds for h in had_kinds):
            # "eso no importa, enséñame relojes" after backpacks: the other kind asked for, anew (the Spanish words
            # name no category, so the merge below kept the backpacks)
            return extra.model_copy(update={"kind": "search", "references": []})
        base = merge(previous, extra.model_copy(update={"kind": "refine"}), state.focus or state.shown, text=rest)
        if base.kind == "refine" and (wished := self._wished_words(rest, base, extra)):
            # "... but they need to be waterproof": a wish on the need, searched with its words and said on each product
            # that has it (the merge kept only the earlier words: "waterproof" was lost)
            base = base.model_copy(update={"attributes": [*base.attributes, *wished]})
        return base

    def _wished_words(self, rest: str, need: ShoppingIntent, extra: ShoppingIntent) -> list[str]:
        """The qualities a message wishes for besides its filters ("waterproof" in "they need to be waterproof and under
        70"), less what the need asks already. Spanish and Chinese feature words are given as the catalog's English."""
        low = _PRICE_PHRASE_ANY.sub(" ", rest.lower())
        had = {singular(w) for w in re.findall(r"[a-z0-9]+", f"{need.query} {need.category or ''} {' '.join(need.attributes)}".lower())}
        named = {singular(w) for b in extra.brands for w in re.findall(r"[a-z0-9]+", b.lower())}
        wished = [en for _, en in feature_words(low)]
        # (in Spanish or Chinese only the feature words the table knows: "pero tienen que ser impermeables")
        for w in re.findall(r"[a-z][a-z'-]{2,}", low) if detect_language(rest) not in ("es", "zh") else []:
            if (w in _NOT_A_WISH or names_nothing(w) or canonical_color(w) is not None or bare_size(w) or singular(w) in named
                    or singular(w) in PRODUCT_KINDS or re.fullmatch(_GENDER_WORD, w) or w in _RELAX_STOP):
                continue
            wished.append(w)
        return [w for w in dict.fromkeys(wished) if not {singular(x) for x in w.split()} <= had]

    def _widened(self, words: list[str], rest: str, previous: ShoppingIntent, lang: str) -> tuple[ShoppingIntent, str | None] | None:
        """"not only jackets, show me scarves too", "no solo chaquetas, también bufandas", "不只是夹克，围巾也要": the kind on
        screen and the other kind said, in one list (each kind's products in turn, see `_two_kinds`); the need as it
        was, said so, when the shop does not carry the other kind. None when the message names no other kind."""
        had = f"{previous.query} {(previous.category or '').rsplit('/', 1)[-1]}"
        need_words = {singular(w) for w in re.findall(r"[a-z]+", had.lower())} | _product_kinds_in(had)
        said = " ".join(words)
        if not words or not ({singular(w) for w in words} | _product_kinds_in(said)) & need_words:
            return None
        # (the shopper's word for the other kind, and its English word)
        others = [(w, singular(w)) for w in re.findall(r"[a-z]+", rest.lower())
                  if singular(w) not in need_words and (singular(w) in PRODUCT_KINDS or _names_a_kind(w, self.parser))]
        others += [(own, singular(en.split()[-1])) for own, en in product_word_pairs(rest)
                   if singular(en.split()[-1]) not in need_words and singular(en.split()[-1]) in PRODUCT_KINDS]
        if not others:
            return None
        other, other_en = others[0]
        same = previous.model_copy(update={"kind": "refine", "references": []})
        if self._not_carried(other_en):  # "... scarves too" in a shop with no scarves: the jackets again, said so
            return same, say("not_carried", lang, what=other)
        said_kind = previous.query if said in previous.query.lower() else said
        joined = f"{said_kind}和{other}" if lang == "zh" else f"{said_kind} {'y' if lang == 'es' else 'and'} {other}"
        # (in no one category: each kind by its words; sizes are the first kind's, so they go)
        wide = self._grounded(same.model_copy(update={"query": joined, "category": None, "sizes": []}))
        return wide, say("widened", lang, what=other)

    def _two_kinds(self, need: ShoppingIntent) -> list[tuple[ShoppingIntent, set[str]]] | None:
        """"jackets and scarves", "chaquetas y bufandas", "夹克和围巾" (a need widened to a second kind): one search a kind,
        so the list shows both in turn (one search for both listed only the kind its words matched best)."""
        if need.category is not None or need.brands:
            return None
        parts = [x.strip(" ,") for x in re.split(r"\s+(?:and|y|e)\s+|和|与", need.query) if x.strip(" ,")]
        if len(parts) != 2:
            return None
        kinds = [_product_kinds_in(x) | {singular(w) for w in re.findall(r"[a-z]+", x.lower()) if _names_a_kind(w, self.parser)}
                 for x in parts]
        if not all(kinds) or kinds[0] & kinds[1]:
            return None
        every = kinds[0] | kinds[1]
        runs = []
        for part, own in zip(parts, kinds, strict=True):
            wishes = [a for a in need.attributes if singular(a.lower()) not in every - own]
            one = need.model_copy(update={"query": part, "attributes": wishes})
            if spelt := other_spellings(part):
                one = one.model_copy(update={"query": " ".join([part, *spelt])})
            runs.append((one, own))
        return runs

    def _grounded(self, need: ShoppingIntent) -> ShoppingIntent:
        """The need with the shop's own form of a plural its texts lack ("scarves" where the shop says "Scarf": searched
        as "scarf" too, else it matched nothing and listed the shop's best sellers, jackets, as "scarves"). A need whose
        words then match nothing at all is searched anew, so the reply says nothing matches them."""
        f = intent_to_filter(need)
        have = {a.lower() for a in need.attributes}
        extra = [singular(w) for w in dict.fromkeys(re.findall(r"[a-z]+", need.query.lower()))
                 if singular(w) != w and singular(w) not in have and not self.repo.lexical_search(w, f, limit=1)
                 and self.repo.lexical_search(singular(w), f, limit=1)]
        if extra:
            need = need.model_copy(update={"attributes": [*need.attributes, *extra]})
        if need.category is None and (text := query_text(need)) and not self.repo.lexical_search(text, f, limit=1):
            need = need.model_copy(update={"kind": "search"})
        return need

    def _size_not_stocked(self, text: str, intent: ShoppingIntent) -> tuple[str, list[str]] | None:
        """(size asked, the shop's sizes) when the text names a size no product of the shop comes in."""
        vocab = getattr(self.parser, "vocabulary", None)
        if not isinstance(vocab, CatalogVocabulary) or not vocab.sizes:
            return None
        have = {x.lower() for x in vocab.sizes}
        # (a size said alone after a list counts too: "3XL" alone is no size to `sizes_in_text`)
        for asked in dict.fromkeys([*sizes_in_text(text), *([alone] if (alone := bare_size(text)) else [])]):
            if asked.lower() not in have and asked.lower() not in {x.lower() for x in intent.sizes}:
                # the sizes of what was asked for ("hoodies in XXL": the hoodies' XS-XL, not every size of the shop, pants'
                # 28-36 and a strap's "10 foot" among them), else the shop's
                kind = intent.model_copy(update={"sizes": [], "colors": []})
                sizes = {z for p in self.repo.find(intent_to_filter(kind, in_stock=False), limit=500) for z in p.sizes} \
                    if intent.category or intent.gender else set()
                return asked, sorted(sizes or vocab.sizes, key=_size_order)[:20]
        return None

    def _colour_fixes(self, text: str, fixed: set[str]) -> list[tuple[str, str]]:
        """("blak", "black"): a word no product mentions, a slip of typing from a colour the catalog has. The searcher's
        speller misses these where the colour is a variant's, not a word of the products' texts."""
        vocab = getattr(self.parser, "vocabulary", None)
        unseen = getattr(self.searcher, "unseen_words", None)
        if not isinstance(vocab, CatalogVocabulary) or not vocab.colors or not callable(unseen):
            return []
        words = [w for w in dict.fromkeys(re.findall(r"[a-z]{4,}", text.lower())) if w not in fixed]
        colours = [c.lower() for c in vocab.colors if " " not in c]
        out = []
        for w in unseen(words) if words else []:
            # a letter left out, swapped or doubled ("blak", "bleu", "blacck"), never one letter changed: "grab",
            # "good", "wife", "like" are words, one substitution from gray, gold, wine, lime
            near = [c for c in colours if c != w and _typo_of(w, c)]
            if len(near) == 1:
                out.append((w, near[0]))
        return out

    # ----- feedback -------------------------------------------------------------------------------
    def feedback(self, event: str, product_id: int, *, session_id: str, user_id: str | None = None,
                 user_verified: bool = True, size: str | None = None, color: str | None = None) -> bool:
        """like / dislike / click / add_to_cart / remove_from_cart ... : logged, and remembered by the session.
        False (nothing logged, nothing changed): a remove_from_cart of a product that is not in the cart.
        add_to_cart may name a `size` and `color` the product comes in (AssistantInputError otherwise)."""
        _check_ids(session_id, user_id)
        if not session_id:
            raise AssistantInputError("'session_id' is required: the conversation the event belongs to")
        if event not in FEEDBACK_EVENTS:
            raise AssistantInputError(f"unknown event {event!r}; use one of: {', '.join(FEEDBACK_EVENTS)}")
        if (size or color) and event != "add_to_cart":
            raise AssistantInputError("'size' and 'color' go only with the add_to_cart event")
        if event in ("view", "click", "like", "dislike") and not self.repo.get_many([product_id], matching=ProductFilter()):
            # a product off sale (hidden) or unknown is shown to no one: a view or like of it is no signal to log
            raise AssistantInputError(f"unknown product id {product_id}: the shop does not sell it (unknown, or no longer sold)")
        if size or color:
            p = self.repo.get(product_id)
            for key, value, offered in (("size", size, p.sizes if p else []), ("color", color, p.colors if p else [])):
                if value and value.lower() not in {o.lower() for o in offered}:
                    raise AssistantInputError(f"product {product_id} does not come in {key} '{value}'; it comes in "
                                              + (", ".join(offered) or f"no {key}s"))
            size = next((o for o in (p.sizes if p else []) if size and o.lower() == size.lower()), None)
            color = next((o for o in (p.colors if p else []) if color and o.lower() == color.lower()), None)
        if event == "add_to_cart":
            # the button may add only what chat may: a product on sale now (not hidden), in a size/colour in stock
            shown = self.repo.get_many([product_id], matching=ProductFilter())
            if not shown:
                raise AssistantInputError(f"unknown product id {product_id}")
            wanted = {k: v for k, v in (("size", size), ("color", color)) if v}
            if not self._can_send(product_id, wanted):
                raise AssistantInputError(f"{shown[0].name}{' in ' + ' '.join(wanted.values()) if wanted else ''} is out of stock; "
                                          "it cannot be added to the cart")
        with self.sessions.lock(session_id):
            state = self.sessions.load(session_id, user_id, verified=user_verified)
            self._refresh_cart(state)  # (the button's reply is the cart itself: what left it is not in it)
            if event == "remove_from_cart" and all(line["product_id"] != product_id for line in state.cart):
                return False  # a removal of nothing is no signal against the product
            if event == "add_to_cart":
                have = self.repo.units_available(product_id, size, color)
                held = sum(int(x["qty"]) for x in state.cart if x["product_id"] == product_id
                           and x.get("size") == (size or None) and x.get("color") == (color or None))
                if have is not None and held >= have:  # the button may not hold more than the shop has either
                    raise OutOfStockError(f"only {have} in stock, and the cart already holds {held}; nothing was added")
                if held >= MAX_QUANTITY:
                    raise AssistantInputError(f"the cart already holds {held} of this product, the most one cart line takes; "
                                              "nothing was added")
            self.repo.log_interaction(event, product_id, user_id=user_id, session_id=session_id)
            if event == "like" and product_id not in state.liked:
                state.liked.append(product_id)
            if event == "dislike" and product_id not in state.disliked:
                state.disliked.append(product_id)
            before = [dict(line) for line in state.cart]
            if event == "add_to_cart":
                self._add_to_cart(state, product_id, size, color)
            if event == "remove_from_cart":
                self._remove_from_cart(state, product_id)
            if event in ("add_to_cart", "remove_from_cart"):
                state.touched = _touched(before, state.cart)  # "make that 3" after the button: that line
            self.sessions.save(state)
            return True

    # ----- tools ----------------------------------------------------------------------------------
    def _referenced(self, intent: ShoppingIntent, state: SessionState, text: str = "") -> list[Any]:
        """The products a question, comparison or cart request is about: by position in the list on screen
        ("the second one"), else by name ("the Bruno hoodie"), by price ("the cheaper one", among the products
        just compared), or "it" when one product is in focus."""
        def at(positions: Sequence[int]) -> list[int]:
            return [int(x["id"]) for x in _at_positions(state.shown, positions)]

        # positions the text states win; a model's guessed position comes last ("the cheaper one" is no position)
        ids = at(intent.references) if not text or references_in_text(text) else []
        if not ids and text and intent.kind == "cart" and REMOVING.search(text.lower()) and state.cart:
            # "remove the tee", "take one out": what the cart holds comes first, and a cart of one product is it
            # (a name that tells one product apart among all in view wins: "the Aurora jacket" is not the cart's)
            in_cart = [{"id": x["product_id"], "name": x["name"]} for x in state.cart]
            ids = named_products(text, [*state.focus, *state.shown, *in_cart]) or named_products(text, in_cart)
            if not ids and len(set(kinds := _lines_of_kind(text.lower(), state.cart, {
                    p.id: p.categories for p in self.repo.get_many([int(x["product_id"]) for x in state.cart], matching=ProductFilter())}))) == 1:
                ids = kinds[:1]  # "remove the shorts": the one line that is shorts
            if not ids and (said := {singular(w) for w in _thing_words(text.lower(), r"[a-z]+")}):
                # "remove one of the bricks": the one line whose name has every word said ("Sprite Foam Yoga Brick")
                hits = {int(x["product_id"]) for x in state.cart if said <= {singular(t) for t in re.findall(r"[a-z]+", x["name"].lower())}}
                ids = list(hits) if len(hits) == 1 else []
            if (not ids and len({x["product_id"] for x in state.cart}) == 1 and not references_in_text(text)
                    and (POINTS_AT_ONE.search(text.lower()) or _REMOVAL_COUNT.search(text.lower()))
                    # "remove one of the bricks" with only a jump rope in the cart names something else
                    and not _names_something_else(text.lower(), state.cart[0]["name"],
                                                  lambda w: singular(w) in PRODUCT_KINDS or self._carries(w))):
                ids = [int(state.cart[0]["product_id"])]  # "take one out" ("remove the bag" names another thing)
        if not ids and text:
            pool = [*state.focus, *state.shown] + ([{"id": x["product_id"], "name": x["name"], "price": x["price"]}
                                                     for x in state.cart] if intent.kind == "cart" else [])
            low = text.lower()
            points = any(x is not None for x in (POINTS_AT_ONE.search(low), _DROPPED_IT.match(low), _ES_WANT_IT.match(low),
                                                  _ASKS_ABOUT_IT.search(low), _AND_IN.match(low))) \
                or (len(state.shown) == 1 and not state.focus and re.search(r"\b(?:them|they|those|these)\b", low) is not None)
            # ("men's hiking boots", one match, then "do you have them in size 10?": a pair is "them")
            if points and len(state.focus) == 1 and not (intent.kind == "cart" and REMOVING.search(text.lower())):
                ids = [int(state.focus[0]["id"])]  # "is it good for rain?" about the one just discussed
            if not ids and intent.kind == "cart":
                # "add the Karmen Yoga Pant size 28" with shorts on screen: the product named in full, not a
                # shown one sharing a word ("Bess Yoga Short"); "add 10 camp mugs": the one product so named
                ids = self.repo.named_in(text) or self._named_loosely(text)
            if not ids:
                named = named_products(text, pool)
                if (elsewhere := self._named_off_screen(text, named, pool)) is not None:
                    # "how much is the silk scarf?" with the Wool Scarf on screen: the Silk Scarf, never the wool one
                    # (none when the one named is no longer sold: the search says so)
                    return self.repo.get_many(elsewhere)
                names = {int(x["id"]): str(x.get("name", "")) for x in pool}
                # "add a yoga mat" is no Voyage Yoga Bag: a kind of product the name is not
                ids = [i for i in named if not _names_other_kind(text.lower(), names.get(i, ""))]
            ids = ids or superlative_products(text, state.focus if len(state.focus) >= 2 else state.shown)
            if not ids and points:
                sort = (state.intent or {}).get("sort", "relevance")
                if intent.kind == "cart" and REMOVING.search(text.lower()):
                    # (right after adding, "remove it" is the line just added, whatever else the cart holds; "remove
                    # one of them" with lines of several products points at them all: which one is asked, unless
                    # several of one were just added: "add 2 of the first one", "remove one of them" is one of those)
                    ids = [int(state.cart[0]["product_id"])] if len(state.cart) == 1 else [int(state.cart[-1]["product_id"])] \
                        if state.touched and _same_variant(state.cart[-1], state.touched) and (
                            not _OF_THEM.search(low) or int(state.touched.get("added", 0)) > 1) else []
                elif len(state.focus) == 1:
                    ids = [int(state.focus[0]["id"])]
                elif len(state.shown) == 1 or (state.shown and sort != "relevance"):
                    ids = [int(state.shown[0]["id"])]  # "the cheapest tote bag", then "add it": the one on top
            if not ids and (m := _COLOUR_ONE.search(text.lower())) and state.shown:
                # "add the purple one": the one product on screen that comes in that colour
                said = {c.lower() for c in colors_in_text(m.group(0))[0]}
                on_screen = self.repo.get_many([int(x["id"]) for x in state.shown[:10]]) if said else []
                coloured = [p.id for p in on_screen if said & {c.lower() for c in p.colors}]
                ids = coloured if len(coloured) == 1 else []
            # (never a model's position for words that state none: it sees the shopper's messages, never the list, so
            # its [2] for "add it in size S" with two on screen was a guess, added in silence; asked instead)
        return self.repo.get_many(list(dict.fromkeys(ids)))

    def _answer_question(self, text: str, products: list[Any], lang: str = "en", *, held: Mapping[str, Any] | None = None,
                         picked: bool = False) -> str:
        """The catalog's facts each product has on what the text asks. `held`: the cart line just added
        ({"product_id", "size", "color"}), whose size and colour a count of that product is of unless the text says others.
        `picked`: the text picks the product from the list in a size or colour ("the second one in size M"): that
        one's overview, and whether it comes in it, at what price."""
        lines = []
        words = [w for w in text.lower().replace("?", " ").split() if len(w) > 3]
        # "¿tiene capucha?", "有口袋吗？": the English words the catalog's descriptions use, asked as a yes/no
        translated = dict((en, own) for own, en in feature_words(text)) if lang != "en" else {}
        words += list(translated)
        yes_no = bool(_YES_NO.match(text.lower())) or bool(translated and _YES_NO_OTHER.search(text.lower()))
        for p in products:
            # the shop's own words for a size or colour of this product ("Copper", "Matte White", "12 cup")
            # (the product's own name is no size or colour asked about: "the Black Diamond Headlamp")
            unnamed = re.sub("|".join(rf"\b{re.escape(w)}\b" for w in p.name.split()), " ", text, flags=re.I) if p.name.split() else text
            variant = {k: v for k, v in (("size", _own_value(unnamed, [z for z in p.sizes if len(z) > 1], "size")),
                                         ("color", _own_value(unnamed, p.colors, "color"))) if v}
            if "color" not in variant and len(said := [c for c in p.colors
                                                       if c.lower() in {x.lower() for x in colors_in_text(_spaced(unnamed))[0]}]) == 1:
                variant["color"] = said[0]  # "¿viene en verde?", "有绿色的吗": its Green
            if "size" not in variant and len(sized := [z for z in p.sizes if z.lower() in
                                                       {x.lower() for x in sizes_in_text(_sized(unnamed))}]) == 1:
                variant["size"] = sized[0]  # "in stock in red, size M?": that one, not any red (its M Red has none)
            if "size" not in variant and (bare := re.search(r"\b(?:in|en)\s+([SMLX]{1,4}|\d{1,2})\b(?!')", unnamed)) \
                    and bare.group(1) in p.sizes:
                variant["size"] = bare.group(1)  # "does it come in M?": its size M (as written: "in L" is no size of a letter)
            variant_in_stock = not variant or self._can_send(p.id, variant)
            asks_count = _HOW_MANY.search(text.lower()) is not None
            asks_stock = variant_in_stock and not asks_count and not variant and (any(w.strip("?.!¿") in ("stock", "available", "availability", "disponible") for w in words)
                                             or "有货" in text)
            # "is the Hero Hoodie available in XXL?": a size or colour it does not come in is said, never "in stock"
            not_sized = [z for z in sizes_in_text(_sized(text)) if p.sizes and z.lower() not in {s.lower() for s in p.sizes}]
            # (a colour word of a name quoted is none asked: "do you sell the Café Denim Jacket?" is no "not in Brown")
            not_coloured = [c for c in colors_in_text(_spaced(_without_names(text, [q.name for q in products])))[0]
                            if p.colors and c.lower() not in {x.lower() for x in p.colors}
                            and not (variant.get("color") and (c.lower() in variant["color"].lower()
                                                               or canonical_color(variant["color"]) == canonical_color(c)))
                            # "olive" is the shop's Olive, not a Green it lacks
                            and not any(pc.lower() in unnamed.lower() for pc in p.colors)]
            facts = [say("costs", lang, name=p.name, price=money(p.price, p.currency))
                     + (say("and_in_stock", lang) if p.in_stock and asks_stock else "" if p.in_stock else say("and_out_of_stock", lang))]
            if picked:  # "the second one in size M": whether it comes in it and at what price, then its overview
                lines.append(say("fact_sep", lang).join(self._picked_facts(p, text, variant, not_sized, not_coloured, facts, lang))
                             + say("end", lang))
                continue
            if asks_count and p.in_stock:
                facts.append(self._stock_count(p, text, lang, held=held if held and int(held["product_id"]) == p.id else None))
            if variant:  # "how much is the copper one?", "is the matte white in stock?": that one's own price and stock
                what = " ".join(variant.values())
                own_price = self.repo.variant_price(p.id, variant.get("size"), variant.get("color"))
                if own_price is not None:
                    facts.append(say("price_in", lang, what=what, price=money(own_price, p.currency)))
                if not variant_in_stock:
                    facts.append(say("out_of_stock_in", lang, what=what))
                elif (_COMES_IN.search(text.lower()) or _AND_IN.match(text.lower())) and not asks_count:  # "does the second one come in green?": yes, said
                    facts.append(say("available_in", lang, what=" ".join(colour_name(v, lang) if k == "color" else v
                                                                          for k, v in variant.items())))
            said_stems = {singular(w.strip("?.!¿,")) for w in words}
            for name, values in p.attributes.items():
                if (name in words or any(re.search(rf"\b{re.escape(v.lower())}\b", text.lower()) for v in values)
                        # "does it have a hood?" of a style "Hooded", "¿tiene capucha?" too
                        or any(vw.startswith(w) and len(vw) - len(w) <= 3 for v in values for vw in re.findall(r"[a-z]+", v.lower())
                               for w in said_stems if len(w) >= 4)
                        or (name == "material" and _ASKS_MATERIAL.search(text.lower()))):
                    # ("¿tiene capucha?": "estilo: …, Hooded", the values as the catalog writes them)
                    facts.append(say("attribute_values", lang, label=attribute_label(_attribute_label(name), lang), values=", ".join(values)))
            if _ASKS_MATERIAL.search(text.lower()) and "material" not in p.attributes:
                facts.append(say("not_mentioned", lang, what="material"))  # "what is it made of?": never a guess
            if (any(w.strip("?.!¿") in ("sizes", "size", "talla", "tallas") for w in words) or "尺码" in text) and p.sizes:
                facts.append(say("sizes_list", lang, values=", ".join(p.sizes)))
            if (any(w.strip("?.!¿") in ("colours", "colors", "colour", "color", "colores") for w in words) or "颜色" in text) and p.colors:
                facts.append(say("colours_list", lang, values=", ".join(p.colors)))
            # ("when will it be back?" is no question about a pocket "at back waist")
            hits = [] if _BACK_IN_STOCK.search(text.lower()) else [w for w in words if w in p.description.lower() and w not in p.name.lower()]
            # "is the first one waterproof?" about something the catalog never says: say so, never guess yes or no
            # (the other products asked about are named too: "are the Aurora and Nova waterproof?")
            known = " ".join([*(q.name for q in products), p.brand or "", *p.colors, *p.sizes,
                              *(f"{n} {' '.join(vs)}" for n, vs in p.attributes.items())]).lower()
            asked = [w.strip(".,!¿") for w in words if w.strip(".,!¿") not in _NOT_A_PROPERTY and w not in hits
                     and w.strip(".,!¿") not in known]
            # "does it come in medium?": M, in the catalog's words
            size_asked = [z for z in sizes_in_text(text) if z in p.sizes]
            if size_asked:
                size_words = {w for w in asked if sizes_in_text(w) or sizes_in_text(f"size {w}")}
                asked = [w for w in asked if w not in size_words]
                if not any(f.startswith(say("sizes_list", lang, values="")) for f in facts):
                    facts.append(say("sizes_list", lang, values=", ".join(p.sizes)))
            colour_asked = [c for c in p.colors if c.lower() in (w.strip(".,!¿") for w in words)]
            if colour_asked and not any("colours" in f or "colores" in f or "颜色" in f for f in facts):
                facts.append(say("colours_list", lang, values=", ".join(p.colors)))  # "is it available in blue?"
            if not_sized:
                facts.append(say("not_in_size", lang, value=not_sized[0], offered=", ".join(p.sizes)))
            if not_coloured:
                facts.append(say("not_in_colour", lang, value=colour_name(not_coloured[0], lang) if lang != "en" else not_coloured[0],
                                 offered=", ".join(p.colors)))
                asked = [w for w in asked if canonical_color(w) is None]
            elif lang != "en" and not p.colors and (_COMES_IN.search(text.lower()) or _YES_NO_OTHER.search(text.lower())) \
                    and (unlisted := _unlisted_colour(p, text, lang)) is not None:
                # "¿viene en azul?" of a backpack the catalog lists no colours for: said so, in the shopper's words (it
                # repeated the description; an English question says it through the words asked below)
                facts.append(unlisted)
            if not p.sizes and (_COMES_IN.search(text.lower()) or _AND_IN.match(text.lower())) \
                    and (sizes_in_text(_sized(text)) or re.search(r"\b(?:in|en)\s+(?:XXS|XS|S|M|L|XL|XXL|XXXL)\b", text)):
                facts.append(say("one_size_only", lang))  # "does it come in size M?" of a bag
            if variant.get("color"):  # "green?" answered by its Olive: no "does not mention green" beside it
                asked = [w for w in asked if canonical_color(w) is None]
            if p.brand and p.brand.lower() in text.lower():
                facts.append(say("brand_is", lang, brand=p.brand))
            if translated:  # the shopper's other words ("tiene", "primera") are no properties
                asked = [w for w in translated if w not in hits and w not in known]
            if asked and yes_no:
                facts.append(say("not_mentioned", lang, what=" ".join(translated.get(w, w) for w in asked)))
            sentence = ""
            if hits:  # the sentence with most of the words asked ("water bottle pocket", not "Water-resistant shell")
                sentence = max(_sentences(p.description), key=lambda s: sum(h in s.lower() for h in hits), default="")
            elif asked and yes_no:
                # "waterproof?" where the description says "water-resistant": the sentence, for the shopper to judge
                roots = [a[:5] for a in asked if len(a) >= 6]
                sentence = next((s for s in _sentences(p.description) if any(r in s.lower() for r in roots)), "")
            if sentence:
                facts.append(say("description_says", lang, sentence=_clip(sentence)))
            if _BACK_IN_STOCK.search(text.lower()):  # no restock dates in the catalog: said, never guessed
                facts.append(say("in_stock_now", lang) if p.in_stock else say("no_restock_date", lang))
            if _ASKS_REVIEWS.search(text.lower()) or _WHAT_PEOPLE_SAY.search(text.lower()):
                # "what do reviews say about it?": the shop's own reviews, quoted (it repeated the description)
                quotes = [f"{stars}★ “{_clip(_review_text(title, body), 140)}”" for stars, title, body in self.repo.reviews(p.id)]
                facts.append(say("review_quotes", lang, quotes="; ".join(quotes)) if quotes else say("no_reviews_yet", lang))
            if len(facts) == 1:  # "tell me more about the first one": the catalog's own overview
                first = next(iter(_sentences(p.description)), "")
                if first:
                    facts.append(say("quote", lang, sentence=_clip(first)))
                if p.colors:
                    facts.append(say("colours_list", lang, values=", ".join(p.colors)))
                if p.sizes:
                    facts.append(say("sizes_list", lang, values=", ".join(p.sizes)))
            if p.rating_count:
                facts.append(say("rating", lang, avg=f"{p.rating_avg:.1f}", n=p.rating_count, s="s" if p.rating_count != 1 else ""))
            lines.append(say("fact_sep", lang).join(facts) + say("end", lang))
        return " ".join(lines)

    def _picked_facts(self, p: Any, text: str, variant: Mapping[str, str], not_sized: Sequence[str], not_coloured: Sequence[str],
                      facts: list[str], lang: str) -> list[str]:
        """'the second one in size M', 'la segunda en azul': after `facts` (its price), whether `p` comes in the size or
        colour said (`variant`: the one of its own it said; `not_sized`, `not_coloured`: those it lacks), at what price
        and in stock or not, then its overview (the catalog's first sentence, its colours and sizes) and rating."""
        facts = list(facts)
        if variant:
            what = ", ".join(say("size_value", lang, size=v) if k == "size" else colour_name(v, lang) if lang != "en" else v
                             for k, v in variant.items())
            if self._can_send(p.id, variant):
                own_price = self.repo.variant_price(p.id, variant.get("size"), variant.get("color"))
                facts.append(say("pick_in_stock", lang, what=what, price=money(own_price if own_price is not None else p.price, p.currency)))
            else:
                facts.append(say("out_of_stock_in", lang, what=what))
        if not_sized:
            facts.append(say("not_in_size", lang, value=not_sized[0], offered=", ".join(p.sizes)))
        elif not p.sizes and (sizes_in_text(_sized(text)) or re.search(r"\b(?:in|en)\s+(?:XXS|XS|S|M|L|XL|XXL|XXXL)\b", text)):
            facts.append(say("one_size_only", lang))  # "the second one in size M" of a bag
        if not_coloured:
            facts.append(say("not_in_colour", lang, value=colour_name(not_coloured[0], lang) if lang != "en" else not_coloured[0],
                             offered=", ".join(p.colors)))
        elif not p.colors and (unlisted := _unlisted_colour(p, text, lang)) is not None:
            facts.append(unlisted)  # "la segunda en azul" of a bag the catalog lists no colours for
        if (first := next(iter(_sentences(p.description)), "")) and not any(_clip(first) in f for f in facts):
            facts.append(say("quote", lang, sentence=_clip(first)))
        if p.colors and not not_coloured:
            facts.append(say("colours_list", lang, values=", ".join(p.colors)))
        if p.sizes and not not_sized:
            facts.append(say("sizes_list", lang, values=", ".join(p.sizes)))
        if p.rating_count:
            facts.append(say("rating", lang, avg=f"{p.rating_avg:.1f}", n=p.rating_count, s="s" if p.rating_count != 1 else ""))
        return facts

    def _stock_count(self, p: Any, text: str, lang: str, *, held: Mapping[str, Any] | None = None) -> str:
        """ "how many are left in M?": the catalog's count (of the size or colour asked, else of the cart line `held`'s:
        "how many are left?" right after adding it in M, white), never a guess."""
        # ("in M" is a size here: a count is asked of this product, whose sizes say what M is)
        said = sizes_in_text(_sized(text)) or re.findall(r"\b(?:in|en)\s+([SMLX]{1,3})\b(?!')", text)
        sizes = {z.lower() for z in said} & {z.lower() for z in p.sizes}
        colours = {c.lower() for c in colors_in_text(_spaced(text))[0]} & {c.lower() for c in p.colors}
        # the product's own sizes and colours as the shopper says them ("left in 33?" of shorts in 32-36)
        if not sizes and (own := _own_value(text, p.sizes, "size")) is not None:
            sizes = {own.lower()}
        if not colours and (own := _own_value(text, p.colors, "color")) is not None:
            colours = {own.lower()}
        if held is not None and not sizes and not colours:
            sizes = {str(held["size"]).lower()} & {z.lower() for z in p.sizes} if held.get("size") else set()
            colours = {str(held["color"]).lower()} & {c.lower() for c in p.colors} if held.get("color") else set()
        rows = [r for r in self.repo.variant_stock(p.id)
                if (not sizes or (r[0] or "").lower() in sizes) and (not colours or (r[1] or "").lower() in colours)]
        what = " ".join([*(say("size_value", lang, size=z) for z in p.sizes if z.lower() in sizes),
                         *(c for c in p.colors if c.lower() in colours)])
        if not rows and not what:  # a product without variants: its own count
            n = p.stock_qty
        elif any(r[3] and r[2] is None for r in rows):
            n = None  # some of it is in stock uncounted: no total can be given
        else:
            n = sum(r[2] or 0 for r in rows if r[3])
        if n is None:
            return say("stock_uncounted", lang)
        return say("stock_count_in" if what else "stock_count", lang, n=n, what=what)

    def _price_question(self, text: str, state: SessionState) -> tuple[list[Any], bool] | None:
        """'is the third one cheaper than the first one?': ([the third, the first], asks cheaper); ([], ...) when a
        position said is off the list on screen; None when the text asks no such question of two products (a wish
        for cheaper ones, "is there anything cheaper than the first?", is no question about two)."""
        m = _PRICE_QUESTION.match(text.strip().lower())
        if m is None:
            return None
        a, b = (m.group("a") or m.group("a2") or m.group("a3") or m.group("a4"),
                m.group("b") or m.group("b2") or m.group("b3") or m.group("b4"))
        cheaper = any(m.group(g) for g in ("less", "less2", "less3", "less4"))
        in_view = [*state.focus, *state.shown]
        pair: list[int] = []
        for part in (a, b):
            picks = references_in_text(part)
            if picks:
                if len(picks) != 1:
                    return None
                at = _at_positions(state.shown, picks)
                if not at:
                    return [], cheaper  # "is the 7th one cheaper ..." with five shown
                pair.append(int(at[0]["id"]))
            elif (named := self.repo.named_in(part) or named_products(part, in_view)) and len(named) == 1:
                pair.append(named[0])
            elif re.fullmatch(r"\s*(?:it|this(?: one)?|that(?: one)?|este|esta|ese|esa|它|这个|那个)\s*", part) and len(state.focus) == 1:
                pair.append(int(state.focus[0]["id"]))
            else:
                return None
        if pair[0] == pair[1]:
            return None
        products = {p.id: p for p in self.repo.get_many(pair, matching=ProductFilter())}
        return ([products[pair[0]], products[pair[1]]] if len(products) == 2 else []), cheaper

    def _answer_price_question(self, products: list[Any], cheaper: bool, lang: str = "en") -> str:
        """'Yes: the Nova Jacket is $89.99, the Element Jacket is $119.99.': the catalog's prices (a sale price where
        the sale is on) of the product asked about and the one it is measured against."""
        subject, other = products
        values = {"a": subject.name, "pa": money(subject.price, subject.currency), "b": other.name, "pb": money(other.price, other.currency)}
        if subject.price == other.price and subject.currency == other.currency:
            return say("price_same_answer", lang, **values)
        yes = subject.price < other.price if cheaper else subject.price > other.price
        return say("price_yes" if yes else "price_no", lang, **values)

    def _compare(self, products: list[Any], lang: str = "en", *, dearest: bool = False) -> str:
        rows = []
        for p in products:
            bits = [money(p.price, p.currency), say("in_stock" if p.in_stock else "out_of_stock", lang)]
            if p.rating_count:
                bits.append(f"{p.rating_avg:.1f}★ ({p.rating_count})")
            for key in ("material", "climate", "activity"):
                if key in p.attributes:
                    bits.append(f"{key}: {', '.join(p.attributes[key])}")
            rows.append(f"{p.name}: " + "; ".join(bits))
        cheapest = min(products, key=lambda p: p.price)
        if all(p.price == cheapest.price and p.currency == cheapest.currency for p in products):
            # two tees at $29.00: neither is "the cheaper one"
            return "\n".join(rows) + "\n" + say("same_price", lang, price=money(cheapest.price, cheapest.currency))
        if dearest:  # "which one is the most expensive?" was answered with the cheapest
            top = max(products, key=lambda p: p.price)
            which = "dearer_one" if len(products) == 2 else "dearest_of"
            return "\n".join(rows) + "\n" + say(which, lang, name=top.name, price=money(top.price, top.currency))
        which = "cheaper_one" if len(products) == 2 else "cheapest_of"
        return "\n".join(rows) + "\n" + say(which, lang, name=cheapest.name, price=money(cheapest.price, cheapest.currency))

    def _without_owned(self, text: str) -> str:
        """'I already own the Stormbreaker Jacket, do you have trekking poles?': the need is the poles; the
        product they own is left out of what is parsed when the rest still names a kind of product."""
        if not _OWNS.search(text.lower()):
            return text
        rest = text
        for p in self.repo.get_many(self.repo.named_in(text)):
            # only the product the verb is about ("I have a tent, is the Nova Jacket in stock?" asks about the jacket)
            rest = re.sub(r"\b(i (?:already |just )?(?:have|own|bought|got)\s+(?:the\s+|a\s+|my\s+)?)" + re.escape(p.name),
                          r"\1 ", rest, flags=re.I)
        words = [w for w in re.findall(r"[a-z]{4,}", rest.lower()) if canonical_color(w) is None and w not in _OWN_WORDS]
        if rest != text and any(singular(w) in PRODUCT_KINDS or self._carries(w) for w in words):
            return rest
        return text

    @staticmethod
    def _asks_for_other(low: str, line_name: str) -> bool:
        """The message asks for something else ("a red jacket instead" after adding a hoodie, "show me large ones
        instead"): it names a kind of product that is not the cart line's, or asks to be shown or found things."""
        if _SEARCH_WORDS.search(low):
            return True
        own = {singular(w) for w in re.findall(r"[a-z]+", line_name.lower())}
        words = re.findall(r"[a-z]+", low)
        for i, w in enumerate(words):
            if singular(w) not in PRODUCT_KINDS:
                continue
            # another kind, kinds in the plural ("large jackets"), or "a red jacket": not the line in the cart
            # ("switch it to a blue jacket" is that line)
            if singular(w) not in own or w != singular(w) or (
                    any(x in ("a", "an", "some") for x in words[max(0, i - 3):i]) and not POINTS_AT_ONE.search(low)):
                return True
        return False

    def _sells_size(self, intent: ShoppingIntent | None, shown: Sequence[Mapping[str, Any]], size: str) -> bool:
        """Whether the shop sells the kind of product `intent` searched (its category, else the products shown) in
        `size` ("make it 34" after "men's pants in size 32": pants come in 34; hoodies never in 36)."""
        if intent is not None and intent.category:
            products = self.repo.find(ProductFilter(category=intent.category, gender=intent.gender), limit=500)
        else:
            products = self.repo.get_many([int(x["id"]) for x in shown])
        return any(size.lower() == z.lower() for p in products for z in p.sizes)

    def _carries(self, word: str) -> bool:
        """`repo.carries`, in either number of a word no suffix rule turns round: a "Scarves" category carries "scarf",
        a "Wool Scarf" carries "scarves"."""
        return any(self.repo.carries(w) for w in number_forms(word))

    def _has_in_stock_named(self, word: str) -> bool:
        return any(self.repo.has_in_stock_named(w) for w in number_forms(word))

    def _wish_unmet(self, intent: ShoppingIntent) -> tuple[list[str], str, str, list[int] | None] | None:
        """The words of a search beside the kind asked that the catalog uses of some product (an attribute's value, a
        word of a name: "silk") but that no product of that kind has anywhere in its text: (those words, the kind's word
        as said, the kind in the plural, the ids of the products of the kind where no category says it). None when
        every word is met or none is judged: a colour, size, brand, gender or price has its own filter and note, and a
        word the catalog never uses says nothing of what the kind lacks."""
        said = re.findall(r"[a-z][a-z'-]*", intent.query.lower())
        brands = {w for b in intent.brands for w in re.findall(r"[a-z]+", b.lower())}
        # the words worth judging, before any catalog look-up (most searches have none: "rain jackets")
        judged = [w for w in dict.fromkeys(said)
                  if len(w) >= 3 and re.fullmatch(r"[a-z]+", w) and not names_nothing(w)
                  and singular(w) not in PRODUCT_KINDS  # (another kind's word is no wish: "shirt dress")
                  and w not in _LEAD_WORDS and w not in _ASKING_WORDS and w not in _FOR_WHOM and w not in brands
                  and canonical_color(w) is None and not sizes_in_text(w) and gender_in_text(w) is None]
        if not judged:
            return None
        leaf = (intent.category or "").rsplit("/", 1)[-1]
        ids: list[int] | None = None
        if leaf and leaf.lower() not in ("men", "women", "kids"):
            parts = [p for p in re.split(r"\s*(?:&|,|/|\band\b)\s*", leaf.lower()) if p]
            kind_said = [w for w in said if any(same_kind(w, p) for p in parts)]
            head = _head_noun(intent.query)
            if not kind_said or not head or not any(same_kind(head, p) for p in parts):
                # (the kind said in other words or another language, or the category's word qualifies another kind:
                # "camping chairs" in Outdoor/Camping are chairs: not judged here)
                return None
            word, kinds, of_kind = kind_said[-1], leaf.lower(), ProductFilter(category=leaf, gender=intent.gender)
        elif (head := _head_noun(intent.query)) and singular(head) in PRODUCT_KINDS:
            # no category names the kind: its products are those named so ("silk cap": the Trail Cap)
            hits = [h.product_id for x in number_forms(head) for h in self.repo.lexical_search(x, limit=200)]
            ids = [p.id for p in self.repo.get_many(list(dict.fromkeys(hits))) if _names_word(p.name, head)]
            if not ids:
                return None
            kind_said, word, kinds = [head], head, plural_en(singular(head))
            of_kind = ProductFilter(ids=ids, gender=intent.gender)
        else:
            return None
        values = self.repo.attribute_values()
        unmet = [w for w in judged
                 if w not in kind_said
                 # (only a material the catalog has: "running", "hiking", "waterproof", "race" say what it is for or
                 # does, which a product's text may not spell out: "running shorts for a race" are the Running Shorts)
                 and self._a_material(w, values)
                 and not any(self.repo.lexical_search(x, of_kind, limit=1) for x in number_forms(w))
                 # (nor one of its kind named so outside the category: a "Silk Hat" filed under Accessories)
                 and not any(_names_word(p.name, word) and _names_word(p.name, w) for p in self.repo.get_many(
                     [h.product_id for h in self.repo.lexical_search(f"{w} {word}", mode="all", limit=20)]))]
        return (unmet, word, kinds, ids) if unmet else None

    def _name_unmet(self, text: str, intent: ShoppingIntent, lang: str) -> tuple[str, str, set[int]] | None:
        """A name said for a kind of product that no product of that kind has: (the name as said, the kind in the plural
        in the shopper's language, the ids of the products of the kind); None otherwise. A name is a word quoted
        ("a 'Sol' jacket") or capitalised mid-sentence right before a kind said in lower case ("a Sol jacket"; "a
        Waterproof Jacket" capitalises every word, and "Running watch" its first; "a tee for my trip to Hawaii" names a
        place): never a colour, size, gender, brand, kind or feature word. A product of the kind with the name's words in its name, text or attributes has it ("a Kenobi
        jacket": the Kenobi Trail Jacket)."""
        if lang == "en":
            head = _head_noun(intent.query)
            said_kind = head or ""
        else:
            pairs = product_word_pairs(text)
            said_kind, head = pairs[0] if pairs else ("", None)
        if not head or singular(head) not in PRODUCT_KINDS:
            return None
        brands = {w for b in intent.brands for w in re.findall(r"\w+", b.lower())}
        names = [n for n in _name_like(text, said_kind, after_kind=lang != "en")
                 if not any(canonical_color(w) or sizes_in_text(w) or gender_in_text(w) or singular(w) in PRODUCT_KINDS
                            or w in _ASKING_WORDS or w in _LEAD_WORDS or w in _FOR_WHOM or w in brands or names_nothing(w)
                            or feature_words(w) for w in re.findall(r"\w+", n.lower()))]
        if not names:
            return None
        kind = singular(head)
        found = [h.product_id for x in number_forms(head) for h in self.repo.lexical_search(x, limit=500)]
        if intent.category:
            found += [p.id for p in self.repo.find(ProductFilter(category=intent.category), limit=500)]
        of_kind = [p for p in self.repo.get_many(list(dict.fromkeys(found)))
                   if kind in _name_words(p.name) | {singular(w) for c in p.categories for w in re.findall(r"[a-z0-9]+", c.lower())}]
        if not of_kind:
            return None
        for name in names:
            words = {singular(w) for w in re.findall(r"\w+", name.lower())}
            if not any(words <= _name_words(p.name) | {singular(w) for w in re.findall(r"\w+", " ".join(
                    [p.description or "", *(v for vs in p.attributes.values() for v in vs)]).lower())} for p in of_kind):
                plural = plural_en(kind) if lang == "en" else said_kind if lang == "zh" else \
                    said_kind + ("s" if said_kind[-1:] in "aeiouáéó" else "es")
                return name, plural, {p.id for p in of_kind}
        return None

    def _a_material(self, word: str, values: frozenset[str]) -> bool:
        """The word is a material the catalog has: a value of a material attribute of some product ("leather" of a
        bag's material), or a material's word in some product's text ("silk" of a "Silk Scarf")."""
        if word in _MATERIAL_WORDS:
            return word in values or self._carries(word)
        if word not in values:
            return False
        return any(_MATERIAL_ATTRIBUTE.search(name) and any(v.lower() == word for v in vals)
                   for p in self.repo.get_many([h.product_id for h in self.repo.lexical_search(word, limit=20)])
                   for name, vals in p.attributes.items())

    def _no_such_wish(self, unmet: list[str], kind_word: str, kind: str, intent: ShoppingIntent, cards: Sequence[ProductCard],
                      lang: str) -> str:
        """"We have no silk hats; here are the hats we have (material: Wool, Straw)": what the catalog says the
        products shown are instead, where the word asked for is a value of one of its attributes."""
        # the words unmet themselves ("a black leather jacket for running": "leather jackets", never the other words said)
        what = " ".join([*unmet, plural_en(singular(kind_word))])
        named: dict[str, int] = {}  # the attributes the catalog gives the word as a value of, by how many products
        for p in self.repo.get_many([h.product_id for h in self.repo.lexical_search(unmet[0], limit=20)]):
            for name, vals in p.attributes.items():
                if name not in ("color", "size") and any(v.lower() == unmet[0] for v in vals):
                    named[name] = named.get(name, 0) + 1
        return (self._values_said(named, cards, "no_such_wish_values", lang, what=what, kind=kind)
                or say("no_such_wish", lang, what=what, kind=kind))

    def _not_carried(self, query: str) -> bool:
        """The query's head noun is a kind of product no product or category of the shop is named with."""
        head = _head_noun(query)
        return bool(head and singular(head) in PRODUCT_KINDS and not self._carries(head)
                    and not any(self._carries(other) for other in _SAME_KIND.get(singular(head), ())))

    def _named_off_screen(self, text: str, named: Sequence[int], pool: Sequence[Mapping[str, Any]]) -> list[int] | None:
        """When `named` (products of `pool` the text names by a word only they have there: the Wool Scarf's "scarf")
        are not what the text names, but it says every word of another product's name ("the silk scarf": the Silk
        Scarf 絲巾): that product, from the whole catalog; [] when the product so named is no longer on sale; None
        when the names on screen stand."""
        said = {singular(w) for w in re.findall(r"[a-z0-9]+", text.lower())}

        def all_said(name: str) -> bool:
            own = _name_words(name)
            return len(own) >= 2 and own <= said

        on_screen = {int(x["id"]): str(x.get("name", "")) for x in pool}
        if not named or any(all_said(on_screen.get(int(i), "")) for i in named):
            return None
        words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3]
        hits = self.repo.lexical_search(" ".join(words), ProductFilter(), limit=10) if words else []
        others = [p.id for p in self.repo.get_many([h.product_id for h in hits]) if p.id not in on_screen and all_said(p.name)]
        if others:
            return others
        return [] if any(all_said(name) for _, name in self.repo.withdrawn_names()) else None

    def _withdrawn_asked(self, text: str, cards: Sequence[ProductCard]) -> str | None:
        """The name of a product taken off sale whose name's every word the text says ("silk scarf": the Silk Scarf
        絲巾), when no product listed has them all (a product on sale of that name is the answer): None otherwise."""
        said = {singular(w) for w in re.findall(r"[a-z0-9]+", text.lower())}
        asked = [(pid, own) for pid, name in self.repo.withdrawn_names() if len(own := _name_words(name)) >= 2 and own <= said]
        if not asked or any(own <= _name_words(c.name) for c in cards for _, own in asked):
            return None
        found = self.repo.get_many([asked[0][0]])
        return str(found[0].name) if found else None

    def _own_words(self, text: str) -> str:
        """The text less the catalog's product names it quotes whole (on sale or taken off it), where they could tell
        another language than the shopper's words: "how much is the Silk Scarf 絲巾?" is English."""
        if detect_language(text) in (None, "en"):
            return text  # (nothing a name could have made English here: no name needs cutting out)
        names = [p.name for p in self.repo.get_many(self.repo.named_in(text))]
        low = " ".join(_unmarked_name(text).lower().split())
        names += [name for _, name in self.repo.withdrawn_names() if len(name) >= 4 and name in low]
        rest = _without_names(text, names) if names else text
        if re.search(r"[^\W\d_]{2,}", rest) and detect_language(rest) is not None:
            return rest
        # the message is (nearly) the name itself: a name in one language ("chaqueta impermeable", "羊毛围巾") is the
        # shopper's language; a name mixing scripts ("Silk Scarf 絲巾") tells none (the conversation's is kept)
        mixed = any(re.search(r"[a-zA-Z]", n) and re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", n) for n in names)
        return rest if mixed else text

    def _all_words_unseen(self, query: str) -> list[str]:
        """The query's words when it has some and no product text has any of them (nor their singulars)."""
        words = [w for w in re.findall(r"[^\W\d_]{3,}", (query or "").lower())
                 if w not in _LEAD_WORDS and w not in _FOR_WHOM and not names_nothing(w)]
        if any(english_product_words(w) for w in words):
            return []  # "mochila" is searched as "backpack": its own word matching nothing is no miss
        if not words or not all(re.fullmatch(r"[a-z]+", w) for w in words):
            return []  # Chinese and accented words are searched through their English words: not judged here
        unseen = getattr(self.searcher, "unseen_words", None)
        missing = unseen(words) if callable(unseen) else [w for w in words if not self.repo.lexical_search(w, limit=1)]

        def seen(word: str) -> bool:
            return not unseen([word]) if callable(unseen) else bool(self.repo.lexical_search(word, limit=1))

        missing = [w for w in missing if not any(seen(f) for f in number_forms(w)[1:])]  # ("knives" of a Chef Knife)
        return words if len(missing) == len(words) else []

    @staticmethod
    def _better_reviewed(products: list[Any], lang: str = "en") -> str:
        """Which of the compared products shoppers rate best, from the catalog's reviews (never a guess)."""
        rated = [p for p in products if p.rating_count]
        if not rated:
            return say("none_reviewed", lang)
        best = max(rated, key=lambda p: (p.rating_avg, p.rating_count))
        tied = [p for p in rated if (round(p.rating_avg, 2), p.rating_count) == (round(best.rating_avg, 2), best.rating_count)]
        if len(tied) > 1:  # four jackets at 4.33★ from 3 reviews: none of them is "the best reviewed"
            return say("tied_reviewed", lang, names=", ".join(p.name for p in tied), stars=f"{best.rating_avg:.1f}", n=best.rating_count)
        return say("best_reviewed", lang, name=best.name, stars=f"{best.rating_avg:.1f}", n=best.rating_count)

    def _add_to_cart(self, state: SessionState, product_id: int, size: str | None = None, color: str | None = None,
                     lang: str = "en", qty: int = 1) -> str:
        p = self.repo.get(product_id)
        if p is None:
            raise AssistantInputError(f"unknown product id {product_id}")
        variant = {k: v for k, v in (("size", size), ("color", color)) if v}
        same = next((line for line in state.cart if line["product_id"] == p.id
                     and all(line.get(k) == variant.get(k) for k in ("size", "color"))), None)
        # never more than the shop has: "add 10" of a backpack with 4 left put 10 in the cart
        have = self.repo.units_available(p.id, variant.get("size"), variant.get("color"))
        held = same["qty"] if same else 0
        capped = line_cap = None
        if have is not None and held + qty > have:
            capped, qty = have, max(0, have - held)
        if held + qty > MAX_QUANTITY:  # "add 20", then "add it": 21, past what one chat line may order
            line_cap, capped, qty = MAX_QUANTITY, None, max(0, MAX_QUANTITY - held)
        if same is not None:
            same["qty"] += qty
            state.cart.remove(same)
            state.cart.append(same)  # the line last added to is the one "make that 3" means
        elif qty:
            price = self.repo.variant_price(p.id, variant.get("size"), variant.get("color")) or p.price
            state.cart.append({"product_id": p.id, "sku": p.sku, "name": p.name, "price": float(price), "currency": p.currency,
                               "qty": qty, **variant})
            self._stamp_variant_sku(state.cart[-1])
        added = (f"{qty} × " if qty > 1 else "") + p.name + _variant_words(variant, lang)
        return added + (say("only_left_capped", lang, n=capped) if capped is not None else "") \
            + (say("line_limit", lang, n=line_cap) if line_cap is not None else "")

    @staticmethod
    def _variant(p: Any, intent: ShoppingIntent, previous: ShoppingIntent | None, text: str,
                 lang: str = "en") -> tuple[dict[str, str], str | None]:
        """The size and colour to put in the cart for `p`: what this message says, else the one size or colour the
        search asked for. A value the product does not come in is refused when the message says it (the
        second item: what to tell the shopper), and left out when it only came from the search."""
        chosen: dict[str, str] = {}
        # the product's own name is no variant asked for ("the Red Rock jacket" that comes in blue)
        unnamed = re.sub("|".join(re.escape(w) for w in p.name.split()), " ", text, flags=re.I) if p.name.split() else text
        for key, offered in (("size", p.sizes), ("color", p.colors)):
            if (mine := _own_value(unnamed, offered, key)) is not None:  # "in copper", "in Matte Black", "size Medium"
                chosen[key] = mine
                continue
            # as written, too: a size no product of the shop has ("XL" in a shop of S and M) is no size filter
            said = (sizes_in_text(unnamed) if key == "size" else colors_in_text(unnamed)[0])
            if key == "size" and not said and (bare := re.search(
                    r"\b(?:in|size|talla|en)[\s,]+(?:and\s+)?(\d{1,3}|xxs|xs|s|m|l|xl|xxl)\b(?!'|\s*(?:of|more|units?|pieces?|pairs?|items?)\b)",
                    _without_colours(unnamed.lower(), p.colors))) and bare.group(1).upper() in {o.upper() for o in offered}:
                # "add it in 29", "in M red", "in red M", "in red, M" (a colour may come between): a size it comes in
                said = [bare.group(1).upper()]
            said = [x for x in (intent.sizes if key == "size" else intent.colors) if x.lower() in unnamed.lower()] or said
            earlier = (previous.sizes if key == "size" else previous.colors) if previous else []
            wanted = said if len(said) == 1 else earlier if len(earlier) == 1 and not said else []
            if said and not offered:  # "add it in size XL" of a bag that has no sizes: said, never dropped in silence
                return {}, say("no_sizes" if key == "size" else "no_colours", lang, name=p.name)
            if not wanted or not offered:
                continue
            match = next((o for o in offered if o.lower() == wanted[0].lower()), None)
            if match:
                chosen[key] = match
            elif said:
                return {}, say("no_such_size" if key == "size" else "no_such_color", lang, name=p.name, value=wanted[0],
                               offered=", ".join(offered))
        return chosen, None

    def _similar_intent(self, likes: Sequence[Any], said: ShoppingIntent, talked: str | None = None) -> ShoppingIntent:
        """A search for products like these: their names' words, in their real category, with what else the message
        asks (a budget, a colour, a size, an order). For whom: the gender the shopper said, else the one they said they
        shop for (`talked`: "a gift for my wife"), else the one the products share ("similar to the Adrienne Trek
        Jacket" are women's jackets, "similar to the Cruise watch but cheaper" men's watches below its price)."""
        categories = {self.repo.product_category(p) for p in likes}
        genders = {p.gender for p in likes}
        data: dict[str, Any] = {"kind": "search", "query": " ".join(p.name for p in likes)}
        if len(categories) == 1 and None not in categories:
            data["category"] = next(iter(categories))
        if said.gender or talked:
            data["gender"] = said.gender or talked
        elif len(genders) == 1 and (gender := next(iter(genders))) in ("women", "men", "kids", "unisex"):
            data["gender"] = gender
        for field in ("min_price", "max_price", "colors", "sizes", "sort", "on_sale"):
            if getattr(said, field) not in (None, [], "relevance", False):
                data[field] = getattr(said, field)
        return ShoppingIntent.model_validate(data)

    def _named_with(self, words: Sequence[str], limit: int = 50) -> list[int]:
        """The products on sale whose name has every one of these words (singular, as `_name_words` gives them)."""
        hits = self.repo.lexical_search(" ".join(words), ProductFilter(), limit=limit, mode="all")
        wanted = set(words)
        return [p.id for p in self.repo.get_many([h.product_id for h in hits]) if wanted <= _name_words(p.name)]

    def _one_named_by_words(self, text: str, *, withdrawn: bool = False, several: int = 1) -> list[int]:
        """'is the lantern in stock?', 'what goes with the camp lantern?': the one product on sale whose name has every
        word said after "the" (the longest such run of words: "the lantern in stock" is the lantern); [] when no
        product or several are so named ("the jacket" in a shop of jackets is for the shopper to say which).
        A word of a kind of product is the category's too: "the duffle bag" names the Joust Duffle Bag and the Impulse
        and Overnight Duffles of Bags alike, and none of them is the one meant. `several`: up to that many products
        the words fit equally, all of them (a question's answer covers each: "is the duffle bag waterproof?").
        `withdrawn`: the one product taken off sale so named instead ("is the mug in stock?" after the Camp Mug went)."""
        gone = self.repo.withdrawn_names() if withdrawn else []
        if withdrawn and not gone:
            return []
        low = " ".join(_unmarked_name(text).lower().split())
        for m in _THE_NAME.finditer(low):
            words = [singular(w) for w in re.findall(r"[a-z0-9]+", low[m.end():])[:5]]
            if not words or words[0] in _NOT_A_NAME or not re.search(r"[a-z]{3,}", words[0]):
                continue
            for n in range(len(words), 0, -1):
                said = words[:n]
                if any(w in _FILLER_WORDS for w in said):
                    continue
                ids = [pid for pid, name in gone if set(said) <= _name_words(name)] if withdrawn else self._named_with(said)
                if ids and not withdrawn:
                    ids = [*ids, *(i for i in self._named_with_kind_by_category(said) if i not in ids)]
                if len(ids) == 1 or 1 < len(ids) <= several:
                    return ids
                if ids:
                    break  # several so named: fewer words name no fewer
        return []

    def _named_with_kind_by_category(self, words: Sequence[str]) -> list[int]:
        """The products on sale that these words name by name and category together: every word that is no kind of
        product in the name, each kind's word in the name or the category path, and some word in the name ("duffle
        bag": the Impulse Duffle of Gear/Bags, never the Messenger Bag)."""
        kinds = {w for w in words if w in PRODUCT_KINDS}
        own = set(words) - kinds
        if not kinds or len(words) < 2:
            return []  # (one word is named by name alone, as ever)
        hits = self.repo.lexical_search(" ".join(words), ProductFilter(), limit=100)
        out = []
        for p in self.repo.get_many([h.product_id for h in hits]):
            named = _name_words(p.name)
            filed = {singular(w) for c in p.categories for w in re.findall(r"[a-z0-9]+", c.lower())}
            if own <= named and kinds <= named | filed and named & set(words):
                out.append(p.id)
        return out

    def _product_meant(self, text: str, state: SessionState) -> Any:
        """The one product "the …" names in 'what goes with the watch?', 'similar to the Adrienne Trek Jacket': named
        in full, else the one in focus, a cart line, then a product on screen named by a word only it has there, else
        the catalog's only product so named; None when the words name none, or several ("which of these?")."""
        named = self.repo.named_in(text, limit=1)
        if named:
            return self.repo.get(named[0])
        cart_words = [{"id": x["product_id"], "name": x["name"]} for x in state.cart]
        for pool in (state.focus, cart_words, state.shown):
            ids = list(dict.fromkeys(named_products(text, pool)))
            if len(ids) == 1:
                return self.repo.get(ids[0])
            if len(ids) > 1:
                return None
        ids = self._one_named_by_words(text)
        return self.repo.get(ids[0]) if ids else None

    def _named_loosely(self, text: str) -> list[int]:
        """'add 10 camp mugs', 'buy 2 yoga straps': a number of the one product whose name has every word said (its
        full name is "Camp Mug, enamel"); none when no number is said ("add a yoga mat" is a need to search) or when
        several products are so named."""
        low = text.lower()
        if not re.search(r"\b(?:add|buy)\s+(?:\d{1,4}|two|three|four|five|six|a couple(?: of)?)\s+(?!more\b|of\s+(?:them|those|these)\b)", low):
            return []
        words = {singular(w) for w in re.findall(r"[a-z]+", low)} - _LOOSE_FILLER
        if not words - PRODUCT_KINDS:  # "add 2 jackets" names a kind, not a product (only one is named "... Jacket")
            return []
        hits = self.repo.lexical_search(" ".join(sorted(words)), ProductFilter(), limit=5)
        def says(name: str) -> bool:
            own = [singular(t) for t in re.findall(r"[a-z]+", name.lower())]
            # most of its name, or its name's last words: "2 yoga bricks" is the Sprite Foam Yoga Brick
            return words <= set(own) and (3 * len(words) >= 2 * len(set(own)) or set(own[-len(words):]) == words)

        named = [p.id for p in self.repo.get_many([h.product_id for h in hits]) if says(p.name)]
        return named if len(named) == 1 else []

    def _sold_out_named(self, text: str, intent: ShoppingIntent, cards: Sequence[ProductCard], lang: str = "en") -> tuple[Any, str] | None:
        """The out-of-stock product the message names by its name's own words (all of them), when it is not
        in the list: the shopper asked for it, and the list shows other things. Its name, with the colour and size
        asked where only those are out of stock ("Josie Yoga Jacket in Blue")."""
        if not intent.query:
            return None
        shown = {c.id for c in cards}
        said = set(re.findall(r"[a-z0-9]+", text.lower()))
        # ... or one that has every word of the need where no product shown has ("tents for 4 people" when the
        # 4-Person Tent is sold out: "One match for tents" showed the 2-person one as if it were all there is)
        wanted = {_word_form(w) for w in re.findall(r"[a-z0-9]+", intent.query.lower())} - _FILLER_WORDS
        def has_all(p: Any) -> bool:  # (a count or measure in the need, all of it in the name: "4-Person Tent")
            words = {_word_form(w) for w in re.findall(r"[a-z0-9]+", p.name.lower())}
            return len(wanted) >= 2 and any(w.isdigit() for w in wanted) and wanted <= words
        @functools.cache
        def shown_products() -> tuple[Any, ...]:  # (read once, and only when a sold-out one has every word)
            return tuple(self.repo.get_many(list(shown)))

        hits = self.repo.lexical_search(intent.query, ProductFilter(), limit=3)
        for p in self.repo.get_many([h.product_id for h in hits]):
            words = {w for w in re.findall(r"[a-z0-9]+", p.name.lower()) if len(w) > 2}
            if p.id in shown or not words:
                continue
            if not p.in_stock and (words <= said or (has_all(p) and not any(has_all(q) for q in shown_products()))):
                return p, str(p.name)
            asked = {k: v[0] for k, v in (("size", intent.sizes), ("color", intent.colors)) if len(v) == 1}
            own = {k: x for k, x in asked.items()
                   if x.lower() in {y.lower() for y in (p.sizes if k == "size" else p.colors)}}
            if words <= said and own and own == asked and not self._can_send(p.id, own):
                # "Josie Yoga Jacket en azul" with every blue one sold out: said, not a list of other blue jackets
                return p, str(p.name) + _variant_words(own, lang)
        return None

    def _at_variant_prices(self, items: list[RankedItem], intent: ShoppingIntent) -> None:
        """"jackets in XL": each product at the price of the size (and colour) asked where the shop prices it apart
        (the XL at $269, not its jacket's $249)."""
        if not (intent.sizes or intent.colors) or len(intent.sizes) > 1 or len(intent.colors) > 1 or not items:
            return
        size = intent.sizes[0] if intent.sizes else None
        colour = intent.colors[0] if intent.colors else None
        own = self.repo.variant_prices([(i.product.id, size, colour) for i in items])
        for item in items:
            price = own.get((item.product.id, size, colour))
            if price is not None:
                item.product = dataclasses.replace(item.product, price=price, regular_price=price)

    def _only_choice(self, product_id: int, variant: dict[str, str]) -> dict[str, str]:
        """The size or colour left open filled in where the product comes in only one with what was chosen ("add it in
        XL" where only the black one comes in XL: Black; a line the shop could not have sent without asking)."""
        rows = [r for r in self.repo.variant_stock(product_id)
                if (not variant.get("size") or (r[0] or "").lower() == variant["size"].lower())
                and (not variant.get("color") or (r[1] or "").lower() == variant["color"].lower())]
        out = dict(variant)
        # (of those in stock, where some are: "add it in M" where the red M is sold out is the blue M)
        rows = [r for r in rows if r[3]] or rows
        for key, values in (("size", {r[0] for r in rows if r[0]}), ("color", {r[1] for r in rows if r[1]})):
            if key not in out and len(values) == 1:
                out[key] = str(values.pop())
        return out

    def _can_send(self, product_id: int, variant: Mapping[str, Any]) -> bool:
        """The product in that size and colour (those it names) is in stock."""
        return bool(self.repo.find_ids(ProductFilter(ids=[product_id], sizes=[variant["size"]] if variant.get("size") else [],
                                                     colors=[variant["color"]] if variant.get("color") else [], in_stock=True), limit=1))

    def _refresh_cart(self, state: SessionState, lang: str = "en") -> tuple[dict[int, Any], list[str], list[tuple[str, int]]]:
        """Cart lines carry the catalog's price and name of now, never those of when they were added (a price
        change or a sale since then shows at once); a product the catalog no longer has leaves the cart, and so
        does a size or colour it no longer sells or has none left of; a line holds no more than the shop has now.
        Returns the cart's products as the catalog has them now, by id, the names of the lines that left, and
        (name, units) of the lines cut to what is left."""
        if not state.cart:
            state.touched = None
            return {}, [], []
        # (a hidden product, off sale since a full-feed import, leaves the cart too)
        now = {p.id: p for p in self.repo.get_many([int(line["product_id"]) for line in state.cart], matching=ProductFilter())}
        keys = [(int(x["product_id"]), x.get("size"), x.get("color")) for x in state.cart]
        own, skus = self.repo.variant_prices(keys), self.repo.variant_skus(keys)  # (one query each for the whole cart)
        stocks = self.repo.variant_stocks(list(now))  # (one query for the whole cart)
        kept, gone, fewer = [], [], []
        for line in state.cart:
            p = now.get(int(line["product_id"]))
            if p is None:
                gone.append(str(line.get("name", "")))
                continue
            named = p.name + _variant_words(line, lang)
            variants = stocks.get(p.id, [])
            if (line.get("size") or line.get("color")) and variants and not [
                    r for r in variants if all(not line.get(k) or str(v or "").lower() == str(line[k]).lower()
                                               for v, k in ((r[0], "size"), (r[1], "color")))]:
                gone.append(named)  # that size or colour is sold no more (it stayed, at the product's price)
                continue
            have = units_of(variants, line.get("size"), line.get("color"), p.stock_qty, p.in_stock)
            if have is not None and have < int(line["qty"]):
                if have <= 0:
                    gone.append(named)  # none left of it: the cart never holds what the shop cannot send
                    continue
                line["qty"] = have
                fewer.append((named, have))
            price = own.get((p.id, line.get("size"), line.get("color"))) or p.price  # the size/colour's own, if it has one
            line.update(name=p.name, sku=p.sku, price=float(price), currency=p.currency)
            _set_variant_sku(line, skus.get((p.id, line.get("size"), line.get("color"))))
            kept.append(line)
        state.cart = kept
        if state.touched and not (kept and _same_variant(kept[-1], state.touched)):
            state.touched = None  # the line "it" meant is gone: "make that 3" must not mean another one
        return now, list(dict.fromkeys(gone)), fewer

    @staticmethod
    def _remove_from_cart(state: SessionState, product_id: int) -> None:
        """One fewer of this product; its line goes when none is left (removing what is not there is a no-op)."""
        for line in state.cart:
            if line["product_id"] == product_id:
                line["qty"] -= 1
                break  # one fewer of one line (a size M and a size S of it are two lines)
        state.cart = [line for line in state.cart if line["qty"] > 0]

    @staticmethod
    def _line_meant(text: str, lines: list[dict[str, Any]], state: SessionState) -> dict[str, Any] | None:
        """The one cart line of `lines` a request means: the only one, else those whose size or colour the text says
        ("remove one of the blue ones"), else the line just added or changed; None when that leaves several."""
        low = _spaced(text).lower()

        def said(value: Any) -> bool:  # (a one-letter size only as "size M", "in M", "M," after a colour)
            v = str(value or "").lower()
            return bool(v) and re.search(rf"(?<![\w']){re.escape(v)}(?![\w'])", low) is not None and (
                len(v) > 1 or re.search(rf"\b(?:from|size|in|talla)[\s,]+(?:and\s+)?{re.escape(v)}\b", _without_colours(low)) is not None)

        if len(lines) > 1:
            best = max(sum(said(x.get(k)) for k in ("size", "color")) for x in lines)
            lines = [x for x in lines if sum(said(x.get(k)) for k in ("size", "color")) == best]
        if len(lines) == 1:
            return lines[0]
        last = state.cart[-1] if state.cart else None
        if last is not None and state.touched and _same_variant(last, state.touched) and any(x is last for x in lines):
            return last  # "remove one of them", "make that 3" right after adding: the line just added to
        return None

    @staticmethod
    def _picked_size(state: SessionState, p: Any) -> str | None:
        """The size the shopper picked `p` in ("the second one in size M"), while it is in focus: one of its own sizes."""
        entry = next((x for x in state.focus if int(x.get("id", -1)) == p.id), None)
        return str(entry["size"]) if entry is not None and entry.get("size") in p.sizes else None

    @staticmethod
    def _picked_colour(state: SessionState, p: Any) -> str | None:
        """The colour the shopper picked `p` in ("the purple one"), while it is in view: one of its own colours."""
        # (in focus without one: "does it come in green?" since, and the list's colour is no longer the one meant)
        entry = next((x for x in (*state.focus, *state.shown) if int(x.get("id", -1)) == p.id), None)
        return str(entry["color"]) if entry is not None and entry.get("color") in p.colors else None

    def _ask_which_line(self, action: str, n: int | None, lines: Sequence[Mapping[str, Any]], state: SessionState,
                        lang: str = "en") -> str:
        """"Which one should I take off: ...?" / "Which item's quantity should I change: ...?": asked, and the request
        kept in the state, so that the next message ("the blue one", "the M one", "the first one") finishes it."""
        state.pending = {"action": action, "n": n, "lines": [{"product_id": int(x["product_id"]), "size": x.get("size"),
                                                             "color": x.get("color")} for x in lines]}
        if action == "quantity":
            return say("cart_which_quantity", lang, lines=_lines_listed(lines, lang))
        if n is None:
            return say("cart_which", lang) + " " + self._cart_summary(state, lang)
        return say("cart_which_line" if len({int(x["product_id"]) for x in lines}) == 1 else "cart_which_line_named", lang,
                   lines=_lines_listed(lines, lang))

    def _take_off(self, line: dict[str, Any], fewer: int | None, state: SessionState, lang: str = "en") -> str:
        """`fewer` units off one cart line (None: the whole line), logged like the button's event."""
        self.repo.log_interaction("remove_from_cart", line["product_id"], user_id=state.user_id, session_id=state.session_id)
        line["qty"] = 0 if fewer is None else max(0, line["qty"] - fewer)
        if line["qty"] > 0:
            return say("cart_quantity", lang, name=line["name"] + _variant_words(line, lang), n=line["qty"]) \
                + " " + self._cart_summary(state, lang)
        state.cart.remove(line)
        return say("cart_removed", lang, names=line["name"] + _variant_words(line, lang)) + " " + self._cart_summary(state, lang)

    def _set_quantity(self, line: dict[str, Any], n: int, state: SessionState, lang: str = "en") -> str:
        """"make that 3" of one cart line: never more than the shop has or one line takes; 0 takes the line out."""
        limited = n > MAX_QUANTITY  # "make that 30": the most one line takes, said so
        n = min(n, MAX_QUANTITY)
        if n == 0:
            state.cart.remove(line)
            self.repo.log_interaction("remove_from_cart", line["product_id"], user_id=state.user_id, session_id=state.session_id)
            return say("cart_removed", lang, names=line["name"]) + " " + self._cart_summary(state, lang)
        have = self.repo.units_available(int(line["product_id"]), line.get("size"), line.get("color"))
        line["qty"] = min(n, have) if have is not None and have > 0 else n  # "make that 4" of the 1 left: 1
        state.cart.remove(line)
        state.cart.append(line)  # the line last touched is the one "it" and "make that 3" mean
        return say("cart_quantity_capped" if have is not None and 0 < have < n else "cart_quantity_limit" if limited else "cart_quantity", lang,
                   name=line["name"] + _variant_words(line, lang), n=line["qty"]) + " " + self._cart_summary(state, lang)

    def _pending_lines(self, text: str, pending: Mapping[str, Any], state: SessionState) -> list[dict[str, Any]] | None:
        """The cart lines a bare answer to "which line?" picks among those listed: by position ("the first one", "the
        last one"), size ("the M one", "the large"), colour ("the blue one") or a word of the name only that product
        has ("the Hero one"). None when the message is no such answer (it is a request of its own); [] when it is one
        that fits none of the lines."""
        listed = [next((x for x in state.cart if _same_variant(x, key)), None) for key in pending.get("lines") or []]
        lines = [x for x in listed if x is not None]
        if not lines:
            return None
        low = _spaced(text).lower().strip()
        rest = f" {low} "
        picks = references_in_text(low)
        rest = re.sub(rf"(?<![a-z])(?:{ORDINAL_WORDS})(?![a-z])|#?\b\d\b|第[一二三四五六七八九十\d]+\s*[个件款条双]?", " ", rest) \
            if picks else rest
        # sizes and colours as the lines have them ("M", "10 foot", "Matte Black"), else a word for them ("large", "azul")
        sizes_said = {z.upper() for z in sizes_in_text(low)}
        colours_said = {canonical_color(c) or c.lower() for c in colors_in_text(low)[0]}

        def says(value: Any) -> bool:
            v = str(value or "").lower()
            return bool(v) and re.search(rf"(?<![\w']){re.escape(v)}(?![\w'])", low) is not None

        def fits(x: Mapping[str, Any]) -> tuple[bool, bool]:  # (its size said, its colour said)
            size, colour = str(x.get("size") or ""), str(x.get("color") or "")
            return (bool(size) and (says(size) or size.upper() in sizes_said
                                    or any(z.upper() in sizes_said for z in sizes_in_text(f"size {size}")[:1])),
                    bool(colour) and (says(colour) or (canonical_color(colour) or colour.lower()) in colours_said))

        for x in lines:
            for value in (x.get("size"), x.get("color")):
                if says(value):
                    rest = re.sub(rf"(?<![\w']){re.escape(str(value).lower())}(?![\w'])", " ", rest)
        # ("the hoodie" with a hoodie and a watch listed: the hoodie's line)
        named = set(named_products(low, [{"id": x["product_id"], "name": x["name"]} for x in lines])) or set(_lines_of_kind(low, lines))
        own_words = {singular(w) for x in lines if int(x["product_id"]) in named for w in re.findall(r"[a-z][a-z'-]{2,}", str(x["name"]).lower())}
        left = [w for w in re.findall(r"[a-záéíóúñü]+(?:'[a-z]+)?|\d+", rest) if w not in _WHICH_LINE_FILLER and singular(w) not in own_words
                and canonical_color(w) is None and not sizes_in_text(f"size {w}")]
        cjk = re.sub(_CJK_COLOURS,
                     " ", re.sub(r"[^\u4e00-\u9fff]+", " ", rest)) if re.search(r"[\u4e00-\u9fff]", rest) else ""
        if left or re.sub(r"[\s这那个件款条双的吧呢要码号。，！？,.!?]+", "", cjk):
            return None
        said = bool(picks or named or sizes_said or colours_said or any(any(fits(x)) for x in lines))
        if not said:
            return None
        if picks:
            return _at_positions(lines, picks[:1])
        out = [x for x in lines if not named or int(x["product_id"]) in named]
        if sizes_said or any(fits(x)[0] for x in lines):
            out = [x for x in out if fits(x)[0]]
        if colours_said or any(fits(x)[1] for x in lines):
            out = [x for x in out if fits(x)[1]]
        return out

    def _finish_pending(self, pending: Mapping[str, Any], lines: list[dict[str, Any]], state: SessionState, lang: str = "en") -> str:
        """The removal or quantity change that asked "which line?", done on the line the answer picked; asked again
        among those it leaves (or among all those listed, when it fits none)."""
        action, n = str(pending.get("action")), pending.get("n")
        if action == "remove" and n is None and len(lines) > 1 and len({x["product_id"] for x in lines}) == 1:
            # "remove the Hero one" answered with two lines of it: both go, as "remove the Hero Hoodie" does
            for x in lines:
                self.repo.log_interaction("remove_from_cart", x["product_id"], user_id=state.user_id, session_id=state.session_id)
            state.cart = [x for x in state.cart if all(x is not y for y in lines)]
            return say("cart_removed", lang, names=", ".join(x["name"] + _variant_words(x, lang) for x in lines)) \
                + " " + self._cart_summary(state, lang)
        if len(lines) != 1:
            listed = lines or [x for key in pending.get("lines") or [] for x in state.cart if _same_variant(x, key)]
            return self._ask_which_line(action, None if n is None else int(n), listed, state, lang)
        if action == "quantity":
            return self._set_quantity(lines[0], int(n or 0), state, lang)
        return self._take_off(lines[0], None if n is None else int(n), state, lang)

    def _cart(self, text: str, referenced: list[Any], state: SessionState, intent: ShoppingIntent,
              previous: ShoppingIntent | None, lang: str = "en") -> str:
        summary = self._cart_summary(state, lang)
        # the cart's products, read once and only for a quantity request: their sizes tell "change it to 12 cup"
        # from 12 of it, their categories which line "the hoodie" is
        carted = self.repo.get_many([int(x["product_id"]) for x in state.cart], matching=ProductFilter()) \
            if state.cart and SET_QUANTITY.match(text.lower()) else []
        if state.cart and (m := _quantity_request(text.lower(), [z for p in carted for z in p.sizes])) \
                and _number_word(m.group("n")) <= 99:
            # "make that 3": the line just added to; "change the quantity of the hoodie to 2": the line it names,
            # a turn or two later too; the only line; several and none named: which (it searched "the hoodie")
            what = _quantity_what(m)
            lines = _lines_named(what, state.cart, {p.id: p.categories for p in carted}) if what else state.cart
            meant = self._line_meant(text[:m.start("n")] + text[m.end("n"):], lines, state) if lines else None
            if meant is None:
                return self._ask_which_line("quantity", _number_word(m.group("n")), lines or state.cart, state, lang)
            return self._set_quantity(meant, _number_word(m.group("n")), state, lang)
        if not state.cart and (m := _quantity_request(text.lower(), [])) is not None and not _TAKES_N_OF_THEM.search(text.lower()):
            # "set quantity to 3", "make it 3" with nothing in the cart: no line to change (it searched "set quantity
            # to", or added the product in view)
            return summary
        if EMPTY_CART.search(text.lower()):
            if not state.cart:
                return summary
            for line in state.cart:  # logged like the button's events
                self.repo.log_interaction("remove_from_cart", line["product_id"], user_id=state.user_id,
                                          session_id=state.session_id)
            emptied = ", ".join(dict.fromkeys(line["name"] for line in state.cart))
            state.cart = []
            return say("cart_removed", lang, names=emptied) + " " + self._cart_summary(state, lang)
        if REMOVING.search(text.lower()):
            if not state.cart:
                return summary
            if not referenced:  # ("remove one of them" with several products: one unit of the line then named)
                counted = _REMOVAL_COUNT.search(text.lower())
                return self._ask_which_line("remove", _number_word(next(g for g in counted.groups() if g)) if counted else None,
                                            state.cart, state, lang)
            names = {p.id for p in referenced}
            gone = [line["name"] for line in state.cart if line["product_id"] in names]
            if not gone:
                return say("cart_not_in_one" if len(referenced) == 1 else "cart_not_in_many", lang,
                           names=", ".join(p.name for p in referenced)) + " " + summary
            counted = _REMOVAL_COUNT.search(text.lower())
            if counted:
                # "remove one of them": that many fewer of one line, the one its size or colour says, else the one
                # just added (it took one off every line of the product); several and none of them meant: which
                fewer = _number_word(next(g for g in counted.groups() if g))
                of_them = [line for line in state.cart if line["product_id"] in names]
                if len(of_them) > 1 and fewer >= sum(int(line["qty"]) for line in of_them):
                    # "remove 2 hoodies" with two lines of one each: both go (it took 1 line and kept the other)
                    for line in of_them:
                        self.repo.log_interaction("remove_from_cart", line["product_id"], user_id=state.user_id,
                                                  session_id=state.session_id)
                    state.cart = [line for line in state.cart if line not in of_them]
                    return say("cart_removed", lang, names=", ".join(line["name"] + _variant_words(line, lang) for line in of_them)) \
                        + " " + self._cart_summary(state, lang)
                meant = self._line_meant(text, of_them, state)
                if meant is None:
                    return self._ask_which_line("remove", fewer, of_them, state, lang)
                return self._take_off(meant, fewer, state, lang)
            newest = state.cart[-1]
            if (len(names) == 1 and newest["product_id"] in names and state.touched and _same_variant(newest, state.touched)
                    and POINTS_AT_ONE.search(text.lower()) and len([x for x in state.cart if x["product_id"] in names]) > 1):
                # "remove it" right after adding it in size M: that line, not the product's other sizes too
                return self._take_off(newest, None, state, lang)
            for line in state.cart:
                if line["product_id"] in names:  # logged like the button's event; the whole line goes
                    self.repo.log_interaction("remove_from_cart", line["product_id"], user_id=state.user_id,
                                              session_id=state.session_id)
            kept = [line for line in state.cart if line["product_id"] not in names]
            state.cart = kept
            return say("cart_removed", lang, names=", ".join(gone)) + " " + self._cart_summary(state, lang)
        if referenced and not _ADDING.search(text.lower()) and _VIEWS_CART.search(text.lower()):
            return summary  # "how much is that in total?": the cart, never "that" added again
        if referenced:
            if len(referenced) == 1 and (lacking := next((x for x in state.focus if x.get("unmet_color")
                                                          and int(x["id"]) == referenced[0].id), None)) is not None \
                    and not colors_in_text(_spaced(text.lower()))[0] and _own_value(text, referenced[0].colors, "color") is None \
                    and not sizes_in_text(_sized(text)) and self._variant(referenced[0], ShoppingIntent(), None, text, lang) == ({}, None):
                # "the first one in green" of a tee with no green, then "add 2": never added in a colour not asked for;
                # the one tee offered in green instead is the one meant (unless this names the first), else which is asked
                # ("add it in size M" says how the shopper wants the one picked, green left aside: added so, its colour
                # asked after as for any pick)
                offered = [int(i) for i in lacking.get("offered") or []]
                if len(offered) == 1 and not named_products(text, [lacking]) \
                        and (instead := self.repo.get_many(offered)):
                    return self._cart(text, instead, state, intent, previous, lang)
                p, wished = referenced[0], str(lacking["unmet_color"])
                others = self.repo.get_many(offered)
                return say("colour_unmet_ask_others" if others else "colour_unmet_ask", lang, name=p.name,
                           colour=wished if lang == "en" else colour_name(wished, lang), values=", ".join(p.colors), example=p.colors[0],
                           **({"names": ", ".join(q.name for q in others), "other": others[0].name} if others else {}))
            added = []
            filled_notes: list[str] = []
            for p in referenced:
                # "the purple one", then "add it": in purple (a colour this message says wins)
                picked = self._picked_colour(state, p) if not colors_in_text(_spaced(text.lower()))[0] else None
                # ... and "the second one in size M", then "add it": in M (a size this message says wins)
                picked_size = self._picked_size(state, p) if not sizes_in_text(_sized(text)) else None
                if (instead_of := next((x for x in state.focus if x.get("unmet_color") and p.id in (x.get("offered") or [])), None)):
                    # one of those offered in the colour the one picked lacks: in that colour (and the size said then)
                    picked = picked or (None if colors_in_text(_spaced(text.lower()))[0] else next(
                        (c for c in p.colors if c.lower() == str(instead_of["unmet_color"]).lower()), None))
                    picked_size = picked_size or (None if sizes_in_text(_sized(text)) else next(
                        (z for z in p.sizes if z.lower() in {w.lower() for w in instead_of.get("unmet_sizes") or []}), None))
                earlier = previous if picked is None and picked_size is None else (previous or ShoppingIntent()).model_copy(update={
                    **({"colors": [picked]} if picked is not None else {}), **({"sizes": [picked_size]} if picked_size is not None else {})})
                variant, problem = self._variant(p, intent, earlier, text, lang)
                if problem:
                    return problem + " " + summary
                last = state.cart[-1] if state.cart else None
                if len(referenced) == 1 and last is not None and last["product_id"] == p.id and state.touched \
                        and _same_variant(last, state.touched):
                    # "add 2 of them" right after adding it in blue, size M: more of that line (it added a second line
                    # with no size or colour), unless the message itself says another size or colour ("in red too")
                    held = {k: str(last[k]) for k in ("size", "color") if last.get(k)}
                    own, _ = self._variant(p, intent, None, text, lang)
                    if held and all(held.get(k) == v for k, v in own.items()):
                        variant = held
                given = dict(variant)
                variant = self._only_choice(p.id, variant)
                for key in ("size", "color"):
                    other = "color" if key == "size" else "size"
                    if key in variant and key not in given and given.get(other) and len(p.sizes if key == "size" else p.colors) > 1:
                        # "add it in red" filled in S (the red M is sold out): said, never chosen in silence
                        filled_notes.append(say("filled_only", lang, value=_capital(colour_name(variant[key], lang) if key == "color" else variant[key]),
                                                what=say("what_size" if key == "size" else "what_colour", lang),
                                                given=colour_name(given[other], lang) if other == "color" else given[other]))
                if not self._can_send(p.id, variant):  # never a line the shop cannot send
                    return say("cart_sold_out", lang, name=p.name + _variant_words(variant, lang)) + " " + summary
                before = sum(int(x["qty"]) for x in state.cart)
                named = self._add_to_cart(state, p.id, variant.get("size"), variant.get("color"), lang,
                                          qty=quantity_in(text) if len(referenced) == 1 else 1)
                for entry in state.focus:  # a colour now chosen for it ("add it in orange"): no longer asked again
                    if int(entry["id"]) == p.id:
                        entry.pop("unmet_color", None)
                if sum(int(x["qty"]) for x in state.cart) == before and len(referenced) == 1:
                    # "add 10 more" with every unit already in the cart: nothing was added, and it is said so
                    have = self.repo.units_available(p.id, variant.get("size"), variant.get("color"))
                    if have is None or have > MAX_QUANTITY:
                        return say("cart_at_line_limit", lang, name=p.name + _variant_words(variant, lang), n=MAX_QUANTITY) + " " + summary
                    return say("cart_has_all", lang, name=p.name + _variant_words(variant, lang), n=have or 0) + " " + summary
                added.append(named)
            for p in referenced:
                self.repo.log_interaction("add_to_cart", p.id, user_id=state.user_id, session_id=state.session_id)
            answer = say("cart_added", lang, names=", ".join(added)) + "".join(" " + n for n in filled_notes) + " " + self._cart_summary(state, lang)
            line = state.cart[-1]
            if len(referenced) == 1 and (p := referenced[0]).id == line["product_id"]:
                # a size or colour the shop needs to send it, not yet said: which ones there are, and how to pick
                open_choices = [(key, offered) for key, offered in (("size", p.sizes), ("color", p.colors))
                                if len(offered) > 1 and not line.get(key)]
                if open_choices:
                    key, offered = open_choices[0]
                    answer += " " + say("cart_pick_size" if key == "size" else "cart_pick_color", lang,
                                        values=", ".join(sorted(offered, key=_size_order) if key == "size" else offered),
                                        example=(sorted(offered, key=_size_order) if key == "size" else offered)[0])
            return answer
        if _ADDING.search(text.lower()) and not referenced and len(on_view := (state.focus if len(state.focus) == 1 else state.shown)) == 1 \
                and not references_in_text(text.lower()) and not _names_other_kind(text.lower(), str(on_view[0].get("name", ""))):
            # "加入购物车，M码" with one product on screen (or the one just asked about): that one
            return self._cart(text, self.repo.get_many([int(on_view[0]["id"])]), state, intent, previous, lang)
        if _ADDING.search(text.lower()) and not referenced and state.cart and state.touched \
                and (POINTS_AT_ONE.search(text.lower()) or _ES_ADD_IT.search(text.lower())) \
                and not references_in_text(text.lower()):
            # "add it in green too" right after adding: another line of the product just added
            return self._cart(text, self.repo.get_many([int(state.cart[-1]["product_id"])]), state, intent, previous, lang)
        if _ADDING.search(text.lower()):  # "add the red one" where two are red: never a silent no-op
            why = ""
            compared = self.repo.get_many([int(x["id"]) for x in _compared(state)]) \
                if _PRICE_PICK.fullmatch(text.lower().strip(" ¿¡")) else []
            if len(compared) >= 2 and len({p.price for p in compared}) == 1:
                # "I'll take the cheaper one" of two at $92.00: neither is, and that is said
                why = say("same_price", lang, price=money(compared[0].price, compared[0].currency)) + " "
            return why + say("which_of_these" if state.shown else "which_product", lang) + " " + summary
        return summary

    def _change_variant(self, text: str, state: SessionState, just_added: bool, lang: str = "en") -> str:
        """Another size or colour for a cart line: the line the text names, else the one just added, else the only
        one; a size or colour the product does not come in is refused with what it does come in."""
        in_cart = [{"id": x["product_id"], "name": x["name"]} for x in state.cart]
        named = named_products(text, in_cart)
        # "change the red one to blue", "the one in M from M to L": the line whose colour or size is said before "to"
        before_to = re.split(r"\b(?:to|into)\b|换成|改成", _spaced(text).lower())[0]
        by_value = [x for x in state.cart if len(state.cart) > 1 and any(
            v and (len(v) > 1 or re.search(rf"\b(?:from|size|in)\s+{re.escape(v.lower())}\b", before_to))
            and re.search(rf"(?<![\w']){re.escape(v.lower())}(?![\w'])", before_to) for v in (x.get("color"), x.get("size")))]
        if len(by_value) == 1 and (not named or by_value[0]["product_id"] in named):
            lines = by_value
        elif named:
            lines = [x for x in state.cart if x["product_id"] in named]
            if len(lines) > 1 and just_added and state.cart[-1] in lines:
                lines = [state.cart[-1]]  # two sizes of one product: the line just added or changed
        else:
            lines = [state.cart[-1]] if just_added or len(state.cart) == 1 else []
        if len({x["product_id"] for x in lines}) != 1 or len(lines) != 1:
            return say("cart_which_change", lang) + " " + self._cart_summary(state, lang)
        line = lines[0]
        p = self.repo.get(int(line["product_id"]))
        if p is None:
            return self._cart_summary(state, lang)
        text = _spaced(text)
        # the product's own name is no variant asked for ("the Red Rock jacket")
        unnamed = re.sub("|".join(re.escape(w) for w in p.name.split()), " ", text, flags=re.I) if p.name.split() else text
        changed = dict(line)
        # "from large to medium", "de mediana a pequeña", "从M换成L": what follows the last "to" is the new value
        to = r"\b(?:to|into)\b|换成|改成" + (r"|\ba\b" if re.search(r"c[aá]mbi", text.lower()) else "")  # (Spanish "a")
        after_to = re.split(to, unnamed)[-1] if re.search(to, unnamed) else ""
        bare = sizes_in_text("size " + unnamed.strip()) if _only_variant_words(unnamed.lower().strip()) else []  # "M" to "Which size?"
        for key, said, offered in (("size", sizes_in_text(_sized("to " + after_to.strip())) or sizes_in_text(_sized(unnamed)) or bare, p.sizes),
                                   ("color", colors_in_text(after_to)[0] or colors_in_text(unnamed)[0], p.colors)):
            # the shop's own words first ("to Copper", "to 12 cup", "to Medium"); after "to" before the rest
            mine = _own_value(after_to, offered, key) if after_to.strip() else None
            if mine is None and not (after_to.strip() and said):
                mine = _own_value(unnamed, offered, key)
            if mine is not None:
                changed[key] = mine
                continue
            if not said:
                continue
            match = next((o for o in offered if o.lower() == said[-1].lower()), None)
            if match is None and not offered:  # ("it comes in -")
                return say("no_sizes_to_change" if key == "size" else "no_colours_to_change", lang, name=p.name) \
                    + " " + self._cart_summary(state, lang)
            if match is None:
                return say("no_such_size" if key == "size" else "no_such_color", lang, name=p.name, value=said[-1],
                           offered=", ".join(offered)) + " " + self._cart_summary(state, lang)
            changed[key] = match
        if all(changed.get(k) == line.get(k) for k in ("size", "color")):  # "change it to L" when it is L
            return say("cart_already", lang, name=p.name + _variant_words(line, lang)) + " " + self._cart_summary(state, lang)
        if not self._can_send(p.id, changed):  # the line stays what it was: that variant cannot be sent
            return say("cart_sold_out_change", lang, name=p.name + _variant_words(changed, lang)) + " " + self._cart_summary(state, lang)
        same: dict[str, Any] | None = next((x for x in state.cart if x is not line and _same_variant(x, changed)), None)
        if same is not None:  # that variant is already a line: one line of both
            same["qty"] += line["qty"]
            state.cart.remove(line)
            state.cart.remove(same)
        else:
            state.cart.remove(line)
            same = line
            line.update(changed)
            line["price"] = float(self.repo.variant_price(p.id, line.get("size"), line.get("color")) or p.price)
            self._stamp_variant_sku(line)
        state.cart.append(same)  # the line last touched is the one "it" and "make that 3" mean
        return say("cart_changed", lang, name=p.name + _variant_words(same, lang)) + " " + self._cart_summary(state, lang)

    def _stamp_variant_sku(self, line: dict[str, Any]) -> None:
        _set_variant_sku(line, self.repo.variant_sku(int(line["product_id"]), line.get("size"), line.get("color")))

    def _cart_summary(self, state: SessionState, lang: str = "en") -> str:
        if not state.cart:
            return say("cart_empty", lang)
        total = sum(Decimal(str(line["price"])) * line["qty"] for line in state.cart)
        cur = state.cart[0].get("currency") or self.repo.shop_currency()  # lines from before 0.x carry none
        items = ", ".join(f"{line['qty']} × {line['name']}{_variant_words(line, lang)} ({money(line['price'], line.get('currency') or cur)})"
                          for line in state.cart)
        return say("cart_summary", lang, items=items, total=money(total, cur))

    RECENT_ORDERS = 3  # "where is my order?" without a number lists this many of the shopper's latest orders

    def _order_status(self, intent: ShoppingIntent, state: SessionState, *, verified: bool, lang: str = "en") -> str:
        from sqlalchemy import func, select

        with self.db.session() as s:
            if not intent.order_id:
                # "where is my order?": a signed-in customer gets their latest orders; anyone else is asked as before
                customer = self._signed_in_customer(s, state, verified=verified)
                if customer is None and verified and state.owner_verified and (state.user_id or "").strip():
                    return say("orders_none", lang)  # signed in, never ordered: no "please sign in"
                if customer is None:
                    return say("order_ask_number", lang) + self._order_help(lang)
                return self._recent_orders(s, customer, lang)
            order = s.scalar(select(Order).where(func.upper(Order.number) == intent.order_id.upper()))
            customer = s.get(Customer, order.customer_id) if order is not None and order.customer_id else None
            # Only the customer who placed the order may see it; no one else learns whether the number exists
            # (a guest trying numbers gets one answer for real and made-up ones alike)
            if order is None or customer is None or not self._is_signed_in_as(customer, state, verified=verified):
                if self._signed_in_customer(s, state, verified=verified) is not None:
                    return say("order_not_on_account", lang, number=intent.order_id)
                return say("order_sign_in", lang) + self._order_help(lang)
            lines = ", ".join(f"{ln.qty} × {ln.name}" for ln in order.lines)
            return say("order_is", lang, number=order.number, status=order.status, lines=lines, total=money(order.total, order.currency))

    def _order_help(self, lang: str) -> str:
        """The shop's own entry on tracking an order ("Order status": guests track by the link in the email), after
        the request for a number or a sign-in; "" when the shop has none."""
        for doc in self.repo.documents(None, limit=200):
            if re.search(r"\b(?:order status|track(?:ing)?|where is my order|seguimiento|estado del pedido)\b|物流|订单状态", doc.title.lower()):
                return " " + _entry(doc, lang)
        return ""

    @staticmethod
    def _is_signed_in_as(customer: Customer, state: SessionState, *, verified: bool) -> bool:
        """The turn's shopper is this customer: a verified id (never a mere claim, nor the Python API continuing a
        conversation only a claim started) equal to the customer's e-mail or id, whatever its case."""
        uid = (state.user_id or "").strip().lower()
        return bool(verified and state.owner_verified and uid and uid in (customer.email.lower(), str(customer.id)))

    @classmethod
    def _signed_in_customer(cls, s: Any, state: SessionState, *, verified: bool) -> Customer | None:
        """The customer the verified shopper of this turn is (by e-mail or customer id), or None."""
        from sqlalchemy import select

        from catalog.db import unicode_lower

        uid = (state.user_id or "").strip()
        if not (verified and state.owner_verified and uid):
            return None
        found = list(s.scalars(select(Customer).where(unicode_lower(Customer.email) == uid.lower()).limit(2)))
        if uid.isascii() and uid.isdigit() and storable_id(int(uid)):
            by_id = s.get(Customer, int(uid))
            if by_id is not None:
                found.append(by_id)
        # the same rule as for an order asked for by its number
        return next((c for c in found if cls._is_signed_in_as(c, state, verified=verified)), None)

    @classmethod
    def _recent_orders(cls, s: Any, customer: Customer, lang: str = "en") -> str:
        """The customer's latest orders, newest first: number, status, date and total in the order's currency."""
        from sqlalchemy import select

        orders = list(s.scalars(
            select(Order).where(Order.customer_id == customer.id)
            .order_by(Order.placed_at.desc().nulls_last(), Order.id.desc()).limit(cls.RECENT_ORDERS + 1)
        ))
        if not orders:
            return say("orders_none", lang)
        shown = orders[:cls.RECENT_ORDERS]
        head = (say("orders_most_recent", lang, n=len(shown)) if len(orders) > len(shown)
                else say("orders_one", lang) if len(shown) == 1 else say("orders_n", lang, n=len(shown)))
        # "what did I buy last time?": what is in each order, with the size and colour bought
        variant_ids = [ln.variant_id for o in shown for ln in o.lines if ln.variant_id is not None]
        variants = {v.id: v for v in s.scalars(select(Variant).where(Variant.id.in_(variant_ids)))} if variant_ids else {}

        def bought(o: Order) -> str:
            parts = []
            for ln in o.lines[:5]:
                v = variants.get(ln.variant_id) if ln.variant_id is not None else None
                bits = [b for b in ((v.size, v.color) if v is not None else ()) if b and b not in ln.name]
                parts.append(ln.name + (f" ({', '.join(bits)})" if bits else "") + (f" ×{ln.qty}" if ln.qty != 1 else ""))
            return ", ".join(parts) + (" …" if len(o.lines) > 5 else "")

        items = "\n".join(
            # an order whose source gave no date is said without one, never with the day it was imported
            say("orders_item" if o.placed_at is not None else "orders_item_undated", lang, i=i, number=o.number, status=o.status,
                date=f"{o.placed_at:%Y-%m-%d}" if o.placed_at is not None else "", total=money(o.total, o.currency), items=bought(o))
            for i, o in enumerate(shown, 1)
        )
        return f"{head}\n{items}\n" + say("orders_hint", lang, number=shown[0].number)

    def _policy(self, text: str, lang: str = "en") -> str:
        """The shop's own entry on what is asked (`shopassist catalog import policies.md`), quoted; never made up."""
        # "it doesn't fit", "how many days to send it back?": a return, whatever else the words are near
        # ("cash on delivery" is about paying, whatever "delivery" is near)
        hint = "returns refund " if _ABOUT_RETURNS.search(text.lower()) else "payment pay " if _ABOUT_PAYING.search(text.lower()) else ""
        docs = self.repo.documents(hint + text, limit=1)
        if docs:
            return _entry(docs[0], lang)
        # nothing on that: how to reach the shop, where the shop says so
        contact = self._contact_entry()
        return say("no_policy", lang) + (" " + _entry(contact, lang) if contact is not None else "")

    def _contact_entry(self) -> Any:
        """The shop's entry on how to reach it, if it has one."""
        return next((d for d in self.repo.documents("contact customer service", limit=1)
                     if "contact" in policy_topics(d.title + " " + d.body)), None)



MAX_PHOTO_PIXELS = 40_000_000  # a shopper's photo: width × height (the HTTP API's limit too)


def shopper_photo(image: Any) -> Any:
    """A shopper's photo (PIL image, its bytes, a file path or an http(s) URL) as an RGB PIL image; anything that is
    not one, or one of more than MAX_PHOTO_PIXELS, is an AssistantInputError saying what is wrong."""
    from PIL import Image, UnidentifiedImageError

    from catalog.images import ImageTooLargeError, open_image
    from retrieval.images import load_image

    try:
        if isinstance(image, Image.Image):
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise ImageTooLargeError((image.width, image.height), MAX_PHOTO_PIXELS)
            return image.convert("RGB")
        if isinstance(image, (bytes, bytearray, memoryview)) or (isinstance(image, (str, Path)) and Path(str(image)).expanduser().is_file()):
            with open_image(bytes(image) if isinstance(image, (bytes, bytearray, memoryview)) else Path(str(image)).expanduser(),
                            max_pixels=MAX_PHOTO_PIXELS) as probe:
                probe.verify()
        return load_image(image)
    except ImageTooLargeError as exc:
        raise AssistantInputError(str(exc)) from None
    except FileNotFoundError:
        raise AssistantInputError(f"no photo at {image}: check the path") from None
    except (UnidentifiedImageError, SyntaxError, Image.DecompressionBombError):
        raise AssistantInputError("the photo is not a readable image (PNG, JPEG, WebP, GIF or BMP)") from None
    except OSError as exc:  # (urllib's URLError is an OSError: an address that cannot be read)
        raise AssistantInputError(f"the photo could not be read ({exc})") from None


def _check_ids(session_id: Any, user_id: Any) -> None:
    """AssistantInputError for a session or user id that is no proper text id (an int, a uuid object, "a b/c")."""
    if session_id is not None and (not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id)):
        raise AssistantInputError("'session_id' must be a str of 1-128 letters, digits or _ . : -"
                                  + ("" if isinstance(session_id, str) else f" (got {type(session_id).__name__}; use str(...))"))
    if user_id is not None and not isinstance(user_id, str):
        raise AssistantInputError(f"'user_id' must be a str, not {type(user_id).__name__} (use str(...))")
    if user_id is not None:
        _check_encodable(user_id, "'user_id'")


def _check_encodable(text: str, what: str) -> None:
    """AssistantInputError for text that is no valid Unicode: a lone UTF-16 surrogate (half an emoji, as JSON
    "\\ud800") cannot be stored, embedded or sent back, and failed deep inside a turn as an internal error."""
    bad = LONE_SURROGATE.search(text)
    if bad:
        raise AssistantInputError(f"{what} holds an invalid character at position {bad.start() + 1} (a lone UTF-16 surrogate "
                                  f"U+{ord(bad.group()):04X}, half of a character such as an emoji): send valid Unicode text")


LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # (the HTTP API refuses such text with it too)


def _entry(doc: Any, lang: str) -> str:
    """A policy as "Shipping: …", an FAQ entry as its question and answer ("Do you gift-wrap? Yes, …"). The shop's
    own words are quoted as written; asked in Spanish or Chinese about an entry the shop wrote in English, the
    reply says so first (it is never translated by guess)."""
    written = detect_language(f"{doc.title} {doc.body}")
    lead = say("policy_in_english", lang) + " " if lang in ("es", "zh") and written == "en" else ""
    if doc.title.rstrip().endswith(("?", "？")):
        return f"{lead}{doc.title} {doc.body}"
    return lead + say("policy_answer", lang, title=doc.title, body=doc.body)


def _at_positions(shown: Sequence[dict[str, Any]], positions: Sequence[int]) -> list[dict[str, Any]]:
    """The products on screen at these positions (1 = first, -1 = last); one off the list is left out."""
    return [shown[r - 1 if r > 0 else len(shown) + r] for r in positions if r != 0 and -len(shown) <= r <= len(shown)]


def _listed(cards: Sequence[ProductCard]) -> list[dict[str, Any]]:
    """Products as the session remembers a list on screen: id, name and price, in display order."""
    return [{"id": c.id, "name": c.name, "price": float(c.price)} for c in cards]


# Capitalised words after the first word of a sentence: "Nike", "IKEA" (not "I")
_NAMES = re.compile(r"(?<![.!?¿¡]\s)(?<![¿¡])(?<!^)(?<!\A)\b(?:[A-Z][a-z]{2,}|[A-Z]{3,})\b")
# "which one is lighter?", "which of them is warmer?", "¿cuál es mejor?", "哪个更轻？"
_ASKS_REVIEWS = re.compile(r"\b(?:reviews?|ratings?|rated|stars|reseñas?|valoraci[oó]n(?:es)?)\b|评价|评分|好评")
# "la quiero en azul": the one product in view (or just added) wanted, so the cart; after a list, a refinement
_ES_WANT_IT = re.compile(r"^\s*(?:(?:y|vale|ok|entonces|bueno|pues|s[ií])[\s,]+)*(?:lo|la)\s+quiero\b(?!\s+(?:ver|m[aá]s)\b)")
# words around a sort that narrow nothing ("pants maybe under 50": "maybe" is no kind of pants)
_SORT_FILLER = frozenset("maybe perhaps probably possibly ideally preferably really very also just only something anything".split())  # noqa: SIM905
_ASKING_WORDS = frozenset("do does you your sell carry have got any some the a an is are there what which".split())  # noqa: SIM905
_BACK_IN_STOCK = re.compile(r"\bwhen (?:will|is|does|do|are) (?:it|this|that|they|these|those|the \w+(?: \w+)?) (?:be |come |get )?"
                            r"(?:back|in stock|available|restocked)\b|\brestock|\bback in stock\b|\bcu[aá]ndo (?:vuelve|volver[aá]|llega)|什么时候(?:到货|补货|有货)")
# a question about the product in view that names no product: its reviews, when it will be back
_ASKS_ABOUT_IT = re.compile(r"^\s*(?:what|how|any|are there|show me the|tell me about the)\b.*\b(?:reviews?|ratings?|rated|stars)\b|"
                            + _BACK_IN_STOCK.pattern)
_ABOUT_THEM = re.compile(r"^\s*(?:do you have|have you got|got|are|do|does|can i get|will)\b.*\b(?:them|they)\b|\b(?:are|do|will) they\b")
# "agrégala", "añádelo", "ponla": the verb carries the "it"
_ES_ADD_IT = re.compile(r"\b(?:agr[eé]ga|a[ñn]ád[e]|a[ñn]ade|p[oó]n|m[eé]te|c[oó]mpra)(?:la|lo|las|los)\b")
_DROPPED_IT = re.compile(
    r"^\s*¿\s*(?:viene|vienen|es|cuesta|queda|quedan|lo tienen|la tienen)\b|"
    r"^\s*¿\s*(?:tiene|hay)\s+(?:stock|existencias|en\s+\w+|capucha|bolsillos)\b|"
    r"^\s*¿\s*(?:est[aá])\s+(?:disponible|en stock|agotad)|^\s*¿\s*(?:cu[aá]nto|qu[eé] precio)\s+(?:cuesta|vale|es)\b|"
    r"^\s*¿\s*de qu[eé] (?:material|tela)\b|"
    # "¿qué colores tiene?", "¿en qué tallas viene?", "¿qué dicen las reseñas?", "¿tiene reseñas?"
    r"^\s*¿?\s*(?:en\s+)?qu[eé]\s+(?:colores|tallas|medidas|materiales)\s+(?:tiene|tienen|viene|vienen|hay|trae)\b|"
    r"^\s*¿?\s*qu[eé]\s+(?:dicen|opinan)\b|^\s*¿?\s*(?:tiene|hay)\s+(?:reseñas|opiniones|valoraciones)\b|"
    r"^\s*(?:有(?:什么|哪些)(?:颜色|尺码|码)|(?:评价|评论)怎么样|大家怎么说)[?？]?\s*$|"
    # "有蓝色的吗？", "有货吗？", "多少钱？", "是什么材料？" (Chinese drops the "it" too)
    r"^\s*(?:有(?:货|现货|库存|.{0,3}色|.{0,3}码|[SMLX]{1,3}码?)的?吗|有没有货|多少钱|(?:是)?什么材料|几码)[?？]?\s*$")
_COMES_IN = re.compile(r"\b(?:come|comes|available|have it|has it|get it|do you have|in stock|viene|vienen|hay|tiene|tienen|tienes|disponible)\b|有.*吗|有没有")
_ANOTHER_LINE = re.compile(r"\b(?:too|also|another|as well|more|again|other|second one|one more|tambi[eé]n|otr[oa])\b")
_WHAT_PEOPLE_SAY = re.compile(r"what do (?:people|customers|shoppers|buyers|others|users) (?:say|think)|opiniones|qu[eé] dicen|评论|评价")
_WHICH_OF_THEM = re.compile(r"\bwhich (?:one|is|of (?:them|these|those|the two))\b|\bcu[aá]l\b|哪个|哪一个|哪款|哪一款")
# "the purple one", "the light blue one", "la roja", "el azul", "红色的那个"
_COLOUR_ONE = re.compile(r"\b(?:the|that|this)\s+(?:[a-z]+\s+)?[a-z]+\s+one\b|\b(?:el|la)\s+[a-záéíóúñ]+\b|\S{1,3}色的那?[个件]")
# "is the Fusion Backpack in stock?", "what sizes does the Hero Hoodie come in?", "how much is the X?"
# (at the start of the message or of a clause: "I read good reviews about the Hero Hoodie, is it warm?")
_ASKS_ABOUT = re.compile(r"(?:^|[,.;:!]|\b(?:so|but|and)\b)\s*(?:is|are|does|do|did|can|what|how much|how many|which|tell me about|more about|¿?(?:tiene|es|está|qué|cuánto))\b")
# ... but not "do you have something like the Fusion Backpack, cheaper?": a search
# "I have the Nomad Tunnel Tent, what backpack would go with it?": a search for what goes with one they own
_OWNS = re.compile(r"\bi (?:already )?(?:have|own|bought|got)\b|\bgoes? with\b|\bmatch(?:es|ing)? (?:it|my|the)\b")
_OWN_WORDS = frozenset(["already", "have", "bought", "does", "come", "would", "with", "what", "which", "this", "that", "good",
                        "need", "want", "something", "anything", "goes", "match", "matches", "also"])
_LIKE_OTHER = re.compile(r"\b(?:like|similar|cheaper|alternative|instead|other than|besides|parecid|como)\b")
_VIEWS_CART = re.compile(r"\btotal\b|\bwhat(?:'?s| is) in\b|\b(?:show|view|see|check|open)\b.*\b(?:cart|basket)\b|\bmy (?:cart|basket)\b|"
                         r"\bver\b.*\bcarrito\b|购物车里|查看购物车|总共|一共")
# "the cheaper one", "I'll take the more expensive one", "add the cheaper one to my cart", "¿y el más barato?", "便宜的那个":
# a pick by price among the products just compared, and nothing else
_PRICE_PICK = re.compile(
    r"(?:(?:ok(?:ay)?|so|then|and|yes|yeah|great|fine|hmm|well|y|vale|pues|entonces|bueno|s[ií])[\s,]+)*"
    r"(?:(?:i'?ll (?:take|get|have|go with)|i (?:want|prefer|choose|like)|i'?d (?:like|prefer|take|go with)|give me|"
    r"let'?s (?:go with|take|get)|go with|add|buy|get me|quiero|prefiero|me quedo con|me llevo|dame|a[ñn]ade|agrega)\s+)?"
    r"(?:the|el|la)\s+(?:cheaper|less expensive|lower[- ]priced|more expensive|dearer|pricier|m[aá]s barat[oa]|m[aá]s car[oa])"
    r"(?:\s+(?:one|of (?:the two|them|those|both|the 2)|option))?"
    r"(?:\s+(?:to|in|into) (?:my|the) (?:cart|basket|bag)|\s+al carrito)?(?:[\s,]+(?:please|then|thanks|por favor))*\s*[.!?]*"
    r"|(?:我要|要|那就|就)?(?:更)?(?:便宜|贵)的那个(?:吧)?(?:加入购物车)?\s*[。！!？?]*")
_DEARER_PICK = re.compile(r"more expensive|dearer|pricier|m[aá]s car[oa]|贵的那个")


def _compared(state: SessionState) -> list[dict[str, Any]]:
    """The products the last comparison was about: those in focus, else those the one it singled out ("is the third
    cheaper than the first?": the third) was compared with."""
    if len(state.focus) >= 2:
        return state.focus
    return list(state.focus[0].get("compared") or []) if len(state.focus) == 1 else []


# "I want to check out the first one", "let me take a look at the second one": to look at it (the pick is what is left)
# ("look at the first one", "let me see the second", "show me the third one": the same)
_LOOKS_AT = re.compile(r"\b(?:check(?:ing)?\s+out|(?:take|have)\s+a\s+(?:closer\s+|quick\s+)?look\s+at|look(?:ing)?\s+(?:closer\s+)?at|"
                       r"let\s+me\s+(?:see|view)|show\s+me|see)\b")
_ADDING = re.compile(r"\badd\b|\bbuy\b|\bi'?ll take\b|a[ñn]a[dď]|a[ñn]ád|agr[eé]g|\bp[oó]n(?:lo|la|los|las)\b|加入|加到|放进|加[一两二三四五六七八九十\d]+[件个条双]|"
                     r"\bm[eé]te(?:lo|la|los|las)\b|\bc[oó]mpra(?:lo|la|los|las)\b|"
                     r"^\s*(?:(?:y|vale|ok|entonces|bueno|pues|s[ií])[\s,]+)*(?:me\s+)?(?:lo|la|los|las)\s+(?:compro|llevo|pido|quedo)\b|"
                     r"^\s*(?:(?:y|vale|ok|entonces|bueno|pues|s[ií])[\s,]+)*me\s+(?:llevo|quedo(?:\s+con)?)\s+(?:el|la|los|las|est[eao]s?|es[eao]s?)\b|"
                     # "put it in my basket", "pop the second one in the bag", "stick it in my cart"
                     + PUT_IN_CART)
# questions every product of a list can answer at once: colours, sizes, stock
_ASKS_VARIANTS = re.compile(r"\b(?:colou?rs?|sizes?|tallas?|colores|in stock|available|disponibles?)\b|颜色|尺码|有货")
_COMPARATIVE = re.compile(r"\b(lighter|heavier|warmer|cooler|smaller|bigger|larger|longer|shorter|softer|stronger|"
                          r"thicker|thinner|sturdier|comfier|more comfortable|more durable)\b")
_COUNT_OF_KIND = re.compile(r"how many (?:different |kinds of |types of )?(?P<what>[a-z'&\- ]+?) (?:do|does|can) (?:you|the shop|your shop|u)"
                            r" (?:have|sell|carry|stock|offer|got)\b.*|cu[aá]nt[oa]s (?P<es>[a-záéíóúñ ]+?) (?:tienen|ten[eé]is|venden|hay)\b.*")
_POINTING = frozenset(["them", "these", "those", "it", "of them", "of these", "of those", "of it", "of this", "of that", "one", "ones",
                       "of the first", "of the second", "left", "quedan"])
# "show me all grinders including out of stock ones", "even the sold-out ones", "incluso agotados", "包括缺货的"
_WITH_SOLD_OUT = re.compile(r"\b(?:including|incl\.?|with|even|also|plus|and)\s+(?:the\s+|those\s+|ones\s+)?(?:that are\s+)?"
                            r"(?:out[- ]of[- ]stock|sold[- ]out|unavailable)\b|\b(?:out[- ]of[- ]stock|sold[- ]out)\s+(?:ones\s+|items\s+)?too\b|"
                            r"\bincluso (?:los |las )?agotad[oa]s\b|\bcon (?:los |las )?agotad[oa]s\b|包括缺货|缺货的也")
_NOTHING_UNDER = re.compile(r"Nothing under \S+(?: matches)?; the cheapest (?:of the [^.]+? )?is \D?(?P<lo>[\d,]+(?:\.\d+)?)")
# "how many are left?", "how many of the first one do you have?", "how many do you have in M?" (never "how many
# pockets does it have?" or "how many days do I have to send it back?")
_HOW_MANY = re.compile(r"\bhow many(?:\s+(?:of\s+(?:them|these|those|it|this|that|the\s+\w+(?:\s+\w+)?)|units?|pieces?|items?))?"
                       r"\s+(?:are|is|do you (?:still )?have|have you got|you have|left|in stock|available|remain|remaining|can i (?:get|buy|order))\b|"
                       r"\bhow many\s*[?!.]*$|"
                       r"\bcu[aá]nt[oa]s\b.*\b(?:quedan|queda|hay|tienen|ten[eé]is|stock|disponibles?)\b|还有多少|有多少件|多少件|库存")
_YES_NO = re.compile(r"^\s*(?:is|are|does|do|can|will|has|have)\b")
_YES_NO_OTHER = re.compile(r"(?:^|[¿\s])(?:tiene|tienen|lleva|llevan|es|son|está|viene|incluye|trae)\b|吗|有没有|是不是|是否")
_NOT_A_PROPERTY = frozenset("""
first second third fourth fifth sixth seventh eighth ninth tenth last this that these those them they does have come comes what which about more tell
need needs must
show please there with good sizes size colours colors colour color available stock cost costs much price made from
make brand really also kind sort type well ones other others different sell sells selling carry carries""".split())  # noqa: SIM905


MAX_QUANTITY = 20  # one chat line never orders more of one product than this
_NUMBER_WORDS = {"a couple of": 2, "a couple": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "两": 2, "二": 2, "三": 3}
_N = r"(?P<n>\d{1,4}|a couple(?: of)?|two|three|four|five|six|seven|eight|nine|ten|dos|tres|cuatro|cinco)"
# "2 of them", "add 2 of those", "two pairs", "x3", "qty 2", "añade dos", "两件"
_QUANTITY = re.compile(rf"(?<!size )(?<!size: )(?<!talla )(?<!número )(?<!numero )\b{_N}\s+(?:of\s+(?:them|those|these|it|the|that)\b|pieces?\b|units?\b|pairs?\b|items?\b|unidades\b|piezas?\b|pares\b)|"
                       rf"^\s*(?:(?:please|ok(?:ay)?|also|and|then)[\s,]+)*(?:add|buy|put|pop|stick|añade|agrega)\s+{_N.replace('P<n>', 'P<n2>')}\b|"
                       r"\bx\s?(?P<n3>\d{1,2})\b|\bqty:?\s*(?P<n4>\d{1,2})\b|(?P<n5>[两三四五])[件个条双]")
# "one of them", "any of those": the products a plural points at, never the one line just added
_OF_THEM = re.compile(r"\b(?:of|from)\s+(?:them|those|these)\b|\b(?:one|any)\s+of\s+(?:my|the)\s+(?:items|lines|things)\b|"
                      r"\b(?:un[oa]|alguno|alguna)\s+de\s+(?:ellos|ellas|esos|esas|estos|estas)\b|其中")
# "remove one of them", "take 2 out", "remove 1 Teton hoodie": that many fewer
_REMOVAL_COUNT = re.compile(r"\b(?:remove|delete|take|drop)\s+(\d{1,2}|one|two|three|a couple)\b(?!\s*(?:st|nd|rd|th)\b)|"
                            # "quita una", "saca dos", "删除一件", "去掉两件"
                            r"\b(?:quita|elimina|saca|borra)\s+(una|uno|un|dos|tres|\d{1,2})\b|(?:删除|删掉|去掉|拿掉|减少?)\s*([一两二三\d])[件个条双]|"
                            r"\b(\d{1,2}|one|two|three|a couple)\s+of\s+(?:them|those|these|it|the)\b(?=.*\b(?:remove|delete|take|drop)\b)|"
                            r"\b(?:remove|delete|take|drop)\b.*?\b(\d{1,2}|one|two|three|a couple)\s+of\s+(?:them|those|these|the)\b")
# "any bags on sale?", "discounted jackets", "what's on special", "¿hay algo en oferta?", "有打折的吗"
ON_SALE = re.compile(r"(?<!not )(?<!no )(?<!n't )(?<!not be )\bon (?:sale|special)\b|\bdiscount(?:ed|s)?\b|\bdeals?\b(?!\s+with)|\bclearance\b|\bmarked down\b"
                     r"|\ben (?:oferta|rebaja)s?\b|\brebajad[oa]s?\b|\bcon descuento\b|打折|特价|促销|优惠", re.I)
_SALE_FILLER = frozenset(["what", "whats", "is", "are", "s", "there", "anything", "something", "do", "does", "you", "have", "got", "any", "items", "item", "products", "product", "things", "stuff", "show", "me", "all", "your", "today", "now", "currently", "right", "qué", "que", "hay", "algo", "tienes", "tiene", "algún", "alguna", "productos", "cosas"])
# the whole shop, not the need on screen ("what's the cheapest one you have?" after jackets is the cheapest jacket)
_SHOP_WIDE = re.compile(r"\b(?:(?:things?|products?|items?|stuff) (?:that )?you (?:sell|carry|have|stock)|"
                        r"(?:the|your) (?:whole |entire )?(?:shop|store|catalog(?:ue)?)|everything|"
                        r"que (?:tenéis|teneis|tienen|vendéis|venden)|de la tienda)\b|你们(?:店|家)|店里|全店|所有商品")
_NOTHING_COSTS = re.compile(r"\b(?:under|below|less than|cheaper than|menos de)\s*(?:\$|€|£)?\s*(?:-\s*\d+(?:\.\d+)?|0(?:\.0+)?)(?![\d.])")
_SHOP_VALUES = re.compile(r"(?:(?:what|which)\s+(sizes|colou?rs|brands)\s+(?:do|does|can)\s+(?:you|the shop|your shop)\s+(?:have|carry|sell|offer|stock)"
                          r"|¿?qu[eé]\s+(tallas|colores|marcas)\s+(?:tienen|tienes|hay|venden)|你们有(?:哪些|什么)(尺码|颜色|品牌))\s*[?？!.]*$")
_ANY_PRODUCT = frozenset(["recommend", "suggest", "me", "something", "anything", "good", "nice", "popular", "best", "show",
                          "what's", "thing", "things", "sell", "carry", "cheapest", "most", "least", "expensive", "priciest",
                          "the", "a", "an", "of", "in", "for", "is", "it", "everything", "can", "i", "buy", "your", "store",
                          "shop", "whole", "entire", "here", "and", "then", "one", "ones", "which", "you", "have", "got",
                          "don't", "dont", "want", "please", "nothing",
                          # "¿qué es lo más barato que tenéis?", "¿y lo más caro de la tienda?"
                          "qué", "que", "es", "lo", "más", "mas", "tenéis", "teneis", "tienen", "tienes", "vendéis", "venden",
                          "tienda", "de", "la", "el", "cosa", "algo", "cuál", "cual", "hay", "y", "todo", "producto", "productos"])
# "你们最便宜的东西是什么？" less its price words: what names no product
_ZH_FILLER = re.compile(r"你们家?|店里|全店|所有|最|贵|便宜|东西|商品|产品|是什么|是哪个|什么|哪个|哪款|的|呢|吗|有|一下|请问|[?？!！。，,\s]")
_WHAT_ABOUT = re.compile(r"(?:(?:and|so|ok|okay|hmm)[\s,]+)?(?:what|how) about (?:some |any |the )?([a-z]+)\s*[?.!]*")
# "what goes with this jacket?", "what can I wear with it?", "complete the look", "¿qué combina con esta?", "配什么"
_GOES_WITH = re.compile(r"\bwhat (?:else )?(?:goes|would go|will go|goes well|matches|pairs|can i (?:wear|use|get)|should i (?:wear|get|buy)|"
                        r"to (?:wear|get))(?: well)? with (?:it|this|that|these|them|the \w+(?: \w+)?|my \w+)\b|\bcomplete the look\b|"
                        # "what matches the Luma watch?", "what would match it?"
                        r"\bwhat (?:else )?(?:would |will |could )?match(?:es)? (?:it|this|that|these|them|the \w+|my \w+)\b|"
                        r"\b(?:go|goes) (?:well )?with (?:it|this|that)\?|\bcomplementary (?:products|items)\b|"
                        r"\bqu[eé] (?:combina|va bien|puedo llevar) con\b|搭配什么|配什么|什么搭配")
# ... the product it names ("the watch", "my jacket"), from the determiner on
_GOES_WITH_THE = re.compile(r"\b(?:the|my)\s+(?P<what>[^\W_].*)$")
# "show me more like the first one", "anything similar to the second one?", "algo parecido al primero"
_SIMILAR_TO_PICK = re.compile(r"^\s*(?:(?:ok(?:ay)?|and|so|please|can you|could you)[\s,]+)*(?:show me |find me |give me |do you have |got )?"
                              r"(?:(?:some|any)\s*)?(?:more|others?|something|anything|items?|ones?|products?)?\s*(?:like|similar to)\s+"
                              r"(?:the\s+)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d{1,2}(?:st|nd|rd|th)?|number \d{1,2})(?: one)?\s*[?.!]*$|"
                              r"^\s*(?:algo|productos?|m[aá]s)\s+(?:parecidos?|similar(?:es)?)\s+a(?:l| la)\s+(?:primer[oa]?|segund[oa]|tercer[oa]?|[uú]ltim[oa])")
# "show me similar items", "more like this", "anything similar?", "algo parecido", "类似的": about the one in view
_SIMILAR = re.compile(r"¿?\s*(?:(?:ok(?:ay)?|and|so|please|can you|could you|show me|find me|do you have|have you got|got|any|y|tienes|tienen|hay|"
                      r"mu[eé]strame|ens[eé][ñn]ame)[\s,]*)*"
                      r"(?:more (?:like (?:this|that|it)(?: one)?|of (?:these|this kind))|(?:something|anything|items?|ones?|products?|"
                      r"things?|others?) (?:similar|like (?:this|that|it)(?: one)?)(?: to (?:this|that|it)(?: one)?)?|"
                      r"similar (?:items?|ones?|products?|things?|styles?)|similar ones|similar|alternatives|"
                      r"algo (?:parecido|similar)|(?:productos? )?(?:parecidos|similares)|类似的(?:商品|产品)?|相似的(?:商品|产品)?)"
                      r"(?:\s+please)?[\s?!.？！。]*")
# "something similar to the Adrienne Trek Jacket", "anything like the Luma watch?", "more like the camp lantern": the
# product named, not its words searched (it listed the jacket itself first)
_SIMILAR_TO_NAMED = re.compile(r"\b(?:similar to|alternatives? to|comparable to|(?:something|anything|more|others?|items?|products?|ones?|"
                               r"things?|stuff)(?: \w+)? like)\s+(?P<what>(?:the|this|that|your|my)\s+[^\W_].*|[A-Za-z0-9].*)$",
                               re.I)
# "more like the one I liked", "similar to what I liked", "algo parecido a lo que me gustó", "和我喜欢的类似的": the
# products this conversation liked, not those words searched
_SAID_LIKE = re.compile(r"\bi (?:really |quite )?(?:like|love|fancy)\b|\bme (?:gusta|encanta)|我喜欢")
_LIKED_SIMILAR = re.compile(r"\b(?:like|similar to|close to)\s+(?:the\s+)?(?:ones?|things?|items?|products?|what|those|that|stuff)?\s*"
                            r"(?:that\s+|which\s+)?i(?:'ve| have)?\s+(?:liked|favou?rited|saved|loved|gave a thumbs up)\b|"
                            r"\b(?:like|similar to)\s+my\s+(?:likes|favou?rites)\b|"
                            r"(?:parecid[oa]s?|similar(?:es)?|como)\s+(?:a\s+)?(?:lo|los|las|el|la)\s+que\s+me\s+(?:gust[oó]|gustaron|ha(?:n)? gustado)|"
                            r"(?:和|跟|与|像)我喜欢的.*(?:类似|相似|一样|差不多)|类似我喜欢的|像我喜欢的")
# "the …" that opens a product's name, not a pick, a rank or a topic ("the one I liked", "the cheapest", "the price")
_THE_NAME = re.compile(r"\b(?:the|this|that|your|my)\s+")
_NOT_A_NAME = frozenset("""one ones first second third fourth fifth last other others same next previous cheapest cheaper best
price cost rest shop store cart basket total difference size sizes colour color colours colors review reviews delivery shipping
order return returns policy stock way thing things item items product products""".split())  # noqa: SIM905
# the colour filter relaxed in words ("in red" said earlier): "any colour is fine", "doesn't have to be red",
# "other colours too", "not just red"
_COLOUR_RELAX = re.compile(r"\b(?:any|all|whatever) colou?rs?\b(?!\s+but\b)|\bcolou?r (?:does(?:n'?t| not)|is not|isn'?t) "
                           r"(?:matter|important)|\b(?:other|different) colou?rs? (?:too|as well|also)\b|\b(?:does(?:n'?t| not)|"
                           r"need(?:n'?t| not)) (?:have to |need to )?be (?P<val>[a-z]+)\b|\bnot (?:only|just) (?:in )?(?P<val2>[a-z]+)\b")
# any other requirement of the need relaxed in words ("a waterproof jacket", then "it doesn't have to be waterproof",
# "waterproof isn't necessary", "not necessarily for hiking", "size doesn't matter"): what is relaxed is `what`
_WHAT_RELAXED = r"[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,2}"
# a budget said as one ("doesn't have to be under 100", "not necessarily below $80", "no tiene que ser de menos de 100")
_PRICE_RELAXED = (r"(?:(?:under|below|less than|over|above|more than|within|at most|at least|up to|between)|"
                  r"(?:de\s+)?(?:menos\s+de|por\s+debajo\s+de|m[aá]s\s+de|por\s+encima\s+de|hasta|entre))\s+"
                  r"[$€£]?\s?\d[\d,.]*(?:\s*(?:and|to|y|-)\s*[$€£]?\s?\d[\d,.]*)?(?:\s*(?:dollars?|bucks|usd|euros?|eur|d[oó]lares)\b)?")
_PRICE_SAID = re.compile(_PRICE_RELAXED)
_PRICE_CAP = r"\b(?:under|below|less|within|most|up|menos|debajo|hasta)\b"  # (which end of it: the cap ...
_PRICE_FLOOR = r"\b(?:over|above|more|least|m[aá]s|encima)\b"  # ... or the floor)
_NEED_RELAX = re.compile(
    r"\b(?:does(?:n'?t| not)|do(?:n'?t| not)|need(?:n'?t| not))\s+(?:(?:(?:have|need|got)\s+to\s+|need\s+(?:it|them|one)\s+to\s+|"
    rf"necessarily\s+)?be|(?:have|need|got)\s+to\s+have)\s+(?:(?:necessarily|a|an|so|that|all|just|only|strictly)\s+)*(?P<what>{_PRICE_RELAXED}|{_WHAT_RELAXED})|"
    rf"\bnot\s+(?P<only>necessarily|only|just)\s+(?:(?:a|an)\s+)?(?P<what2>{_PRICE_RELAXED}|{_WHAT_RELAXED})|"
    r"(?:^|\b(?:the|and|but|so|being)\s+)(?P<what3>[a-z][\w'-]*(?:\s+[a-z][\w'-]*)?)\s+(?:(?:is|are)(?:n'?t| not)\s+(?:really\s+|that\s+|so\s+)?"
    r"(?:needed|necessary|required|important|essential|a must|a requirement|a priority)|is no longer needed|"
    r"(?:does(?:n'?t| not)|do(?:n'?t| not))\s+(?:really\s+)?matter)\b|"
    # "forget the budget", "never mind the size", "I don't care about the price" (a filter named: "forget the jacket" is not)
    r"\b(?:forget|ignore|never\s?mind|skip|scrap)\s+(?:about\s+)?(?:the\s+|my\s+|that\s+|your\s+)?"
    r"(?P<what4>budget|prices?|price\s+(?:range|cap)|sizes?|colou?rs?|brands?)\b(?!\s+(?:filters?|limit|constraint))|"
    r"\b(?:i\s+)?do(?:n'?t| not)\s+(?:really\s+)?care\s+(?:about|for)\s+(?:the\s+)?(?P<what5>budget|prices?|sizes?|colou?rs?|brands?)\b")
# the same in Spanish ("no tiene que ser impermeable", "el precio no importa", "la talla da igual", "olvida el presupuesto")
_ES_RELAXED = r"[a-záéíóúñü][\wáéíóúñü'-]*(?:\s+[a-záéíóúñü][\wáéíóúñü'-]*){0,2}"
_NEED_RELAX_ES = re.compile(
    # "no solo chaquetas, también bufandas": widened (see `_widened`)
    rf"\bno\s+(?P<only>s[oó]lo|solamente|[uú]nicamente)\s+(?:(?:un|una|unos|unas|las|los|el|la)\s+)?(?P<what7>{_ES_RELAXED})|"
    r"\bno\s+(?:tiene(?:n)?\s+(?:que|por\s+qu[eé])\s+ser|hace\s+falta\s+que\s+sea(?:n)?|necesita(?:n)?\s+ser|"
    r"es\s+necesario\s+que\s+sea(?:n)?|necesariamente(?:\s+tiene(?:n)?\s+que\s+ser)?)\s+(?:(?:un|una|unos|unas)\s+)?"
    rf"(?P<what>{_PRICE_RELAXED}|{_ES_RELAXED})|"
    r"(?:^|\b(?:el|la|los|las|y|pero|que)\s+)(?P<what3>[a-záéíóúñü]+)\s+(?:no\s+(?:me\s+)?importa(?:n)?|(?:me\s+)?da(?:n)?\s+igual|"
    r"no\s+es\s+importante|es\s+lo\s+de\s+menos)\b|"
    r"\b(?:me\s+)?da\s+igual\s+(?:el|la|los|las)\s+(?P<what4>[a-záéíóúñü]+)|"
    r"\bolv[ií]da(?:te)?\s+(?:de\s+)?(?:el|la|los|las|del|mi)\s+(?P<what5>precios?|presupuesto|tallas?|colou?r(?:es)?|marcas?)\b|"
    r"\bcualquier\s+(?P<what6>precio|talla|color|marca)\b")
# ... and in Chinese ("不一定要防水", "价格无所谓", "尺码无所谓")
_NEED_RELAX_ZH = re.compile(
    # "不只是夹克，围巾也要": widened (see `_widened`)
    r"(?P<only>不只|不仅|不光|不止)(?:是|要|有)?(?P<what6>[\u4e00-\u9fff]{1,6}?)(?:的)?(?=$|[\s，。！？,.!?;；]|也|还)|"
    r"(?:不一定(?:要|得|需要|非要|非得)?|不必(?:要)?|不需要|没必要|不用|不要求)(?:是)?(?![了啦吧啊呢])(?P<what>[\u4e00-\u9fff]{1,6}?)(?:的)?"
    r"(?=$|[\s，。！？,.!?;；~]|也|了|啦|吧)|"
    r"(?:什么|任何|哪种|啥)?(?P<what3>[\u4e00-\u9fff]{1,4}?)(?:都)?(?:不重要|无所谓|没关系|不限|随意|随便)|"
    # "都行 / 都可以" ("either is fine") relaxes a filter named ("颜色都行", "什么尺码都可以") or a wish said both ways
    # ("防水不防水都行"); after values it keeps them ("红色蓝色都行", "M码L码都行", "100元以下都行": red or blue, ...)
    r"(?:什么|任何|哪种|啥)?(?P<what4>颜色|尺码|尺寸|码数|价格|价钱|价位|预算|品牌)都(?:行|可以)|"
    r"(?P<what5>[\u4e00-\u9fff]{1,3}?)不(?P=what5)都(?:行|可以)")
# the filter a relaxed word names, in the shopper's words ("budget", "precio", "尺码")
_FILTER_NAMES = {
    "price": "price", "prices": "price", "budget": "price", "price range": "price", "price cap": "price", "precio": "price",
    "precios": "price", "presupuesto": "price", "价格": "price", "价钱": "price", "预算": "price", "价位": "price",
    "size": "size", "sizes": "size", "talla": "size", "tallas": "size", "尺码": "size", "尺寸": "size", "码数": "size",
    "colour": "colour", "color": "colour", "colours": "colour", "colors": "colour", "colores": "colour", "颜色": "colour",
    "brand": "brand", "brands": "brand", "marca": "brand", "marcas": "brand", "品牌": "brand", "sale": "sale", "on sale": "sale"}
_GENDER_WORD = r"(?:(?:wo)?m[ae]n(?:['’]?s)?|lad(?:y|ies)(?:['’]s?)?|girls?|boys?|kids?)"
# the gender filter relaxed in words ("womens jackets", then "it can be for men too", "for men too", "any gender")
_EITHER_GENDER = re.compile(
    rf"\b(?:can|could|may|might)\s+(?:also\s+)?be\s+(?:for\s+)?{_GENDER_WORD}\s+(?:too|as well|also)\b|"
    rf"^\W*(?:(?:and|also|or|ok(?:ay)?|but|maybe)\s+)*(?:for\s+)?{_GENDER_WORD}\s+(?:too|as well)\W*$|"
    r"\b(?:any|either)\s+gender\b|\bgender\s+(?:does(?:n'?t| not)\s+matter|is(?:n'?t| not)\s+important)\b|"
    rf"\b{_GENDER_WORD}\s+or\s+{_GENDER_WORD}\s+(?:is|are|would be)?\s*(?:fine|ok(?:ay)?|good)\b")
# words that end what is relaxed ("waterproof anymore", "for women though") and words around it that say nothing
_RELAX_STOP = frozenset("""anymore any more though actually either at all then please but and or so if i you it just really too as now
because since thanks thank i'm im we pero y o ya entonces por porque sino aunque también tampoco""".split())  # noqa: SIM905
_RELAX_FILLER = re.compile(r"\b(?:please|and|then|now|just|also|ok(?:ay)?|fine|the|that'?s|is|are|too|as well|show me|results?|"
                           r"again|everything|them|they|but|it|actually|anymore|any more|though|either|so|really|hmm+|well|no|"
                           r"sorry|oh|wait|one|ones)\b")
# "they need to be", "it must have", "tienen que ser", "必须": the lead-in of a wish said after a relaxed one
_MUST_BE = re.compile(r"\b(?:(?:they|it|these|those|them)\s+)?(?:(?:really\s+)?(?:need|needs|have|has|got)\s+to|must|should)\s+(?:be|have)\b|"
                      r"\b(?:tienen?|deben?|necesitan?)\s+(?:que\s+)?(?:ser|tener)\b|\bque\s+sean?\b|必须|一定要|得是")
# "they need to be waterproof", "must have a hood", "tienen que ser impermeables", "debe tener capucha", "必须防水", "一定要有
#帽子": a must-have ("doesn't have to be", "no tiene que ser", "不一定要" relax one)
_MUST_HAVE = re.compile(
    r"(?<!\bnot )(?<!n't )\b(?:(?:they|it|these|those|them|that|which|one|ones)\s+)?(?:(?:really|absolutely|definitely)\s+)?"
    r"(?:(?:need|needs)\s+to|must|(?:has|have|got)\s+to)\s+(?:be|have|come\s+with|include)\b|"
    r"(?<!\bno )\b(?:tiene(?:n)?\s+que|debe(?:n)?|necesita(?:n)?)\s+(?:ser|tener|llevar|venir\s+con)\b|(?<!\bno )\bque\s+sean?\b|"
    r"(?<![不没])(?:必须|一定要|非要|得是)(?:是|有|带|要)?")
# "preferably waterproof", "ideally with a hood", "de preferencia impermeable", "最好防水": a wish (those first)
_SOFT_WISH = re.compile(r"\b(?:preferabl[ey]|ideally|if possible|hopefully|de preferencia|preferiblemente|idealmente|"
                        r"a ser posible|si es posible|si se puede)\b|最好(?:是|有|带)?|尽量(?:是|有)?")
_WISH_SAID = re.compile(f"{_MUST_HAVE.pattern}|{_SOFT_WISH.pattern}")
# what ends the words of a wish ("waterproof, under 70", "impermeable y de menos de 50")
_WISH_END = re.compile(r"[.;!?\n，。！？；]|,\s*(?!and\b)|\s+(?:but|pero|or|o|under|below|over|less|más|menos|for|para)\b|但")
# what leads to a wish at the end of the words searched ("bags that", "chaquetas que")
_WISH_TAIL = re.compile(r"(?:[\s,，]+(?:that|which|who|and|but|they|it|que|y|pero|los|las))+\s*$|[\s,，]+$")
# a size in the words searched ("jackets in size M", "chaquetas en talla M", "M码的夹克")
_SIZE_WORDS = re.compile(r"\b(?:in\s+|en\s+)?(?:size|talla)\s+[a-z0-9]{1,4}\b|(?<![a-z0-9])[a-z0-9]{1,4}\s*码的?", re.I)
# any price phrase ("under 70", "de menos de 70"): a filter, no quality wished for
_PRICE_PHRASE_ANY = re.compile(_PRICE_RELAXED + r"|[$€£]?\s?\d[\d,.]*")
# words of a message that are no quality wished for ("they need to be waterproof and under 70": only "waterproof")
_NOT_A_WISH = frozenset("""need needs must should have has got they them it its one ones be to with a an the in of for and or but not
no under below over above less more than between within dollars bucks usd euros size sizes colour color colours colors price prices
budget brand brands too also well want would like prefer something anything maybe rather instead only just really very made any
some all can could show find give get looking look see other others another different pair pairs kind kinds type types style
styles thing things item items piece pieces cheaper cheapest expensive pricier better best top rated sort sorted order okay fine
sure yes yeah please thanks""".split())  # noqa: SIM905
_LEAD_IN_WORDS = re.compile(r"^(?:(?:and|then|now|please|show me|find me|give me|just)\s+)+")
_FILTER_OFF = re.compile(r"\b(?:remove|drop|clear|reset|forget|ignore|delete|undo|turn off|skip|scrap)\s+(?:the\s+|that\s+|my\s+|all\s+(?:the\s+)?)?"
                         r"(?:(?P<what>[a-z]+)\s+)?(?:filters?|limit|constraint)\b")
_CHEAPER_THAN = re.compile(r"\b(?:cheaper|less expensive|lower priced) than\b|\bm[aá]s barat[oa]s? que\b|比.+便宜")
# "is the third one cheaper than the first one?", "does the second cost more than the first?", "¿el tercero es más
# barato que el primero?", "第三个比第一个便宜吗？": a yes-or-no question about two products, never a wish for cheaper ones
# ("something cheaper than the first one", "is there anything cheaper than the first?", "有比第一个便宜的吗？")
_PRICE_QUESTION = re.compile(
    r"^\W*(?:(?:so|and|but|ok(?:ay)?|hmm+|well|wait)[\s,]+)*(?:is|are|was|would)\s+(?P<a>.+?)\s+"
    r"(?:(?:any|much|even|a\s+(?:lot|bit|little))\s+)?(?:(?P<less>cheaper|less\s+expensive|lower[- ]priced)|"
    r"more\s+expensive|pricier|dearer|costlier|higher[- ]priced|more\s+costly)\s+than\s+(?P<b>.+?)[\s?!.]*$|"
    r"^\W*(?:(?:so|and|but|ok(?:ay)?|hmm+|well|wait)[\s,]+)*(?:does|do)\s+(?P<a2>.+?)\s+cost\s+(?:(?P<less2>less)|more)\s+than\s+"
    r"(?P<b2>.+?)[\s?!.]*$|"
    r"^[\s¿]*(?:y\s+)?(?:es\s+)?(?P<a3>(?:el|la|este|esta|ese|esa)\b.+?)\s+(?:es\s+)?(?:(?P<less3>m[aá]s\s+barat[oa]|menos\s+car[oa])|"
    r"m[aá]s\s+car[oa])\s+que\s+(?P<b3>.+?)[\s?!.]*$|"
    r"^\s*(?P<a4>[^比]+?)比(?P<b4>[^比]+?)(?:更|还)?(?:(?P<less4>便宜)|贵)(?:(?:吗|么|嘛|不)[\s?？!！。]*|\s*[?？]+\s*)$")
# "and the 6 foot one?", "what about the Adrienne one?", "the 65 cm one": a product by words of its name
_THE_WORDS_ONE = re.compile(r"^\s*(?:(?:and|or|so|what about|how about)\s+)?the\s+(?P<what>[a-z0-9][\w' -]*?)\s+one\s*[?.!]*\s*$")
# "which is more expensive, the first or the third?", "¿cuál es más cara?", "哪个更贵？": the dearer one is asked for
_ASKS_DEARER = re.compile(r"\b(?:more expensive|pricier|priciest|dearer|dearest|costlier|more costly|higher[- ]priced|most expensive)\b|"
                          r"\bm[aá]s car[oa]s?\b|更贵|最贵")
# "nothing more expensive than 40", "I don't want anything pricier than $50", "nada más caro que 40", "不要比40更贵":
# a price limit said
_NOT_DEARER = re.compile(r"(?:\b(?:nothing|not|no|none|never|nada|nunca)|n't)\s+(?:(?:want|need|see|buy|spend on)\s+)?"
                         r"(?:(?:any|anything|that'?s|that is|que sea)\s+)?"
                         r"(?:more expensive|pricier|dearer|costlier|more costly|higher[- ]priced|m[aá]s car[oa]s?)\b|"
                         r"不(?:要|能|会|可以)?(?:比.{0,8})?更贵")
_DEARER = re.compile(r"\b(?:more expensive|pricier|dearer|costlier|higher[- ]priced|more costly|higher[- ]end|more upmarket)\b|"
                     r"\bm[aá]s car[oa]s?\b|更贵")
_DEARER_THAN = re.compile(r"\b(?:more expensive|pricier|dearer|costlier|higher priced|more costly) than\b|\bm[aá]s car[oa]s? que\b|比.+贵")
# "thanks, bye", "thank you so much!", "that's all, thanks", "gracias, adiós", "谢谢，再见"
THANKS_BYE = re.compile(r"^\s*(?:(?:ok(?:ay)?|great|perfect|cool|nice|awesome|no|nope|nah|¡|不要了|不用了|算了|好的)[\s,.!，。]*)*(?:(?:muchas |many |非常)?(?:thanks?|thank you|thx|ty|cheers|bye|goodbye|good bye|"
                        r"see you(?: later)?|that'?s all|that is all|nothing else|gracias|adi[oó]s|hasta luego|谢谢[你您]?|多谢|感谢|再见|拜拜)"
                        r"(?:\s+(?:so much|a lot|very much|for (?:your|the|all the) help|for now|muchas|de nuevo))*[\s,.!！？。，]*)+$")
# "nope", "no need", "no hace falta", "no, está bien", "不用了", "不需要了": a polite decline of what was offered (a
# courtesy, the conversation as it was); with thanks or a goodbye it is THANKS_BYE's ("no thanks", "不用了，谢谢")
_DECLINED = re.compile(r"(?:(?:no|nope|nah)[\s,.!]*)?(?:nope|nah|no need|not now|maybe later|i'?m (?:good|fine|ok(?:ay)?)|"
                       r"(?:that'?s|it'?s) (?:ok(?:ay)?|fine|alright)|no hace falta|no es necesario|est[aá] bien|as[ií] est[aá] bien|"
                       r"nada m[aá]s|de momento no|por ahora no|ahora no)[\s,.!]*|"
                       r"(?:不用了?|不需要了?|不必了?|不要了|算了|没有了|暂时不用|先不用了?|没事了?)[\s,.!，。！]*")
# an address, or a phone number said as one ("my phone is an iPhone 12", "mi número es 42" are no contact details)
_EMAIL_OR_PHONE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b(?:my|mi)\s+(?:phone(?: number)?|number|tel[eé]fono|n[uú]mero de tel[eé]fono)"
                             r"\s+(?:is|es)\s*:?\s*\+?\d[\d\s().-]{6,}\d|我的(?:邮箱|电话|手机)(?:号码?)?(?:是)?\s*\+?\d{7,}")
_PRIVACY_DELETE = re.compile(r"\b(?:delete|remove|erase|wipe|forget)\s+(?:all\s+)?(?:of\s+)?(?:my|me)\b(?:\s+(?:personal\s+)?(?:data|account|"
                             r"information|info|details|history|conversations?|chats?))?(?:\s+please)?\s*[.!?]*$|\bforget (?:about )?me\b|"
                             r"\bborr(?:a|ad|en|ar)\s+(?:todos\s+)?mis\s+datos\b|\belimin(?:a|ad|en|ar)\s+mis\s+datos\b|删除我的(?:数据|信息|资料|记录)")
_PRIVACY_WHAT = re.compile(r"\bwhat (?:do|did) you (?:know|store|keep|have|save|remember)(?: about| on| of)? me\b|"
                           r"\bwhat (?:data|information|info) (?:do you (?:have|keep|store)|have you got)(?: about| on| of)? me\b|"
                           r"\bqu[eé] sabes de m[ií]\b|\bqu[eé] datos (?:tienes|guardas) (?:de|sobre) m[ií]\b|你(?:知道|保存了|存了)我(?:的)?(?:什么|哪些)")
_RUDE = re.compile(r"\b(?:you(?:'re| are)?|this (?:bot|chat|thing|assistant)|the bot)\s+(?:are\s+|is\s+)?(?:so\s+|very\s+|really\s+|a\s+)*"
                   r"(?:useless|stupid|dumb|idiot\w*|rubbish|terrible|awful|pointless|annoying|not (?:very )?helpful|unhelpful|worthless)\b|"
                   r"\b(?:you suck|this sucks|shut up|i hate (?:you|this bot))\b|\beres (?:in[uú]til|tonto)\b|你(?:真|太)?(?:没用|笨|蠢)")
_OFF_TOPIC = re.compile(r"\bwhat(?:'s| is| will be) the weather\b|\bweather (?:forecast|today|tomorrow)\b|\bwill it rain\b|"
                        r"\bwho (?:won|is the president)\b|\bcapital of\b|\bstock price of\b|"
                        r"\bqu[eé] tiempo (?:hace|har[aá])\b|天气怎么样|明天天气")


_ABOUT_RETURNS = re.compile(r"\b(?:does(?:n'?t| not)|did(?:n'?t| not)) (?:fit|work)\b|\b(?:send|ship|take) (?:it|them|this|that) back\b|"
                            r"\b(?:return|returns|returning|exchange)\b")


_SIZE_ADVICE = re.compile(SIZE_ADVICE)
_ABOUT_PAYING = re.compile(r"\bpay(?:ing|ment)?\b|\bcash\b|\bcredit card|\bpaypal\b|\bklarna\b|\bapple pay\b")


_CHANGE_IT = re.compile(r"\s*(?:(?:please|ok|okay|actually|no|hmm|can you|could you)[\s,]+)*(?:change|switch|swap)\s+(?:it|that|the (?:size|colou?r))\b")
_MY_LIKES = re.compile(r"\b(?:which|what) (?:ones?|products?|items?|things?)?\s*(?:did|have) i (?:like|liked|favou?rited|save|saved)\b|"
                       r"\b(?:show|list|see)(?: me)? (?:my|the) (?:likes|liked (?:ones|items|products)|favou?rites)\b|\bwhat i (?:liked|saved)\b|"
                       r"\bqu[eé] (?:me gust[oó]|me han gustado)\b|我喜欢(?:过)?的(?:商品|东西)?")
# "back to the tees", "let's go back to the jackets", "ok, back to jackets please"
_BACK_TO = re.compile(r"^\s*(?:(?:ok(?:ay)?|no|hmm|actually|so)[\s,]+)*(?:let'?s\s+)?(?:go\s+)?back\s+to\s+(?:the\s+)?"
                      r"(?P<what>[a-z][a-z' -]*?)(?:\s+(?:please|then|again))?\s*[.!?]*$")


def _earlier_ask(what: str, history: Sequence[str]) -> str | None:
    """The latest earlier message that asked for `what` ("tees": "womens tees in blue size M under 30")."""
    stems = {singular(w) for w in re.findall(r"[a-z]+", what) if w not in ("one", "ones", "those", "them")}
    if not stems:
        return None
    def asked_for(h: str) -> bool:  # a search, not a cart request or a question about one product
        low = h.lower()
        return (not _BACK_TO.match(low) and kind_in_text(h) in (None, "search", "refine") and not _ADDING.search(low)
                and not REMOVING.search(low) and not re.match(r"\s*(?:is|are|does|do|can|will|how|what|which)\b.*\?\s*$", low))

    return next((h for h in reversed(history) if asked_for(h) and stems <= {singular(w) for w in re.findall(r"[a-z]+", h.lower())}), None)


def _talk_about(text: str) -> str | None:
    """What a message that is no shopping need is about: a privacy request, contact details typed into the chat,
    rudeness or a question off the shop's topic (the message key of the answer), else None."""
    low = text.lower()
    if _PRIVACY_DELETE.search(low):
        return "privacy_delete"
    if _PRIVACY_WHAT.search(low):
        return "privacy_what"
    if _EMAIL_OR_PHONE.search(text):
        return "contact_in_chat"
    # a product asked for in the same message is the need ("this thing is useless, do you have a better jump rope?",
    # "明天天气怎么样？我需要一件夹克"): searched, not answered as talk
    wants = any(singular(w) in PRODUCT_KINDS for w in re.findall(r"[a-z]+", low)) or bool(english_product_words(text)) \
        or re.search(r"\b(?:do you have|have you got|any|show me|looking for|i need|i want|busco|necesito|quiero)\b", low) is not None
    if _RUDE.search(low) and not wants:
        return "sorry_unhelpful"
    if _OFF_TOPIC.search(low) and not wants:
        return "off_topic"
    return None


_THANKED = re.compile(r"thank|thx|\bty\b|cheers|gracias|谢|感谢")
# "checkout", "I'd like to pay now", "proceed to checkout", "quiero pagar", "finalizar la compra", "我要结账": to pay
# (a question how to pay with something, "can I pay with PayPal?", is the shop's payment policy)
_CHECKOUT = re.compile(
    r"(?:(?:ok(?:ay)?|please|now|so|then|and|great|thanks|thank you|right|alright|cool|perfect|done|that'?s all)[\s,.!]+)*"
    r"(?:(?:i(?:'d| would)? (?:like|want|wanna|need)|i'?m ready|let me|let'?s|can i|could i|how (?:do|can) i|take me) (?:to )?)?"
    r"(?:go (?:to )?|proceed (?:to )?|continue (?:to )?|head (?:to )?)?(?:the )?(?:check[\s-]?out|pay(?: now| for (?:it|them|this|that|everything|my (?:cart|order|items)))?"
    r"|place (?:my|the|an) order|complete (?:my|the) (?:order|purchase)|finish (?:my|the) (?:order|purchase))"
    r"(?:[\s,]+(?:now|please|then|thanks))*\s*[.!?]*"
    r"|(?:(?:vale|ok|bueno|pues|ya|listo|gracias)[\s,.!]+)*(?:(?:quiero|quisiera|me gustar[ií]a|vamos a|voy a|puedo)\s+)?(?:ir a\s+)?"
    r"(?:pagar|finalizar (?:la |mi )?compra|tramitar (?:el |mi )?pedido|realizar (?:el |mi )?pedido|hacer (?:el |mi )?pedido|"
    r"proceder al pago|ir a la caja|checkout)(?:[\s,]+(?:ya|ahora|por favor))*\s*[.!?]*"
    r"|(?:好的?|那|我)?(?:要|想)?去?(?:结账|结算|付款|买单|下单|支付)(?:吧|了)?\s*[。！!？?]*")
# "no wait, I meant the third one", "oh I meant the second one", "perdón, quise decir la segunda"
# ("what I meant to ask: …?" and "is the second one meant for rain?" are questions)
I_MEANT = re.compile(r"\bi (?:actually |really )?mean(?:t)?\b(?!\s+(?:for|to|it for)\b)(?![^?]*\?\s*$)"
                     # "not that one, the Fusion Backpack", "no, the other one", "wrong one, the second one"
                     # (not "the other one is fine too, add it as well", nor a question)
                     r"|^(?!.*\b(?:too|as well|also)\b)(?![^?]*\?\s*$)\s*(?:no[\s,]+)?(?:not (?:that|this|the) one|wrong one|the other one)\b[\s,.;-]*(?=\S)"
                     r"|\b(?:quise decir|me refería|me referia)\b|我是说|我指的是")
# "change the jacket in my cart to size L", "can I get it in blue instead", "switch it to a large"
# ("a change of clothes", "can I exchange it later?" and "make it easier" are none)
CHANGE_VARIANT = re.compile(r"\b(?:change|switch|swap)\b(?!\s+of\b)|\bmake (?:it|that|them)\s+(?:an?\s+|in\s+|size\s+)?(?=\w)"
                            r"|\b(?:get|have|want|take) (?:it|that|this one|that one) in\b"
                            r"|\binstead\b|\bcambi|\bcámbi|换成|改成|换")
# ("in my bag" is where a shopper carries things, not the cart)
_IN_CART = re.compile(r"\b(?:in|from|on)\s+(?:my|the)\s+(?:shopping\s+)?(?:cart|basket)\b|carrito|购物车")
# "show me", "something similar", "other ones": a search, even with "instead" in it
_SEARCH_WORDS = re.compile(r"\b(?:show|find|search|something|anything|similar|other|others|look(?:ing)? for|do you have|any)\b")
# "change the size to L", "el color": the variant of the line just added
_THE_VARIANT = re.compile(r"\b(?:the|its) (?:size|colou?r)\b|\b(?:la talla|el color)\b|c[aá]mbia(?:lo|la)\b|尺码|颜色")
# "add one more", "add another (one)", "I'll take 2 more (of those)", "otro más", "再来一件"
_ONE_MORE = re.compile(r"\b(?:add|get|take|buy|give me|i'?ll take|i want)\s+(?:(?P<n>\d{1,2}|one|two|three|four|five|another)\s+more|"
                       r"another(?:\s+one)?|one more)\b|^\s*(?:and\s+)?(?P<n2>\d{1,2}|one|two|three)\s+more(?:\s+(?:of\s+)?(?:those|them|these|please))?\s*[.!]*$|"
                       r"\b(?:añade|agrega|pon)\s+otr[oa](?:\s+más)?\b|再来一[件个条双]|再加一[件个条双]")
# "make that 3", "make it two", "change it to 3", "3 of them please" after an add
# (and of a line it names: "change the quantity of the hoodie in my cart to 2", "set the hoodie quantity to 2",
# "make it 2 hoodies"; `_quantity_what` reads which)
SET_QUANTITY = re.compile(rf"^\s*(?:(?:ok(?:ay)?|actually|no|hmm|please|can you|could you)[\s,]+)*(?:make\s+(?:that|it)|"
                          rf"(?:change|update|set)\s+(?:that|it|(?:the\s+|my\s+)?(?:(?P<what>[a-z][\w' -]*?)\s+)?(?P<qword>quantity|qty|amount|number)"
                          rf"(?:\s+(?:of|for|in|on)\s+(?P<what2>[^\d]+?))?)\s+to|"
                          rf"i(?:'d like| want| need| will take|'ll take)(?=\s+\S+\s+of\s+(?:them|those|these)))\s+{_N}(?:\s+of\s+(?:them|those|these))?"
                          r"(?:\s+(?!(?:instead|please)\b)(?P<what3>[a-z][\w' -]*?))?(?:\s+(?:instead|please))?\s*[.!]*\s*$")


# "I'd like 3 of them", "I'll take 2 of those": a number of the product in view wanted (with an empty cart, an add)
_TAKES_N_OF_THEM = re.compile(r"\bi(?:'d like| want| need| will take|'ll take)\b")
# what an answer to "which line?" may say besides the line's size, colour, name or position
_WHICH_LINE_FILLER = frozenset("""the one ones please that this size colour color in of ok okay yes yeah just only it them those these
line item i mean meant want remove delete take off out drop change set quantity qty to please thanks sure a an and what about
how el la lo uno una talla en de por favor quita ese esa este esta""".split())  # noqa: SIM905


def _quantity_request(low: str, sizes: Iterable[str]) -> re.Match[str] | None:
    """A SET_QUANTITY request, unless its number is a size of a cart product ("change it to 12 cup" is the French
    press's 12 cup size, not 12 of it)."""
    m = SET_QUANTITY.match(low)
    if m is not None and any(re.search(rf"(?<![\w.]){re.escape(z.lower())}(?!\w)", low[m.start("n"):])
                             for z in sizes if re.search(r"\d", z)):
        return None
    return m


# "make it 10", "make that a 10", "change it to 100", "make it under $100", "in a 10 instead", "try a 9.5": a number for
# the last search (a size or a budget) or for a cart line (how many); `_number_meant` reads which
_RENUMBER = re.compile(r"^\s*(?:(?:ok(?:ay)?|actually|no|hmm|please|can you|could you|and|so|then|maybe|oh|sorry)[\s,]+)*"
                       r"(?:(?:make\s+(?:it|that|them)|(?:change|switch)\s+(?:it|that|them)\s+to)\s+"
                       r"(?P<how>an?\s+|size\s+|\$\s*|(?:under|below|up\s+to|max(?:imum)?)\s+\$?\s*)?|"
                       r"(?:in|try|how\s+about|what\s+about|maybe)\s+(?P<how2>an?|size)\s+|(?P<how3>an?)\s+(?=\d[\d.]*\s+instead\b))"
                       r"(?P<n>\d{1,4}(?:\.\d{1,2})?)(?P<cur>\s*(?:dollars?|bucks|usd|euros?|eur|€|£))?"
                       r"(?:\s+(?:instead|then|please))*\s*[.!?]*\s*$")


def _number_meant(m: re.Match[str], previous: ShoppingIntent | None, *, just_carted: bool, has_lines: bool,
                  one_in_view: bool, sells_size: Callable[[str], bool] = lambda z: True) -> tuple[str, str] | None:
    """What the number of a `_RENUMBER` message is: ("size", "10") or ("budget", "100") of the last search, ("ask",
    "10") when nothing tells which, or None when it is how many (of the line just added, of a cart line, or with
    nothing in the cart and no list to size: "Your cart is empty."). A number not said as a size ("make it 2") is
    the last search's size only when that was a number too and `sells_size` (the shop sells that kind in it)."""
    said = m.group("n")
    how = (m.group("how") or "").strip()
    sized = how in ("a", "an", "size") or m.group("how2") is not None or m.group("how3") is not None
    money = (bool(how) and not sized) or m.group("cur") is not None
    n = float(said)
    if just_carted and not sized and not money and n <= 99:
        return None  # "make it 3" right after adding: how many of that line
    if previous is None or not (previous.query or previous.category or previous.sizes or previous.brands or previous.colors):
        return None  # nothing searched to size or price: how many (the cart says what it holds)
    budget = previous.max_price if previous.max_price is not None else previous.min_price
    if sized:
        return ("size", said)
    if money:
        return ("budget", said)
    numeric = [float(z) for z in previous.sizes if re.fullmatch(r"\d{1,3}(?:\.\d+)?", z)]
    if previous.sizes and budget is not None:
        # both said ("size 9 under 100"): the one the number is nearer ("make it 10" a size, "make it 120" a budget);
        # letter sizes take no number, so it is the budget
        return ("size", said) if numeric and abs(n - numeric[0]) <= abs(n - budget) and sells_size(said) else ("budget", said)
    if previous.sizes and n < 100:
        if numeric and sells_size(said):
            return ("size", said)
        # "hoodies in size M", then "make it 2" or "make it 36": no size of theirs (it searched hoodies in size 2 and
        # said "None in 2"); how many of a cart line, else which it is, asked
        return None if has_lines or one_in_view else ("ask", said)
    if budget is not None:
        return ("budget", said)
    # nothing said it could be: how many of a cart line, or of the one product in view ("Your cart is empty."); of a
    # list, which it is, asked
    return None if has_lines or one_in_view or n > 99 else ("ask", said)


def _quantity_what(m: re.Match[str]) -> str:
    """The words of a SET_QUANTITY request that name a cart line ("the hoodie", "hoodies"), less those of the cart
    itself and of units ("in my cart", "2 units"): empty when it names none."""
    what = " ".join(g for g in (m.group("what"), m.group("what2"), m.group("what3")) if g)
    return re.sub(r"\b(?:in|on|from|of|for|my|the|your|this|that|shopping|cart|basket|carrito|ones?|items?|lines?|units?|pieces?)\b",
                  " ", what).strip()


_KIDS_WORDS = frozenset(["kids", "kid", "boys", "girls", "children", "child", "baby", "toddler", "junior", "youth"])


def _made_for(p: Any, gender: str) -> bool:
    """Whether the catalog says `p` is for `gender`: its gender, or a category under it ("Men/Tops/Jackets")."""
    g = gender.lower()
    said = {v.lower() for v in (getattr(p, "attributes", None) or {}).get("gender", [])}
    if g == "kids" and said and said <= _KIDS_WORDS:
        return True  # a ball whose attributes say Boys, Girls (not one for Boys, Girls, Men, Women: that is for anyone)
    return (getattr(p, "gender", None) or "").lower() == g or any(
        c.lower().split("/")[0] in (g, g.rstrip("s"), {"kids": "children"}.get(g, g)) for c in getattr(p, "categories", None) or [])


# what a message that only picks a product from the list may say besides the pick
_PICK_WORDS = frozenset("""what how the that this one ones number no please item product option pick choose go with i'll ill take
like love want looks look good great nice fine ok okay yes yeah sounds perfect cool it i me about more tell show let see
add buy get to my cart basket and then will el la lo los las uno una número numero por favor quiero me gusta ese esa
este esta dame ver más mas sobre de del al carrito añade añádelo agrega""".split())  # noqa: SIM905


def _lines_named(what: str, cart: list[dict[str, Any]], categories: Mapping[int, Sequence[str]] | None = None) -> list[dict[str, Any]]:
    """The cart lines `what` names: by a word of the name only that product has ("the Hero one"), else by the kind of
    product ("the hoodie", "2 hoodies"), else by their colour or size ("the blue ones")."""
    ids = set(named_products(what, [{"id": x["product_id"], "name": x["name"]} for x in cart])) \
        or set(_lines_of_kind(what.lower(), cart, categories))
    low = _spaced(what).lower()
    return [x for x in cart if int(x["product_id"]) in ids] or [x for x in cart if any(
        v and len(str(v)) > 1 and re.search(rf"(?<![\w']){re.escape(str(v).lower())}(?![\w'])", low) for v in (x.get("color"), x.get("size")))]


def _lines_listed(lines: Sequence[Mapping[str, Any]], lang: str = "en") -> str:
    """'1 × Juno Jacket in size M, Blue; 2 × Juno Jacket in size S, Black': cart lines to choose from."""
    return "; ".join(f"{x['qty']} × {x['name']}{_variant_words(x, lang)}" for x in lines)


def _lines_of_kind(low: str, cart: list[dict[str, Any]], categories: Mapping[int, Sequence[str]] | None = None) -> list[int]:
    """'remove the shorts' with an Arcadio Gym Short in the cart: the product ids of the lines whose name (or category:
    "the jacket" is the Proteus Fitness Jackshirt of Men/Tops/Jackets) has the kind of product the text names."""
    kinds = {singular(w) for w in re.findall(r"[a-z]+", low) if singular(w) in PRODUCT_KINDS}
    kinds |= {singular(w) for en in english_product_words(low) for w in en.split() if singular(w) in PRODUCT_KINDS}  # "la chaqueta"
    cats = categories or {}
    return [int(x["product_id"]) for x in cart
            if kinds & {singular(w) for w in re.findall(r"[a-z]+", " ".join([str(x["name"]), *cats.get(int(x["product_id"]), ())]).lower())}]


def _only_variant_words(low: str, own: Sequence[str] = ()) -> bool:
    """'M', 'medium', 'size M, black', 'en rojo', 'copper' (a colour of the product's own): nothing but a size and/or
    colour (the answer to "Which size?")."""
    if own and (mine := _own_value(low, own, "color")) is not None and not re.sub(
            rf"(?<![\w]){re.escape(mine.lower())}(?![\w])|\b(?:in|the|please|one|size|colou?r)\b", " ", _spaced(low)).strip(" .,!?"):
        return True
    if not (sizes_in_text(f"size {low}") or colors_in_text(_spaced(low))[0]):
        return False
    rest = re.sub(r"\b(?:xxs|xs|s|m|l|xl|xxl|xxxl|\d{1,3}|small|medium|large|extra|size|in|the|please|and|talla|en|de|color|colour|one|码)\b|码", " ", low)
    return all(canonical_color(w) is not None for w in re.findall(r"[^\W\d_]+", rest))


def _names_a_kind(word: str, parser: Any) -> bool:
    """In "what about X?", X is a kind of product (one of the shop's categories, or any kind): a new search.
    ("what about cheaper / waterproof / these / shipping?" are about the need on screen.)"""
    vocab = getattr(parser, "vocabulary", None)
    categories = {singular(c.rsplit("/", 1)[-1].lower()) for c in vocab.categories} if isinstance(vocab, CatalogVocabulary) else set()
    return singular(word) in PRODUCT_KINDS or singular(word) in categories


# materials a shopper may wish for that a shop may say only in a name ("Silk Scarf"), and the attributes that give one
_MATERIAL_WORDS = frozenset("""leather silk wool cotton linen cashmere denim suede nylon polyester fleece velvet satin canvas
merino bamboo hemp spandex lycra rayon viscose mesh rubber silicone plastic metal steel titanium aluminium aluminum wood wooden
glass ceramic porcelain cork wicker rattan corduroy tweed chiffon acrylic alpaca mohair angora""".split())  # noqa: SIM905
_MATERIAL_ATTRIBUTE = re.compile(r"material|fabric|made[\s_-]*of|composition", re.I)


def _wish_clause(low: str, said: re.Match[str]) -> str:
    """The words of the wish a lead-in opens ("waterproof" of "they need to be waterproof, under 70")."""
    after = low[said.end():]
    end = _WISH_END.search(after)
    return after[:end.start()] if end else after


def _wish_pairs(low: str) -> list[tuple[str, str]]:
    """(the shopper's word, the English word) for each quality a message wishes for after a must-have or a
    preference lead-in ("hood" in "has to have a hood", ("impermeable", "waterproof"), ("防水", "waterproof")); words
    said in a row are one phrase ("long sleeve", "v-neck", "crew neck": `_with_wishes` keeps the phrase where the
    catalog says it so, else its words)."""
    out: list[tuple[str, str]] = []
    for said in _WISH_SAID.finditer(low):
        clause = _wish_clause(low, said)
        pairs = feature_words(clause)
        if detect_language(clause) not in ("es", "zh") and not re.search(r"[\u4e00-\u9fff]", clause):
            run: list[str] = []

            def no_wish(w: str) -> bool:
                return (not w or w in _NOT_A_WISH or names_nothing(w) or canonical_color(w) is not None or bool(bare_size(w))
                        or re.fullmatch(_GENDER_WORD, w) is not None or w in _GENDER_ALSO or w in _RELAX_STOP
                        or w in _WISH_FILLER or w in _ON_SALE_WORDS)

            # ("big enough", "room for": no quality, the purpose after them is the need's words)
            words = [*re.findall(r"[a-z0-9][a-z0-9'-]*", _ENOUGH.sub(" ", clause)), ""]
            for i, w in enumerate(words):
                # (a kind's word is no wish, unless it says what another word is: "short sleeve")
                kind_word = bool(w) and singular(w) in PRODUCT_KINDS and (
                    not words[i + 1] or no_wish(words[i + 1]) or singular(words[i + 1]) in PRODUCT_KINDS)
                if no_wish(w) or kind_word:
                    if run:
                        pairs.append((" ".join(run), " ".join(singular(x) for x in run)))
                    run = []
                    continue
                run.append(w)
        out.extend(p for p in pairs if p[1] not in {en for _, en in out} and re.search(r"[^\W\d_]{3}", p[1]))
    return out


# words around a wish that are no quality ("have a hood on it", "come with pockets please")
_WISH_FILLER = frozenset("come comes include includes including on it its definitely absolutely really enough room space from".split())  # noqa: SIM905
# "big enough (for)", "room for", "space for": no quality asked, only the purpose said after them
_ENOUGH = re.compile(r"\b(?:(?:big|large|long|wide|roomy|spacious|strong)\s+enough|(?:enough\s+)?(?:room|space)(?=\s+(?:for|to)\b))")
# gender words other than those of `_GENDER_WORD`: the gender filter's, never a must-have ("has to be unisex")
_GENDER_ALSO = frozenset("unisex male female mens womens gents".split())  # noqa: SIM905
# "on sale", "discounted": the sale filter's words
_ON_SALE_WORDS = frozenset("sale discounted reduced clearance".split())  # noqa: SIM905
_SAYS_ON_SALE = re.compile(r"\b(?:on\s+sale|discounted|reduced|on\s+offer|in\s+the\s+sale|en\s+oferta|rebajad[oa]s?)\b|打折|特价")
# qualities of use, feel, size or price ("warm", "light", "comfortable", "big", "cheap"): what a catalog says of them is
# no yes or no (a climate "Warm" is for warm weather), so they only rank, never filter
_QUALITY_WORDS = frozenset("""warm warmer warmest cool cooler cold hot light lighter heavy heavier comfortable comfy soft softer cozy
cosy big bigger large larger small smaller little tiny huge roomy spacious good great nice cheap cheaper affordable inexpensive pretty
cute stylish fashionable durable sturdy strong quality decent long longer short shorter loose looser tight tighter thick thin fancy
simple casual formal practical useful versatile breathable""".split())  # noqa: SIM905


def _wish_said(text: str) -> tuple[list[tuple[str, str]], bool, re.Match[str]] | None:
    """The qualities a message wishes for, whether it says they are musts, and where it says so; None when it says
    none."""
    low = text.lower()
    said = _WISH_SAID.search(low)
    if said is None:
        return None
    if _ASKS_WHETHER.match(low):
        return None  # "do they need to be dry cleaned?", "does it have to be ironed?": a question, never a must-have
    pairs = _wish_pairs(low)
    hard = _MUST_HAVE.search(low) is not None and not _SOFT_WISH.search(low)
    clause = _wish_clause(low, said)
    return (pairs, hard, said) if pairs or _SAYS_ON_SALE.search(clause) or _purpose_after(low, said) \
        or _FROM_BRAND.match(low, said.end()) else None


# "from Under Armour", "made by Patagonia" after a must-have lead-in: a brand wished for
_FROM_BRAND = re.compile(r"\s*(?:made\s+)?(?:from|by)\s+[^\W\d_]")


# "do they need to be ...?", "does it have to have ...?", "must they be ...?": a question about what is shown
_ASKS_WHETHER = re.compile(r"^\W*(?:(?:and|so|but|ok(?:ay)?|also|hmm+|well)[\s,]+)*(?:do|does|did|will|would|should|shall|must|is|are|"
                           r"can|could)\s+(?:they|it|these|those|i|we|he|she|this|that|the\s+\w+|both|all)\b")
# "for a laptop", "for my laptop and gym clothes", "for camping": what a wish is for, after it (words of the need)
_PURPOSE = re.compile(r"\s*(?P<p>for\s+[^,.;!?，。！？]+?)\s*(?=$|[,.;!?，。！？]|\s+(?:under|below|over|less|but|or)\b)")


def _purpose_after(low: str, said: re.Match[str]) -> str | None:
    """The purpose said right after a wish ("big enough for a laptop": "for a laptop"), unless it names whom it is for
    ("for women": the gender filter) or a price ("for under 50")."""
    m = _PURPOSE.match(low, said.end() + len(_wish_clause(low, said)))
    if m is None:
        return None
    rest = re.sub(r"^for\s+(?:the\s+|a\s+|an\s+|my\s+|your\s+|our\s+)?", "", m.group("p"))
    if (re.fullmatch(rf"{_GENDER_WORD}|unisex|him|her|me|us|them|both|everyone|anyone", rest) or re.search(r"\d", rest)
            or not re.search(r"[a-z]{3}", rest)):
        return None
    return m.group("p")


def _product_kinds_in(text: str) -> set[str]:
    """The kinds of product a text names, as singular English words ("enséñame relojes" -> {"watch"}, "夹克" -> {"jacket"})."""
    kinds = {singular(w) for w in re.findall(r"[a-z]+", text.lower()) if singular(w) in PRODUCT_KINDS}
    return kinds | {k for _, en in product_word_pairs(text) if (k := singular(en.split()[-1])) in PRODUCT_KINDS}


def _filter_named(phrase: str) -> str | None:
    """The filter a relaxed phrase names ("the budget" -> "price", "talla" -> "size", "颜色" -> "colour"), else None."""
    said = re.sub(r"^(?:the|my|your|el|la|los|las|mi)\s+", "", phrase.strip())
    if said in _FILTER_NAMES:
        return _FILTER_NAMES[said]
    # ("我觉得价格无所谓": the Chinese filter word ends what was said)
    return next((v for k, v in _FILTER_NAMES.items() if re.search(r"[\u4e00-\u9fff]", k) and said.endswith(k)), None)


def _without_filter(need: ShoppingIntent, what: str) -> ShoppingIntent:
    """The need without the filter named ("blue", "colour", "size", "price", "brand"), or without every filter."""
    w = what.lower()
    if canonical_color(w) is not None or w in ("colour", "color", "colours", "colors"):
        off: dict[str, Any] = {"colors": [c for c in need.colors if canonical_color(w) not in (None, canonical_color(c))] if canonical_color(w) else []}
    elif w in ("size", "sizes"):
        off = {"sizes": []}
    elif w in ("price", "budget", "prices"):
        off = {"min_price": None, "max_price": None}
    elif w in ("brand", "brands"):
        off = {"brands": []}
    elif w in ("gender",):
        off = {"gender": None}
    elif w in ("sale",):
        off = {"on_sale": False}
    else:  # "clear all filters", "remove the filters"
        off = {"colors": [], "sizes": [], "min_price": None, "max_price": None, "brands": [], "exclude": [], "on_sale": False,
               "required": []}
    if "colors" in off:  # the colour's word leaves the words searched too ("jackets red" kept showing red ones)
        dropped = {colour_key(c) for c in need.colors} - {colour_key(c) for c in off["colors"]}
        # (a Chinese word runs into the next: "红色夹克" less "红色" is "夹克", never nothing)
        cjk = sorted((w for c in dropped for w in COLOR_WORDS.get(c, ()) if re.search(r"[\u4e00-\u9fff]", w)), key=len, reverse=True)
        tokens = [re.sub("|".join(f"{re.escape(w)}的?" for w in cjk), "", t) if cjk and re.search(r"[\u4e00-\u9fff]", t) else t
                  for t in need.query.split()]
        off["query"] = " ".join(t for t in tokens if t and (colour_key(t.strip(",.")) not in dropped or not t.strip(",.")))
    return need.model_copy(update={**off, "kind": "search" if need.kind == "search" else "refine", "references": []})


def _names_other_kind(low: str, name: str) -> bool:
    """The text names a kind of product ("mat") that this product's name does not ("Voyage Yoga Bag"); where the
    thing goes ("to my bag") or what it goes with ("with my tent") is no such kind."""
    own = {singular(w) for w in re.findall(r"[a-z]+", name.lower())}
    low = re.sub(r"\b(?:to|in|into|from)\s+(?:my|the)\s+(?:shopping\s+)?(?:bag|basket|cart)\b", " ", low)
    low = re.sub(r"\b(?:with|for|to|goes with|match(?:es)?)\s+(?:my|the|a|an|your)\s+[a-z]+(?:\s+[a-z]+)?", " ", low)
    return any(singular(w) in PRODUCT_KINDS and singular(w) not in own for w in re.findall(r"[a-z]+", low))


_REMOVAL_WORDS = frozenset(["remove", "delete", "take", "drop", "out", "off", "away", "of", "from", "one", "two", "three", "a", "couple", "please", "can", "you", "could", "i", "want", "don't", "need", "anymore", "any", "more", "cart", "basket", "my", "the", "it", "them", "that", "this", "those", "these", "from", "get", "rid", "quita", "quitar", "quítala", "quitala", "quítalo", "quitalo", "elimina", "eliminar", "saca", "sacar", "borra", "borrar", "una", "uno", "un", "dos", "tres", "la", "el", "las", "los", "lo", "de", "del", "mi", "carrito", "por", "favor"])


def _names_something_else(low: str, name: str, names_a_thing: Callable[[str], bool]) -> bool:
    """A removal that says a word for a thing ("remove one of the bricks") that this cart line's name does not have:
    about something else than the line. Only a word for a kind of product or one the catalog carries counts
    ("remove one, thanks", "take one out now" are about the line)."""
    own = {singular(w) for w in re.findall(r"[a-z]+", name.lower())}
    return any(singular(w) not in own and names_a_thing(w) for w in _thing_words(low, r"[a-záéíóúñ']{3,}"))


def _thing_words(low: str, word: str) -> list[str]:
    """The words of a cart request that may name a thing: not its removing, counting or picking words."""
    return [w for w in re.findall(word, low) if w not in _REMOVAL_WORDS and w not in _PICK_WORDS]


def _colour_lacked(p: Any, text: str) -> str | None:
    """The colour a pick of `p` asks for that `p` does not come in ("the first one in green" of a tee in orange and
    yellow: "Green"); None when it comes in every colour said, or the catalog lists no colours for it."""
    if not p.colors:
        return None
    low = _spaced(_without_names(text, [p.name])).lower()
    if _own_value(low, p.colors, "color") is not None or any(re.search(rf"(?<!\w){re.escape(c.lower())}(?!\w)", low) for c in p.colors):
        return None  # ("olive" is the shop's Olive, not a Green it lacks)
    own = {c.lower() for c in p.colors} | {(canonical_color(c) or c).lower() for c in p.colors}
    return next((c for c in colors_in_text(low)[0] if c.lower() not in own), None)


def _unlisted_colour(p: Any, text: str, lang: str) -> str | None:
    """A colour asked of a product the catalog lists no colours for ("¿viene en azul?" of a backpack): the sentence of
    its description that names it, else that the catalog does not mention it (never a guess); None when none is asked."""
    asked = colors_in_text(_spaced(_without_names(text, [p.name])))[0]
    if not asked:
        return None
    sentence = next((x for x in _sentences(p.description) if re.search(rf"\b{re.escape(asked[0].lower())}\b", x.lower())), "")
    if sentence:
        return say("description_says", lang, sentence=_clip(sentence))
    return say("not_mentioned", lang, what=colour_name(asked[0], lang) if lang != "en" else asked[0].lower())


# the Chinese colour words, longest first (a Chinese run is one word: "蓝色的" holds 蓝色 and 蓝)
_CJK_COLOURS = re.compile("|".join(sorted((w for ws in COLOR_WORDS.values() for w in ws if re.search(r"[\u4e00-\u9fff]", w)),
                                          key=len, reverse=True)))
_POSITION_WORD = re.compile(rf"(?<![a-z])(?:{ORDINAL_WORDS})(?![a-z])|第(?:[一二三四五六七八九十]+|\d{{1,2}})\s*[个件款条双]?")


def _pick_in_variant(low: str) -> bool:
    """'the second one in size M', 'the first one in blue', 'la segunda en azul', 'number 3 in M, black': one product
    of the list by its position, in a size or colour, and nothing else (no other need, no colour said no to)."""
    if len(references_in_text(low)) != 1:
        return False
    spaced = _spaced(low)
    wanted, unwanted = colors_in_text(spaced)
    bare = re.search(r"\b(?:in|en)\s+(?:xxs|xs|s|m|l|xl|xxl|xxxl|\d{1,3})\b(?!')", spaced)
    if unwanted or not (wanted or sizes_in_text(_sized(spaced)) or bare):
        return False
    # "the second blue one", "第二个蓝色的": the second of the blue ones, no pick of the second one in blue
    for found in _POSITION_WORD.finditer(spaced):
        after = spaced[found.end():].strip()
        if after and any(after.startswith(c.lower()) for c in colors_in_text(after[:20])[0]) or re.match(
                r"(?:light|dark|pale|bright)\s", after) or _CJK_COLOURS.match(after):
            return False
    if re.search(r"[\u4e00-\u9fff]", low):  # "第一个蓝色的", "第二个M码的" (a Chinese run is one word: its colour words go)
        rest = re.sub(_CJK_COLOURS,
                      " ", low)
        rest = re.sub(r"[a-z]+", lambda w: " " if canonical_color(w.group()) is not None else w.group(), rest)
        return _only_a_pick(re.sub(r"(?<![a-z第\d])(?:xxs|xs|s|m|l|xl|xxl|xxxl|\d{1,3})(?![a-z\d])|[的码号色]", " ", rest))
    rest = re.sub(r"\b(?:in|en|but|pero|size|talla|colou?r|de|xxs|xs|s|m|l|xl|xxl|xxxl|small|medium|large|extra|"
                  r"peque[ñn][oa]|mediana|mediano|grande|\d{1,3}|and|y)\b", " ", _without_colours(spaced))
    return _only_a_pick(rest)


def _only_a_pick(low: str) -> bool:
    """'the second one', 'number 2 please', 'the third one looks good, add it', '第二个': a pick from the list, and
    nothing else (no colour, size or other need)."""
    rest = re.sub(rf"(?<![a-z])(?:{ORDINAL_WORDS})(?![a-z])|#?\d|第(?:[一二三四五六七八九十]+|\d{{1,2}})\s*[个件款条双]?", " ", low)
    if re.search(r"[\u4e00-\u9fff]", rest):
        return re.fullmatch(r"[\s这那个件款吧的要呢吗我看看一下加入购物车，。！？,.!?]*", rest) is not None
    return all(w in _PICK_WORDS for w in re.findall(r"[^\W\d_]+(?:'[a-z]+)?", rest))


def _same_variant(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two cart lines (or a line and `SessionState.touched`) of one product in one size and colour."""
    return a.get("product_id") == b.get("product_id") and all(a.get(k) == b.get(k) for k in ("size", "color"))


def _touched(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The cart line a turn added to or changed (the last line, when it is new or differs), with how many it
    added; None when the turn left the lines as they were or only took some away."""
    if not after or after[-1] in before:
        return None
    line = after[-1]
    was = next((x for x in before if _same_variant(x, line)), None)
    return {"product_id": line["product_id"], "size": line.get("size"), "color": line.get("color"),
            "added": int(line["qty"]) - (int(was["qty"]) if was else 0)}


def _mentions_variant_change(low: str, own: Sequence[str] = ()) -> bool:
    """'change ... to size L', 'can I get it in blue instead': words of a change to a size or colour (of what, the
    caller tells; whether now, _NOT_NOW). `own`: the cart's products' own sizes and colours ("Copper", "12 cup")."""
    low = _spaced(low)
    return CHANGE_VARIANT.search(low) is not None and bool(sizes_in_text(_sized(low)) or colors_in_text(low)[0]
                                                           or _own_value(low, own, "color"))


_ABOUT_FILLER = frozenset("""how much many is are was the a an one ones it its this that what whats s price prices cost costs does do you have
has in of for stock available left version colour color size please and or get can i""".split())  # noqa: SIM905


def _about_the_one(text: str, p: Any) -> bool:
    """'how much is the copper one?' with one product on screen that comes in copper: a question about it (never
    'do you have any black mugs?', which names another kind)."""
    own = _own_value(text, [*p.colors, *(z for z in p.sizes if len(z) > 1)], "color")
    if own is None:
        return False
    rest = re.sub(rf"(?<![\w]){re.escape(own.lower())}(?![\w])", " ", _spaced(text).lower())
    name = {singular(w) for w in re.findall(r"[a-z]+", p.name.lower())}
    return all(w in _ABOUT_FILLER or canonical_color(w) is not None or singular(w) in name for w in re.findall(r"[a-z]+", rest))


def _own_value(text: str, offered: Sequence[str], key: str) -> str | None:
    """The size or colour of `offered` the text names in the shop's own words ("Matte Black", "Copper", "12 cup",
    "Medium"; the longest first), else one the text's plain word stands for: "small" or "S" for the shop's
    "Small", "black" for its only black ("Matte Black")."""
    low = _spaced(text).lower()
    for o in sorted(offered, key=len, reverse=True):
        if len(o) > 1 and re.search(rf"(?<![\w]){re.escape(o.lower())}(?![\w])", low):
            return o
    if key == "size":
        for asked in sizes_in_text(_sized(text)):
            same = [o for o in offered if o.upper() == asked.upper() or sizes_in_text(f"size {o}") == [asked]]
            if len(same) == 1:
                return same[0]
    else:
        for asked in colors_in_text(low)[0]:
            same = [o for o in offered if o.lower() == asked.lower() or canonical_color(o) == asked]
            if len(same) == 1:
                return same[0]
    return None


# "don't change it", "if so I'll switch it", "later", "no la cambio", "si no me queda", "如果", "以后"
_NOT_NOW = re.compile(r"\b(?:don'?t|do not|not|never|no)\s+(?:\w+\s+){0,2}(?:change|switch|swap|cambi\w*)"
                      r"|^(?:(?!\bchange\b|\bswitch\b|\bswap\b|\bcambi|换|改).)*\b(?:if|maybe|might)\b(?!\s+(?:possible|you can))"
                      r"|\b(?:later|después|despues|luego)\b|如果|以后|别[换改]|不要[换改]")


def _spaced(text: str) -> str:
    """A space between Chinese and Latin letters, so "换成Blue" has its word "blue" for the colour rules."""
    return re.sub(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u4e00-\u9fff])", " ", text)


def _without_colours(low: str, own: Sequence[str] = ()) -> str:
    """The text with its colour words (and the product's own colours, "Matte Black") blanked out: "in red, M" reads
    as "in M" for the size said after the colour."""
    for colour in sorted(own, key=len, reverse=True):
        low = re.sub(rf"(?<![\w]){re.escape(colour.lower())}(?![\w])", " ", low)
    return re.sub(r"[^\W\d_]+", lambda w: " " if canonical_color(w.group()) is not None else w.group(), low)


def _sized(text: str) -> str:
    """'change the size to L' written as 'size L', the way sizes are found."""
    text = re.sub(r"\b(?:the|its)\s+size\s+(?:to|into|for)\s+(?:an?\s+)?", "size ", text, flags=re.I)
    text = re.sub(r"\b(?:la\s+)?talla\s+(?:a|por|en)\s+(?:la\s+)?", "talla ", text, flags=re.I)  # "cambia la talla a 34"
    # "from S to M": letter sizes after "from" and "to" are sizes too
    text = re.sub(r"(换成|改成)\s*([a-z]{1,4}|\d{1,2})(?![a-z])", r"\1 size \2", text, flags=re.I)  # "尺码换成M"
    return re.sub(r"\b(from|to|into)\s+(xxs|xs|s|m|l|xl|xxl|xxxl)\b", r"\1 size \2", text, flags=re.I)


def _number_word(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)


def quantity_in(text: str) -> int:
    """How many the shopper asks for in one cart request (1 when the text says no number)."""
    m = _QUANTITY.search(text.lower())
    if m is None:
        return 1
    word = next(g for g in (m.group("n"), m.group("n2"), m.group("n3"), m.group("n4"), m.group("n5")) if g)
    return max(1, min(_number_word(word), 999))  # (the cart takes at most MAX_QUANTITY, and says so)


def _typo_of(typed: str, word: str) -> bool:
    """`typed` is `word` with one letter left out, two neighbours swapped, or (words of 5+ letters) one letter
    added: the slips of typing, not another word one letter apart."""
    if len(typed) == len(word):
        diff = [i for i in range(len(typed)) if typed[i] != word[i]]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]]
    if len(typed) == len(word) - 1:
        return any(word[:i] + word[i + 1:] == typed for i in range(len(word)))
    if len(typed) == len(word) + 1 and len(word) >= 5:
        return any(typed[:i] + typed[i + 1:] == word for i in range(len(typed)))
    return False


def _variant_words(variant: Mapping[str, Any], lang: str = "en") -> str:
    """' in size M, Black' for a cart line that has a size or colour; '' otherwise."""
    bits = variant_bits(variant, lang)
    return say("variant", lang, bits=", ".join(bits)) if bits else ""


# kinds of product a shopper names ("running shoes"): a shop that names none of its products so is said not to
# carry them; any other word ("gear", "camping", "winter", "blue") says nothing about what the shop carries

# other words for the same kind of product: a shop of sweatshirts and pullovers carries "sweaters"
_SAME_KIND: dict[str, tuple[str, ...]] = {
    "sweater": ("sweatshirt", "pullover", "jumper", "cardigan", "hoodie"),
    "jumper": ("sweater", "sweatshirt", "pullover"),
    "sweatshirt": ("sweater", "pullover", "hoodie"),
    "hoodie": ("hooded", "sweatshirt"),
    "sneaker": ("trainer", "shoe"),
    "trainer": ("sneaker", "shoe"),
    "trouser": ("pant", "jean"),
    "pant": ("trouser", "jean", "legging"),
    "tee": ("t-shirt",),  # (a T-shirt is no plain shirt: an Oxford Shirt is no answer to "t-shirts")
    "shirt": ("tee", "t-shirt", "top"),
    "t-shirt": ("tee",),
    "coat": ("jacket", "parka"),
    "parka": ("jacket", "coat"),
    "bag": ("backpack", "duffle", "tote"),
    "purse": ("handbag", "bag"),
    "handbag": ("purse", "bag", "tote"),
}

# "a gift for my wife": who it is for and why name no product; such a query is no miss
_FOR_WHOM = frozenset(["gift", "gifts", "present", "presents", "birthday", "anniversary", "christmas", "wife", "husband", "son", "daughter", "mom", "mum", "mother", "dad", "father", "kid", "kids", "child", "children", "friend", "friends", "boyfriend", "girlfriend", "partner", "grandma", "grandpa", "grandmother", "grandfather", "brother", "sister", "baby", "teen", "teenager", "him", "her", "them", "myself"])
_LEAD_WORDS = frozenset(["looking", "searching", "want", "need", "show", "find", "buy", "get", "i'm", "please", "some"])


_ASKS_MATERIAL = re.compile(r"\bmade (?:of|from|out of)\b|\bmaterials?\b|\bfabric\b|hech[oa] de|de qué (?:material|tela|está hech)|"
                            r"\btela\b|材质|材料|面料|什么做的")
# a shop's attribute codes as words: "features_bags" -> "features", "eco_collection" -> "eco collection"
_ATTRIBUTE_SCOPES = frozenset({"bags", "bottom", "bottoms", "top", "tops", "general", "gear"})


def _attribute_label(name: str) -> str:
    parts = name.split("_")
    if len(parts) > 1 and parts[-1] in _ATTRIBUTE_SCOPES:
        parts = parts[:-1]
    return " ".join(parts)


_LETTER_SIZES = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]


def _size_order(size: str) -> tuple[int, float, str]:
    """Sizes as a shop lists them: XS, S, M, L, XL, then 28, 30, 32, then the rest."""
    if size.upper() in _LETTER_SIZES:
        return 0, _LETTER_SIZES.index(size.upper()), size
    try:
        return 1, float(size), size
    except ValueError:
        return 2, 0.0, size


def _kind_phrase(query: str, head: str) -> str:
    """'do you sell camping chairs?' -> 'camping chairs': the words up to the head noun, less the asking ones."""
    words = [w for w in re.findall(r"[a-z'-]+", query.lower().split(head.lower())[0]) if w not in _LEAD_WORDS and w not in _ASKING_WORDS]
    return " ".join([*words[-2:], plural_en(singular(head))])


def _none_of_the_kind(intent: ShoppingIntent, cards: Sequence[ProductCard], on_screen: Sequence[Mapping[str, Any]]) -> bool:
    """No card is named for the kind the need asks for (its head noun, with no category to say it) while every product
    on screen was: a capped search that fell back to whatever is cheap ("cheaper" after yoga straps)."""
    head = _head_noun(intent.query) if not intent.category else None
    return bool(head and cards and on_screen
                and not any(_names_word(c.name, head) for c in cards)
                and all(_names_word(str(x.get("name") or ""), head) for x in on_screen))


def _names_word(name: str, word: str) -> bool:
    """The product's name has the word (or its singular) as a word: "Chef's Knife 20cm" names "knives"."""
    w = singular(word.lower())
    return any(singular(t) == w or t == w for t in re.findall(r"[a-z]+", name.lower()))


def _shares_a_word(query: str, product: Any) -> bool:
    """A word of the request (3+ letters, not a filler) in the product's name, description or attributes."""
    if product is None:
        return True
    text = " ".join([product.name, product.description or "", *(v for vs in product.attributes.values() for v in vs)]).lower()
    have = {singular(t) for t in re.findall(r"[a-z]+", text)}
    return any(singular(w) in have for w in re.findall(r"[a-z]{3,}", query.lower()) if w not in _LEAD_WORDS and w not in _FOR_WHOM)


def _related_to(query: str, head: str, product: Any) -> bool:
    """A word of the request besides the kind the shop lacks ("trekking" of "trekking shoes") in the product's name,
    categories or attribute values: an alternative that has something to do with the request (its description is
    not enough: every product's text mentions something)."""
    words = {singular(w) for w in re.findall(r"[a-z]{3,}", query.lower())
             if w not in _LEAD_WORDS and w not in _FOR_WHOM and w not in _ASKING_WORDS and w not in _PICK_WORDS} - {singular(head.lower())}
    text = " ".join([product.name, *product.categories, *(v for vs in product.attributes.values() for v in vs)]).lower()
    return bool(words & {singular(t) for t in re.findall(r"[a-z]+", text)})


# "I'm shopping for my husband", "a gift for my wife", "something to get her": who the shopper buys for, said
_SHOPPING_FOR = re.compile(
    r"\b(?:for|get|getting|buy|buying|gift|present)\s+(?:(?:my|our)\s+(?:wife|husband|girlfriend|boyfriend|mom|mum|mother|dad|"
    r"father|son|daughter|sister|brother|grandma|grandpa|grandmother|grandfather|aunt|uncle)|him|her)\b")


def _shopping_for(history: Sequence[str]) -> str | None:
    """The gender of whom the shopper last said they shop for in these messages ("I'm shopping for my husband":
    men); None where they said no one (a list filtered by "men's hoodies" says what was shown, not for whom)."""
    for said in reversed(history):
        found = [gender_in_text(m.group(0)) for m in _SHOPPING_FOR.finditer(said.lower())]
        if found and found[-1]:
            return found[-1]
    return None


# words that end a name before the kind's word ("Sarah has a jacket"; "a Sol running jacket" is the Sol's)
_NOT_IN_A_NAME = frozenset("""a an the my our your his her their this that for to like from in at on with and or has have had is
are was were wears wore owns got bought who which""".split())  # noqa: SIM905


def _name_like(text: str, kind: str, *, after_kind: bool = False) -> list[str]:
    """The words of `text` written as a name: quoted ("a 'Sol' jacket", «Sol»), else capitalised runs of words that do
    not begin a sentence and stand right before the kind's word said in lower case, or before a word or two that
    describe it ("a Sol jacket", "the North Face jacket", "a Sol running jacket"; "a Waterproof Jacket" is title case,
    and "Running watch" only begins with a capital). A capital word elsewhere names a place, a person or an event the
    product is for or like, never the product ("a tee for my trip to Hawaii", "a jacket like the one Sarah has", "pants
    for my Pilates class"). `after_kind`: right after the kind's word counts too (Spanish: "una chaqueta Sol")."""
    quoted = re.findall(r"(?<![\w'])['\"‘“«]([^\W\d_][\w -]{0,28}?)['\"’”»](?!\w)", text)
    if quoted:
        return [q.strip() for q in quoted if q.strip()]
    if not kind or not re.search(rf"(?<![\w-]){re.escape(kind)}", text):  # (the kind in lower case, as said)
        return []
    runs = []
    for m in re.finditer(r"\b[A-Z][a-z0-9]+(?:[ -][A-Z][a-z0-9]+)*\b", text):
        before = text[:m.start()].rstrip()
        beside = ((after := re.match(rf"((?:\s+[a-z]+){{0,2}}?)\s+{re.escape(kind)}(?:e?s)?(?![\w-])", text[m.end():])) is not None
                  and not set(after.group(1).split()) & _NOT_IN_A_NAME) or (
            after_kind and re.search(rf"(?<![\w-]){re.escape(kind)}\s+$", text[:m.start()]) is not None)
        if before and not re.search(r"[.!?¿¡:;]$", before) and m.group(0) != "I" and beside:
            runs.append(m.group(0))
    return runs


def _head_noun(query: str) -> str | None:
    """The thing a query asks for: the last word before its first 'for/with/under...' ("running shoes for
    trails" -> "shoes"), unless that word names nothing ("something for hiking")."""
    parts = re.split(r"\b(?:for|with|without|under|over|below|above|in|to|from|by|that|which|near|like|on|at|and|or|"
                     r"my|your|his|her|their|our|the|a|an)\b", query.lower())
    for part in parts:  # the first phrase that names something ("i'm looking" names nothing)
        # ("t-shirts" is one word: its kind is the T-shirt, no shirt)
        words = [w for w in re.findall(r"t-shirts?|[a-z]{3,}", re.sub(r"\bt[\s-]?shirt", "t-shirt", part)) if w not in _LEAD_WORDS]
        if words:
            return None if names_nothing(words[-1]) else words[-1]
    return None


def _review_text(title: str, body: str) -> str:
    """A review as one quote: its title, then its text, unless the text already opens with the title."""
    title, body = title.strip(), body.strip()
    if not title or body.lower().startswith(title.lower().rstrip(".!")):
        return body or title
    return f"{title} — {body}" if body else title


def _clip(sentence: str, limit: int = 200) -> str:
    """A quote of at most `limit` characters, cut between words, marked when cut."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in text.replace("\n", ". ").split(". ") if s.strip()]


def _without_names(text: str, names: Iterable[str]) -> str:
    """The text with these product names cut out where it quotes them whole (case, ™ and ® aside): what the
    shopper says besides the names ("is the Café Denim Jacket in stock?" says no colour)."""
    for name in sorted(names, key=len, reverse=True):
        words = _unmarked_name(name).split()
        if words:
            text = re.sub(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", " ", text, flags=re.I)
    return text


def _unmarked_name(name: str) -> str:
    return name.replace("™", "").replace("®", "")


def _name_words(name: str) -> set[str]:
    """A product name's words as a shopper may say them: unmarked (™, ®), lower case, singular."""
    return {singular(w) for w in re.findall(r"[a-z0-9]+", _unmarked_name(name).lower())}


def _colours_outside_names(colours: Sequence[str], text: str, names: Sequence[str]) -> list[str]:
    """`colours` less those that only a quoted name says ("Black" of the Wanderer Black Hiking Boots, the "Café" of
    the Café Denim Jacket read as brown); a colour also said outside the names stays ("the Wanderer Black Hiking
    Boots in black")."""
    in_names = {colour_key(w) for n in names for w in re.findall(r"[^\W\d_]+", n.lower()) if canonical_color(w)}
    outside = {colour_key(c) for c in colors_in_text(_spaced(_without_names(text, names)))[0]}
    return [c for c in colours if colour_key(c) not in in_names or colour_key(c) in outside]


def _picked_after_than(text: str, shown: Sequence[dict[str, Any]]) -> list[int]:
    """'cheaper than the first one', 'más barato que el segundo': the one product of the list on screen at the position
    said after "than" (it capped the price just under the cheapest shown, not under the one pointed at)."""
    m = re.search(r"\bthan\b|\bque\b|比", text.lower())
    picks = references_in_text(text.lower()[m.end():]) if m else []
    return [int(x["id"]) for x in _at_positions(shown, picks)] if len(picks) == 1 else []
