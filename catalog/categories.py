"""Which of a product's categories says what the product *is*.

Shops file a product in its place in the product-type tree ("Women/Tops/Jackets", "Gear/Bags") and,
often, again in merchandising groupings that cut across that tree: collections, promotions, sales, "What's
New" (the Magento demo store files the Adrienne Trek Jacket under "Collections/Erin Recommends",
"Promotions/Women Sale" and "Women/Tops/Jackets"). The catalog stores all of them alike, as paths; a
grouping is told apart by two rules:

* its name says so: a path with a segment such as Collections, Promotions, Sale, Clearance, Deals, What's
  New, New Arrivals, Best Sellers, Featured or "... Recommends" (`is_merchandising`);
* or the catalog's own shape says so: a top-level tree in which no product is filed alone, i.e. every
  product in it is also filed in another tree, only regroups products that have their real place elsewhere
  (`overlay_roots`; in the Magento data: Collections and Promotions).

`product_type_category` then picks the deepest (most specific) remaining category.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

# A segment that is *only* a grouping word ("Collections", "Sale", "What's New"), or a "... Recommends" /
# "... Picks" list: "Bedding Collections", "Outlet Covers" and "Point of Sale" are kinds of product.
_MERCHANDISING = re.compile(
    r"(?:(?:collections?|promotions?|promos?|sales?|clearance|outlet|deals?|offers?|specials?"
    r"|what[’']?s[ -]new|new[ -](?:arrivals?|in|releases?)|just[ -]in|best[ -]?sellers?|top[ -]sellers?"
    r"|featured|trending|gift[ -]ideas)"
    r"|.+\s(?:recommends|picks|favou?rites))",
    re.IGNORECASE,
)


def _segments(path: str) -> list[str]:
    return [s.strip() for s in path.split("/") if s.strip()]


def root_of(path: str) -> str:
    parts = _segments(path)
    return parts[0] if parts else ""


def is_merchandising(path: str) -> bool:
    """Whether a segment of the category path names a merchandising grouping rather than a kind of product."""
    return any(_MERCHANDISING.fullmatch(seg) for seg in _segments(path))


def overlay_roots(filings: Iterable[tuple[int, str]]) -> frozenset[str]:
    """The top-level category trees that only regroup products filed elsewhere, from (product id, category
    path) pairs: trees that hold products but not one product that is in no other tree."""
    roots_of: dict[int, set[str]] = defaultdict(set)
    for pid, path in filings:
        root = root_of(path)
        if root:
            roots_of[pid].add(root)
    used: set[str] = set()
    alone: set[str] = set()
    for roots in roots_of.values():
        used |= roots
        if len(roots) == 1:
            alone |= roots
    return frozenset(used - alone)


def product_type_category(paths: Sequence[str], overlays: Iterable[str] = ()) -> str | None:
    """The product's most specific real category: the deepest of its categories that is not a merchandising
    grouping (by name, or under an overlay root); ties go to the first path in alphabetical order. When the
    overlay rule would leave nothing (every tree only regroups another), only the names count. None when
    every category is a grouping, or there is none."""
    overlay = set(overlays)
    named = [p for p in paths if _segments(p) and not is_merchandising(p)]
    real = [p for p in named if root_of(p) not in overlay] or named
    if not real:
        return None
    return min(real, key=lambda p: (-len(_segments(p)), p))
