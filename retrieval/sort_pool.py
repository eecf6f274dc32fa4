"""Which products an explicit sort ("cheapest", "most expensive", "top rated", "newest") puts in order.

The order itself is always exact (the repository's ORDER BY over a set of ids, under the hard filter);
this module decides the set, so that "cheapest" is about what the shopper is looking at:

* The query says nothing the hard filter does not already enforce (no words; or only the category's,
  brand's, colour's, size's, gender's own words: "cheapest jackets" in Jackets): the whole filtered set.
* Otherwise the union of
  (a) the products whose text has every remaining word AND whose name has every one of them too, or
      whose title names the kind of product asked for (its head noun is a word of the query or of the
      category: the ranker's "the kind of product you asked for" test), and
  (b) the top-K relevance results for the same query, filters and session (K >= SORT_POOL and >= 3x the
      list: the pool a shown list is picked from) whose name has SOME of the remaining words and whose
      title names the kind asked for.
  Every word in the text (the old rule) dropped "Venture Grey Trail Shoes", result #4 of "hiking shoes under
  $100" (no "hiking"), so "cheapest" contradicted the list, and let a chalk bag whose description mentions
  "attachment to harnesses" be "the cheapest climbing harness". The kind test keeps that bag out of (a) and
  (b) though it has both words and ranks among the few climbing products; the name test keeps the top-K
  from pouring plain jackets into "cheapest warm jacket" (the category already makes them all jackets).
  The price of that choice: a shown product with no evidence for the words (a yoga jacket shown as filler
  for "rain jacket" in a shop with one rain jacket) is not in the set; the answer is the cheapest rain
  jacket, not the cheapest thing on the screen.
* Neither gives anything (nothing is named or of the kind asked for): the top-K relevance results
  themselves, what the shopper is looking at; none either: the whole filtered set.
* With a photo (HybridSearcher): the PHOTO_SORT_POOL products that look most like it under the filter,
  narrowed to those of them that (a) takes, when some are (`narrow_by_words`).

Impossible constraints ("nothing under $5; the cheapest is $21.99") are not decided here: that note and
its alternatives are computed over the filter set (HybridSearcher.explain_no_match, search_backend).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from catalog.repository import CatalogRepository, ProductFilter, query_tokens
from retrieval.ranking import _STOP, _fuzzy_in, lexical_query, parse_text, stem, title_head

SORT_POOL = 20  # relevance results an explicit sort may draw from (at least 3x the list asked for)
# The photo's nearest products under the filter. Tighter than SORT_POOL: a photo gives no words to check a
# product's kind against, and similarity fades fast (a hiking boot's 13th neighbour may be a snowboard).
PHOTO_SORT_POOL = 12


def relevance_depth(limit: int) -> int:
    """How many relevance results an explicit sort of `limit` products draws from."""
    return max(SORT_POOL, 3 * limit)


def _stems(texts: Iterable[str]) -> set[str]:
    return {stem(t) for text in texts for t in query_tokens(text)}


def filter_words(f: ProductFilter) -> set[str]:
    """Stems of the words the hard filter already enforces: category path, brands, colours, sizes, gender,
    attribute values ("jackets" in Jackets, "luma" with brand Luma, "women" with gender women)."""
    parts: list[str] = [*(f.category or "").split("/"), *f.brands, *f.colors, *f.sizes, f.gender or ""]
    parts += [v for values in f.attributes.values() for v in values]
    return _stems(parts)


def residual_words(text: str, f: ProductFilter) -> list[str]:
    """The query's words that say more than the filter (no stop words, no one-letter tokens: the "s" of
    "women's")."""
    enforced = filter_words(f)
    words = [w for w in query_tokens(lexical_query(text)) if len(w) > 1 and w not in _STOP]
    return [w for w in dict.fromkeys(words) if stem(w) not in enforced]


def kind_words(text: str, f: ProductFilter) -> frozenset[str]:
    """Stems that may name the kind of product asked for: the query's words and the category's."""
    words = parse_text(" ".join([text, *(f.category or "").split("/")])).stems
    return frozenset(w for w in words if w not in _STOP and not w[0].isdigit())


def same_kind(kinds: frozenset[str], title: str) -> bool:
    """The title's head noun (its product type) is one of `kinds`: the test of the ranker's `title_head`
    feature ("the kind of product you asked for")."""
    head = title_head(title)
    return bool(head) and (head in kinds or any(_fuzzy_in(w, parse_text(head)) for w in kinds))


def has_every_word(words: Sequence[str], title: str) -> bool:
    name = _stems([title])
    return all(stem(w) in name for w in words)


def has_any_word(words: Sequence[str], title: str) -> bool:
    name = _stems([title])
    return any(stem(w) in name for w in words)


def named_matches(repo: CatalogRepository, words: Sequence[str], kinds: frozenset[str], f: ProductFilter) -> list[int]:
    """Ids of the products under `f` whose text (name, description, attributes...) has every word and whose
    name has every word too or names the kind asked for, best lexical match first."""
    if not words:
        return []
    hits = [h.product_id for h in repo.lexical_search(" ".join(words), f, limit=100_000, mode="all")]
    titles = repo.names(hits)
    return [pid for pid in hits if has_every_word(words, titles.get(pid, "")) or same_kind(kinds, titles.get(pid, ""))]


def sort_pool(repo: CatalogRepository, text: str, f: ProductFilter, relevant: Callable[[int], Sequence[int]],
              *, limit: int) -> list[int] | None:
    """The ids an explicit sort orders (see the module docstring); None: the whole filtered set.
    `relevant(k)`: the ids of the top-k relevance results for the same request, best first."""
    words = residual_words(text, f)
    if not words:
        return None
    kinds = kind_words(text, f)
    top = list(relevant(relevance_depth(limit)))
    titles = repo.names(top)
    ranked = [pid for pid in top if has_any_word(words, titles.get(pid, "")) and same_kind(kinds, titles.get(pid, ""))]
    pool = list(dict.fromkeys(named_matches(repo, words, kinds, f) + ranked))
    return with_stated_values(repo, pool, words) or top or None


def with_stated_values(repo: CatalogRepository, ids: list[int], words: Sequence[str]) -> list[int]:
    """`ids` less the products whose attributes lack a word of the query that is an attribute value of the
    catalog ("waterproof" in features: the cheapest "waterproof backpack" was the one backpack without it);
    `ids` as they are when no word is such a value or no product has them all."""
    values = repo.attribute_values()
    wished = [w.lower() for w in words if w.lower() in values]
    if not wished or not ids:
        return ids
    have = repo.attribute_words(ids)
    names = repo.names(ids)
    # the attribute says it, or the name does ("Helena Hooded Fleece" is a fleece whatever its attributes say)
    stated = [pid for pid in ids if all(w in have.get(pid, set()) or stem(w) in _stems([names.get(pid, "")]) for w in wished)]
    return stated or ids


def narrow_by_words(repo: CatalogRepository, ids: Sequence[int], text: str, f: ProductFilter) -> list[int]:
    """`ids` (a photo's look-alikes) narrowed to the products named for the query's words as `sort_pool`
    takes them; `ids` itself when no words remain or none of them qualifies ("like this" names nothing)."""
    words = residual_words(text, f)
    if not words or not ids:
        return list(ids)
    allowed = set(f.ids) if f.ids is not None else None
    within = dataclasses.replace(f, ids=[i for i in ids if allowed is None or i in allowed])
    matched = set(named_matches(repo, words, kind_words(text, f), within))
    return [i for i in ids if i in matched] or list(ids)
