"""Context-aware scoring: ONE linear function over NAMED features, with per-feature contributions.

score(product) = sum over features f of weight[f] * value[f]; `contributions[f] = weight[f] * value[f]`,
so the contributions always add up to the score and the assistant can say why a product ranks high.

Features come in two groups:

* query-text features (`TEXT_FEATURES`): lexical BM25, dense cosine, their ranks, reciprocal-rank
  fusion, and cheap title-matching signals (query-token coverage, bigrams, character trigrams for
  misspellings, numbers/units, brand, the query's head noun, title length);
* context features (`CONTEXT_FEATURES`): soft preferences, query image, Bayesian rating, popularity
  from logged events, recency, season vs the product's `climate` attribute, this conversation's
  liked/shown/disliked products, and the user's history (brands/categories bought or liked).

Weights come from `retrieval/ranking_weights.json` (package data) or a learned model
(`retrieval.learned_ranker.LearnedRanker`), which overrides the weights of the features it learned.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

from catalog.repository import ProductSummary

TEXT_FEATURES: tuple[str, ...] = (
    "rrf",
    "lex",
    "lex_rank",
    "in_lex",
    "dense",
    "dense_rel",
    "dense_rank",
    "coverage",
    "fuzzy_coverage",
    "all_covered",
    "bigram",
    "head_match",
    "trigram",
    "numbers",
    "numbers_missing",
    "brand",
    "title_len",
    "extra_tokens",
    "cov_head",
    "dense_cov",
    "lex_dense",
    "idf_coverage",
    "query_words",
    "missing_idf_max",
    "missing_idf",
    "title_head",
    "first_word",
    "first_match_pos",
    "query_idf",
)
# Each of these is also given relative to the best candidate of the same query (`<name>_gap`: value minus
# the list's maximum) and as a rank fraction (`<name>_pct`: 0 = best): "covers the query words as well
# as anything in the catalog" matters more than the raw value (+0.008 NDCG@10 on the Home Depot dev split).
RELATIVE_FEATURES: tuple[str, ...] = ("idf_coverage", "dense", "lex", "fuzzy_coverage", "trigram", "bigram", "title_head")
TEXT_FEATURES = TEXT_FEATURES + tuple(f"{n}_{k}" for n in RELATIVE_FEATURES for k in ("gap", "pct"))
CONTEXT_FEATURES: tuple[str, ...] = (
    "preferences",
    "image",
    "rating",
    "popularity",
    "recency",
    "season",
    "session",
    "shown",
    "disliked",
    "history",
)
ALL_FEATURES: tuple[str, ...] = TEXT_FEATURES + CONTEXT_FEATURES

# Short phrases the assistant can use to explain a contribution.
FEATURE_LABELS: dict[str, str] = {
    "rrf": "matches your search",
    "lex": "keyword match",
    "lex_rank": "keyword match",
    "in_lex": "keyword match",
    "dense": "similar in meaning",
    "dense_rel": "similar in meaning",
    "dense_rank": "similar in meaning",
    "coverage": "has all your words",
    "fuzzy_coverage": "has all your words",
    "all_covered": "has all your words",
    "bigram": "matches your phrase",
    "head_match": "the kind of product you asked for",
    "trigram": "close spelling",
    "numbers": "matches the size/number you gave",
    "numbers_missing": "does not match the size/number you gave",
    "brand": "the brand you named",
    "title_len": "title length",
    "extra_tokens": "title specificity",
    "cov_head": "has all your words",
    "dense_cov": "matches your search",
    "lex_dense": "matches your search",
    "idf_coverage": "has your key words",
    "query_words": "matches your search",
    "missing_idf_max": "misses a key word",
    "missing_idf": "misses a key word",
    "title_head": "the kind of product you asked for",
    "first_word": "matches your search",
    "first_match_pos": "matches your search",
    "query_idf": "matches your search",
    **{f"{n}_{k}": label for n, label in (
        ("idf_coverage", "has your key words"), ("dense", "similar in meaning"), ("lex", "keyword match"),
        ("fuzzy_coverage", "has all your words"), ("trigram", "close spelling"), ("bigram", "matches your phrase"),
        ("title_head", "the kind of product you asked for")) for k in ("gap", "pct")},
    "preferences": "has what you prefer",
    "image": "looks like your photo",
    "rating": "well rated",
    "popularity": "popular with shoppers",
    "recency": "new in",
    "season": "suits the season",
    "session": "like items you liked",
    "shown": "close to products shown earlier in this conversation",
    "disliked": "like items you disliked",
    "history": "brands/categories you liked, carted or bought before",
}


# ----- weights ---------------------------------------------------------------------------------------
@dataclass
class RankingConfig:
    """Feature weights plus the few knobs of candidate generation and fusion."""

    weights: dict[str, float] = field(default_factory=dict)
    rrf_k: float = 60.0
    candidates: int = 100  # lexical top-N and dense top-N, each
    mmr_lambda: float = 0.75
    bayes_prior_mean: float = 3.5
    bayes_prior_count: float = 5.0
    popularity_scale: float = 50.0  # events weight at which popularity saturates (log scale)
    recency_half_life_days: float = 120.0
    hemisphere: str = "north"

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RankingConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and not k.startswith("_")}
        cfg = cls(**known)  # type: ignore[arg-type]
        unknown = set(cfg.weights) - set(ALL_FEATURES)
        if unknown:
            raise ValueError(f"unknown ranking features {sorted(unknown)}; known: {', '.join(ALL_FEATURES)}")
        cfg.weights = {k: float(v) for k, v in cfg.weights.items()}
        return cfg

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def load_ranking_config(path: str | Path | None = None) -> RankingConfig:
    """The packaged defaults (`retrieval/ranking_weights.json`), or the JSON file at `path`."""
    if path is None:
        text = resources.files("retrieval").joinpath("ranking_weights.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return RankingConfig.from_dict(json.loads(text))


# ----- text features ---------------------------------------------------------------------------------
_WORD = re.compile(r"[a-z0-9]+(?:[./][0-9]+)?", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[./]\d+)?")
_STOP = frozenset(["a", "an", "and", "the", "for", "of", "in", "on", "with", "to", "by", "at", "or", "x", "ft", "inch"])


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """A tiny, conservative English suffix stripper (plural/-ing/-ed) for title matching."""
    t = token.lower()
    if len(t) <= 3 or t[0].isdigit():
        return t
    if len(t) == 4 and t.endswith("ies"):  # ties, pies, dies: the singular ends in -ie
        return t[:-1]
    if t.endswith("ie"):  # hoodie/hoodies, cookie/cookies, beanie/beanies meet at -y
        return t[:-2] + "y"
    for suf, rep in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if t.endswith(suf):
            return t[: -len(suf)] + rep
    if t.endswith("ing") and len(t) > 5:
        return t[:-3]
    if t.endswith("ed") and len(t) > 4:
        return t[:-2]
    if t.endswith("s") and not t.endswith("ss") and not t.endswith("us"):
        return t[:-1]
    return t


def lexical_query(text: str) -> str:
    """The query for the full-text index without stop words ("in", "x", "ft"...): they match most titles,
    weigh almost nothing in BM25 and make the full-text engine score tens of thousands of rows."""
    words = re.findall(r"\w+", (text or "").lower())
    kept = [w for w in words if w not in _STOP]
    return " ".join(kept or words)


def tokens(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


@lru_cache(maxsize=200_000)
def _trigrams(word: str) -> frozenset[str]:
    w = f"#{word}#"
    return frozenset(w[i : i + 3] for i in range(len(w) - 2))


@dataclass
class ParsedText:
    raw: str
    toks: list[str]
    stems: list[str]
    stem_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    numbers: frozenset[str]
    trigrams: frozenset[str]


@lru_cache(maxsize=100_000)
def parse_text(text: str) -> ParsedText:
    toks = tokens(text)
    stems = [stem(t) for t in toks]
    tri: set[str] = set()
    for t in toks:
        tri |= _trigrams(t)
    return ParsedText(
        raw=text,
        toks=toks,
        stems=stems,
        stem_set=frozenset(stems),
        bigrams=frozenset(zip(stems, stems[1:], strict=False)),
        numbers=frozenset(_NUMBER.findall((text or "").lower())),
        trigrams=frozenset(tri),
    )


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Optimal string alignment distance (a transposition counts as one edit); with `limit`, stops early
    and returns limit + 1 once the distance must exceed it."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=200_000)
def _close(a: str, b: str) -> bool:
    """Optimal string alignment distance within 1 (words of 5+ letters) or 2 (8+ letters)."""
    limit = 2 if min(len(a), len(b)) >= 8 else 1
    return abs(len(a) - len(b)) <= limit and edit_distance(a, b, limit) <= limit


def _fuzzy_in(word: str, title: ParsedText) -> bool:
    return word in title.stem_set or _fuzzy_in_text(word, title.raw)


@lru_cache(maxsize=500_000)
def _fuzzy_in_text(word: str, title_text: str) -> bool:
    return _fuzzy_match(word, parse_text(title_text))


def _fuzzy_match(word: str, title: ParsedText) -> bool:
    if word in title.stem_set:
        return True
    if len(word) < 4 or word[0].isdigit():
        return False
    tw = _trigrams(word)
    for t in title.stem_set:
        if abs(len(t) - len(word)) <= 2 and len(t) >= 4:
            tt = _trigrams(t)
            jac = len(tw & tt) / len(tw | tt)
            if jac >= 0.45 or (jac >= 0.2 and len(word) >= 5 and _close(word, t)):
                return True
        if len(t) >= 4 and (word.startswith(t) or t.startswith(word)) and min(len(t), len(word)) >= 4:
            return True  # compounds and truncations: "baseboard"/"base", "insul"/"insulation"
    return False


def title_match_features(query: str, title: str) -> dict[str, float]:
    """Query-vs-title signals that need no index: coverage, bigrams, trigrams, numbers, brand, head noun."""
    f = _text_match(_QueryParts(parse_text(query), None), parse_text(title))
    return {k: f[k] for k in _TITLE_KEYS}


class TermStats:
    """Document frequencies of title word stems over the catalog, for idf-weighted matching.

    Built once from all product names (about 1 s for 55k titles) and passed to `compute_text_features`.
    """

    def __init__(self, titles: Iterable[str]):
        from collections import Counter

        df: Counter[str] = Counter()
        n = 0
        for t in titles:
            df.update({stem(w) for w in tokens(t)})
            n += 1
        self.n = n
        self.df = dict(df)

    def idf(self, word: str) -> float:
        d = self.df.get(word, 0)
        return math.log(1.0 + (self.n - d + 0.5) / (d + 0.5))


# The product type of a title is usually the last word before "in <colour>", "with ...", "for ...", a comma
# or a bracket: "Whirlpool 1.9 cu. ft. Over the Range Microwave in Stainless Steel" -> "microwave".
_TITLE_HEAD_CUT = re.compile(r"\s(?:in|with|for|by|and|-)\s|,|\(|\|", re.IGNORECASE)


@lru_cache(maxsize=200_000)
def title_head(title: str) -> str:
    first = _TITLE_HEAD_CUT.split(title or "", maxsplit=1)[0]
    words = [s for s in parse_text(first).stems if not s[0].isdigit() and s not in _STOP]
    return words[-1] if words else ""


def idf_features(query: str, title: str, stats: TermStats | None) -> dict[str, float]:
    """Which query words the title has, weighted by how rare they are in the catalog, and the title's type."""
    f = _text_match(_QueryParts(parse_text(query), stats), parse_text(title))
    return {k: f[k] for k in _IDF_EMPTY}


@dataclass
class Candidate:
    """What candidate generation knows about one product before ranking."""

    product_id: int
    title: str
    lex_score: float | None = None  # higher is better; None: no lexical match
    lex_rank: int | None = None
    dense_score: float | None = None  # cosine
    dense_rank: int | None = None
    image_score: float | None = None
    text_features: dict[str, float] = field(default_factory=dict)


def rrf_score(ranks: Iterable[int | None], k: float) -> float:
    return sum(1.0 / (k + r + 1) for r in ranks if r is not None)


class _QueryParts:
    """What the text features need of the query, worked out once per candidate list (not per candidate)."""

    __slots__ = ("q", "words", "idfs", "total", "head")

    def __init__(self, q: ParsedText, stats: TermStats | None):
        self.q = q
        self.words = [s for s in dict.fromkeys(q.stems) if s not in _STOP] or list(dict.fromkeys(q.stems))
        self.idfs = [stats.idf(w) if stats is not None else 1.0 for w in self.words]
        self.total = sum(self.idfs) or 1.0
        heads = [w for w in q.stems if not w[0].isdigit() and w not in _STOP]
        self.head = heads[-1] if heads else None


def _text_match(qp: _QueryParts, t: ParsedText) -> dict[str, float]:
    """Every query-vs-title feature in one pass, each query word fuzzily matched once."""
    q, words = qp.q, qp.words
    f = _title_match_empty(t)
    f.update(_IDF_EMPTY)
    f["query_words"] = float(len(words))
    if not words:
        return f
    matched = [_fuzzy_in(w, t) for w in words]
    n = len(words)
    fuzzy = sum(matched)
    f["coverage"] = sum(1 for w in words if w in t.stem_set) / n
    f["fuzzy_coverage"] = fuzzy / n
    f["all_covered"] = 1.0 if fuzzy == n else 0.0
    if q.bigrams:
        f["bigram"] = len(q.bigrams & t.bigrams) / len(q.bigrams)
    if qp.head is not None:
        f["head_match"] = 1.0 if _fuzzy_in(qp.head, t) else 0.0
    if q.trigrams:
        f["trigram"] = len(q.trigrams & t.trigrams) / len(q.trigrams)
    if q.numbers:
        hit = len(q.numbers & t.numbers)
        f["numbers"] = hit / len(q.numbers)
        f["numbers_missing"] = 1.0 if hit == 0 else 0.0
    if t.stems and t.stems[0] in q.stem_set and not t.stems[0][0].isdigit():
        f["brand"] = 1.0
    if t.stem_set:
        f["extra_tokens"] = len(t.stem_set - q.stem_set) / len(t.stem_set)
    missing = [i for i, m in zip(qp.idfs, matched, strict=True) if not m]
    f["idf_coverage"] = sum(i for i, m in zip(qp.idfs, matched, strict=True) if m) / qp.total
    f["missing_idf_max"] = max(missing, default=0.0)
    f["missing_idf"] = sum(missing)
    f["query_idf"] = qp.total
    head = title_head(t.raw)
    f["title_head"] = 1.0 if head and (head in q.stem_set or any(_fuzzy_in(w, parse_text(head)) for w in words)) else 0.0
    f["first_word"] = 1.0 if matched[0] else 0.0
    pos = next((i for i, s in enumerate(t.stems) if s in q.stem_set), None)
    f["first_match_pos"] = pos / max(len(t.stems), 1) if pos is not None else 1.0
    return f


_TITLE_KEYS = ("coverage", "fuzzy_coverage", "all_covered", "bigram", "head_match", "trigram", "numbers",
               "numbers_missing", "brand", "title_len", "extra_tokens")
_IDF_EMPTY = {"idf_coverage": 0.0, "query_words": 0.0, "missing_idf_max": 0.0, "missing_idf": 0.0, "title_head": 0.0,
              "first_word": 0.0, "first_match_pos": 1.0, "query_idf": 0.0}


def _title_match_empty(t: ParsedText) -> dict[str, float]:
    f = dict.fromkeys(_TITLE_KEYS, 0.0)
    f["title_len"] = math.log1p(len(t.toks))
    return f


def compute_text_features(query: str, cands: Sequence[Candidate], *, rrf_k: float, stats: TermStats | None = None) -> None:
    """Fill `Candidate.text_features` for a candidate list of one query (normalised within the list)."""
    lex_max = max((c.lex_score for c in cands if c.lex_score is not None), default=0.0) or 1.0
    dense_max = max((c.dense_score for c in cands if c.dense_score is not None), default=0.0)
    rrf_max = 2.0 / (rrf_k + 1)
    qp = _QueryParts(parse_text(query), stats)  # once: the query is the same for every candidate
    for c in cands:
        f = _text_match(qp, parse_text(c.title))
        f["rrf"] = rrf_score((c.lex_rank, c.dense_rank), rrf_k) / rrf_max
        f["lex"] = (c.lex_score / lex_max) if c.lex_score is not None and lex_max > 0 else 0.0
        f["lex_rank"] = 10.0 / (10.0 + c.lex_rank) if c.lex_rank is not None else 0.0
        f["in_lex"] = 1.0 if c.lex_score is not None else 0.0
        f["dense"] = c.dense_score if c.dense_score is not None else 0.0
        f["dense_rel"] = (c.dense_score - dense_max) if c.dense_score is not None else -1.0
        f["dense_rank"] = 10.0 / (10.0 + c.dense_rank) if c.dense_rank is not None else 0.0
        # a linear model cannot multiply: the products of the strongest signals are features themselves
        f["cov_head"] = f["fuzzy_coverage"] * f["head_match"]
        f["dense_cov"] = f["dense"] * f["fuzzy_coverage"]
        f["lex_dense"] = f["lex"] * f["dense"]
        c.text_features = f
    _relative_features(cands)


def _relative_features(cands: Sequence[Candidate]) -> None:
    if not cands:
        return
    n = len(cands)
    feats = [c.text_features for c in cands]
    values = np.array([[f[name] for name in RELATIVE_FEATURES] for f in feats], dtype=np.float64).reshape(n, -1)
    gaps = (values - values.max(axis=0)).tolist()
    pct = np.empty_like(values)
    ranks = np.arange(n) / n
    for j in range(values.shape[1]):
        pct[np.argsort(-values[:, j], kind="stable"), j] = ranks
    pcts = pct.tolist()
    keys = [(f"{name}_gap", f"{name}_pct") for name in RELATIVE_FEATURES]
    for f, g, p in zip(feats, gaps, pcts, strict=True):
        for (gk, pk), gv, pv in zip(keys, g, p, strict=True):
            f[gk] = gv
            f[pk] = pv


# ----- context features ------------------------------------------------------------------------------
# Northern-hemisphere seasons by month, and the Magento `climate` values that suit each.
_SEASON_OF_MONTH = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
                    6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
_FLIP = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}
CLIMATE_BY_SEASON: dict[str, dict[str, float]] = {
    "winter": {"cold": 1.0, "wintry": 1.0, "cool": 0.7, "windy": 0.5, "rainy": 0.4, "all-weather": 0.4, "hot": -0.5},
    "spring": {"spring": 1.0, "mild": 0.8, "cool": 0.6, "rainy": 0.7, "windy": 0.6, "all-weather": 0.4},
    "summer": {"hot": 1.0, "warm": 0.9, "mild": 0.3, "all-weather": 0.4, "cold": -0.5, "wintry": -0.5},
    "autumn": {"cool": 1.0, "rainy": 0.8, "windy": 0.8, "mild": 0.6, "all-weather": 0.4, "hot": -0.3},
}


def season_of(now: dt.datetime | dt.date, hemisphere: str = "north") -> str:
    s = _SEASON_OF_MONTH[now.month]
    return _FLIP[s] if hemisphere.lower().startswith("s") else s


def season_match(product: ProductSummary, now: dt.datetime | dt.date, hemisphere: str = "north") -> float:
    """How well the product's `climate` attribute suits today's season, in [-0.5, 1]; 0 when it has none."""
    climate = [v.lower() for v in product.attributes.get("climate", [])]
    if not climate:
        return 0.0
    table = CLIMATE_BY_SEASON[season_of(now, hemisphere)]
    vals = [table.get(c, 0.0) for c in climate]
    pos = max(vals)
    return pos if pos > 0 else min(vals)


def bayesian_rating(avg: float | None, count: int, prior_mean: float, prior_count: float) -> float:
    """Rating shrunk towards the prior by the number of reviews, mapped to [-1, 1] around 3 stars."""
    n = max(count, 0) if avg is not None else 0
    bayes = (prior_count * prior_mean + (avg or 0.0) * n) / (prior_count + n)
    return (bayes - 3.0) / 2.0


def preference_match(product: ProductSummary, preferences: Sequence[str]) -> float:
    """Fraction of soft preferences (colours, materials, attribute values) the catalog says it has."""
    wishes = [w.strip().lower() for w in preferences if w and w.strip()]
    if not wishes:
        return 0.0
    values = {v.lower() for vals in product.attributes.values() for v in vals}
    values |= {c.lower() for c in product.colors} | {s.lower() for s in product.sizes}
    text = " ".join([product.name, product.description]).lower()
    text_words = set(tokens(text))
    hit = 0
    for w in wishes:
        # a wish is a whole value or whole words of one ("nylon" of "Ripstop Nylon"), never a piece of a word
        # ("rain" is not "Training")
        if w in values or any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", v) for v in values) \
                or all(t in text_words for t in tokens(w)):
            hit += 1
    return hit / len(wishes)


@dataclass
class UserHistory:
    """What a returning user bought or liked before (weights: how often)."""

    brands: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    product_ids: list[int] = field(default_factory=list)


def history_match(product: ProductSummary, history: UserHistory | None) -> float:
    if history is None or (not history.brands and not history.categories):
        return 0.0
    score = 0.0
    if product.brand and history.brands:
        top = max(history.brands.values()) or 1.0
        score += 0.5 * history.brands.get(product.brand.lower(), 0.0) / top
    if product.categories and history.categories:
        top = max(history.categories.values()) or 1.0
        best = 0.0
        for path in product.categories:
            parts = path.lower().split("/")
            for i in range(len(parts), 0, -1):  # the deepest shared ancestor counts, a bit less when shallower
                w = history.categories.get("/".join(parts[:i]), 0.0)
                if w:
                    best = max(best, (w / top) * (i / len(parts)))
                    break
        score += 0.5 * best
    return score


def recency(created_at: dt.datetime | None, now: dt.datetime, half_life_days: float) -> float:
    if created_at is None:
        return 0.0
    age = max((now - created_at).total_seconds() / 86400.0, 0.0)
    return 0.5 ** (age / half_life_days)


def novelty(product: ProductSummary, now: dt.datetime, half_life_days: float, opened_at: dt.datetime | None = None) -> float:
    """How new the product is, for ranking and the "new in" explanation. The catalog's own flag wins ("new":
    Yes/No, as Magento has it); else the date it was added, but never for the products of the catalog's first
    import: a store imported yesterday has nothing "new in" (every product would be)."""
    flag = product.attributes.get("new")
    if flag:
        return 1.0 if str(flag[0]).strip().lower() in ("yes", "true", "1", "y") else 0.0
    if product.created_at is None or (opened_at is not None and product.created_at - opened_at < dt.timedelta(days=1)):
        return 0.0
    return recency(product.created_at, now, half_life_days)


def popularity_value(events_weight: float, scale: float) -> float:
    return min(1.0, math.log1p(max(events_weight, 0.0)) / math.log1p(scale))


def max_cosine(vec: np.ndarray | None, others: Sequence[np.ndarray]) -> float:
    if vec is None or not others:
        return 0.0
    return float(max(float(np.dot(vec, o)) for o in others))


# ----- rankers ---------------------------------------------------------------------------------------
class Ranker(Protocol):
    """Turns named feature values into a score and per-feature contributions (which sum to the score)."""

    def score(self, features: Mapping[str, float]) -> tuple[float, dict[str, float]]: ...


class LinearRanker:
    """score = sum(weight[f] * value[f]); features without a weight do not count."""

    def __init__(self, weights: Mapping[str, float]):
        self.weights = dict(weights)

    def score(self, features: Mapping[str, float]) -> tuple[float, dict[str, float]]:
        contrib: dict[str, float] = {}
        for name, w in self.weights.items():
            v = features.get(name, 0.0)
            if w and v:
                contrib[name] = w * v
        return float(sum(contrib.values())), contrib


def explain(contributions: Mapping[str, float], top: int = 3) -> list[str]:
    """The human labels of the largest positive contributions, for 'why this'."""
    best = sorted((c, n) for n, c in contributions.items() if c > 0)[::-1]
    return list(dict.fromkeys(FEATURE_LABELS.get(n, n) for _, n in best))[:top]
