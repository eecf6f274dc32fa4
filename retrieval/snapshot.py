"""An in-memory, read-only copy of what candidate generation needs, so a search costs milliseconds.

`SearchSnapshot` holds, for every visible product (one row each, ordered by id):

* its name (for the title features),
* a BM25 index of its text (`LexicalIndex`: the name counts `name_weight` times, like the catalog's FTS),
* its text vector from the vector index (zeros where the index has none),
* today's price (the special price while it applies), read from SQL.

Hard constraints stay exact and come from SQL: `FilterCache` splits a `ProductFilter` into atoms
(category, brands, gender, colour/size/stock together, each attribute, excluded words), asks the catalog
for the products matching each atom once (`CatalogRepository.find_ids`), keeps the answer as a boolean
row mask, and intersects the masks with numpy (the same AND the SQL query does). Price ranges compare
the SQL prices. This is Lucene's filter cache idea: repeated constraints (a shop has a few dozen
categories, brands and colours) cost microseconds, a new one costs one SQL query.

Freshness: every `ttl_s` seconds the holder checks, off the search path, whether the catalog or the vector
index changed (also when another process wrote them) and rebuilds only then; `invalidate()` (the indexer
calls it) rebuilds on the next search. The searcher re-checks its final results against the full filter
in SQL, so a product that stopped matching a moment ago is never returned.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select

from catalog.models import Product
from catalog.repository import CatalogRepository, ProductFilter, effective_price_expr
from retrieval.ranking import TermStats
from retrieval.spelling import QueryCorrector

log = logging.getLogger(__name__)


def lexical_terms(text: str) -> list[str]:
    """Stemmed words of a text, stop words kept (BM25 gives them little weight)."""
    from retrieval.ranking import stem, tokens

    return [stem(t) for t in tokens(text)]


class LexicalIndex:
    """Okapi BM25 over product texts, in memory (a sparse term x product matrix of BM25 weights)."""

    def __init__(self, names: Sequence[str], texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75, name_weight: float = 4.0):
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(len(names), dtype=np.float64)
        for i, (name, text) in enumerate(zip(names, texts, strict=True)):
            tf: dict[int, float] = {}
            for weight, part in ((name_weight, name), (1.0, text)):
                for term in lexical_terms(part):
                    j = vocab.setdefault(term, len(vocab))
                    tf[j] = tf.get(j, 0.0) + weight
                    lengths[i] += weight
            for j, v in tf.items():
                rows.append(j)
                cols.append(i)
                tfs.append(v)
        n = len(names)
        self.vocab = vocab
        self.n = n
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        tf_arr = np.asarray(tfs, dtype=np.float64)
        df = np.bincount(r, minlength=len(vocab)).astype(np.float64)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if n else 1.0
        norm = k1 * (1.0 - b + b * lengths[c] / (avgdl or 1.0))
        w = self.idf[r] * tf_arr * (k1 + 1.0) / (tf_arr + norm)
        # CSR by term: a query term's postings are one contiguous slice
        self.matrix = sparse.csr_matrix((w.astype(np.float32), (r, c)), shape=(len(vocab), n))

    def scores(self, text: str) -> np.ndarray:
        """BM25 of every product for `text` (0 where no query word occurs)."""
        out = np.zeros(self.n, dtype=np.float32)
        m = self.matrix
        for term in dict.fromkeys(lexical_terms(text)):
            j = self.vocab.get(term)
            if j is None:
                continue
            lo, hi = m.indptr[j], m.indptr[j + 1]
            out[m.indices[lo:hi]] += m.data[lo:hi]
        return out


class SearchSnapshot:
    """Rows = visible products ordered by id; see the module docstring."""

    def __init__(self, repo: CatalogRepository, *, vectors: Callable[[Sequence[int]], dict[int, np.ndarray]] | None = None,
                 dim: int | None = None):
        from retrieval.indexer import catalog_texts

        t0 = time.perf_counter()
        self.built_at = time.monotonic()
        self.today = repo.today
        with repo.db.session() as s:
            rows = s.execute(
                select(Product.id, Product.name, effective_price_expr(self.today))
                .where(Product.visible.is_(True))
                .order_by(Product.id)
            ).all()
        self.opened_at = repo.first_added()  # products of the first import are never "new in"
        self.ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        self.names = [r[1] or "" for r in rows]
        self.prices = np.asarray([float(r[2]) if r[2] is not None else math.nan for r in rows], dtype=np.float64)
        self._row = {int(pid): i for i, pid in enumerate(self.ids)}
        texts = catalog_texts(repo.db)
        # catalog_texts starts with the name; the name is weighted separately, so index only the rest
        rest = [texts.get(str(int(pid)), "").partition("\n")[2] for pid in self.ids]
        self.lexical = LexicalIndex(self.names, rest)
        self._rest = rest
        self.vectors: np.ndarray | None = None
        self.has_vector = np.zeros(len(self.ids), dtype=bool)
        if vectors is not None and dim:
            mat = np.zeros((len(self.ids), dim), dtype=np.float32)
            got = vectors([int(i) for i in self.ids])
            for pid, v in got.items():
                row = self._row.get(int(pid))
                if row is not None:
                    mat[row] = v
                    self.has_vector[row] = True
            self.vectors = mat
        self.build_seconds = time.perf_counter() - t0

    def __len__(self) -> int:
        return len(self.ids)

    @functools.cached_property
    def corrector(self) -> QueryCorrector:
        """Spelling/units clean-up of queries against this catalog's words (names and descriptions)."""
        return QueryCorrector(f"{n} {r}" for n, r in zip(self.names, self._rest, strict=True))

    @functools.cached_property
    def term_stats(self) -> TermStats:
        """Word document frequencies of the product names, for the idf features."""
        return TermStats(self.names)

    def rows_of(self, ids: Iterable[int]) -> np.ndarray:
        return np.asarray([self._row[i] for i in ids if i in self._row], dtype=np.int64)

    def dense_scores(self, qvec: np.ndarray) -> np.ndarray | None:
        if self.vectors is None:
            return None
        return self.vectors @ np.asarray(qvec, dtype=np.float32)


class FilterCache:
    """Row masks of a snapshot for hard constraints, each atom computed once in SQL (see module docstring)."""

    def __init__(self, repo: CatalogRepository, snapshot: SearchSnapshot, *, max_entries: int = 512):
        self.repo = repo
        self.snapshot = snapshot
        self.max_entries = max_entries
        self._masks: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def atoms(f: ProductFilter) -> list[tuple[tuple[Any, ...], ProductFilter]]:
        """The filter as independent constraints that SQL ANDs together (colour, size and stock stay
        together: they must hold on the same variant)."""
        out: list[tuple[tuple[Any, ...], ProductFilter]] = []
        if f.category:
            out.append((("category", f.category.lower()), ProductFilter(category=f.category)))
        if f.brands:
            b = sorted({x.lower() for x in f.brands})
            out.append((("brands", *b), ProductFilter(brands=b)))
        if f.gender:
            out.append((("gender", f.gender.lower()), ProductFilter(gender=f.gender)))
        if f.on_sale:  # (special prices begin and end by date: the day is part of the key)
            out.append((("on_sale", time.strftime("%Y-%m-%d")), ProductFilter(on_sale=True)))
        if f.colors or f.sizes or f.in_stock:
            c = sorted({x.lower() for x in f.colors})
            z = sorted({x.lower() for x in f.sizes})
            out.append((("variant", tuple(c), tuple(z), f.in_stock), ProductFilter(colors=c, sizes=z, in_stock=f.in_stock)))
        for name, values in sorted(f.attributes.items()):
            if values:
                v = sorted({x.lower() for x in values})
                out.append((("attr", name.lower(), *v), ProductFilter(attributes={name: v})))
        if f.must_words:
            m = sorted({x.lower() for x in f.must_words})
            out.append((("must_words", *m), ProductFilter(must_words=m)))
        if f.exclude_terms:
            t = sorted({x.lower() for x in f.exclude_terms})
            out.append((("exclude_terms", *t), ProductFilter(exclude_terms=t)))
        if f.exclude_colors:  # "not red" in the size and stock asked for: one atom with them
            x = sorted({c.lower() for c in f.exclude_colors})
            z = sorted({s.lower() for s in f.sizes})
            out.append((("exclude_colors", tuple(x), tuple(z), f.in_stock),
                        ProductFilter(exclude_colors=x, sizes=z, in_stock=f.in_stock)))
        return out

    def _atom_mask(self, key: tuple[Any, ...], atom: ProductFilter) -> np.ndarray:
        with self._lock:
            hit = self._masks.get(key)
            if hit is not None:
                self._masks.move_to_end(key)
                self.hits += 1
                return hit
        ids = self.repo.find_ids(atom, limit=None)
        mask = np.zeros(len(self.snapshot), dtype=bool)
        rows = self.snapshot.rows_of(ids)
        if rows.size:
            mask[rows] = True
        mask.setflags(write=False)
        with self._lock:
            self.misses += 1
            self._masks[key] = mask
            while len(self._masks) > self.max_entries:
                self._masks.popitem(last=False)
        return mask

    def clear(self) -> None:
        with self._lock:
            self._masks.clear()

    def mask(self, f: ProductFilter) -> np.ndarray:
        """Rows of the snapshot that satisfy every hard constraint of `f`."""
        snap = self.snapshot
        mask = np.ones(len(snap), dtype=bool)
        if f.ids is not None:
            allowed = np.zeros(len(snap), dtype=bool)
            rows = snap.rows_of(f.ids)
            if rows.size:
                allowed[rows] = True
            mask &= allowed
        if f.exclude_ids:
            rows = snap.rows_of(f.exclude_ids)
            if rows.size:
                mask[rows] = False
        with np.errstate(invalid="ignore"):  # NaN prices never match a price constraint, as in SQL
            if f.min_price is not None:
                mask &= snap.prices >= float(f.min_price)
            if f.max_price is not None:
                mask &= snap.prices <= float(f.max_price)
        for key, atom in self.atoms(f):
            if not mask.any():
                break
            mask &= self._atom_mask(key, atom)
        return mask


# The ProductFilter fields FilterCache.mask understands; a filter class with more goes to SQL instead.
_MASKED_FIELDS = frozenset({"category", "brands", "min_price", "max_price", "colors", "sizes", "gender", "attributes",
                            "in_stock", "on_sale", "exclude_ids", "exclude_terms", "exclude_colors", "ids",
                            "must_words"})


def covers_every_filter_field() -> bool:
    return {f.name for f in dataclasses.fields(ProductFilter)} <= _MASKED_FIELDS


class SnapshotHolder:
    """Builds the snapshot on first use. Every `ttl_s` seconds a background thread asks `fingerprint()`
    (the catalog's change marker and the vector index's generation) and rebuilds only when it changed,
    while searches keep using the old snapshot. A day change rebuilds at once (special prices start and
    end at midnight); `invalidate()` makes the next search rebuild."""

    def __init__(self, factory: Callable[[], SearchSnapshot], repo: CatalogRepository, *, ttl_s: float = 60.0,
                 fingerprint: Callable[[], Hashable] | None = None):
        self._factory = factory
        self._repo = repo
        self.ttl_s = ttl_s
        self._fingerprint = fingerprint
        self._state: tuple[SearchSnapshot, FilterCache] | None = None
        self._state_fp: Hashable = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._refreshing = False
        self.builds = 0  # how many snapshots were built (for tests and logs)

    def _build(self, fp: Hashable = None) -> tuple[tuple[SearchSnapshot, FilterCache], Hashable]:
        # The fingerprint is taken before reading, so a write during the build shows up at the next check.
        if fp is None and self._fingerprint is not None:
            fp = self._fingerprint()
        snap = self._factory()
        self.builds += 1
        return (snap, FilterCache(self._repo, snap)), fp

    def _install(self, state: tuple[SearchSnapshot, FilterCache], fp: Hashable) -> None:
        self._state, self._state_fp = state, fp
        self._checked_at = time.monotonic()

    def _refresh_in_background(self) -> None:
        def run() -> None:
            try:
                fp = self._fingerprint() if self._fingerprint is not None else None
                if fp is not None and fp == self._state_fp:
                    self._checked_at = time.monotonic()  # nothing changed: keep the snapshot
                    return
                state, fp = self._build(fp)
                with self._lock:
                    self._install(state, fp)
            except Exception:  # keep serving the old snapshot; the next stale check retries
                log.exception("search snapshot refresh failed")
                self._checked_at = time.monotonic()
            finally:
                self._refreshing = False

        self._refreshing = True
        threading.Thread(target=run, name="shopassist-snapshot", daemon=True).start()

    def get(self) -> tuple[SearchSnapshot, FilterCache]:
        with self._lock:
            state = self._state
            if state is None or state[0].today != self._repo.today:  # first use, or prices may change at midnight
                state, fp = self._build()
                self._install(state, fp)
            elif time.monotonic() - self._checked_at > self.ttl_s and not self._refreshing:
                self._refresh_in_background()
            return state

    def invalidate(self) -> None:
        with self._lock:
            self._state = None
