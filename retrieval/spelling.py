"""Query clean-up before search: spelling corrected against the catalog's own words, run-together words split,
and numbers glued to units written the way product titles write them.

Why: about one shopper query in five has a word that appears in no product name ("rechargable",
"troffer" typed "tropper", "comercialcarpet", "2x6x8", "36inch"). BM25 cannot match such a word at all, and
the dense model sees a word it never learned. Only words that are absent from the catalog (or nearly so)
are touched, and only towards words the catalog uses several times, so a correct query is left as it is.

`QueryCorrector.correct(text)` returns the text to search with; the original stays with the caller
(the assistant can show "showing results for ...").
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from retrieval.ranking import _STOP, edit_distance

__all__ = ["QueryCorrector", "edit_distance", "normalize_units"]

_ALPHA = re.compile(r"[a-z]+")
# a number glued to the letters after it ("36inch", "12v", "2x6x8"; model numbers like "g40" are left alone)
_GLUED = re.compile(r"(?<![a-z])(\d+(?:[./]\d+)?)(?=[a-z])", re.IGNORECASE)
_DIMS = re.compile(r"(?<![a-wyz])(\d+(?:[./]\d+)?)\s*[x*]\s*(?=\d)", re.IGNORECASE)  # "2x6x8": x is the separator
# unit words after a number, spelled as titles spell them ("in.", "ft.", "gal.", "lb.", "Volt", "Amp")
_UNITS = [
    (re.compile(r"(?<=\d)\s*(?:''|\"|inches|inch|inchs|in)(?![a-z])\.?", re.IGNORECASE), " in."),
    (re.compile(r"(?<=\d)\s*(?:feet|foot|ft)(?![a-z])\.?", re.IGNORECASE), " ft."),  # not "'": shoppers use it for inches too
    (re.compile(r"(?<=\d)\s*(?:gallons|gallon|gal)(?![a-z])\.?", re.IGNORECASE), " gal."),
    (re.compile(r"(?<=\d)\s*(?:pounds|pound|lbs|lb)(?![a-z])\.?", re.IGNORECASE), " lb."),
    (re.compile(r"(?<=\d)\s*(?:volts|volt|v)(?![a-z])\.?", re.IGNORECASE), "-Volt"),
    (re.compile(r"(?<=\d)\s*(?:amps|amp)(?![a-z])\.?", re.IGNORECASE), "-Amp"),
]


# Words of conversation, not of products: a shop whose titles never say "show" or "dollars" must not turn
# "show me hodies" into "how me hoodies". Only ever consulted for words the catalog does not have.
_CHAT_WORDS = frozenset("""
show shows showing want wants wanted need needs looking look find finding help please something anything
some give tell know would could should like have buy buying get gets cheap cheaper cheapest expensive under
over below above dollars dollar bucks euros price prices less more than between also only just what which
where when there this that these those about your with from into them they their hello thanks thank maybe
really very much many good best nice other another else recommend suggest options ones kind similar same
different around budget gift wife husband friend daughter mother father myself search searching seeking
would anyone else instead without cost costs size sizes color colour colors colours cart carts basket
checkout order orders track tracking shipping delivery deliver refund return returns policy account wishlist
compare comparison first second third last both
thing things sell sells sold selling come comes came coming note notes wait waiting okay fine great cool awesome
perfect sure yeah nope joke jokes funny weather today tomorrow yesterday morning evening night week weekend year
years month time times always never often usually normally actually probably definitely sorry excuse pardon love
loves hate likes liked enjoy think thought feel feels felt guess mean meant said says told asked asking answer
question questions problem issue issues work works working worked make makes made making take takes took taking
keep keeps kept send sent paid paying card address email phone name number call called contact store shop shops
online website page item items product products stuff brand brands model models style styles type types version
available availability stock still already again next back front side left right here away down well even ever
every each either neither none nothing everything everyone someone somebody people person team does doing done
going goes gone went want wanna gonna gotta able unable change changes changed update updated quantity total
remove delete add adding added filter filters sort sorted list lists cheaper bigger smaller larger longer shorter
heavier lighter better worse newest latest popular rated rating ratings review reviews reviewed stars hello
hola gracias adios adiós buenos buenas tardes noches quiero busco buscando tienes tienen tiene algo para como
cuanto cuánto donde dónde pedido ayuda favor también tambien estoy está esta este esto
then than them were been being will shall might must whom whose while until unless though because since
onto upon also into okay match matches matched matching goes fits suits pairs elsewhere cheers""".split())  # noqa: SIM905


# Words no misspelt product word is meant to become ("nike" is no typo of "like", even where descriptions say "like")
_NEVER_A_FIX = frozenset("""
like show want need would could should please what which where when there this that these those with from have
just some really very much many maybe about your them they their than also only into give tell know""".split())  # noqa: SIM905


def normalize_units(text: str) -> str:
    """'2x6x8' -> '2 x 6 x 8', '36inch' -> '36 in.', '12v' -> '12-Volt'."""
    t = _DIMS.sub(lambda m: m.group(1) + " x ", text)
    t = _GLUED.sub(lambda m: m.group(1) + " ", t)
    for pattern, unit in _UNITS:
        t = pattern.sub(unit, t)
    return re.sub(r"\s+", " ", t).strip()


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


class QueryCorrector:
    """Did-you-mean from the catalog's vocabulary (built once per search snapshot: ~1 s for 55k titles).

    A query word is corrected only when it occurs in at most `rare` product texts (default: in none). Candidates occur in at
    least `min_df` texts and are within 1 edit (words of 4-7 letters) or 2 edits (8+ letters); among them the
    one that shares the most product texts with the query's other words wins ("10 60 tooth blde" -> "blade",
    not "blue"), then the closer, then the more common. A word with no such neighbour may split into two
    catalog words ("comercialcarpet" -> "commercial carpet").
    """

    def __init__(self, texts: Iterable[str], *, rare: int = 0, min_df: int = 3):
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(texts):
            for w in set(_ALPHA.findall((t or "").lower())):
                postings[w].append(i)
        self.df = {w: len(p) for w, p in postings.items()}
        # sorted doc numbers per word, for co-occurrence counts (numpy: a few MB for 55k titles)
        # (candidates and rare originals only: context words used by fewer than `min_df` texts do not vote)
        self._postings = {w: np.asarray(p, dtype=np.int32) for w, p in postings.items() if len(p) >= min_df or len(p) <= rare}
        self.rare = rare
        self.min_df = min_df
        self._index: dict[str, list[str]] = {}
        for w, n in self.df.items():
            if n >= min_df and len(w) >= 3:
                for d in _deletes(w, 2 if len(w) >= 7 else 1):
                    self._index.setdefault(d, []).append(w)
        self.correct = lru_cache(maxsize=50_000)(self._correct)  # type: ignore[method-assign]

    def known(self, word: str) -> bool:
        return self.df.get(word, 0) > self.rare

    def _cooccurrence(self, word: str, context: list[str]) -> int:
        p = self._postings.get(word)
        if p is None:
            return 0
        return sum(int(np.intersect1d(p, self._postings[c], assume_unique=True).size) for c in context if c in self._postings)

    def _neighbours(self, w: str, limit: int) -> list[str]:
        seen: set[str] = set()
        for d in _deletes(w, limit):
            for cand in self._index.get(d, ()):
                if cand != w and cand not in seen and abs(len(cand) - len(w)) <= limit:
                    seen.add(cand)
        return [c for c in seen if edit_distance(w, c) <= limit]

    def _word(self, w: str, context: list[str]) -> str:
        if len(w) < 4 or self.known(w) or w in _CHAT_WORDS:
            return w
        limit = 2 if len(w) >= 8 else 1
        options = [c for c in self._neighbours(w, limit) if c not in _NEVER_A_FIX]
        if options:
            if self.df.get(w, 0):
                options.append(w)  # a word the catalog has once competes on its context too
            scored = []
            for c in options:
                co = self._cooccurrence(c, context)
                if c != w and edit_distance(w, c) > 1 and co == 0:
                    continue  # two edits is a long way: only with support from the other words
                scored.append((-(co > 0), edit_distance(w, c) if c != w else 0, c[0] != w[0], -co, -self.df.get(c, 0), c))
            if scored:
                return min(scored)[-1]
        # run-together words: the split whose rarer half is most common
        split: tuple[int, str] | None = None
        for i in range(3, len(w) - 2):
            a, b = w[:i], w[i:]
            a2 = a if self.known(a) else self._fix(a)
            b2 = b if self.known(b) else self._fix(b)
            if a2 and b2:
                score = min(self.df.get(a2, 0), self.df.get(b2, 0))
                if score >= self.min_df and (split is None or score > split[0]):
                    split = (score, f"{a2} {b2}")
        return split[1] if split else w

    def _fix(self, part: str) -> str | None:
        """A one-edit fix for a piece of a run-together word (pieces shorter than 5 letters must be exact)."""
        if len(part) < 5:
            return None
        options = self._neighbours(part, 1)
        return max(options, key=lambda c: (self.df[c], c)) if options else None

    def _correct(self, text: str, keep: frozenset[str] = frozenset()) -> str:
        """`keep`: lower-case words never to touch (names the shopper wrote, "Nike", that the shop does not carry)."""
        t = normalize_units(text or "").lower()
        words = _ALPHA.findall(t)
        if all(len(w) < 4 or self.known(w) or w in _CHAT_WORDS or w in keep for w in words):
            return t
        context = [w for w in words if self.known(w) and w not in _STOP and len(w) >= 3]
        return _ALPHA.sub(lambda m: m.group(0) if m.group(0) in keep else self._word(m.group(0), [c for c in context if c != m.group(0)]), t)

    def changed_words(self, text: str, keep: frozenset[str] = frozenset()) -> bool:
        """True when `correct` changed a word, not only the way a number or unit is written."""
        return _ALPHA.findall(normalize_units(text or "").lower()) != _ALPHA.findall(self.correct(text, keep))

    def unseen(self, words: list[str]) -> list[str]:
        """The words (nor their singulars) no product text has."""
        return [w for w in (x.lower() for x in words)
                if not self.df.get(w, 0) and not any(self.df.get(w[: -len(e)], 0) for e in ("s", "es") if w.endswith(e))]

    def unknown(self, words: list[str]) -> list[str]:
        """The words no product text has that search would otherwise have read as a misspelling of one ("nike"
        as "bike"): a name the shop does not carry. A word with no near catalog word, or the plural of one, is
        not reported (it is searched as written, and the results speak for themselves)."""
        return [w for w in self.unseen(words) if self.correct(w) != w]


def word_corrections(original: str, corrected: str) -> list[tuple[str, str]]:
    """The words `QueryCorrector.correct` replaced, as (what the shopper wrote, what was searched):
    "10 60 tooth blde" -> [("blde", "blade")]; a split word gives ("comercialcarpet", "commercial carpet")."""
    a = _ALPHA.findall(normalize_units(original or "").lower())
    b = _ALPHA.findall((corrected or "").lower())
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append((" ".join(a[i1:i2]), " ".join(b[j1:j2])))
    # a plural searched as its singular ("backpacks" -> "backpack") is no slip of the shopper's to point out
    return [(w, c) for w, c in out if w and c and not _plural_of(w, c)]


def _plural_of(word: str, other: str) -> bool:
    """True when `word` is the plural of `other`: "backpacks"/"backpack", "dresses"/"dress", "batteries"/"battery"."""
    return word in (other + "s", other + "es") or (other.endswith("y") and word == other[:-1] + "ies")
