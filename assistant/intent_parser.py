"""Message -> `ShoppingIntent`: the LLM proposes (JSON-schema constrained), the rules validate.

    parser = LLMIntentParser(build_chat_model(LLMConfig()), vocabulary)
    intent = parser.parse("only in purple", history=["yoga pants for women"], previous=state)
    state = dialogue.merge(state, intent, shown)

`parse` returns what *this* message says (normalised; kind "refine" when it modifies the previous search);
`assistant.dialogue.merge` folds it into the conversation state.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.intent import IntentDecodeError, ShoppingIntent, intent_from_json, intent_response_format
from assistant.prompts import render
from assistant.vocabulary import (
    DAY_OR_OCCASION,
    GIFT_TALK,
    PLAIN_OCCASION,
    POINTING_ONLY,
    POINTING_WORDS,
    CatalogVocabulary,
    categories_in_text,
    gender_in_text,
    kind_in_text,
    looks_like_refinement,
    normalize_intent,
    references_in_text,
    without_occasions,
)

log = logging.getLogger(__name__)

MAX_HISTORY = 3  # earlier user messages given to the model (short prompt = fast prefill)


class IntentParser(Protocol):
    def parse(self, text: str, history: list[str], previous: ShoppingIntent | None) -> ShoppingIntent: ...


_QUESTION = re.compile(r"\?|^(?:is|are|does|do|can|what|how|which|why|es|está|tiene|cuál|qué)\b|吗|么|是否|多少", re.I)
_CHITCHAT = re.compile(r"^(?:hi|hello|hey|thanks?|thank you|ok|okay|bye|good (?:morning|evening)|hola|gracias|"
                       r"你好|谢谢|再见)(?:\s+(?:there|everyone|all|so much|a lot))?[\s!.?,]*$", re.I)
_PRICE_WORDS = re.compile(
    # (a count or a measure is a product word: "tent for 4 people", "2 liter bottle", "4-person tent", "6 pack")
    r"[$€£¥]?(?<![A-Za-z0-9.,])\d+(?:[.,]\d+)?(?!\d|[.,]\d)(?!\s*-?\s*(?:person|people|persons|seater|seats?|burners?|slices?|"
    r"cups?|pack|pk|pieces?|pcs|liters?|litres?|l|ml|oz|gallons?|gal|qt|quarts?|inch|inches|in\.|ft|feet|foot|mm|cm|lbs?|pounds?|"
    r"kg|watts?|w|volts?|v|mah|gb|tb|speeds?|tiers?|drawers?|shelf|shelves|doors?|season|"
    r"st|nd|rd|th)\b)"  # (an ordinal is no price: "the 21st century" searched "st century")
    r"\s*(?:dollars?|bucks|usd|euros?|eur\b|€|£|美元|美金|欧元|元|块|刀|dólares)?|(?<![\w-])(?:under|below|over|above|less than|more than|"
    r"between|and|cheapest|cheaper|(?:the )?(?:most|least) expensive|priciest|most affordable|(?:highest|lowest)[- ]priced?|for|in|size|with|menos de|por|entre|más de|con|para|around|approximately|roughly|"
    r"budget|alrededor de|cerca de|(?:(?:not|nothing|no|anything)\s+(?:(?:too|so|a|an|very|really)\s+)*|too )?cheap(?:\s+ones?)?|inexpensive|affordable|low[- ]cost|budget[- ]friendly|barat[oa]s?|económic[oa]s?)(?![\w-])|"
    r"以下|以内|以上|左右|不?便宜的?|实惠的?|"  # ("pour-over", "carry-on": words, no price cue)
    # what points at a photo or a shown product is not a product word: "like this but cheaper" ("I like this
    # jacket" keeps its jacket)
    + POINTING_WORDS, re.I)


# What a shopper says around the thing they want ("show me", "i'm looking for a"), and the gender words the
# gender filter already carries: left out of the query, as the LLM leaves them out.
_LEAD_IN = re.compile(
    r"^(?:(?:please|hi|hello|hey|ok|okay|and|also|so|then|now show me|now find me|can you|could you|would you|i'?m|i am|i'?d like|i would like|i want|"
    r"i need|i'?m looking for|looking for|searching for|search for|show me|find me|get me|give me|show|find|something|anything|"
    # "what can I get my husband for his 40th birthday? he likes running": less the gift talk and the occasion, "running"
    r"what (?:can|could|should|shall|do|would) (?:i|we) (?:get|buy|give|gift)(?:\s+(?:him|her|them))?|"
    r"do you have|have you got|got any|any|some|a|an|the|me|busco|quiero|necesito|mu[eé]strame|tienes|tienen|"
    r"un|una|unos|unas|hola|buenas|buenos d[ií]as|algo|para m[ií])(?:[\s,!.¡]+|$))+",
    re.I,
)
# Chinese has no spaces: "给我推荐200元以下的跑步鞋" less its price words leaves "给我推荐 的跑步鞋"
# (a measure word only after a lead-in: "一个人用的帐篷" is a one-person tent)
_LEAD_IN_ZH = re.compile(r"^[\s,，]*(?:请|麻烦)?(?:给我推荐|帮我推荐|推荐一下|推荐|帮我找|给我找|我想要|我想买|我要买|我要|有没有|给我)"
                         r"[\s,，]*(?:一[双件个款条只])?[\s,，]*")
# "add a headlamp too": the headlamps are the need (the cart takes one once it is on screen)
_ADD_A = re.compile(r"^\s*(?:(?:and|also|then|please|ok(?:ay)?)[\s,]+)*add\s+(?:a|an|some|(?:\d{1,4}|two|three|four|five|six)(?!\s+(?:of|in|more)\b))\s+(?=\S)|"
                    r"(?<=\S)\s+(?:too|as well)\s*[.!?]*\s*$", re.I)
_GENDER_WORDS = re.compile(r"(?<![\w'’-])(?:(?:wo)?m[ae]n(?:['’]?s)?|womn['’]?s?|wmn['’]?s?|wemen['’]?s?|womans|ladies|"
                           # "mallas de mujer": the gender field says it (the header said "mallas de mujer de mujer")
                           r"(?:de|para)\s+(?:mujer(?:es)?|hombres?|damas?|caballeros?))(?![\w'’-])", re.I)
# a size said is the sizes field, not words to search ("warm sweater, men's, XXL" searched "XXL")
_SIZE_WORDS = re.compile(r"(?<![\w-])(?:(?:sizes?|tallas?)(?:\s*[:#]\s*|\s+)(?:\d{1,3}(?:\.5)?|xxxl|xxl|xxs|xl|xs|[2-5]xl|s|m|l)|"
                         r"xxxl|xxl|xxs|xl|xs|[2-5]xl)(?![\w-])", re.I)


class RuleIntentParser:
    """Regex-only parser: the fallback when the LLM fails, and a baseline."""

    def __init__(self, vocabulary: CatalogVocabulary | None = None) -> None:
        self.vocabulary = vocabulary or CatalogVocabulary()

    def parse(self, text: str, history: list[str] | None = None, previous: ShoppingIntent | None = None) -> ShoppingIntent:
        kind = kind_in_text(text)
        if kind is None:
            if _CHITCHAT.match(text.strip()):
                kind = "chitchat"
            elif references_in_text(text) and _QUESTION.search(text):
                kind = "question"
            elif previous is not None and looks_like_refinement(text):
                kind = "refine"
            else:
                kind = "search"
        # "my wife likes running, any gift ideas": the interest is the need, the rest is how gifts are asked for
        gifted = GIFT_TALK.search(text) is not None
        said = re.sub(r"\s+", " ", GIFT_TALK.sub(" ", text)).strip(" ,.!?;") if gifted else text
        # "tops for a 30th anniversary", "a gift for the 7th of July": the day or occasion names no product
        occasion = DAY_OR_OCCASION.search(said) is not None
        said = without_occasions(said)
        plain = re.sub(r"\s+", " ", PLAIN_OCCASION.sub(" ", said)).strip()
        if plain != said and _LEAD_IN.sub("", plain.strip(" ,.!?¿¡")).strip(" ,.!?¿¡"):
            said = plain  # "a hoodie for his birthday": the hoodie
        query = _LEAD_IN.sub("", _ADD_A.sub("", _SIZE_WORDS.sub(" ", said).strip()))
        query = _LEAD_IN.sub("", re.sub(r"\s+", " ", _PRICE_WORDS.sub(" ", query)).strip(" ,.!?¿¡"))
        query = _LEAD_IN_ZH.sub("", query).strip(" ,.!?¿¡，。！？")
        if query.startswith("的") and not text.strip().startswith("的"):  # what "200元以下的" left ("的确良" keeps it)
            query = query[1:].strip()
        if query and gender_in_text(text):
            query = re.sub(r"\s+", " ", _GENDER_WORDS.sub(" ", query)).strip()
        # what the words taken out left ("sweater winter, ,", "jackets ( )")
        query = re.sub(r"(?:\s*,)+", ",", re.sub(r"\(\s*\)", " ", query)).strip(" ,.;")
        query = re.sub(r"(?:\s+(?:de|para|con|en|por|y|o))+$", "", re.sub(r"\s+", " ", query))  # "mochila de menos de 100"
        cats = categories_in_text(text, self.vocabulary)
        # a photo's "like this" is no query ("find me something like this" included)
        query = query if query or gifted or occasion or POINTING_ONLY.fullmatch(_LEAD_IN.sub("", text.strip())) else text.strip()
        proposal = ShoppingIntent(kind=kind, query=query, category=cats[0] if cats else None)  # type: ignore[arg-type]
        return normalize_intent(proposal, self.vocabulary, text, has_previous=previous is not None)


class LLMIntentParser:
    """Asks a chat model for the intent JSON (constrained), retries once on an invalid reply, then falls back to
    `RuleIntentParser`. The system prompt depends only on the vocabulary, so llama.cpp's prompt cache serves it."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        vocabulary: CatalogVocabulary | None = None,
        *,
        fallback: IntentParser | None = None,
        retries: int = 1,
    ) -> None:
        self.vocabulary = vocabulary or CatalogVocabulary()
        self.chat_model = chat_model
        self.model = chat_model.bind(response_format=intent_response_format())
        self.fallback = fallback or RuleIntentParser(self.vocabulary)
        self.retries = retries
        self.system_prompt = render("intent_system", vocabulary=self.vocabulary.prompt_block())
        self.last_source = ""  # "llm" | "llm-retry" | "rules": who produced the last intent

    def messages(self, text: str, history: list[str] | None = None) -> list[BaseMessage]:
        hist = [h.strip() for h in (history or []) if h and h.strip()][-MAX_HISTORY:]
        history_block = "".join(f"Earlier: {h}\n" for h in hist)
        return [SystemMessage(self.system_prompt),
                HumanMessage(render("intent_user", history=history_block, message=text.strip()))]

    def propose(self, text: str, history: list[str] | None = None) -> ShoppingIntent | None:
        """The model's raw (un-normalised) intent, or None when it stays invalid after the retries."""
        msgs = self.messages(text, history)
        for attempt in range(self.retries + 1):
            try:
                reply = self.model.invoke(msgs)
            except Exception as exc:  # endpoint down, llama.cpp error: fall back rather than fail the chat
                log.warning("intent LLM call failed: %s", exc)
                return None
            content = reply.content if isinstance(reply.content, str) else str(reply.content)
            try:
                intent = intent_from_json(content)
                self.last_source = "llm" if attempt == 0 else "llm-retry"
                return intent
            except IntentDecodeError as exc:
                log.info("invalid intent reply (attempt %d): %s", attempt + 1, exc)
                msgs = [*msgs, AIMessage(content), HumanMessage(f"Invalid: {exc}. Reply with one valid JSON object.")]
        return None

    def parse(self, text: str, history: list[str] | None = None, previous: ShoppingIntent | None = None) -> ShoppingIntent:
        has_prev = previous is not None or bool(history)
        proposal = self.propose(text, history)
        if proposal is None:
            self.last_source = "rules"
            return self.fallback.parse(text, list(history or []), previous)
        intent = normalize_intent(proposal, self.vocabulary, text, has_previous=has_prev)
        if not kind_said(intent.kind, text):
            # a cart change or a comparison the words never ask for ("how much is the wool scarf?" read as "cart"
            # added a second scarf; "what's the cheapest thing you sell?" read as "compare" asked "which of these?"):
            # the message as the rules read it
            log.info("intent LLM kind %r not in the words of %r: the rules' reading", intent.kind, text)
            self.last_source = "rules"
            return self.fallback.parse(text, list(history or []), previous)
        query = grounded_query(intent.query, text, history or [])
        if query != intent.query:
            log.info("intent LLM query %r: words the shopper never said dropped -> %r", intent.query, query)
            intent = intent.model_copy(update={"query": query})
        return intent


# what a message that asks for a cart change (add, buy, take, remove, more of it) or for the cart itself says, in the
# languages the assistant speaks: without any of it a model's "cart" is a misreading, never an add
_CART_SAID = re.compile(
    r"\b(?:add|adding|added|buy|buying|purchase|checkout|check\s*out|cart|basket|trolley|quantity|qty|total|remove|delete|"
    r"take\s+(?:\S+\s+){0,4}?(?:out|off)|make\s+(?:it|that|them)|another\s+one|(?:one|two|three|\d+)\s+more|"
    r"i'?ll\s+(?:take|get|grab|have|buy|order)|i\s+will\s+(?:take|get|grab|have|buy|order)|"
    r"i'?d\s+like\s+(?:to\s+(?:buy|order|get|have)|it|this|that|them|one|two|\d)|"
    r"(?:want|need|take|grab|get|order|put|keep)\s+(?:\S+\s+){0,2}?(?:it|this|that|them|these|those|both)(?!\w)|"
    r"a[ñn]ad\w*|a[ñn]ád\w*|agr[eé]g\w*|compr[aoeé]\w*|llev[aoeé]\w*|quit[ae]\w*|quít\w*|elimin\w*|borr\w*|saca\w*|carrito|cesta|"
    r"p[oó]n(?:lo|la|los|las|me)|m[eé]te(?:lo|la|los|las)?|(?:lo|la|los|las)\s+quiero|quiero\s+(?:est|es[eoa]|el|la|los|las|un|una))|"
    r"购物车|加入|加到|放进|买|要这|要那|我要|删|去掉|拿掉|总共|一共|再来|再加", re.I)
# ... and what one that asks to compare says ("compare", "which is lighter?", "the first or the second", "vs")
_COMPARE_SAID = re.compile(r"\b(?:compar\w*|vs\.?|versus|differen\w*|which|between|both|the two|or|than|"
                           r"cu[aá]l(?:es)?|diferencia|ambos|ambas|los dos|las dos|o|m[aá]s\s+\w+\s+que|menos\s+\w+\s+que)\b|比较|对比|区别|哪|两个|还是", re.I)


def kind_said(kind: str, text: str) -> bool:
    """Whether the words could ask for what a model's kind says: a cart change or a look at the cart, a comparison.
    (Other kinds are checked by `normalize_intent`, or need no words of their own.)"""
    # A model's reading is overruled only for a question that asks something else ("how much is the wool scarf?",
    # "do you gift wrap?"): "I'd like the second one" or "dame el segundo" are adds in words no list holds.
    if kind == "cart":
        return kind_in_text(text) == "cart" or _CART_SAID.search(text) is not None or not _A_QUESTION.search(text)
    if kind == "compare":
        return (kind_in_text(text) == "compare" or _COMPARE_SAID.search(text) is not None or not _A_QUESTION.search(text)
                or _OF_THE_SHOWN.search(text) is not None)
    return True


_A_QUESTION = re.compile(r"[?？¿]|^\s*(?:how|what|what's|which|where|when|why|who|do|does|did|is|are|can|could|any|cu[aá]nt|qu[eé]|"
                         r"c[oó]mo|d[oó]nde|tienen|hay)\b|[吗呢]|多少|几", re.IGNORECASE)
# words that point at products on screen: a question with them may well compare them ("how do they stack up?")
_OF_THE_SHOWN = re.compile(r"\b(?:first|second|third|1st|2nd|3rd|two|both|they|them|these|those|either|vs|versus|better|"
                           r"pros|stack|primer[oa]?|segund[oa]|ambos|ell[oa]s|diferencia\w*)\b|第|两|哪个", re.IGNORECASE)


def grounded_query(query: str, text: str, history: list[str]) -> str:
    """The model's query less the English words the shopper never wrote ("a backpack" searched as "waterproof
    backpack"): a word counts when the message or the conversation has it, a form of it ("jackets"), or a slip of
    the keyboard away. A query with no such word is the model's reading of a need said in other words ("something
    to keep me dry" -> "rain jacket") and is kept whole; so are the English words of a Spanish or Chinese message
    (translating is the model's job there)."""
    from difflib import SequenceMatcher

    from assistant.language import detect_language

    if detect_language(text) != "en" or not query:
        return query
    said = set(re.findall(r"[a-z0-9]+", " ".join([text, *history[-MAX_HISTORY:]]).lower()))

    def has(word: str) -> bool:
        w = word.lower()
        if not re.search(r"[a-z]", w) or w in said:
            return True
        w = w.rstrip("s")
        return any(x.rstrip("s") == w or (len(w) >= 4 and SequenceMatcher(None, w, x.rstrip("s")).ratio() >= 0.8) for x in said)

    kept = [t for t in query.split() if all(has(w) for w in re.findall(r"[a-z0-9]+", t.lower()) or [t])]
    return " ".join(kept) if kept else query
