"""The catalog's real vocabulary, and the rules that ground an LLM-proposed intent in it and in the text.

The LLM proposes; this module validates:
- colours, sizes, brands and the category are mapped onto the catalog's own values (case-, plural- and
  synonym-insensitive, incl. Chinese and Spanish colour words); unknown values leave the hard fields and become
  soft wishes in `attributes`;
- a hard value must have evidence in the message (a colour the shopper never named is dropped);
- prices must be stated in the message (digits, "$30", "30 dollars", Chinese numerals such as 两百); explicit
  price phrases ("under $30", "200元以下", "between 20 and 50") and sort phrases ("cheapest") are read by regex
  and win over the model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.intent import ShoppingIntent
from assistant.language import CJK, detect_language
from catalog.text import IRREGULAR_PLURAL_OF, IRREGULAR_PLURALS, singular


@dataclass
class CatalogVocabulary:
    """Real values of the catalog (as stored), used to validate and to brief the LLM."""

    colors: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def prompt_block(self, max_items: int = 40) -> str:
        """A stable text listing of the vocabulary for the system prompt (same catalog -> same text)."""

        def line(label: str, values: list[str]) -> str:
            vals = values[:max_items]
            more = f" (+{len(values) - max_items} more)" if len(values) > max_items else ""
            return f"{label}: {', '.join(vals) if vals else '(any)'}{more}"

        cats = sorted({c.rsplit("/", 1)[-1] for c in self.categories})
        return "\n".join(
            [line("Colors", self.colors), line("Sizes", self.sizes), line("Brands", self.brands),
             line("Categories", cats)]
        )

    def to_dict(self) -> dict[str, list[str]]:
        return {"colors": self.colors, "sizes": self.sizes, "brands": self.brands, "categories": self.categories}


def _dedup(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, str] = {}
    for v in values:
        if v is None:
            continue
        s = str(v).strip()
        if s and s.lower() not in seen:
            seen[s.lower()] = s
    return list(seen.values())


def vocabulary_from_lists(
    colors: Iterable[str | None] = (),
    sizes: Iterable[str | None] = (),
    brands: Iterable[str | None] = (),
    categories: Iterable[str | None] = (),
) -> CatalogVocabulary:
    """Build a vocabulary from raw catalog values (deduplicated case-insensitively, sorted; sizes keep order)."""
    return CatalogVocabulary(
        colors=sorted(_dedup(colors), key=str.lower),
        sizes=_dedup(sizes),
        brands=sorted(_dedup(brands), key=str.lower),
        categories=sorted(_dedup(categories), key=str.lower),
    )


def load_vocabulary(path: str | Path) -> CatalogVocabulary:
    """Read a vocabulary JSON file: {"colors": [...], "sizes": [...], "brands": [...], "categories": [...]}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object with colors/sizes/brands/categories lists")
    return vocabulary_from_lists(
        data.get("colors", []), data.get("sizes", []), data.get("brands", []), data.get("categories", [])
    )


# ---------------------------------------------------------------------------------------------------- colours
# canonical English colour -> words (en / zh / es / a little fr, de) that mean it
COLOR_WORDS: dict[str, tuple[str, ...]] = {
    "Black": ("black", "黑色", "黑", "negro", "negra", "negros", "negras", "noir", "schwarz"),
    "White": ("white", "ivory", "cream", "白色", "白", "blanco", "blanca", "blancos", "blancas", "blanc", "weiß"),
    "Gray": ("gray", "grey", "charcoal", "silver", "heather", "灰色", "灰", "银色", "gris", "grau"),
    "Red": ("red", "crimson", "scarlet", "burgundy", "maroon", "红色", "红", "紅", "rojo", "roja", "rojos", "rojas", "rouge", "rot"),
    "Blue": ("blue", "navy", "azure", "蓝色", "蓝", "藍", "azul", "azules", "marino", "bleu", "blau"),
    "Green": ("green", "olive", "khaki", "绿色", "绿", "綠", "verde", "verdes", "vert", "grün"),
    "Yellow": ("yellow", "gold", "golden", "mustard", "黄色", "黄", "黃", "amarillo", "amarilla", "jaune", "gelb"),
    "Orange": ("orange", "橙色", "橙", "橘色", "naranja", "anaranjado"),
    "Purple": ("purple", "violet", "plum", "紫色", "紫", "morado", "morada", "púrpura", "purpura", "violeta", "lila"),
    "Lavender": ("lavender", "lilac", "淡紫", "薰衣草", "lavanda"),
    "Pink": ("pink", "rose", "粉色", "粉红", "粉", "rosa", "rosado", "rosada"),
    "Brown": ("brown", "tan", "camel", "chocolate", "棕色", "棕", "咖啡色", "褐色", "marrón", "marron", "café"),
    "Beige": ("beige", "米色", "米白"),
}
# broader family used when the catalog lacks the exact colour (navy -> Blue, lilac -> Purple)
_COLOR_FAMILY = {"Lavender": "Purple", "Pink": "Red", "Beige": "White"}

_CJK = CJK


def _has_word(text_l: str, word: str) -> bool:
    """Whole-word match for Latin words; substring match for CJK words."""
    if word not in text_l:  # most calls: no substring, no regex (its cache thrashes over thousands of words)
        return False
    if _CJK.search(word):
        return True
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text_l) is not None




def number_forms(word: str) -> list[str]:
    """The word, lower case, and its other number where no suffix rule reaches it: "scarf" -> ["scarf", "scarves"],
    "knives" -> ["knives", "knife"], "jacket" -> ["jacket"] (a search for "scarf" must find a "Scarves" category's
    products, which lexical stemming does not: scarves is "scarv")."""
    w = word.lower().strip()
    other = IRREGULAR_PLURALS.get(w) or IRREGULAR_PLURAL_OF.get(w)
    return [w, other] if other else [w]


def other_spellings(text: str) -> list[str]:
    """Words to search beside the text's own where a catalog writes them otherwise: the other number of an irregular
    plural ("knives": "knife"), and "t-shirt" for "tshirt" or "tee shirt" (a name's "T-Shirt" is the words t and
    shirt to a search: "tshirt dress" ranked the T-Shirt Dress below the other dresses)."""
    low = text.lower()
    out = [f for w in re.findall(r"[a-z]+", low) for f in number_forms(w)[1:]]
    if re.search(r"(?<![\w-])(?:tshirts?|tee[\s-]shirts?)(?![\w-])", low):
        out.append("t-shirt")
    return list(dict.fromkeys(out))


_singular = singular  # (this module's own name for it)


def _stem(word: str) -> str:
    """Comparison stem, plural-insensitive: hoodies/hoodie/hoody -> hoodi, shoes/shoe -> sho, dresses -> dress,
    scarves/scarf -> scarf, knives/knife -> knif."""
    w = word.lower().strip()
    w = IRREGULAR_PLURALS.get(w, w)
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if w.endswith("y") and len(w) > 3:
        w = w[:-1] + "i"
    return w


def _key(s: str) -> str:
    return re.sub(r"[^\w]+", "", s.lower())


def colour_key(word: str) -> str:
    """A colour word's canonical colour, else the word itself ("teal", "Multi": no colour of the table, never None, which
    every other word also maps to)."""
    return canonical_color(word) or word.lower()


def canonical_color(word: str) -> str | None:
    """'grey' -> 'Gray', '黑色' -> 'Black', 'negro' -> 'Black'; None when unknown."""
    w = word.strip().lower()
    if not w:
        return None
    for canon, words in COLOR_WORDS.items():
        if w == canon.lower() or w in words or _singular(w) in words:
            return canon
    for canon, words in COLOR_WORDS.items():  # "dark grey", "浅蓝色", "navy blue"
        if any(_has_word(w, x) for x in words):
            return canon
    return None


def map_color(word: str, vocab: CatalogVocabulary) -> str | None:
    """Map a colour word onto the catalog's colour values (or the canonical English name if the catalog has none)."""
    by_lower = {c.lower(): c for c in vocab.colors}
    if word.strip().lower() in by_lower:
        return by_lower[word.strip().lower()]
    canon = canonical_color(word)
    if canon is None:
        return None
    if not vocab.colors:
        return canon
    if canon.lower() in by_lower:
        return by_lower[canon.lower()]
    # the shop's own spelling of that colour ("grey" in a shop of "Grey": never "Gray", which nothing there is)
    spelt = [c for c in vocab.colors if " " not in c.strip() and canonical_color(c) == canon]
    if len(spelt) == 1:
        return spelt[0]
    fam = _COLOR_FAMILY.get(canon)
    if fam and fam.lower() in by_lower:
        return by_lower[fam.lower()]
    return None


_CJK_NEGATION = r"不要|不是|别|除了|没有"
_NEGATION = rf"(?:not|no|without|except|avoid|never|anything but|everything but|sin|ni|nada de|sans|{_CJK_NEGATION})"


def colors_in_text(text: str) -> tuple[list[str], list[str]]:
    """(wanted, unwanted) canonical colours named in the text; 'not black' / 'sin negro' / '不要黑色' are unwanted."""
    tl = text.lower().replace("有没有", "有").replace("有木有", "有")
    wanted: list[str] = []
    unwanted: list[str] = []
    for canon, words in COLOR_WORDS.items():
        for w in (canon.lower(), *words):
            if not _has_word(tl, w):
                continue
            if _CJK.search(w):
                neg = re.search(rf"{_NEGATION}\S{{0,3}}{re.escape(w)}", tl) is not None
            else:
                # ("que no sean de color negro", "not in the colour red": the colour's own word may come between)
                # (the colour's own word only right after the negation: "sin capucha de color negro" wants black)
                neg = re.search(rf"\b{_NEGATION}\s+(?:\w+\s+){{0,2}}{re.escape(w)}\b|\b{_NEGATION}\s+(?:(?:sean?|es|is|are|be|in)\s+)?"
                                rf"(?:de\s+|the\s+)?colou?r\s+{re.escape(w)}\b", tl) is not None
            (unwanted if neg else wanted).append(canon)
            break
    # "blue" inside "navy blue" etc. produce one canonical each; "Lavender" also reads as Purple only if named.
    return _dedup(wanted), _dedup(unwanted)


# ---------------------------------------------------------------------------------------------------- sizes
_SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "XXS": ("xxs",),
    "XS": ("xs", "extra small", "x-small", "加小", "特小", "extra pequeña", "extra pequeño"),
    "S": ("small", "小号", "小码", "pequeña", "pequeño", "chica", "chico"),
    "M": ("medium", "中号", "中码", "mediana", "mediano"),
    "L": ("large", "大号", "大码", "grande"),
    "XL": ("xl", "extra large", "x-large", "加大", "特大", "extra grande"),
    "XXL": ("xxl", "2xl", "xx-large"),
}
_SIZE_CUE = r"(?:size|sz|talla|taille|尺码|码数|尺寸)"


_FIT_WORDS = re.compile(r"\b(?:runs?|running|fits?|fitting|comes? up|cut)\s+(?:a\s+(?:bit|little)\s+)?(?:small|large|big|tight|loose)\b"
                        r"|\bsize (?:up|down)\b", re.I)


def sizes_in_text(text: str) -> list[str]:
    """Size values named in the text: 'size M', 'XL', 'medium', 'talla 32', '32码', '中号'. How a thing fits is no
    size: "do these run small?", "it fits large", "size up"."""
    text = _FIT_WORDS.sub(" ", text)
    tl = text.lower()
    found: list[str] = []
    for canon, words in _SIZE_WORDS.items():
        if canon in ("XXS", "XS", "XL", "XXL") and re.search(rf"\b{canon}\b", text):
            found.append(canon)
            continue
        if any(_has_word(tl, w) for w in words if len(w) > 2 or _CJK.search(w)):
            # "large" also matches "extra large": the XL entry comes later and both are kept; drop L below
            found.append(canon)
    # "size M", "sizes M or L", "tallas S o M", "尺码M" (not the S of "sizes": a cue's value follows it apart)
    # (a count is no size: "talla 28, 2 unidades", "size M, 3 pairs")
    value = r"(?:\d{1,3}(?:\.5)?(?!\s*(?:unidades|units?|pieces?|piezas?|pairs?|pares|items?))|xxxl|xxl|xxs|xl|xs|[2-5]xl|s|m|l)"
    for m in re.finditer(rf"(?:(?:sizes?|sz|tallas?|tailles?)(?![a-z])|尺码|码数|尺寸)\s*[:#]?\s*({value}(?:\s*(?:,|/|or|and|o|y|&)\s*{value})*)\b", tl):
        found.extend(v.upper() for v in re.findall(value + r"(?![a-z0-9])", m.group(1)))
    for m in re.finditer(r"(?<![0-9a-z])(\d{1,3}|xxxl|xxl|xxs|xl|xs|s|m|l)\s*码", text, re.I):  # "32码", "M码" (not "3XL码" as XL)
        found.append(m.group(1).upper())
    for m in re.finditer(r"\b(?:waist|w)\s*(\d{2})\b", tl):
        found.append(m.group(1))
    if "XL" in found and ("extra large" in tl or "x-large" in tl) and "L" in found:
        found.remove("L")
    if "XS" in found and ("extra small" in tl or "x-small" in tl) and "S" in found:
        found.remove("S")
    return _dedup(found)


# a size said alone after a list ("M", "size M", "in large", "XL please", "3XL"): that size of the need on screen. A
# number counts only after "size" ("32" alone may be a budget)
_BARE_SIZE = re.compile(r"\W*(?:(?:ok(?:ay)?|and|or|also|just|only|maybe|then|now|what about|how about|in|an?)[\s,:]+)*"
                        r"(?:(?:in\s+)?(?:sizes?|sz|tallas?)[\s:#]+(?P<cued>\d{1,3}(?:\.5)?|[2-5]xl|xxxl|xxl|xxs|xl|xs|s|m|l)|"
                        r"(?P<size>[2-5]xl|xxxl|xxl|xxs|xl|xs|s|m|l|extra[- ]small|x-small|small|medium|large|extra[- ]large|x-large))"
                        r"(?:[\s,]+(?:please|pls|then|instead|too|only|thanks|thank you))*[\s?!.]*", re.I)


def bare_size(text: str) -> str | None:
    """The size a message says and nothing else ("M", "size 3XL", "in large", "XL please"), as written, else None."""
    m = _BARE_SIZE.fullmatch(text.strip())
    if m is None:
        return None
    said = (m.group("cued") or m.group("size")).lower()
    words = {w: canon for canon, ws in _SIZE_WORDS.items() for w in ws}
    return words.get(said.replace("extra-", "extra "), said.upper())


def map_size(value: str, vocab: CatalogVocabulary) -> str | None:
    v = value.strip()
    for canon, words in _SIZE_WORDS.items():
        if v.lower() in words or v.lower() == canon.lower():
            v = canon
            break
    v = re.sub(rf"^{_SIZE_CUE}\s*", "", v, flags=re.I).strip()
    if not vocab.sizes:
        return v.upper() if v else None
    by_lower = {s.lower(): s for s in vocab.sizes}
    return by_lower.get(v.lower())


# ---------------------------------------------------------------------------------------------------- numbers
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ZH_NUM_RE = re.compile(r"[零〇一二两俩三四五六七八九十百千万]+")


def chinese_to_number(s: str) -> int | None:
    """'两百' -> 200, '三十五' -> 35, '一千二' -> 1200, '十' -> 10; None if not a number."""
    if not s or not all(ch in _ZH_DIGITS or ch in _ZH_UNITS for ch in s):
        return None
    total, section, digit = 0, 0, None
    last_unit = 1
    for ch in s:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        else:
            unit = _ZH_UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
            last_unit = unit
    if digit is not None:
        # "一千二" = 1200 (a trailing digit after a unit is one unit lower), "二十五" = 25
        section += digit * (last_unit // 10 if last_unit >= 100 and len(s) > 1 and s[-2] in _ZH_UNITS else 1)
    value = total + section
    if value == 0 and not any(ch in "零〇" for ch in s):
        return None
    return value


def arabicize(text: str) -> str:
    """Replace Chinese numerals that stand for quantities (两百, 三十) by digits; single 一 in words stays."""

    def repl(m: re.Match[str]) -> str:
        s = m.group()
        if len(s) == 1 and s in "一两二":  # 一个, 两个, 二手 are not prices
            return s
        n = chinese_to_number(s)
        return str(n) if n is not None else s

    return _ZH_NUM_RE.sub(repl, text)


_NUM = r"(\d+(?:[.,]\d+)?)(\s*k\b)?"


def _to_float(num: str, k: str | None = None) -> float:
    s = num
    if "," in s:
        s = s.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", s) else s.replace(",", ".")
    v = float(s)
    return v * 1000 if k else v


def numbers_in_text(text: str) -> set[float]:
    """Every number stated in the text (digits, '1,200', '30k', Chinese numerals)."""
    t = arabicize(text)
    return {_to_float(m.group(1), m.group(2)) for m in re.finditer(_NUM, t, re.I)}


_CUR_PRE = r"(?:\$|us\$|usd\s*|€|£|¥|￥|rmb\s*)?"
_CUR_POST = r"(?:\s*(?:dollars?|bucks|usd|euros?|eur|€|dólares|dolares|pesos|美元|美金|欧元|英镑|元|块钱|块|刀|rmb|yuan|kuai|\$))?"
_P = rf"{_CUR_PRE}\s*{_NUM}{_CUR_POST}"
# a currency in a matched price phrase, as `_CUR_PRE`/`_CUR_POST` take it
_CURRENCY_IN = re.compile(r"[$€£¥￥]|元|块|刀|美元|美金|欧元|英镑|\b(?:us|usd|dollars?|bucks|euros?|eur|d[oó]lares|pesos|rmb|yuan|kuai)\b")
_MAX_CUES = (r"under|below|less than|cheaper than|no more than|not more than|not over|max(?:imum)?|up to|at most|"
             r"within|budget(?: of| is)?|(?:can|could) (?:spend|pay|afford)(?: up to)?(?!\s*\d+\s+(?:of|pieces?|items?|units?|pairs?|people)\b)|menos de|por debajo de|hasta|máximo|maximo|bajo|no más de|"
             r"moins de|unter|不超过|低于|少于|最多|小于|不到|以内")
_MIN_CUES = r"over|above|more than|at least|min(?:imum)?|starting at|más de|mas de|mínimo|minimo|desde|plus de|超过|高于|至少|大于"
# a negated cue turns round: "no more than 50" is a maximum, "no less than 20" a minimum, "不超过50" at most 50
_NOT_MIN = r"not over|not above|no more than|not more than|no higher than|不要超过|别超过|不超过|不高于|不多于|不大于"
_NOT_MAX = r"not under|not below|no less than|not less than|no lower than|no cheaper than|不低于|不少于|不小于"
_UNNEGATED = r"(?<!not )(?<!no )(?<!不)(?<!不要)(?<!别)"


def prices_in_text(text: str) -> tuple[float | None, float | None]:
    """(min_price, max_price) stated by explicit phrases; (None, None) when the text states none."""
    t = arabicize(text.lower())
    t = t.replace("–", "-").replace("—", "-").replace("～", "~")
    # a run of ten or more digits is no price (an order or phone number, or junk), and each price pattern
    # backtracks over it once per digit: 4,000 nines took 5 s
    t = re.sub(r"\d{10,}", " ", t)
    between = [
        rf"between\s+{_P}\s+(?:and|to|-)\s+{_P}",
        rf"entre\s+{_P}\s+y\s+{_P}",
        rf"(?:from|de)\s+{_P}\s+(?:to|a|hasta)\s+{_P}",
        rf"(?<![\d.,]){_P}\s*(?:-|~|到|至|to)\s*{_P}(?![\d.,]*\d)",
    ]
    for pat in between:
        # a bare range of a count or a measure is no price ("a tent for 2-4 people", "a 20-40L backpack", "ages 3-5",
        # "sizes 8-10"); one with a currency always is ("jackets $50-80 in blue")
        # (a currency, symbol or word, makes it a price: "20-30 dollar options", "50-80 usd ideas")
        m = next((x for x in re.finditer(pat, t) if pat is not between[-1] or _CURRENCY_IN.search(x.group(0))
                  or not (_COUNTED.match(t, x.end()) or re.search(r"\b(?:ages?|sizes?|tallas?|edad(?:es)?|sleeps|fits)\s*$",
                                                                  t[:x.start()]))), None)
        if m:
            lo, hi = _to_float(m.group(1), m.group(2)), _to_float(m.group(3), m.group(4))
            if lo > hi:
                lo, hi = hi, lo
            return lo, hi
    if re.search(rf"(?:budget|presupuesto|预算)\w*\W*(?:is\W*|of\W*)?{_AROUND}", t):
        return _around(t)  # "a budget around $40": a range, not a ceiling
    lo_v: float | None = None
    hi_v: float | None = None
    m = re.search(rf"(?:{_NOT_MIN}|{_UNNEGATED}(?:{_MAX_CUES}))\s*:?\s*(?:{_AROUND}\s*)?{_P}", t)
    if m:
        hi_v = _to_float(m.group(1), m.group(2))
    else:
        m = re.search(rf"{_P}\s*(?:元|块)?\s*(?:以下|以内|之内|或以下|or less|or under|and under|max\b|tops\b|o menos)", t)
        if m:
            hi_v = _to_float(m.group(1), m.group(2))
    m = re.search(rf"(?:{_NOT_MAX}|{_UNNEGATED}(?:{_MIN_CUES}))\s*:?\s*(?:{_AROUND}\s*)?{_P}", t)
    if m:
        lo_v = _to_float(m.group(1), m.group(2))
    else:
        m = re.search(rf"{_P}\s*(?:元|块)?\s*(?:以上|or more|and up|and above|\+|o más)", t)
        if m:
            lo_v = _to_float(m.group(1), m.group(2))
    if lo_v is not None and hi_v is not None and lo_v > hi_v:
        lo_v, hi_v = hi_v, lo_v
    if lo_v is None and hi_v is None:  # no explicit bound: "around $40" is a range a fifth either side
        return _around(t)
    return lo_v, hi_v


# how a gift is asked for ("any gift ideas", "for my dad who loves"): no words of the need
GIFT_TALK = re.compile(r"\b(?:any|some|good|nice|great)?\s*(?:gift|present)\s+(?:ideas?|suggestions?)\b|"
                        r"\b(?:an?\s+|some\s+)?(?:gift|present)s?\b(?=\s*(?:for\b|,|$|(?:my|our|his|her|him)\b))|\bideas?\s+for\s+(?:a\s+)?(?:gift|present)\b|"
                        r"\b(?:my|our|a|his|her)\s+(?:wife|husband|girlfriend|boyfriend|partner|mom|mum|mother|dad|father|son|daughter|"
                        r"sister|brother|friend|kid|kids|child|children)\s+(?:likes?|loves?|enjoys?|is into|is (?:a )?(?:big )?fan of|does|goes)\b|"
                        r"\bwho (?:likes?|loves?|enjoys?|is into)\b|\b(?:she|he|they)\s+(?:likes?|loves?|enjoys?|is into|are into|does)\b|"
                        # "for my dad": who it is for (the gender field says it), never a word to search
                        r"\b(?:for\s+)?(?:my|our|his|her)\s+(?:wife|husband|girlfriend|boyfriend|partner|mom|mum|mother|dad|father|son|"
                        r"daughter|sister|brother|friend|kid|kids|child|children)\b", re.I)


# what a number that is no price is counted in: words after a space ("2-4 people", "10-12 inch"), short units only
# written on the number ("20-40L", "6-8ft"; "50-80 in blue" is a price range)
_COUNTED = re.compile(
    r"(?:\s*(?:码|号|人|岁|升|cm|mm|years?|años|people|persons?|person|players?|seats?|seater|guests?|kids|children|ltrs?|liters?|"
    r"litres?|lbs|pounds|kgs?|kilos?|grams?|oz|ounces?|inch|inches|feet|foot|meters?|metres?|quarts?|gallons?|ml|cups?|pieces?|"
    r"pcs|packs?|count|days?|hours?|hrs?|mins?|minutes?|weeks?|months?|volts?|watts?|amps?|mah|gb|tb|degrees?|pairs?|sets?|"
    r"sizes?|options?|choices?|results?|items?|products?|ones|suggestions?|ideas?|opciones|resultados|个|款|种)|(?:l|lb|ft|in|m|h|x|g|v|w|qt|gal|ct|%|°|mp|hz|p))(?![a-z])")

_AROUND = r"(?:around|about|approximately|approx\.?|roughly|circa|~|cerca de|alrededor de|unos|大约|大概)"


def _around(t: str) -> tuple[float | None, float | None]:
    """"around $40", "about 40 bucks", "budget around 40", "40元左右": (32, 48). Only money: the number must carry
    a currency or follow a word of price ("about 4 people", "around 3 pm", "about 30 liters" are no prices)."""
    for m in [*re.finditer(rf"{_AROUND}\s*{_P}", t), *re.finditer(rf"{_P}\s*(?:元|块)?\s*(?:左右|上下|or so|ish\b)", t)]:
        before = t[max(0, m.start() - 16): m.start()]
        if (re.search(r"[$€£¥￥]|dollar|buck|usd|euro|eur\b|dólar|dolar|peso|元|块|刀|rmb|yuan", m.group(0))
                or re.search(r"(?:budget|price|cost|spend|pay|presupuesto|precio|预算|价格|价位)\w*\W*(?:is\W*|of\W*)?$", before)):
            v = _to_float(m.group(1), m.group(2))
            return round(v * 0.8, 2), round(v * 1.2, 2)
    return None, None


# ---------------------------------------------------------------------------------------------------- other cues
_SORT_RULES: list[tuple[str, str]] = [
    ("price_desc", r"price,? (?:from )?highest(?: first)?|highest (?:price )?first|high(?:est)? to low(?:est)?"),
    ("price_asc", r"price,? (?:from )?lowest(?: first)?|lowest (?:price )?first|low(?:est)? to high(?:est)?|cheapest|lowest[- ]price|least expensive|most affordable|lowest cost|price:? low to high|"
                  r"最便宜|价格最低|最低价|más barat|mas barat|el más económico|moins cher"),
    ("price_desc", r"most expensive|priciest|highest[- ]price|price:? high to low|最贵|价格最高|más car|mas car|plus cher"),
    ("rating", r"best[- ]rated|top[- ]rated|highest[- ]rated|best reviews?|most popular|评分最高|好评|口碑最好|"
               r"mejor valorad|mejores reseñas|mieux noté"),
    ("newest", r"newest|latest|most recent|new arrivals?|最新|新款|más nuev|mas nuev|lo último|nouveaut"),
]
# weaker evidence that still supports a sort the model proposed
_SORT_EVIDENCE = {
    "price_asc": r"cheap|budget|affordable|inexpensive|low[- ]cost|便宜|实惠|barat|económic|economic",
    "price_desc": r"expensive|premium|luxury|high[- ]end|贵|高端|car[oa]s?\b|lujo",
    "rating": r"rated|rating|reviews?|popular|best|评|valora|reseñ",
    "newest": r"\bnew\b|newest|latest|recent|新|nuev",
}


# "a cheap jacket", "algo barato", "便宜的背包": the kind asked for, cheapest first (it ranked by relevance, and
# "cheap" was searched as a word). Not "not too cheap", "cheap-looking", "my budget is 80", nor a question
# about one product ("is the Stellar jacket cheap?").
CHEAP_WORDS = re.compile(
    r"(?<!\bnot )(?<!\btoo )(?<!\bnot too )(?<!\bnot so )\b(?:cheap|inexpensive|affordable|low[- ]cost|budget[- ]friendly)\b(?![- ]looking)|"
    r"(?<!\bno )(?<!\bmuy )(?<!\bdemasiado )\b(?:barat[oa]s?|económic[oa]s?|economic[oa]s?)\b|(?<![不太])便宜|实惠")
_NEGATED_BEFORE = re.compile(r"\b(?:not|no|nothing|don'?t|doesn'?t|never|without|nada|ni)\b[\w\s']{0,25}$")
_YES_NO_QUESTION = re.compile(r"^\s*(?:is|are|was|were|isn'?t|aren'?t|es|son|está|están)\b|吗[?？]?\s*$", re.I)


def sort_in_text(text: str) -> str | None:
    tl = text.lower()
    for sort, pat in _SORT_RULES:
        if re.search(pat, tl):
            return sort
    for m in CHEAP_WORDS.finditer(tl):
        if _YES_NO_QUESTION.search(tl) or _NEGATED_BEFORE.search(tl[:m.start()]):
            continue  # "nothing cheap please", "not a cheap one", "I don't want anything cheap"
        return "price_asc"
    return None


# "man" inside a name or a thing is no gender: "iron man mask", "spider-man", "snowman", "man cave", "man-made"
_NOT_A_MAN = "".join(f"(?<!\\b{w}[ -])" for w in ("iron", "spider", "bat", "super", "ant", "snow", "pac", "he", "sand", "gingerbread"))

_GENDER_RULES: list[tuple[str, str]] = [
    ("unisex", r"\bunisex\b|男女通用|中性"),
    # ("son" only as a son: "¿cuáles son más baratas?" is Spanish for "which are")
    ("kids", r"\b(?:kids?|child(?:ren)?|boys?|girls?|toddlers?|baby|daughter|niñ[oa]s?|hij[oa]|infantil)\b|"
             r"\b(?:(?:my|our|your|his|her|little|teenage|baby)\s+|for\s+(?:a\s+|the\s+)?)son'?s?\b|\bsons\b|儿童|孩子|小孩|童装|童鞋|宝宝"),
    ("women", r"\b(?:women'?s?|woman'?s?|womn'?s?|wmn'?s?|wemen'?s?|womans|ladies|lady|female|her|wife|girlfriend|mom|mum|mother|sister|grandma|aunt|"
              r"mujer(?:es)?|femenin[oa]|dama|femme|mam[aá]|madre|esposa|novia|hermana)\b|女|妈妈|母亲|老婆|妻子|姐姐|妹妹"),
    ("men", r"\b(?:men'?s?|male|gents?|him|his|husband|boyfriend|dad|father|brother|grandpa|uncle|"
            r"hombres?|masculin[oa]|caballeros?|homme|pap[aá]|padre|esposo|novio|hermano)\b|爸爸|父亲|老公|丈夫|哥哥|弟弟|"
            + _NOT_A_MAN + r"\bman'?s?\b(?![ -]?(?:cave|made|hole|power)\b)|男"),
]


def gender_in_text(text: str) -> str | None:
    tl = text.lower()
    for gender, pat in _GENDER_RULES:
        if re.search(pat, tl):
            return gender
    return None


_ORDINALS = {
    1: r"first|1st|primer[oa]?|第一|第1", 2: r"second|2nd|segund[oa]|第二|第2", 3: r"third|3rd|tercer[oa]?|第三|第3",
    4: r"fourth|4th|cuart[oa]|第四|第4", 5: r"fifth|5th|quint[oa]|第五|第5", 6: r"sixth|6th|sext[oa]|第六",
    7: r"seventh|7th|s[eé]ptim[oa]|第七", 8: r"eighth|8th|octav[oa]|第八", 9: r"ninth|9th|noven[oa]|第九",
    10: r"tenth|10th|d[eé]cim[oa]|第十(?![一二三四五六七八九])", -1: r"last|final|últim[oa]|最后",
}
# the ordinal words a pick from a longer list is made with ("the seventh one", "the 12th"), for the rules that tell a
# pick from a search ("number 8" is counted by `references_in_text` as it is)
ORDINAL_WORDS = (r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d{1,2}(?:st|nd|rd|th)|"
                 r"primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|sext[oa]|s[eé]ptim[oa]|octav[oa]|noven[oa]|"
                 r"d[eé]cim[oa]|últim[oa]")

# A number said as a day or an occasion is no position in a list: "the 7th of July", "July 7th", "a party on the
# 21st", "a 30th anniversary", "my 40th birthday", "el primero de julio", "el quinto aniversario" (they were read
# as the 7th, 21st, 30th product shown and answered "Only 5 products are shown")
_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
           r"nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|sept?iembre|octubre|noviembre|diciembre")
_EN_DAY_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
_DAY_ORDINAL = (_EN_DAY_ORDINAL + r"|primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|sext[oa]|s[eé]ptim[oa]|octav[oa]|"
                r"noven[oa]|d[eé]cim[oa]")
_NOT_A_PICK = r"(?!\s+(?:one|ones|item|product|option|pair|model)\b)"  # "on the 2nd one" is a pick
_DAY_OR_OCCASION = (
    # "the 7th of July", "the first of May", "7th July" ("the second may be too small": "may" and "mar" need "of"),
    # "el primero de julio"
    rf"(?<![a-z0-9])(?:{_DAY_ORDINAL})\s+(?:(?:of|de)\s+(?:{_MONTHS})|(?!may\b|mar\b)(?:{_MONTHS}))(?![a-z])|"
    # "July 7th", "July the 4th", "May 4th"
    rf"\b(?:(?!may\b)(?:{_MONTHS})\s+(?:the\s+)?|may\s+)(?:{_EN_DAY_ORDINAL})(?![a-z0-9]){_NOT_A_PICK}|"
    # "a party on the 21st", "by the 3rd", "until the 10th", "a present for the 21st" ("for the 2nd" may be a pick)
    rf"\b(?:(?:on|by|before|until|till|til)\s+the\s+\d{{1,2}}|for\s+the\s+(?:1[1-9]|2\d|3[01]))(?:st|nd|rd|th)(?![a-z0-9]){_NOT_A_PICK}|"
    # "a 30th anniversary", "my 40th birthday", "her fifth birthday", "el quinto aniversario"
    rf"(?<![a-z0-9])(?:\d{{1,3}}(?:st|nd|rd|th)|{_DAY_ORDINAL})\s+(?:wedding\s+|work\s+)?"
    r"(?:anniversar(?:y|ies)|birthdays?|b-?days?|aniversarios?|cumpleaños|cumple)(?![a-z])|"
    # "birthday number 40", "cumpleaños número 40"
    r"\b(?:anniversary|birthday|aniversario|cumpleaños)\s+(?:number|no\.|#|número|numero)\s*\d{1,3}(?!\d)")
DAY_OR_OCCASION = re.compile(_DAY_OR_OCCASION, re.I)
# "a hoodie for his birthday", "for our anniversary": an occasion without a day, no word of the need (when the message
# names one: "something for a wedding" alone is searched as said)
PLAIN_OCCASION = re.compile(r"\b(?:for|on)\s+(?:my|our|his|her|their|your|a|the)\s+(?:birthday|b-?day|anniversary|wedding|"
                            r"christmas|xmas|graduation|retirement)\b", re.I)
# ... and other ordinals that count no product shown ("the 21st century", "a 5th grader", "the 3rd generation")
_NO_POSITION = re.compile(_DAY_OR_OCCASION + r"|(?<![a-z0-9])\d{1,3}(?:st|nd|rd|th)\s+(?:century|grade|graders?|edition|generation)\b",
                          re.I)
# the words around a day or occasion that say no product ("tops for a 30th anniversary" searches tops)
_OCCASION_PHRASE = re.compile(r"(?:\b(?:for|on|by|para|en)\s+)?(?:(?:the|a|an|my|our|his|her|their|your|mi|su|nuestro|nuestra|el|la)\s+)?"
                              rf"(?:{_DAY_OR_OCCASION})", re.I)


# "any reviews on the 2nd?", "what's the rating on the 2nd?", "what colours are available on the 3rd?", "what sizes do
# you have on the 4th?": a question about a shown product's reviews, rating, colours, sizes ... asks it of the Nth shown
# (up to the tenth); "a party on the 21st", "is the 2nd one on sale on the 3rd?", "by the 3rd" stay days
_ASKED_OF_THE_NTH = re.compile(
    r"\b(?:reviews?|ratings?|rated|stars|colou?rs?|sizes?|sizing|prices?|costs?|materials?|fabrics?|made of|weight|weigh|"
    r"dimensions|specs?|details|features)\b[^.!?;]*?\bon\s+the\s+(?P<n>(?:[1-9]|10)(?:st|nd|rd|th))(?![a-z0-9])(?!\s+of\b)", re.I)


def without_positionless_ordinals(text: str) -> str:
    """The text with its days, occasions and other ordinals that count no product shown blanked out (same length)."""
    asked = {m.start("n") for m in _ASKED_OF_THE_NTH.finditer(text)}

    def blank(m: re.Match[str]) -> str:
        if re.match(r"on\s", m.group(), re.I) and any(m.start() <= a < m.end() for a in asked):
            return m.group()  # "reviews on the 2nd": the second shown
        return " " * len(m.group())

    return _NO_POSITION.sub(blank, text)


def without_occasions(text: str) -> str:
    """The text less the days and occasions it names and the words that introduce them ("for a 30th anniversary",
    "on the 21st", "for the 7th of July"): what is left is the need."""
    return re.sub(r"\s+", " ", _OCCASION_PHRASE.sub(" ", text)).strip() if DAY_OR_OCCASION.search(text) else text


_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5,
                "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5}
_FIRST_N = re.compile(
    # the count must end the reference ("compare the top 3", "the first two ones", "add the last two to my cart"),
    # never start a product phrase ("the top 3 rated jackets", "a tank top 3 pack", "boots that last two winters")
    r"(?:(?<![a-z])(?:(?P<first>first|top)|(?P<last>last))\s+(?P<n>two|three|four|five|[2-5])"
    r"(?=\s+(?:ones|items|products|options|results|picks|of them)\b|\s*(?:[?!.,]|and\b|to\b|in\b|please\b|$))"
    r"|(?<![a-z])l[oa]s\s+(?P<n2>dos|tres|cuatro|cinco)\s+primer[oa]s"
    r"|前(?P<n3>[两二三四五2-5])(?:个|件|款))"
)


def references_in_text(text: str) -> list[int]:
    """Positions of shown products the text points at: 'the second one', '#3', 'el primero', '第二个', 'the last'
    (never a day or an occasion: 'the 7th of July', 'on the 21st', 'my 40th birthday')."""
    tl = without_positionless_ordinals(text.lower())
    refs: list[tuple[int, int]] = []
    listed: list[tuple[int, int]] = []  # "... and second": an ordinal in a list, taken only beside a sure one
    for n, pat in _ORDINALS.items():
        for m in re.finditer(rf"(?<![a-z0-9])(?:{pat})(?![a-z0-9])", tl):  # (not the "1st" of "21st")
            word = m.group()
            if re.fullmatch(r"[a-z]+", word):  # English ordinals only as "the second (one)", not "highest first"
                before, after = tl[max(0, m.start() - 12) : m.start()], tl[m.end() : m.end() + 10]
                # ("boots that last two winters": a verb, so "last" after "that" needs "one" after it)
                determiners = r"the|this|your" if word == "last" else r"the|that|this|your|el|la|este|esta|ese|esa"
                if not (re.search(rf"\b(?:{determiners})\s+$", before)
                        or re.match(r"\s+(?:one|item|product|option|pair|model)\b", after)):
                    if word != "last" and re.search(r"(?:\band|\bor|\bvs\.?|\bversus|,|&|\bcompare)\s+$", before):
                        listed.append((m.start(), n))  # "compare the first and second", "compare first and third"
                    continue
            refs.append((m.start(), n))
    if refs or len(listed) >= 2:
        refs += listed
    for m in _FIRST_N.finditer(tl):  # "the first two", "top 3", "the last two", "los dos primeros", "前两个"
        count = _COUNT_WORDS.get(m.group("n") or m.group("n2") or m.group("n3") or "", 0)
        last = bool(m.group("last"))
        refs.extend((m.start(), -count + i if last else i + 1) for i in range(count))
    for m in re.finditer(r"(?:#|\bnumber\s+|\bno\.\s*|\bitem\s+|\boption\s+|\bnúmero\s+|第)(\d{1,2})(?!\d)", tl):
        refs.append((m.start(), int(m.group(1))))
    # "the 11th", "the 23rd one" (the words up to the tenth are in _ORDINALS)
    for m in re.finditer(r"(?<![\w.,])(\d{2})(?:st|nd|rd|th)(?![a-z])", tl):
        if int(m.group(1)) > 10:
            refs.append((m.start(), int(m.group(1))))
    if re.search(r"\b(?:both|the two|ambos|los dos)\b|两个都|这两个", tl) and not refs:
        refs = [(0, 1), (1, 2)]
    out: list[int] = []
    for _, n in sorted(refs):
        if n not in out:
            out.append(n)
    return out


_ORDER_ID_RE = re.compile(r"(?:order|pedido|订单|commande)\s*(?:number|no\.?|id|número|号|#)?\s*[:#]?\s*#?\s*([A-Za-z]{0,3}-?\d{4,})", re.I)


def order_id_in_text(text: str) -> str | None:
    # ... or a number alone, right after another order: "and M-000001?"
    m = _ORDER_ID_RE.search(text) or re.search(r"#\s*(\d{5,})", text) or re.match(
        r"^\s*(?:and|what about|how about|y)?\s*#?\s*([a-z]{1,3}-\d{4,})\s*\??\s*$", text, re.I)
    return m.group(1) if m else None


# "which is lighter?", "which is the cheapest?" (not "which is the leather one?", "which is the sweater?")
_COMPARATIVES = (r"(?:cheap|light|heav|warm|cool|bett|bigg|small|larg|long|short|soft|strong|new|old|nic|thick|thin|low|high|"
                 r"sturd|comf|dear|pric|fast|quiet|dur|waterproof|tough|good|b)(?:er|ier|est|iest)\b|best|worst")

# asking which size to take ("what size should i get?", "i'm between M and L", "does it run small?")
SIZE_ADVICE = (r"\bwhat size (?:should|do|would) i (?:get|buy|order|take|choose|pick|go for)\b|\bwhich size (?:should|do|would) i\b|"
               r"\bi'?m between (?:sizes?|an? )?\w{1,4} and (?:an? )?\w{1,4}\b|\b(?:does|do) (?:it|they|this|these) (?:run|fit) (?:small|large|big|true)\b")

# "put it in my basket", "pop it in the basket", "put the second one in my bag", "stick it in my cart": an add in other
# words (at the start of the message, of something in view: "a pouch to put in my bag" and "a basket for picnics" are
# searches, "what's in my basket?" a look at the cart). A bag is the shop's only when the assistant is told to put it
# there ("put the second one in my bag") or it is a shopping bag: "I'll put the water bottle in my bag" is the shopper's
# own bag; "I'll put it in my basket later, first show me tees" adds nothing yet
_PUT_LEAD = r"^\s*(?:(?:also|and|please|ok|okay|then|now|just|so|can you|could you|would you|go ahead and|let'?s)[\s,]+)*"
_PUT_WHAT = (r"(?:put|pop|stick|place|throw|toss|chuck|bung|slip)\s+(?:(?:\d{1,4}|two|three|four|five|a couple|a pair)(?:\s+of)?\s+)?"
             r"(?:it|this|that|them|these|those|both|one|another|the|\d{1,4}|two|three|four|five|a couple|a pair)\b"
             r"(?:\s+[^\s,.!?]+){0,6}?\s+(?:in|into|in to|inside)\s+(?:my|the|your|our)\s+")
_NOT_YET = r"(?![^.!?]*\b(?:later|afterwards?|tomorrow|tonight|eventually|at some point|once i|when i)\b)(?![^.!?]*,\s*(?:but\s+)?first\b)"
PUT_IN_CART = (rf"(?:{_PUT_LEAD}{_PUT_WHAT}(?:(?:shopping\s+)?(?:cart|basket|trolley|bag))\b{_NOT_YET}|"
               rf"{_PUT_LEAD}(?:(?:ok|okay|so|then|now)[\s,]+)*i'?ll\s+{_PUT_WHAT}(?:(?:shopping\s+)?(?:cart|basket|trolley)|shopping\s+bag)\b{_NOT_YET})")

_KIND_RULES: list[tuple[str, str]] = [
    # "I want to return my order", "my order arrived damaged": the returns policy, before "my order" is a lookup
    ("policy", r"\b(?:return|refund|exchange|send back)\b.*\b(?:my|the|an?|this|it)\b.*\b(?:order|item|purchase|package|parcel)\b|"
               r"\b(?:arrived|came|is|was)\s+(?:damaged|broken|defective)\b|\bwrong (?:item|product)\b|devolver (?:mi|el) pedido|"
               # "i ordered a top and it doesn't fit", "i want to return the iris top, it was too small", "how many days do
               # i have to send it back?", "which order can i return?"
               r"\b(?:i|we)\s+(?:ordered|bought|got|received)\b.*\b(?:does(?:n'?t| not)|did(?:n'?t| not))\s+(?:fit|work|match)\b|"
               # ("I want to return to the jackets" is a search; "exchange ideas" is no exchange)
               r"\bi(?:'d| would)? (?:want|like|need) to (?:return|send back)\b(?!\s+to\b)|"
               r"\bi(?:'d| would)? (?:want|like|need) to exchange (?:it|this|that|them|my|the|an?|for)\b|"
               r"\b(?:send|ship|take) (?:it|them|this|that) back\b|"
               r"\b(?:can|could|may) i (?:return|exchange)\b(?!\s+to\b)|\bhow (?:do|can) i (?:return|exchange)\b(?!\s+to\b)|"
               r"\b(?:how (?:many|long)|what) .*\b(?:to return|for returns?|to send (?:it|them) back|to exchange)\b|"
               # "can i pay cash on delivery", "do you take cash?", "is shipping free for my order?"
               r"\bcash on delivery\b|\bpay (?:in |with |by )?cash\b|\b(?:accept|take) cash\b|"
               r"\b(?:is|are) (?:the )?(?:shipping|delivery) free\b|\bfree (?:shipping|delivery) (?:on|for)\b|"
               # "what size should i get?", "i'm between M and L": the shop's size guide
               + SIZE_ADVICE),
    # "was the minerva tee refunded?", "has it shipped yet?", "and M-000001?": about an order
    ("order_status", r"^\s*(?:(?:and|so|hi|hey)[\s,]+)*(?:was|were|is|are|has|have)\b(?:\s+(?:it|my|the|this|that|these|those)\b).*"
                     r"\b(?:refunded|shipped|dispatched|delivered|cancell?ed)(?:\s+yet)?\s*[?.!]*\s*$|"
                     r"^\s*(?:and|what about|how about|y)?\s*(?:order\s*)?#?\s*[a-z]{1,3}-\d{4,}\s*\??\s*$"),
    ("order_status", r"where(?:'s| is) my (?:order|package|parcel)|track(?:ing)? (?:my )?(?:order|package)|order status|"
                     r"status of my order|my (?:recent |latest |last |past )?orders?\b|has my order|"
                     # "what did I buy last time?", "order history", "¿qué compré?", "我买过什么"
                     r"what did i (?:buy|order|purchase|get)\b|(?:my |the )?order history|purchase history|"
                     r"qu[eé] (?:compré|pedí)\b|mis compras|我买(?:了|过)什么|订单|快递|物流|到哪|mis? pedidos?|estado del pedido|dónde está mi"),
    ("policy", r"return policy|refund|returns?\b.*\b(?:policy|days)|shipping (?:cost|policy|time|fee)|do you ship|"
               r"free shipping|warranty|exchange policy|退货|退款|换货|运费|包邮|保修|devoluci|reembolso|envío gratis|"
               r"política|garantía|"
               # service questions a shop's bot gets: delivery, payment, contact, hours, codes, size guide
               # (bare "shipping"/"delivery" only in a question: "a shipping box" is a product)
               r"^(?=.*\?\s*$)(?=\s*(?:do|does|is|are|can|how|what|when|where|will|which|any)\b)"
               r"(?!.*\b(?:box|boxes|bags?|supplies|labels?|tape|envelopes?|trucks?|rider|driver|jacket|shoes?)\b).*\b(?:shipping|deliver(?:y|ies))\b|"
               # "do you deliver on sundays?" (a product that "delivers the most warmth" is no service question)
               r"\b(?:do|can|will|would) (?:you|u|y'?all) deliver\b|\bdeliver (?:on|at|to) (?:sundays?|saturdays?|weekends?|holidays?)\b|"
               # "do you price match?", "can you match that price?", "I saw it for $20 elsewhere, can you match that?"
               r"\bprice[- ]?match(?:es|ing)?\b|\bmatch (?:a |the |that |their |competitors'? |a competitor'?s )?(?:lower )?prices?\b|"
               r"\belsewhere\b.*\bmatch\b|\bmatch\b.*\belsewhere\b|"
               r"\b(?:shipping|delivery) (?:times?|costs?|fees?|options?|rates?|methods?|charges?|info(?:rmation)?)\b|\bship(?:s|ped)? (?:to|abroad|internationally|overseas)\b|"
               r"\bhow (?:long|soon|fast)\b.*\b(?:ship|deliver|arrive|take to (?:get|come))|\bwhen will (?:it|my \w+) (?:arrive|ship|come)\b|"
               # (payment words name products too: "credit card holder", "a bag with a payment card slot")
               r"\bpay (?:with|by|in installments)\b|\bpayment (?:methods?|options?)\b|\bhow (?:can|do) i pay\b|"
               r"\b(?:accept|take|use)\s+(?:a\s+)?(?:paypal|credit cards?|debit cards?|apple pay|klarna|afterpay)\b|"
               r"\bcontact (?:you|us|the (?:shop|store)|support|someone)\b|\bcustomer (?:service|support|care)\b|\bphone number\b|"
               r"\byour (?:email|e-mail|address|phone)\b|\b(?:talk|speak|chat) (?:to|with) (?:a |an |some)?(?:human|person|agent|one|body|representative)\b|"
               r"\breal (?:person|human)\b|\bopening hours\b|\b(?:store|shop|business) hours\b|\bwhen are you open\b|\bare you open\b|"
               r"\b(?:discount|promo(?:tion(?:al)?)?|coupon) codes?\b|\b(?:have|any|use|apply|got)\s+(?:a\s+)?(?:coupon|voucher)s?\b|\bsize (?:guide|chart)\b|\bsizing (?:guide|chart)\b|"
               r"\bprivacy policy\b|\bterms and conditions\b|"
               # a shop to walk into: "do you have a store I can visit?", "is there a showroom?", "can I shop in person?"
               r"\b(?:physical|retail|real|bricks?[- ]and[- ]mortar) (?:stores?|shops?|locations?)\b|"
               r"\b(?:stores?|shops?|showrooms?|locations?) (?:i|we) can (?:visit|go to|walk into)\b|"
               r"\bvisit (?:your|the|a) (?:stores?|shops?|showrooms?)(?:\s+in person)?\s*[?.!]*\s*$|\bwhere (?:is|are) your (?:stores?|shops?|showrooms?)\b|"
               r"\b(?:a|any|your) showrooms?\b|\b(?:shop|buy|see (?:it|them)) in person\b|"
               r"tienda f[ií]sica|实体店|门店|"
               # "¿puedo devolver un producto?", "¿aceptáis PayPal?", "¿envolvéis para regalo?", "可以用支付宝吗？"
               r"\b(?:puedo|se puede|podemos|c[oó]mo)\s+(?:devolver|devuelvo|hacer una devoluci[oó]n)\b|"
               r"\b(?:acept|admit)\w*\s+(?:pagos?\s+(?:con|por)\s+)?(?:paypal|bizum|tarjetas?|visa|mastercard|amex|efectivo|"
               r"transferencias?|apple pay|google pay)\b|\benvolv\w*\s+(?:para\s+)?(?:de\s+)?regalo|\bpapel de regalo\b|"
               r"\benvoltorio\b|支付宝|微信支付|银联|用信用卡|礼品包装|包装成礼物|"
               # (Spanish: asked, "¿cuánto tarda el envío?", never "mochila de envío")
               r"^\s*¿?\s*(?:cu[aá]nto|cu[aá]ndo|c[oó]mo|hac[eé]is|hacen|tienen|ten[eé]is|puedo|d[oó]nde|qu[eé]|es)\b.*\b(?:env[ií]os?|entrega)\b|"
               r"\bm[eé]todos? de pago\b|\bpagar con\b|\bformas? de pago\b|\bcontacto\b|"
               r"\bhablar con (?:una persona|alguien|un humano|un agente)\b|\bhorario\b|\bc[oó]digo de descuento\b|"
               r"\b(?:tienen|hay|usar|aplicar)\s+(?:alg[uú]n\s+|un\s+)?cup[oó]n\b|\bgu[ií]a de tallas\b|"
               r"发货|配送|多久到|几天到|怎么付款|如何付款|付款方式|支付方式|联系(?:你们|客服|方式)|客服|人工客服|转人工|营业时间|优惠码|优惠券|尺码表"),
    ("cart", r"\badd\b(?:\s+[^\s,.!?]+){0,6}?\s+to (?:my |the |your )?(?:shopping )?(?:cart|basket)\b|\badd to (?:my |the )?(?:cart|basket)|"
             r"add (?:it |this |that |them |the \w+ (?:one )?)?to (?:my |the )?bag\b|"
             + PUT_IN_CART + "|"
             # "also add the Ridgevent backpack", "and add the second one": adding what is on screen
             r"^\s*(?:(?:also|and|please|ok|okay|then)[\s,]+)*add\s+(?:(?:\d{1,4}|two|three|four|five|a couple)\s+(?:of\s+)?)?"
             r"(?:the|it|this|that|them|those|these|both|one|another)\b|"
             # "add 2 in blue", "add two in size M": a number of the product in view, in a colour or size
             r"^\s*(?:(?:also|and|please|ok|okay|then)[\s,]+)*add\s+(?:\d{1,4}|two|three|four|five|a couple|a pair)\s+in\b|"
             # "add 15", "add 10 more please": that many of the product in view
             r"^\s*(?:(?:also|and|please|ok|okay|then)[\s,]+)*add\s+(?:\d{1,4}|two|three|four|five|six|seven|eight|nine|ten|a couple)"
             r"(?:\s+more)?(?:\s+please)?\s*[.!]*\s*$|"
             r"\bbuy (?:it|this|that|the)|"
             # "añade la primera en talla M", "agrégala en azul", "la quiero en verde talla L", "me llevo el segundo":
             # Spanish adds name no cart ("al carrito") as often as not
             # ("las quiero en azul" after a list is a refinement, "agrega un filtro" and "ponme algo más barato" searches)
             r"^\s*(?:(?:y|también|tambien|por favor|vale|ok|entonces|bueno|pues)[\s,]+)*(?:a[ñn]ád\w*|a[ñn]ade\w*|agr[eé]g\w*|"
             r"p[oó]n(?:lo|la|los|las)|m[eé]te(?:lo|la|los|las)|c[oó]mpra(?:lo|la|los|las))\b(?!.*\b(?:filtros?|orden|ordena)\b)|"
             r"^\s*(?:(?:y|vale|ok|entonces|bueno|pues|s[ií])[\s,]+)*(?:me\s+)?(?:lo|la|los|las)\s+(?:compro|llevo|pido|quedo)\b|"
             r"^\s*(?:(?:y|vale|ok|entonces|bueno|pues|s[ií])[\s,]+)*me\s+(?:llevo|quedo(?:\s+con)?)\s+(?:el|la|los|las|est[eao]s?|es[eao]s?)\b|"
             r"i'?ll take (?:it|the)|remove .* from (?:my |the )?cart|加入购物车|加到购物车|放进购物车|(?:a[ñn]a[dď]|a[ñn]ád|agr[eé]g|p[oó]n|met)\w*(?:\s+[^\s,.!?]+){0,4}?\s+(?:al|en el|en mi) carrito|"
             # looking at the cart: "what's in my cart?", "show my basket", "my cart", "购物车里有什么", "ver mi carrito"
             # (the whole message: "show me the basket liners" and "cart covers" are products)
             r"(?:what(?:'?s| is) in (?:my |the )?(?:shopping )?(?:cart|basket)|(?:show|view|see|check|open)(?: me)? (?:my |the )?"
             r"(?:shopping )?(?:cart|basket)|my (?:shopping )?(?:cart|basket)|(?:the )?(?:shopping )?cart)(?:\s+please)?\s*[?!.]*\s*$|"
             # "what's my total?", "how much is my total", "¿cuánto es el total?", "总共多少钱"
             r"^\s*(?:(?:ok(?:ay)?|so|and|then)[\s,]+)*(?:what(?:'?s| is) (?:my|the) (?:cart )?total|how much is (?:my|the) (?:cart )?total|(?:my |the )?total"
             r"|how much (?:is|are|does) (?:that|it|this|everything|all that|all this|my cart)(?: come to)? (?:in total|altogether|all together|total))"
             r"(?:\s+(?:now|so far|then))?(?:\s+please)?\s*[?!.]*\s*$|"
             r"¿?cu[aá]nto es (?:el|mi) total|¿?cu[aá]l es (?:el|mi) total|总共多少钱|一共多少钱|总价(?:是)?多少|"
             # "加两件到购物车": a number of the product in view
             r"加[一两二三四五六七八九十\d]+[件个条双]到购物车|"
             r"购物车里|我的购物车|查看购物车|(?:ver|mostrar|muestra\w*) (?:mi |el )?carrito|qué hay en (?:mi|el) carrito"),
    ("chitchat", r"^(?:hi|hello|hey|thanks?|thank you|ok|okay|bye|good (?:morning|evening)|hola|gracias|buenas|"
                 r"你好|您好|谢谢|再见)(?:\s+(?:there|everyone|all|so much|a lot))?[\s!.?,！。]*$|"
                 # "how are you?", "tell me a joke", "what can you do?": no product need in them
                 r"^(?:(?:hi|hello|hey|hola)[\s,!]+)?(?:how are you(?: doing)?(?: today)?|how'?s it going|tell me a joke|who are you|"
                 r"what can you do|are you (?:a bot|human|real)|what'?s the weather(?: like)?(?: today)?|how'?s the weather(?: today)?|qu[eé] tal|c[oó]mo est[aá]s|你好吗|你是谁)[\s!.?,！？。]*$|"
                 r"^[¿\s]*(?:c[oó]mo te llamas|qui[eé]n eres|qu[eé] eres|qu[eé] tiempo hace(?: hoy)?|cu[eé]ntame un chiste|"
                 r"eres (?:un bot|humano|real|una persona)|qu[eé] puedes hacer|what'?s your name)[\s!.?,]*$|"
                 r"^(?:你叫什么名字|你是机器人吗|讲个笑话|说个笑话|今天天气怎么样|天气怎么样|你能做什么|哈{2,}|呵{2,}|嘿{2,})[\s!.?,！？。]*$|"
                 r"^\s*(?:(?:ja){2,}j?|(?:ha){2,}h?|lol|lmao)[\s!.?]*$"),
    ("compare", r"\bcompare\b|\bvs\.?\b|\bversus\b|difference between|which is better|比较|对比|哪个更好|compar[ae]|diferencia entre|"
                # "which one is lighter?", "which of them is warmer?": among the products on screen
                r"^\s*which (?:one|of (?:them|these|those|the two)) (?:is|are|has|would|will)\b|"
                # "which is lighter?", "which is the warmest?" (a comparative or superlative is asked of the list)
                r"^\s*which (?:is|are) (?:the )?(?:(?:best|top|highest|most|better)[ -](?:rated|reviewed)|" + _COMPARATIVES + r"|more \w+|"
                r"less \w+|most \w+|least \w+)(?: ones?)?(?: of (?:these|them|those|the \w+))?\s*\??\s*$|"
                # "which is cheaper, the first or the second?"
                r"^\s*which (?:one )?(?:is|are) (?:the )?(?:" + _COMPARATIVES + r"|more \w+|less \w+)\b[\s,:]+(?:the )?\w+(?: one)? or (?:the )?\w+|"
                # "¿cuál es más barata, la segunda o la tercera?", "第一个和第三个哪个更便宜？" (a question about each)
                r"^[¿\s]*cu[aá]l(?:es)? (?:es|son) (?:el |la |los |las )?(?:m[aá]s|menos) \w+[\s,:]+(?:el |la )?\w+ o (?:el |la )?\w+|"
                r"第[一二三四五六七八九十\d]+个?(?:和|跟|与|还是)第[一二三四五六七八九十\d]+个?.*哪(?:个|一个|款)?更"),
    # A question about a product already shown ("is the second one machine washable?")
    ("question", r"^\s*(?:is|are|does|do|can|will|what|how|tiene|es|está)\b.*\b(?:it|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                 r"\d{1,2}(?:st|nd|rd|th)|last|this|that|primero|segundo)\b.*\?\s*$|"
                 # "show me the first one", "tell me more about the second one", "details of the last one"
                 r"^\s*(?:please\s+)?(?:(?:show|tell)\s+me\s+(?:more\s+)?(?:about\s+)?|more\s+(?:about|on)\s+|"
                 r"(?:more\s+)?details\s+(?:of|on|about)\s+|what\s+about\s+)(?:the\s+|that\s+)?"
                 r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d{1,2}(?:st|nd|rd|th))\s+(?:one|item|product)\b[\s?!.]*(?:please)?[\s?!.]*$|"
                 r"^\s*(?:第[一二三四五六七八九十]个|这个|那个).*(?:吗|？|\?)|"
                 # "¿la segunda es impermeable?", "¿qué tallas tiene la primera?", "¿de qué material es el primero?"
                 r"^\s*¿?\s*(?:(?:la|el|los|las)\s+(?:primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|últim[oa])\b.*|"
                 r"(?:qué|que|cuántas?|cuántos?|de qué)\s+(?:tallas?|colores|material|precio|cuesta|dicen|opinan)\b.*"
                 r"\b(?:primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|últim[oa]|est[eao]|es[eao])\b.*)\?\s*$|"
                 # "tell me more about it", "more about the cheaper one", "details of that one"
                 r"^\s*(?:please\s+)?(?:(?:show|tell)\s+me\s+more\s+about|more\s+(?:about|on)|(?:more\s+)?details\s+(?:of|on|about))\s+"
                 r"(?:it|this|that|them|these|those|(?:this|that|the\s+(?:cheaper|cheapest|more expensive|dearer|priciest))\s+one)"
                 r"[\s?!.]*(?:please)?[\s?!.]*$"),
]


def kind_in_text(text: str) -> str | None:
    tl = text.lower().strip()
    for kind, pat in _KIND_RULES:
        # ("what can I get for my 40th birthday?" asks about no product shown)
        if re.search(pat, without_positionless_ordinals(tl) if kind == "question" else tl):
            return kind
    return None


# "show me other colours", "in different colors", "otros colores", "其他颜色"
# "and Solstix", "blue too", "also in M": a follow-up that adds to the brands/colours/sizes asked for so far
ADDS_TO_LIST = re.compile(r"^[\s¿]*(?:and|also|or|y|o|también)(?![\w'-])|^\s*(?:还有|也要)|(?:也要|也行)\s*[?.!？。]*$|"
                          r"\b(?:too|as well|also)\s*[?.!]*\s*$")
# ... unless the message also says it replaces ("and only Solstix", "or blue instead")
REPLACES_LIST = re.compile(r"\b(?:only|just|instead|rather)\b|en su lugar|\bs[oó]lo\b|只要|换成|"
                           # "¿y en negro?", "and in size M?": asked about another one, not one more
                           r"^[\s¿]*(?:and|y)\s+(?:in|en)\s+(?:(?:size|talla)\s+)?[^\s?]+\s*\?\s*$")
CONNECTORS = frozenset({"or", "and", "y", "o", "&", "/", ",", "或", "和"})
OTHER_COLOURS = re.compile(r"\b(?:other|different|another|more)\s+colou?rs?\b|otros colores|otro color|其他颜色|别的颜色|换个颜色")

_REFINE_CUES = (r"^(?:and |but |also |only |just |without |with no |w/o |what about|how about|any |sort |order by |in size |in (?:a )?size |show me (?:some |the )?(?:cheaper|other)|"
                r"in (?:a )?\w+ instead|actually|y |pero |solo |sólo |también |¿?y en |有没有|还有|只要|换成|要)|"
                r"\binstead\b|\bcheaper\b|\bless expensive\b|more expensive ones|"
                # a new budget for the same need: "I can go up to 60 actually", "my budget is 80 now"
                r"\b(?:go|going)\s+up\s+to\s+\$?\d|\bstretch\s+(?:up\s+)?to\s+\$?\d|\bi can (?:spend|pay|afford)\s+(?:up to\s+)?\$?\d+(?!\s+(?:of|pieces?|items?|units?|pairs?|people)\b)|\bmy budget is\b|" + OTHER_COLOURS.pattern + r"|en su lugar|"
                r"más baratos|más baratas|便宜一点|便宜点|更便宜|换个颜色|\bones\b")


# "ok what about men's?", "hmm, and in blue?", "vale, ¿y en azul?": a word of assent before a follow-up
_LEAD_FILLER = re.compile(r"^\s*(?:(?:ok(?:ay)?|hmm+|well|so|alright|all right|fine|great|cool|sure|thanks|yes|yeah|nice|vale|bueno|好的?|嗯)[\s,.!]+)+")


def looks_like_refinement(text: str) -> bool:
    return re.search(_REFINE_CUES, _LEAD_FILLER.sub("", text.strip().lower())) is not None


def is_cheaper_request(text: str) -> bool:
    # "más barata" is cheaper; "la más barata" is the cheapest (a sort, not a cap below what is shown)
    return re.search(r"\bcheaper\b|\bless expensive\b|lower price|(?<!\bla )(?<!\bel )(?<!\blos )(?<!\blas )(?<!\blo )m[aá]s barat|"
                     r"更便宜|便宜一点|便宜点|便宜些", text.lower()) is not None


# ---------------------------------------------------------------------------------------------------- brands / categories
def map_brand(value: str, vocab: CatalogVocabulary) -> str | None:
    if not vocab.brands:
        return value.strip() or None
    k = _key(value)
    for b in vocab.brands:
        if _key(b) == k:
            return b
    return None


_SHORT_WORDS = frozenset("on in at to by of or an as it is be go up we me my no so do us if am".split())  # noqa: SIM905


def brand_pattern(brand: str) -> str:
    """The brand as a whole token ("B&R" not inside "AB&RC")."""
    # letters and digits of Latin scripts only: "不要Legend" names Legend (a CJK character counts as \w)
    return rf"(?<![0-9A-Za-zÀ-ÿ_&]){re.escape(brand)}(?![0-9A-Za-zÀ-ÿ_&])"


def _short_brand_in(text: str, brand: str) -> bool:
    """A brand of one or two letters ("B&R", "XE") is a brand only when it cannot be an ordinary word: after
    "from"/"by"/"brand", written with its sign ("b&r"), or in capitals as the shop writes it ("XE")."""
    pattern = brand_pattern(brand)
    if re.search(rf"\b(?:from|by|brand)\s+{pattern}", text, re.I):
        return True
    if brand.lower() in _SHORT_WORDS:
        return False
    if not brand.isalnum():
        return re.search(pattern, text, re.I) is not None
    return brand.isupper() and re.search(pattern, text) is not None


def brands_in_text(text: str, vocab: CatalogVocabulary) -> list[str]:
    tl = text.lower()
    tk = _key(text)
    out = []
    for b in vocab.brands:
        bl = b.lower()
        if ((len(_key(b)) >= 3 and _has_word(tl, bl)) or (len(_key(b)) >= 5 and _key(b) in tk)
                or (0 < len(_key(b)) < 3 and _short_brand_in(text, b))):
            out.append(b)
    return out


# "not Legend", "without Legend", "anything but Legend", "no more from Legend", "sin Legend", "不要Legend": the brand is
# unwanted. Only a few linking words may stand between ("not sure, maybe Legend" names a wanted brand).
_BRAND_NEGATION = (r"(?:not|no|without|except(?:\s+for)?|excluding|avoid|never|nothing|anything\s+but|everything\s+but|"
                   r"but\s+not|other\s+than|instead\s+of|rather\s+than|besides|sin|ni|nada\s+de|menos|sans)")
_BRAND_LINK = r"(?:(?:more|any|anything|products?|stuff|things?|items?|the|brand|made|from|by|de|del|la|el|sea|of)\s+){0,3}"


def _negated_brand(text: str, brand: str, negated: Sequence[str] = ()) -> re.Match[str] | None:
    """Where the text says it does not want `brand`: after a negation, or listed after a brand it does not want
    ("without Legend or Solstix")."""
    pattern = brand_pattern(brand)
    lead = rf"\b{_BRAND_NEGATION}\s+{_BRAND_LINK}"
    if negated:
        listed = "|".join(brand_pattern(b) for b in negated)
        lead = rf"(?:{lead}|(?:{listed})\s*,?\s+(?:or|and|nor|ni|o|y)\s+{_BRAND_LINK})"  # "not Legend, Solstix only" wants Solstix
    return (re.search(rf"(?:[,;]\s*)?{lead}{pattern}", text, re.I)
            or re.search(rf"(?:{_CJK_NEGATION})\s*{pattern}", text, re.I))


def _negations(text: str, brands: Sequence[str]) -> dict[str, re.Match[str]]:
    found: dict[str, re.Match[str]] = {}
    grew = True
    while grew:  # a brand listed after an unwanted one is unwanted too
        grew = False
        for b in brands:
            if b not in found and (m := _negated_brand(text, b, list(found))) is not None:
                found[b] = m
                grew = True
    return found


def negated_brands(text: str, brands: Sequence[str]) -> list[str]:
    """The brands among `brands` that the text says it does not want."""
    found = _negations(text, brands)
    return [b for b in brands if b in found]


def without_negated_brands(text: str, brands: Sequence[str]) -> str:
    """The text less its "not <brand>" clauses: 'jackets without Legend or Solstix' -> 'jackets'."""
    spans = sorted((m.start(), m.end()) for m in _negations(text, brands).values())
    out, pos = [], 0
    for a, b in spans:
        if a > pos:
            out.append(text[pos:a])
        pos = max(pos, b)
    out.append(text[pos:])
    return re.sub(r"\s+", " ", " ".join(out)).strip(" ,;")


# "jackets without a hood", "rain jackets, no zipper", "w/o pockets": a feature the shopper does not want
_NO_FEATURE = re.compile(r"(?:\bwithout|\bw/o|\bwith\s+no|(?:^|[,;.]\s*)no)\s+(?:(?:a|an|any|the)\s+)?([a-z][a-z-]{2,})\b"
                         r"(?:\s+([a-z][a-z-]{2,})\b)?", re.I)
# words that end a feature's phrase ("without a hood under 50", "no pockets for kids")
_PHRASE_ENDS = frozenset("""
and or for in on under over below above please with from by at to than but that which who what where when size
colour color like less more only just too as is are was""".split())  # noqa: SIM905
# words after "no"/"without" that name no feature ("no more than 50", "without breaking the bank")
_NOT_A_FEATURE = frozenset("""
more less than over under above below one ones other too idea need problem problems matter worries thanks thank way
longer budget limit rush hurry preference preferences particular specific strong hassle fuss breaking going having
spending paying that this these those that's it its thats doubt bigger smaller larger cheaper pricier heavier
lighter longer shorter wider taller later sooner worry clue kidding really very much many thing things idea reason
way sir madam wait sorry worries actually i we you he she they one's matter hurry""".split())  # noqa: SIM905


def negated_features(text: str, vocab: CatalogVocabulary) -> list[tuple[str, tuple[int, int]]]:
    """(word, span of its clause) for each feature the text says no to that is no brand, colour, size or number:
    'jackets without a hood' -> [('hood', ...)]. Brands and colours have their own exclusions."""
    out: list[tuple[str, tuple[int, int]]] = []
    if _CJK.search(text) or detect_language(text) != "en":  # "chaquetas, no muy caras": Spanish "no" is no "without"
        return out
    for m in _NO_FEATURE.finditer(text):
        word = m.group(1).lower()
        if re.match(r"\s+than\b", text[m.end(1):]):
            continue  # "no bigger than 3 people"
        # (map_brand takes any word as a brand in a catalog without brands: the brands themselves are asked)
        if (word in _NOT_A_FEATURE or canonical_color(word) or (vocab.brands and map_brand(word, vocab)) or sizes_in_text(word)
                or word in {x.lower() for x in vocab.sizes} or gender_in_text(word) is not None):
            continue
        second = (m.group(2) or "").lower()
        phrase = f"{word} {second}" if second and second not in _PHRASE_ENDS and not canonical_color(second) else word
        out.append((phrase, (m.start(), m.end())))
    return out


def without_features(text: str, phrases: Sequence[str]) -> str:
    """The text less its "without <feature>" clauses: 'jackets without taped seams' -> 'jackets'."""
    for phrase in phrases:
        text = re.sub(rf"(?:\b(?:without|w/o|with\s+no|with|no)\s+(?:(?:a|an|any|the)\s+)?)?(?<![\w-]){re.escape(phrase)}(?![\w-])",
                      " ", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip(" ,;")


def without_brands(text: str, brands: Sequence[str]) -> str:
    """The text less the brand names it mentions: "Green Equipment" names a brand, not a colour."""
    for b in sorted(brands, key=len, reverse=True):
        text = re.sub(brand_pattern(b), " ", text, flags=re.I)
    return text


def _category_words(cat: str) -> list[str]:
    leaf = cat.rsplit("/", 1)[-1]
    parts = re.split(r"\s*(?:&|,|/| and )\s*", leaf)
    return [_stem(p) for p in parts if p.strip()]


def map_category(value: str, vocab: CatalogVocabulary, gender: str | None = None) -> str | None:
    """Map a category word ('hoodie', 'Jackets', 'men/tops/jackets') onto a catalog category value."""
    if not vocab.categories:
        return value.strip() or None
    v = value.strip().lower()
    vs = _stem(v.rsplit("/", 1)[-1])
    exact = [c for c in vocab.categories if c.lower() == v]
    if exact:
        return exact[0]
    hits = [c for c in vocab.categories if vs in _category_words(c) or _stem(c.rsplit("/", 1)[-1]) == vs]
    if not hits:
        hits = [c for c in vocab.categories
                if any(w and (w in v.split() or _stem(w) in {_stem(x) for x in v.split()})
                       for w in _category_words(c))]
    if not hits:
        aliases = _category_aliases(v)
        hits = [c for c in vocab.categories if any(w in aliases for w in _category_words(c))]
    if not hits:
        return None
    if gender:
        g = [c for c in hits if f"/{gender}/" in "/" + c.lower()]
        if g:
            hits = g
    best = sorted(hits, key=lambda c: (c.count("/"), len(c)))[0]
    leaf = best.rsplit("/", 1)[-1]
    if sum(c.rsplit("/", 1)[-1].lower() == leaf.lower() for c in hits) > 1:
        # "jackets" with no gender: Men/Tops/Jackets would be a guess; the bare name means every
        # category of that name, which is what the search filters on anyway
        return leaf
    return best


# product words (en synonyms, es, zh) -> English words a catalog category may use
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "shoes": ("shoe", "sneaker", "trainer", "zapato", "zapatilla", "tenis", "鞋", "跑鞋", "运动鞋", "footwear"),
    "boots": ("boot", "bota", "靴"),
    "footwear": ("shoe", "sneaker", "boot", "trainer", "zapato", "zapatilla", "bota", "鞋", "靴"),
    "hoodies": ("hoodie", "hoody", "sweatshirt", "sudadera", "卫衣", "连帽衫"),
    "jackets": ("jacket", "coat", "parka", "chaqueta", "abrigo", "chamarra", "夹克", "外套", "冲锋衣"),
    "tees": ("tee", "t-shirt", "tshirt", "shirt", "camiseta", "playera", "t恤", "短袖"),
    "tanks": ("tank", "tank top", "camiseta sin mangas", "背心"),
    "pants": ("pant", "trouser", "legging", "jogger", "pantalón", "pantalones", "pantalon", "长裤", "裤子", "运动裤", "瑜伽裤"),
    "shorts": ("short", "pantalón corto", "pantalones cortos", "短裤"),
    "bags": ("bag", "backpack", "tote", "bolso", "bolsa", "mochila", "包", "背包"),
    "watches": ("watch", "reloj", "手表"),
    "bras": ("bra", "sports bra", "sujetador", "文胸", "运动内衣"),
}


def same_kind(a: str, b: str) -> bool:
    """Two product words of one kind ("jacket" and "coat", "sneakers" and "shoes"), by `CATEGORY_SYNONYMS`."""
    a, b = _stem(a.lower()), _stem(b.lower())
    if a == b:
        return True
    return any({a, b} <= {_stem(eng), *(_stem(w) for w in words)} for eng, words in CATEGORY_SYNONYMS.items())


def _category_aliases(text_l: str) -> set[str]:
    """English category words implied by product words in the text (any language)."""
    out: set[str] = set()
    # "pantalones cortos" are shorts, not pants: a longer phrase takes its words from the shorter ones
    for phrase in ("pantalones cortos", "pantalón corto", "pantalon corto"):
        if _has_word(text_l, phrase):
            out.add(_stem("shorts"))
            text_l = text_l.replace(phrase, " ")
    for eng, words in CATEGORY_SYNONYMS.items():
        if any(_has_word(text_l, w) or (not _CJK.search(w) and _has_word(text_l, w + "s")) for w in words):
            out.add(_stem(eng))
    return out


# how a rank by reviews is said ("top-rated", "best reviewed", "with the best reviews"): the sort, not words to search
_RANK_WORDS = re.compile(r"\b(?:the\s+)?(?:(?:best|top|highest|most highly)[- ](?:rated|reviewed|ranked)|best[- ]reviews?|"
                         r"(?:with|having) (?:the )?(?:best|top|highest|great) (?:reviews|ratings)|most popular)\b", re.I)
# "top rated", "top sellers", "top 3", "the top ones": a rank, not the category Tops
TOP_AS_RANK = re.compile(r"\btop(?=[\s-]+(?:rated|rating|reviewed|sellers?|selling|picks?|choices?|quality|brands?|ones?|\d+)\b)")


# "t-shirts", "tshirt", "t shirt", "tees": the T-shirt kind, whose "shirt" is no plain shirt (it listed an Oxford Shirt
# as the one match for "t-shirts" in a shop with a T-Shirts category)
_T_SHIRT = re.compile(r"(?<![\w-])(?:t[\s-]?shirts?|tee[\s-]?shirts?|tees?)(?![\w-])")
# a T-shirt (or shirt) word before another kind's word only says which of that kind: "t-shirt dresses", "a tee dress",
# "shirt dress", "t-shirt bra" are dresses and bras (it listed T-shirts for "show me t shirt dresses")
_SHIRT_BEFORE = re.compile(r"(?<![\w-])(?:t[\s-]?shirts?|tee[\s-]?shirts?|tees?|shirts?)[\s-]+(?=([a-z]+)(?![\w-]))")
_SHIRT_KINDS = frozenset({"shirt", "tee", "t-shirt", "tshirt", "top"})


def _without_kind_modifiers(text_l: str) -> str:
    """The text less the T-shirt or shirt words that only qualify the kind named after them ("t shirt dresses" ->
    "dresses"): the kind asked for is the last one."""
    def drop(m: re.Match[str]) -> str:
        after = _singular(m.group(1))
        return " " if after in PRODUCT_KINDS and after not in _SHIRT_KINDS else m.group(0)
    return _SHIRT_BEFORE.sub(drop, text_l)


def _kind_words(text_l: str) -> set[str]:
    """The stems of a lower-case text's words, as category words are compared; a T-shirt's words are "t-shirt" and
    "tee", never "shirt"; a T-shirt word before another kind ("t-shirt dress") is none."""
    text_l = _without_kind_modifiers(text_l)
    words = {_stem(w) for w in re.findall(r"[a-záéíóúñü]+", _T_SHIRT.sub(" ", text_l))}
    return words | ({_stem("t-shirts"), _stem("tshirts"), _stem("tees")} if _T_SHIRT.search(text_l) else set())


def categories_in_text(text: str, vocab: CatalogVocabulary, gender: str | None = None) -> list[str]:
    text = TOP_AS_RANK.sub(" ", text.lower())
    words = _kind_words(text) | _category_aliases(_without_kind_modifiers(text))
    spelt = re.sub(r"(?<![\w-])(?:t[\s-]?|tee[\s-]?)shirt", "t-shirt", text)  # a "T-Shirt Dresses" category, as named
    out: list[str] = []
    depth: dict[str, int] = {}  # of the deepest catalog path behind each result (a bare "Jackets" is still deep)
    for c in vocab.categories:
        cw = _category_words(c)
        if any(w in words for w in cw if " " not in w) or any(
            w in spelt for w in cw if " " in w
        ):
            mapped = map_category(c.rsplit("/", 1)[-1], vocab, gender)
            if mapped:
                if mapped not in out:
                    out.append(mapped)
                depth[mapped] = max(depth.get(mapped, -1), c.count("/"))
    # the most specific first: "a jacket for men" names "Men" and "Men/Tops/Jackets"; the jackets are meant
    return sorted(out, key=lambda c: -depth[c])


# ---------------------------------------------------------------------------------------------------- normaliser
def _price_stated(value: float | None, stated: set[float]) -> bool:
    return value is not None and any(abs(value - s) < 0.005 for s in stated)


def _number_not_stated(attribute: str, stated: set[float], prices: set[float]) -> bool:
    """A wish with a number the message never states ("4K" and "1,000 piece" are read as the message is), or a
    size the message states only as a price ("size 80" from "under $80")."""
    if any(n not in stated for n in numbers_in_text(attribute)):
        return True
    m = re.fullmatch(r"\s*size\s+(\d+(?:\.\d+)?)\s*", attribute, re.I)
    return bool(m and float(m.group(1)) in prices)


POINTING_WORDS = (r"\b(?:(?:something|anything|more|one|ones)\s+)?(?:like|similar to)\s+(?:this|that|these|those|it)"
                  r"(?:\s+ones?)?(?=\s*(?:$|but\b|in\b|for\b|under\b|with\b|and\b|[,.!?]))|\bbut\b")
# a message that only points ("like this but cheaper", "the cheapest like this"): with a photo, the photo is the query
POINTING_ONLY = re.compile(rf"\s*(?:(?:{POINTING_WORDS}|the|a|an|show me|find me|find|get me|i want|i need|i'?d like|i'?m looking for|"
                           rf"looking for|do you have|have you got|can you|could you|cheaper|cheapest|ones?|please|any)[\s,.!?]*)+", re.I)


def normalize_intent(
    intent: ShoppingIntent, vocab: CatalogVocabulary, text: str, *, has_previous: bool = False
) -> ShoppingIntent:
    """Ground a proposed intent in the catalog vocabulary and in the message text (see module docstring)."""
    soft: list[str] = []  # values that cannot be hard filters: kept as wishes

    # kind
    kind = intent.kind
    rule_kind = kind_in_text(text)
    if rule_kind:
        kind = rule_kind  # type: ignore[assignment]
    elif kind == "refine" and not has_previous:
        kind = "search"
    elif has_previous and kind == "search" and looks_like_refinement(text):
        kind = "refine"
    elif has_previous and kind in ("compare", "question") and is_cheaper_request(text) and not references_in_text(text):
        kind = "refine"  # "¿tienes algo más barato?" after a list: cheaper than it, not a comparison of nothing

    # gender (needed for categories)
    gender = gender_in_text(text)
    # a model's gender needs a word for a person in the text ("this" has "his" in it: whole words only)
    if gender is None and intent.gender and re.search(r"\b(?:her|him|his|wife|husband|son|daughter)\b|女|男", text.lower()):
        gender = intent.gender

    # colours: what the text names (less its brand names), guided by what the model proposed
    named_brands = brands_in_text(text, vocab) if vocab.brands else []
    colour_text = without_brands(text, named_brands)
    wanted, unwanted = colors_in_text(colour_text)
    colors: list[str] = []
    exclude: list[str] = []
    # the shop's own colour named word for word ("kettles in matte black": its Matte Black, not Black)
    own_named = [c for c in vocab.colors if " " in c.strip() and re.search(rf"(?<![\w-]){re.escape(c.lower())}(?![\w-])", colour_text.lower())
                 and not re.search(rf"\b(?:not|no|without|sin|ni)\s+{re.escape(c.lower())}", colour_text.lower())]
    if own_named:
        colors.extend(own_named)
        wanted = [c for c in wanted if not any(canonical_color(c) == canonical_color(o) for o in own_named)]
    for c in wanted:
        m = map_color(c, vocab) or canonical_color(c)
        # a colour the catalog has none of ("only in blue" where nothing is blue) stays a colour: search then
        # says "None in Blue" instead of quietly showing other colours as if they matched
        if m:
            colors.append(m)
        else:
            soft.append(c.lower())
    for c in intent.colors:
        if canonical_color(c) is None and c.lower() in colour_text.lower() \
                and _singular(c) not in PRODUCT_KINDS and gender_in_text(c) is None:  # unknown colour word the text names: a wish
            # (a model's colour "Dress" for "show me dresses", "Women" for "clothes for women" is the kind or the
            # gender asked, no wish: it showed a bare "Dress" as the reason beside the dress)
            soft.append(c)
    excluded_colors = {map_color(c, vocab) or c for c in unwanted}
    for e in intent.exclude:
        canon = canonical_color(e)
        if canon and canon in wanted and re.search(_NEGATION, text.lower()):
            excluded_colors.add(map_color(canon, vocab) or canon)
    colors = [c for c in _dedup(colors) if c not in excluded_colors]

    # sizes
    sizes: list[str] = []
    model_sizes = [x for x in intent.sizes
                   if (len(x.strip()) > 1 and _has_word(text.lower(), x.strip().lower()))
                   or re.search(rf"(?<![\w']){re.escape(x.strip())}(?![\w'])", text)]
    alone = bare_size(text) if has_previous else None  # "M" after a list: that size of the need (it searched "M")
    for s in sizes_in_text(text) + model_sizes:
        m = map_size(s, vocab)
        if m:
            sizes.append(m)
        elif re.fullmatch(r"\d{1,3}(?:\.5)?", s.strip()):
            soft.append(f"size {s.strip()}")
    if alone and (m := map_size(alone, vocab)):
        sizes.append(m)
    sizes = _dedup(sizes)
    if alone and kind == "search":
        kind = "refine"  # (a size the shop has none of too: the need stays, and the reply says which sizes there are)

    # brands: text evidence required; "not Legend" is an exclusion, never a wanted brand
    unwanted_brands = negated_brands(text, named_brands)
    brands = [b for b in named_brands if b not in unwanted_brands]
    for b in intent.brands:
        m = map_brand(b, vocab)
        if m and (_key(m) in _key(text)) and m not in brands and m not in unwanted_brands:
            brands.append(m)
        elif not m and b.lower() in text.lower():
            soft.append(b)

    # category
    category: str | None = None
    if intent.category:
        category = map_category(intent.category, vocab, gender)
        if category is None and intent.category.lower() not in intent.query.lower():
            soft.append(intent.category)
    if vocab.categories:  # the product words of the text outrank a category the model copied from an example
        found = categories_in_text(text, vocab, gender)
        if found and (category not in found or found[0].lower().startswith(f"{category.lower()}/")):
            category = found[0]
        elif not found and category and intent.category and not _CJK.search(text):
            # a category the (Latin-script) text never names was copied from an example or the history: drop it
            words = _kind_words(text.lower())  # ("t-shirts" names no Shirts)
            if not any(_stem(w) in words for w in re.findall(r"[a-záéíóúñü]+", intent.category.lower())):
                category = None

    if category and gender:  # "Men/..." picked for a women's request: the same leaf under the right gender
        parts = category.lower().split("/")
        if any(g in parts for g in ("women", "men", "kids")) and gender not in parts:
            category = map_category(category.rsplit("/", 1)[-1], vocab, gender) or category

    # prices: regex phrases win; a model price survives only if the text states that number
    stated = numbers_in_text(text)
    rule_min, rule_max = prices_in_text(text)
    min_price = rule_min if rule_min is not None else (intent.min_price if _price_stated(intent.min_price, stated) else None)
    max_price = rule_max if rule_max is not None else (intent.max_price if _price_stated(intent.max_price, stated) else None)
    if rule_min is None and rule_max is not None and min_price == max_price:
        min_price = None
    if rule_max is None and rule_min is not None and min_price == max_price:
        max_price = None
    if min_price is not None and max_price is not None and min_price > max_price:
        min_price, max_price = max_price, min_price
    # "tees under 30": a price the text says is a price, though 30 is also a waist size the model proposed
    said_sizes = {x.upper() for x in sizes_in_text(text)}
    for val in (rule_min, rule_max):
        if val is not None and val == int(val) and str(int(val)) in sizes and str(int(val)) not in said_sizes:
            sizes.remove(str(int(val)))
    # a number that is a size or an order id is not a price
    for p_name in ("min_price", "max_price"):
        val = min_price if p_name == "min_price" else max_price
        if val is not None and (str(int(val)) in sizes or (intent.order_id and str(int(val)) in intent.order_id)):
            if p_name == "min_price":
                min_price = None
            else:
                max_price = None

    # sort
    sort = sort_in_text(text) or (
        intent.sort if intent.sort != "relevance" and re.search(_SORT_EVIDENCE[intent.sort], text.lower()) else "relevance"
    )
    if sort == "relevance" and is_cheaper_request(text):
        sort = "price_asc"

    # order id: must appear in the text
    order_id = order_id_in_text(text)
    if order_id is None and intent.order_id and _key(intent.order_id) and _key(intent.order_id) in _key(text):
        order_id = intent.order_id
    if order_id and kind in ("search", "other", "chitchat", "question"):
        kind = "order_status"

    # references: ordinal evidence required
    refs = references_in_text(text)
    if not refs and intent.references and re.search(r"\b(?:it|this|that|one|ones|them)\b|这个|那个|este|ese", text.lower()):
        # (a model's reading of "the 7th of July" or "my 40th birthday" as a position is no evidence)
        said = [m.group().lower() for m in _NO_POSITION.finditer(text)]
        dated = {int(n) for d in said for n in re.findall(r"\d+", d)} | {
            n for d in said for n, pat in _ORDINALS.items() if re.search(rf"(?<![a-z0-9])(?:{pat})(?![a-z0-9])", d)}
        refs = [r for r in intent.references if 0 < r <= 10 and r not in dated]

    # exclusions: only when the text negates something
    if re.search(_NEGATION, text.lower()):
        for e in intent.exclude:
            if canonical_color(e) is None and e.lower() not in {x.lower() for x in exclude}:
                exclude.append(e)
    features = negated_features(text, vocab)  # "without a hood": names with "hood" are left out
    exclude.extend(w for w, _ in features if w not in {x.lower() for x in exclude})
    exclude = [map_brand(e, vocab) or e for e in exclude]  # the model's "legend" is the brand Legend
    exclude = _dedup(list(exclude) + sorted(excluded_colors) + unwanted_brands)

    # attributes: wishes, minus what became a hard field
    hard = {x.lower() for x in colors + sizes + brands + exclude} | {(category or "").lower()}
    hard |= {intent.query.strip().lower(), (intent.category or "").lower()} - {""}
    hard |= {w.lower() for c in colors for w in COLOR_WORDS.get(canonical_color(c) or "", ())}
    wishes = [a for a in intent.attributes if canonical_color(a) is None] + soft
    prices = {float(p) for p in (min_price, max_price) if p is not None}
    attributes = [a for a in _dedup(wishes)
                  if a.lower() not in hard and not re.fullmatch(r"[\d.,$€元 ]+", a)
                  and not re.search(r"price|cheap|expensive|precio|价格|便宜", a.lower())
                  and gender_in_text(a) is None  # "women" is the gender field, not a wish
                  and not any(w in a.lower() for w, _ in features)  # "without a hood" is an exclusion, no wish
                  and not _number_not_stated(a, stated, prices)][:6]

    # "what about men's?": the gender-only category ("Men") is the gender field, not a new kind of product
    if category and gender and category.lower() == gender and has_previous:
        category = None
    # a short message that only states constraints, after a search, refines it ("under 30", "in size XL",
    # "by Legend", "only from Raptor Elite")
    if kind == "search" and has_previous and category is None and (
            not brands or re.fullmatch(r"\W*(?:(?:only|just|and|or|also|but|any|what about|how about|maybe|y|o|pero|s[oó]lo|también)\s+)*(?:(?:made\s+)?by|from)?\s*"
                                       + "(?:" + "|".join(re.escape(b) for b in brands) + r")(?:\s+(?:please|instead|then|too|as well|also|only))?\W*",
                                       without_negated_brands(text, unwanted_brands), re.I)):
        short = len(text.split()) <= 6 if not _CJK.search(text) else len(text.strip()) <= 12
        named_no = {w for w, _ in features}  # "poles without carbon" is a new need, not a constraint on the last
        constrained = any([colors, sizes, [e for e in exclude if e not in named_no], min_price is not None,
                           max_price is not None, sort != "relevance", gender, brands])
        if short and constrained:
            kind = "refine"

    query = intent.query.strip()
    if unwanted_brands:  # "jackets without Legend" searches for jackets; the filter keeps Legend out
        query = without_negated_brands(query, unwanted_brands)
    if features:  # "jackets without a hood" searches for jackets: "hood" in the query would pull hoods in
        query = without_features(query, [w for w, _ in features])
    if sort == "rating" and (ranked := re.sub(r"\s+", " ", _RANK_WORDS.sub(" ", query)).strip(" ,.!?")) != query.strip() \
            and re.search(r"[^\W\d_]{3,}", re.sub(r"\b(?:ones?|some|any|the|me|show|find)\b", " ", ranked.lower())):
        # "top rated tees under 30": tees, best rated first (the words "top rated" searched brought tops in)
        query = ranked
    query = without_occasions(query)  # "tops for a 30th anniversary" searches tops (a model's query too)
    if not query and kind in ("search", "refine"):
        query = "" if POINTING_ONLY.fullmatch(text) or GIFT_TALK.search(text) or DAY_OR_OCCASION.search(text) else text.strip()

    return ShoppingIntent(
        kind=kind, query=query, category=category, brands=brands, min_price=min_price, max_price=max_price,
        colors=colors, sizes=sizes, gender=gender, attributes=attributes, exclude=exclude, sort=sort,  # type: ignore[arg-type]
        order_id=order_id, references=refs,
    )


def vocabulary_from_db(db_url: str) -> CatalogVocabulary:
    """Read the vocabulary from a shopassist catalog database (variant colours/sizes, brands, category paths)."""
    from sqlalchemy import create_engine, select

    from catalog.models import Brand, Category, Variant

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            colors = conn.execute(select(Variant.color).distinct()).scalars().all()
            sizes = conn.execute(select(Variant.size).distinct().order_by(Variant.size)).scalars().all()
            brands = conn.execute(select(Brand.name)).scalars().all()
            categories = conn.execute(select(Category.path)).scalars().all()
    finally:
        engine.dispose()
    return vocabulary_from_lists(colors, sizes, brands, categories)


# English words for a kind of product (singular): a head noun the shop may not carry, never a typo of another word
PRODUCT_KINDS = frozenset("""
shoe sneaker trainer boot sandal slipper heel loafer sock hat cap beanie glove mitten scarf belt wallet watch sunglass
glasses umbrella tent sleeping-bag mat pad stove lantern headlamp bottle flask mug helmet bike bicycle ski snowboard
skate surfboard kayak paddle racket ball dumbbell kettlebell weight band rope dress skirt jean pant trouser legging
short shirt blouse tee t-shirt top tank bra hoodie sweatshirt sweater jumper cardigan jacket coat parka vest gilet
suit swimsuit bikini underwear pajama robe backpack bag tote duffle luggage suitcase purse handbag phone laptop tablet
camera headphone earbud speaker charger cable toy game book perfume lipstick necklace ring bracelet earring
tv television monitor refrigerator fridge microwave sofa couch chair table desk lamp mattress pillow blanket towel
pan pot skillet saucepan wok knife kettle plate bowl grinder blender toaster candle teapot carabiner hammock cooler
""".split())  # noqa: SIM905
