"""Maximal marginal relevance: keep one product family from filling the result list.

MMR picks, one at a time, the item maximising  lambda * relevance - (1 - lambda) * max similarity to
the items already picked. Relevance is min-max normalised over the pool so it is on the same [0, 1]
scale as the similarity. Similarity is the larger of the cosine of product vectors (when known) and
1.0 for two products of the same family (same brand and same name once colour/size words are gone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from catalog.repository import ProductSummary

_SIZE_WORDS = frozenset(
    ["xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "small", "medium", "large", "extra", "petite", "tall", "short", "long", "regular"]
)


def family_key(product: ProductSummary) -> str:
    """Brand + name without colour and size words: "Chaz Kangeroo Hoodie - Gray, M" -> "chaz kangeroo hoodie"."""
    drop = {c.lower() for c in product.colors} | {s.lower() for s in product.sizes} | _SIZE_WORDS
    words = [w for w in re.findall(r"[a-z0-9]+", product.name.lower()) if w not in drop]
    return f"{(product.brand or '').lower()}|{' '.join(words)}"


def mmr_order(
    relevance: Sequence[float],
    similarity: Callable[[int, int], float],
    k: int,
    lam: float = 0.75,
    *,
    families: Sequence[str] | None = None,
    max_per_family: int | None = 2,
) -> list[int]:
    """Indices of the k items chosen by MMR, in the order chosen (the first is the most relevant).

    With `families`, at most `max_per_family` items of one family are chosen while other items remain.
    """
    n = len(relevance)
    if n == 0 or k <= 0:
        return []
    rel = np.asarray(relevance, dtype=np.float64)
    lo, hi = float(rel.min()), float(rel.max())
    rel = (rel - lo) / (hi - lo) if hi > lo else np.ones(n)
    chosen: list[int] = []
    max_sim = np.zeros(n)
    left = set(range(n))
    per_family: dict[str, int] = {}
    while left and len(chosen) < k:
        pool = left
        if families is not None and max_per_family is not None:
            open_ = {i for i in left if per_family.get(families[i], 0) < max_per_family}
            pool = open_ or left
        best = max(pool, key=lambda i: (lam * rel[i] - (1 - lam) * max_sim[i], -i))
        chosen.append(best)
        if families is not None:
            per_family[families[best]] = per_family.get(families[best], 0) + 1
        left.discard(best)
        for i in left:
            s = similarity(best, i)
            if s > max_sim[i]:
                max_sim[i] = s
    return chosen


def product_similarity(
    products: Sequence[ProductSummary], vectors: Sequence[np.ndarray | None] | None = None
) -> Callable[[int, int], float]:
    """Similarity for `mmr_order`: same family = 1, else the cosine of the product vectors (0 if unknown)."""
    keys = [family_key(p) for p in products]

    def sim(i: int, j: int) -> float:
        if keys[i] == keys[j]:
            return 1.0
        if vectors is not None:
            a, b = vectors[i], vectors[j]
            if a is not None and b is not None:
                return max(0.0, float(np.dot(a, b)))
        return 0.0

    return sim
