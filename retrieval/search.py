"""Hybrid product search: exact SQL constraints, lexical + dense candidates, one scoring function.

Pipeline of `HybridSearcher.search(request)`:

1. Hard constraints (`ProductFilter`) are applied IN SQL, before any limit: lexical candidates come from
   `repository.lexical_search(text, filter)`; dense candidates are the exact top-k of the filtered set
   (see `_dense`). Nothing is post-filtered out of a fixed top-k, so products beyond the lexical top-100
   are found when the filter excludes all of those.
2. An explicit sort (price_asc, price_desc, rating, newest) is exact repository order over a set chosen by
   retrieval.sort_pool: the whole filtered set when the query adds nothing to the filter; else the products
   named with every query word or of the kind asked for, plus the top relevance results of that kind (what
   the shopper is looking at); with a photo, the products that look most like it. Always under the filter.
3. Otherwise candidates = lexical top-N  U  dense top-N (N = config.candidates), each completed with
   the other side's score; with no text (or no match) the filtered products themselves.
4. Query-text features -> first-stage score; the best `rerank_depth` get the context features
   (preferences, image, rating, popularity, recency, season, session, history) -> final score, with
   per-feature contributions that sum to it.
5. MMR diversity over product vectors and product families.
6. Nothing matches the hard constraints: an empty result whose `no_match` says which constraint is
   impossible and the nearest alternative ("nothing under $5; the cheapest is $21.99").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import time
from collections import Counter, OrderedDict
from collections.abc import Sequence, Sized
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select

from catalog.models import Interaction, Product
from catalog.privacy import user_pseudonym
from catalog.repository import CatalogRepository, ProductFilter, ProductSummary
from catalog.text import EXCLUSIONS_NOTE, ON_SALE_NOTE, money, ruled_out
from retrieval.diversity import family_key, mmr_order, product_similarity
from retrieval.interfaces import Embedder, VectorHit, VectorIndex
from retrieval.learned_ranker import GBDTRanker, LearnedRanker
from retrieval.ranking import (
    CONTEXT_FEATURES,
    Candidate,
    LinearRanker,
    Ranker,
    RankingConfig,
    TermStats,
    UserHistory,
    bayesian_rating,
    compute_text_features,
    explain,
    history_match,
    lexical_query,
    load_ranking_config,
    max_cosine,
    novelty,
    popularity_value,
    preference_match,
    season_match,
)
from retrieval.snapshot import SearchSnapshot, SnapshotHolder, covers_every_filter_field
from retrieval.sort_pool import PHOTO_SORT_POOL, narrow_by_words, sort_pool
from retrieval.spelling import QueryCorrector

log = logging.getLogger(__name__)

EXPLICIT_SORTS = ("price_asc", "price_desc", "rating", "newest")
HISTORY_EVENTS = ("purchase", "add_to_cart", "like")


@dataclass
class SessionContext:
    """Products seen in this conversation."""

    viewed: list[int] = field(default_factory=list)
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)


@dataclass
class SearchRequest:
    query: str = ""
    filter: ProductFilter = field(default_factory=ProductFilter)  # hard constraints, exact
    preferences: list[str] = field(default_factory=list)  # soft: colours, materials, attributes wished for
    sort: str = "relevance"  # relevance | price_asc | price_desc | rating | newest | popularity
    limit: int = 10
    session: SessionContext = field(default_factory=SessionContext)
    user_id: str | None = None  # history is read from logged events when `user_history` is None
    user_history: UserHistory | None = None
    image_vector: np.ndarray | None = None  # in the image index's space
    now: dt.datetime | None = None
    diversify: bool = True
    keep_words: frozenset[str] = frozenset()  # lower-case words spelling correction leaves alone (names)


@dataclass
class RankedProduct:
    product: ProductSummary
    score: float
    contributions: dict[str, float]  # feature -> weight x value; sums to `score`
    features: dict[str, float] = field(default_factory=dict)
    rank: int = 0

    @property
    def id(self) -> int:
        return self.product.id

    def why(self, top: int = 3) -> list[str]:
        return explain(self.contributions, top)


@dataclass
class NoMatch:
    """Why nothing satisfies the hard constraints, and the nearest thing that does exist."""

    message: str
    violated: str  # price | colors/sizes | in_stock | brands | category | gender | attributes | exclusions | filters
    relaxed_filter: ProductFilter | None = None
    nearest_price: Decimal | None = None
    alternatives: list[RankedProduct] = field(default_factory=list)


class SearchResults(list[RankedProduct]):
    """The ranked products (all satisfy the hard constraints), plus `no_match` when there are none."""

    def __init__(self, items: Sequence[RankedProduct] = (), *, no_match: NoMatch | None = None,
                 candidates: int = 0, timings: dict[str, float] | None = None, corrected_query: str | None = None):
        super().__init__(items)
        self.no_match = no_match
        self.candidates = candidates
        self.timings = timings or {}
        self.corrected_query = corrected_query  # set when a misspelt word was replaced ("showing results for ...")



def _top_rows(scores: np.ndarray, k: int, *, positive: bool = False) -> np.ndarray:
    """Rows of the k best scores, best first, ties by row (= by product id); `positive`: only scores > 0."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(scores > 0 if positive else np.isfinite(scores))
    vals = scores[rows]
    if rows.size > k:
        part = np.argpartition(-vals, k - 1)[:k]
        rows, vals = rows[part], vals[part]
    order = np.lexsort((rows, -vals))
    return rows[order]


def _with_ids(f: ProductFilter, ids: Sequence[int]) -> ProductFilter:
    """`f` further restricted to `ids` (intersected with any id restriction it already has)."""
    if f.ids is not None:
        allowed = set(f.ids)
        ids = [i for i in ids if i in allowed]
    return dataclasses.replace(f, ids=list(ids))


IMAGE_SHARPNESS = 0.05  # a look-alike this much less similar than the closest counts 1/e as much


class HybridSearcher:
    def __init__(
        self,
        repository: CatalogRepository,
        embedder: Embedder | None = None,
        vector_index: VectorIndex | None = None,
        ranker: Ranker | None = None,
        *,
        config: RankingConfig | None = None,
        image_index: VectorIndex | None = None,
        rerank_depth: int = 30,
        dense_overfetch: int = 4,
        max_per_family: int | None = 2,
        vector_cache_size: int = 4096,
        term_stats: TermStats | None = None,
        snapshot_ttl_s: float = 60.0,
        use_snapshot: bool = True,
        correct_queries: bool = True,
    ):
        if (embedder is None) != (vector_index is None):
            raise ValueError("pass both an embedder and its vector index, or neither")
        if embedder is not None and vector_index is not None and vector_index.model_id != embedder.model_id:
            raise ValueError(
                f"the vector index was built with {vector_index.model_id}, the embedder is {embedder.model_id}: "
                "rebuild the index (shopassist index) or use the same model"
            )
        self.repo = repository
        self.embedder = embedder
        self.index = vector_index
        self.image_index = image_index
        self.config = config or load_ranking_config()
        if ranker is None:
            ranker = LinearRanker(self.config.weights)
        elif isinstance(ranker, (LearnedRanker, GBDTRanker)):
            ranker = ranker.with_fallback({k: v for k, v in self.config.weights.items() if k in CONTEXT_FEATURES})
        self.ranker: Ranker = ranker
        self.rerank_depth = rerank_depth
        self.dense_overfetch = dense_overfetch
        self.max_per_family = max_per_family
        self._vec_cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._vec_cache_size = vector_cache_size
        self._term_stats = term_stats
        self.use_snapshot = use_snapshot and covers_every_filter_field()
        self.correct_queries = correct_queries
        self._snapshots = SnapshotHolder(self._build_snapshot, repository, ttl_s=snapshot_ttl_s,
                                         fingerprint=self._fingerprint)

    def _fingerprint(self) -> tuple[object, ...]:
        """What the snapshot was built from: the catalog's change marker and each vector index's state.
        An index written by another process (`shopassist index` while serving) is reloaded first."""
        for index in (self.index, self.image_index):
            refresh = getattr(index, "refresh", None)
            if callable(refresh):
                try:
                    refresh()
                except Exception as exc:  # deleted or mid-rebuild: keep serving what is loaded; retried next check
                    log.warning("vector index not reloaded: %s", exc)
        # Only the text vectors are in the snapshot; image search reads its index directly.
        text = self.index
        return (self.repo.change_marker(), getattr(text, "generation", None), len(text) if isinstance(text, Sized) else None)

    def _build_snapshot(self) -> SearchSnapshot:
        vectors = None
        if self.index is not None and callable(getattr(self.index, "get_vectors", None)):
            getter = self.index.get_vectors  # type: ignore[attr-defined]

            def vectors(ids: Sequence[int]) -> dict[int, np.ndarray]:
                return {int(k): np.asarray(v, dtype=np.float32) for k, v in getter([str(i) for i in ids]).items()}

        dim = getattr(self.embedder, "dim", None)
        snap = SearchSnapshot(self.repo, vectors=vectors, dim=dim)
        # Built here (the first build, then background refreshes), not inside a shopper's query.
        if self.correct_queries:
            snap.corrector  # noqa: B018
        snap.term_stats  # noqa: B018
        warm = getattr(self.embedder, "warm_queries", None)
        if callable(warm):
            warm()
        return snap

    def _corrector(self) -> QueryCorrector | None:
        return self._snapshots.get()[0].corrector if self.use_snapshot and self.correct_queries else None

    def corrected_query(self, text: str, keep: frozenset[str] = frozenset()) -> str:
        """The text actually searched: spelling fixed against the catalog's words, units normalised
        (retrieval.spelling). The text itself when correction is off or there is no snapshot."""
        corrector = self._corrector() if text else None
        return corrector.correct(text, keep) if corrector is not None else text

    def unknown_words(self, words: list[str]) -> list[str]:
        """The words no product of the catalog mentions ([] when correction is off or there is no snapshot)."""
        corrector = self._corrector()
        return corrector.unknown(words) if corrector is not None else []

    def unseen_words(self, words: list[str]) -> list[str]:
        """The words no product text has ([] when correction is off or there is no snapshot)."""
        corrector = self._corrector()
        return corrector.unseen(words) if corrector is not None else []

    def invalidate(self) -> None:
        """The catalog or the index changed: rebuild the in-memory snapshot and word statistics on next use."""
        self._snapshots.invalidate()
        if not self.use_snapshot:
            self._term_stats = None

    @property
    def term_stats(self) -> TermStats:
        """Word document frequencies of the catalog's product names (the snapshot's, or built on first use)."""
        if self._term_stats is not None:
            return self._term_stats
        if self.use_snapshot:
            return self._snapshots.get()[0].term_stats
        with self.repo.db.session() as s:
            self._term_stats = TermStats(s.scalars(select(Product.name).where(Product.visible.is_(True))))
        return self._term_stats

    def _scores(self, rows: Sequence[dict[str, float]]) -> list[float]:
        many = getattr(self.ranker, "score_many", None)
        if callable(many):
            return [float(v) for v in many(rows)]
        return [self.ranker.score(r)[0] for r in rows]

    def _explained(self, rows: Sequence[dict[str, float]]) -> list[tuple[float, dict[str, float]]]:
        many = getattr(self.ranker, "explain_many", None)
        if callable(many):
            return list(many(rows))
        return [self.ranker.score(r) for r in rows]

    # ----- public API ---------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResults:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        f = request.filter
        if request.sort in EXPLICIT_SORTS:
            results = self._sorted(request)
        else:
            # A short list needs fewer candidates: 50 per side instead of 100 cost 0.002 NDCG@10 on the
            # Home Depot dev-train half and halve the feature work.
            depth = min(self.config.candidates, max(50, 5 * request.limit))
            cands = self.candidates(request.query, f, image_vector=request.image_vector, timings=timings, depth=depth,
                                    keep_words=request.keep_words)
            results = self._rank(request, cands, timings)
        if not results and self.repo.count(f) == 0:
            results = SearchResults([], no_match=self.explain_no_match(request), candidates=0)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        results.timings = timings
        corrector = self._corrector() if request.query and request.sort not in EXPLICIT_SORTS else None
        if corrector is not None and corrector.changed_words(request.query, request.keep_words):
            results.corrected_query = corrector.correct(request.query, request.keep_words)
        return results

    def more_like_this(self, product_id: int, k: int = 5, *, filter: ProductFilter | None = None) -> list[RankedProduct]:
        """Dense neighbours of a product (itself excluded), within optional hard constraints."""
        f = filter or ProductFilter()
        f = dataclasses.replace(f, exclude_ids=[*f.exclude_ids, product_id])
        vec = self.vectors([product_id]).get(product_id)
        if vec is not None and self.index is not None:
            hits = [(int(h.id), h.score) for h in self._dense(vec, k, f)]
        else:  # no vectors: fall back to lexical neighbours of its name
            me = self.repo.get(product_id)
            hits = [(h.product_id, h.score) for h in self.repo.lexical_search(me.name, f, limit=k)] if me else []
        products = {p.id: p for p in self.repo.get_many([pid for pid, _ in hits])}
        return [
            RankedProduct(products[pid], s, {"similar": s}, {"similar": s}, rank=i)
            for i, (pid, s) in enumerate((pid, s) for pid, s in hits if pid in products)
        ]

    def complements(self, product_id: int, *, kinds: Sequence[str] = ("crosssell", "related"), limit: int = 10,
                    in_stock: bool = False) -> list[RankedProduct]:
        """The catalog's own cross-sell / related links, in catalog order (crosssell first)."""
        order = {k: i for i, k in enumerate(kinds)}
        links = sorted(self.repo.linked(product_id, kinds), key=lambda x: order.get(x[1], 99))
        ids = list(dict.fromkeys(pid for pid, _ in links))
        ok = set(self.repo.find_ids(ProductFilter(ids=ids, in_stock=in_stock), limit=None)) if ids else set()
        kind_of = {pid: kind for pid, kind in reversed(links)}
        products = [p for p in self.repo.get_many(ids) if p.id in ok][:limit]
        return [
            RankedProduct(p, 1.0, {kind_of[p.id]: 1.0}, {kind_of[p.id]: 1.0}, rank=i) for i, p in enumerate(products)
        ]

    def features_for(self, query: str, product_ids: Sequence[int], request: SearchRequest | None = None) -> dict[int, dict[str, float]]:
        """All named features of given products for `query` (used to learn from logged clicks)."""
        ids = list(dict.fromkeys(product_ids))
        req = request or SearchRequest(query=query)
        cands = self._complete([Candidate(pid, "") for pid in ids], query, ProductFilter(ids=ids), self._query_vector(query))
        self._fill_titles(cands)
        compute_text_features(query, cands, rrf_k=self.config.rrf_k, stats=self.term_stats)
        products = {p.id: p for p in self.repo.get_many(ids)}
        ctx = self._context(req, [products[c.product_id] for c in cands if c.product_id in products])
        return {c.product_id: {**c.text_features, **ctx.get(c.product_id, {})} for c in cands if c.product_id in products}

    # ----- candidates ---------------------------------------------------------------------------
    def _query_vector(self, text: str) -> np.ndarray | None:
        if self.embedder is None or not text.strip():
            return None
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def _dense(self, vec: np.ndarray, k: int, f: ProductFilter, index: VectorIndex | None = None) -> list[VectorHit]:
        """Exact top-k of the products matching `f` by cosine.

        Fast path: the unrestricted top (k x overfetch), membership checked in SQL. If at least k survive
        they ARE the filtered top-k (any matching product scoring higher would be in that list). Else the
        filtered ids come from SQL (no limit) and the index searches exactly within them.
        """
        index = index or self.index
        if index is None or k <= 0:
            return []
        for factor in (self.dense_overfetch, self.dense_overfetch * 8):  # a selective filter needs a wider net
            wide = index.query(vec, k * factor)
            wide_ids = [int(h.id) for h in wide if str(h.id).isdigit()]
            ok = set(self.repo.find_ids(_with_ids(f, wide_ids), limit=None)) if wide_ids else set()
            survivors = [h for h in wide if str(h.id).isdigit() and int(h.id) in ok]
            if len(survivors) >= k or len(wide) < k * factor:  # enough, or the whole index was seen
                return survivors[:k]
        allowed = self.repo.find_ids(f, limit=None)
        if not allowed:
            return []
        return index.query(vec, k, restrict_to=[str(i) for i in allowed])

    def candidates(self, text: str, f: ProductFilter, *, image_vector: np.ndarray | None = None,
                   timings: dict[str, float] | None = None, depth: int | None = None,
                   keep_words: frozenset[str] = frozenset()) -> list[Candidate]:
        """Lexical top-N U dense top-N (U image top-N) under the hard constraints, with text features."""
        timings = timings if timings is not None else {}
        n = depth or self.config.candidates
        text = (text or "").strip()
        text = self.corrected_query(text, keep_words)
        if self.use_snapshot and text and image_vector is None:
            fast = self._snapshot_candidates(text, f, timings, n)
            if fast is not None:
                return fast
        t = time.perf_counter()
        lex = self.repo.lexical_search(lexical_query(text), f, limit=n) if text else []
        timings["lexical_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        qvec = self._query_vector(text)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        dense = self._dense(qvec, n, f) if qvec is not None else []
        timings["dense_ms"] = (time.perf_counter() - t) * 1000
        by_id: dict[int, Candidate] = {}
        for r, h in enumerate(lex):
            by_id[h.product_id] = Candidate(h.product_id, "", lex_score=h.score, lex_rank=r)
        for r, d in enumerate(dense):
            pid = int(d.id)
            c = by_id.setdefault(pid, Candidate(pid, ""))
            c.dense_score, c.dense_rank = d.score, r
        if image_vector is not None and self.image_index is not None:
            for ih in self._dense(np.asarray(image_vector, dtype=np.float32), n, f, self.image_index):
                c = by_id.setdefault(int(ih.id), Candidate(int(ih.id), ""))
                c.image_score = ih.score
        if not by_id:  # no text, or nothing matches it: the filtered products themselves
            for pid in self.repo.find_ids(f, sort="popularity", limit=n):
                by_id[pid] = Candidate(pid, "")
        cands = list(by_id.values())
        t = time.perf_counter()
        self._complete(cands, text, f, qvec, have_lex=True, have_dense=qvec is not None)
        self._fill_titles(cands)
        timings["complete_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        compute_text_features(text, cands, rrf_k=self.config.rrf_k, stats=self.term_stats)
        timings["features_ms"] = (time.perf_counter() - t) * 1000
        return cands

    def _snapshot_candidates(self, text: str, f: ProductFilter, timings: dict[str, float], n: int) -> list[Candidate] | None:
        """Candidates from the in-memory snapshot: BM25 and cosine over every product, masked by the exact
        SQL-derived filter, top-N of each; every candidate gets both scores. None: nothing matches text."""
        t = time.perf_counter()
        snap, filters = self._snapshots.get()
        timings["snapshot_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        mask = filters.mask(f)
        timings["filter_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        lex_all = snap.lexical.scores(lexical_query(text))
        lex_rows = _top_rows(np.where(mask, lex_all, 0.0), n, positive=True)
        timings["lexical_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        qvec = self._query_vector(text)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        dense_all = snap.dense_scores(qvec) if qvec is not None else None
        dense_rows = np.zeros(0, dtype=np.int64)
        if dense_all is not None:
            ok = mask & snap.has_vector
            dense_rows = _top_rows(np.where(ok, dense_all, -np.inf), min(n, int(ok.sum())))
        timings["dense_ms"] = (time.perf_counter() - t) * 1000
        if lex_rows.size == 0 and dense_rows.size == 0:
            return None
        t = time.perf_counter()
        lex_rank = {int(r): i for i, r in enumerate(lex_rows)}
        dense_rank = {int(r): i for i, r in enumerate(dense_rows)}
        cands: list[Candidate] = []
        for r in dict.fromkeys([*lex_rank, *dense_rank]):
            lex = float(lex_all[r])
            cands.append(Candidate(
                int(snap.ids[r]), snap.names[r],
                lex_score=lex if lex > 0 else None, lex_rank=lex_rank.get(r),
                dense_score=float(dense_all[r]) if dense_all is not None and snap.has_vector[r] else None,
                dense_rank=dense_rank.get(r),
            ))
        compute_text_features(text, cands, rrf_k=self.config.rrf_k, stats=self.term_stats)
        timings["features_ms"] = (time.perf_counter() - t) * 1000
        return cands

    def _complete(self, cands: list[Candidate], text: str, f: ProductFilter, qvec: np.ndarray | None,
                  *, have_lex: bool = False, have_dense: bool = False) -> list[Candidate]:
        """Give every candidate both a lexical score (if its text matches) and a dense cosine."""
        if not cands or not text:
            return cands
        missing_lex = [c.product_id for c in cands if c.lex_score is None]
        if missing_lex:
            by_id = {c.product_id: c for c in cands}
            for h in self.repo.lexical_search(lexical_query(text), _with_ids(f, missing_lex), limit=len(missing_lex)):
                by_id[h.product_id].lex_score = h.score
        if qvec is not None and self.index is not None:
            missing_dense = [str(c.product_id) for c in cands if c.dense_score is None]
            if missing_dense:
                scores = {int(h.id): h.score for h in self.index.query(qvec, len(missing_dense), restrict_to=missing_dense)}
                for c in cands:
                    if c.dense_score is None and c.product_id in scores:
                        c.dense_score = scores[c.product_id]
        return cands

    def _fill_titles(self, cands: list[Candidate]) -> None:
        need = [c.product_id for c in cands if not c.title]
        if not need:
            return
        names = self.repo.names(need)
        for c in cands:
            if not c.title:
                c.title = names.get(c.product_id, "")

    # ----- ranking ------------------------------------------------------------------------------
    def _rank(self, request: SearchRequest, cands: list[Candidate], timings: dict[str, float]) -> SearchResults:
        if not cands:
            return SearchResults([], candidates=0)
        t = time.perf_counter()
        first_scores = self._scores([c.text_features for c in cands])
        first = sorted(zip(first_scores, (c.product_id for c in cands), cands, strict=True), key=lambda x: (-x[0], x[1]))
        if request.image_vector is not None and any(c.image_score is not None for c in cands):
            # A photo: the first cut must see how alike the products look, not only the text (an empty text
            # scores every product alike, and the cut then kept the lowest ids). Ranks fused, as in RRF.
            by_look = sorted(cands, key=lambda c: (-(c.image_score if c.image_score is not None else -2.0), c.product_id))
            look_rank = {c.product_id: r for r, c in enumerate(by_look)}
            text_rank = {pid: r for r, (_, pid, _) in enumerate(first)} if request.query.strip() else None
            k = self.config.rrf_k

            def fused(pid: int) -> float:
                return 1 / (k + look_rank[pid]) + (1 / (k + text_rank[pid]) if text_rank is not None else 0.0)

            first.sort(key=lambda x: (-fused(x[1]), x[1]))
        depth = max(self.rerank_depth, request.limit * 3)
        top = [c for _, _, c in first[:depth]]
        # The snapshot may be seconds old: the catalog has the last word on every hard constraint.
        matching = request.filter if self.use_snapshot else None
        t1 = time.perf_counter()
        products = {p.id: p for p in self.repo.get_many([c.product_id for c in top], matching=matching)}
        timings["fetch_ms"] = (time.perf_counter() - t1) * 1000
        top = [c for c in top if c.product_id in products]
        t1 = time.perf_counter()
        ctx = self._context(request, [products[c.product_id] for c in top], image_scores={c.product_id: c.image_score for c in top})
        timings["context_ms"] = (time.perf_counter() - t1) * 1000
        rows = [{**c.text_features, **ctx[c.product_id]} for c in top]
        # Rank with plain scores; contributions are worked out below for the shown products only
        # (path attributions cost ~0.1-0.2 ms a product with the 600-tree LambdaMART ranker).
        scored = [
            RankedProduct(products[c.product_id], score, {}, feats)
            for c, feats, score in zip(top, rows, self._scores(rows), strict=True)
        ]
        scored.sort(key=lambda r: (-r.score, r.product.id))
        timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        if request.diversify and len(scored) > 1:
            t = time.perf_counter()
            pool = scored[: max(request.limit * 3, request.limit)]
            vecs = self.vectors([r.id for r in pool])
            sim = product_similarity([r.product for r in pool], [vecs.get(r.id) for r in pool])
            order = mmr_order([r.score for r in pool], sim, request.limit, self.config.mmr_lambda,
                              families=[family_key(r.product) for r in pool], max_per_family=self.max_per_family)
            scored = [pool[i] for i in order]
            timings["mmr_ms"] = (time.perf_counter() - t) * 1000
        out = scored[: request.limit]
        for r, (score, contrib) in zip(out, self._explained([r.features for r in out]), strict=True):
            r.score, r.contributions = score, contrib  # a tree model's scores shift by its base value: order kept
        for i, r in enumerate(out):
            r.rank = i
        return SearchResults(out, candidates=len(cands))

    def _context(self, request: SearchRequest, products: Sequence[ProductSummary],
                 image_scores: dict[int, float | None] | None = None) -> dict[int, dict[str, float]]:
        cfg = self.config
        now = request.now or dt.datetime.now()
        ids = [p.id for p in products]
        opened_at = self._snapshots.get()[0].opened_at if self.use_snapshot else self.repo.first_added()
        pop = self.repo.popularity(ids) if ids else {}
        sess = request.session
        history = request.user_history
        if history is None and request.user_id:
            history = self.user_history(request.user_id)
        need_vecs = bool(sess.liked or sess.viewed or sess.disliked)
        vecs = self.vectors([*ids, *sess.liked, *sess.viewed, *sess.disliked]) if need_vecs else {}
        liked = [vecs[i] for i in sess.liked if i in vecs]
        viewed = [vecs[i] for i in sess.viewed if i in vecs]
        disliked = [vecs[i] for i in sess.disliked if i in vecs]
        disliked_set = set(sess.disliked)
        looks = [x for x in (image_scores or {}).values() if x is not None]
        best_look = max(looks) if looks else 0.0
        out: dict[int, dict[str, float]] = {}
        for p in products:
            v = vecs.get(p.id)
            dis = 1.0 if p.id in disliked_set else max(0.0, max_cosine(v, disliked))
            img = (image_scores or {}).get(p.id)
            out[p.id] = {
                "preferences": preference_match(p, request.preferences),
                # how close to the closest look-alike: photo similarities bunch together (0.8 beside 0.75), and
                # their raw gaps were smaller than rating and season, so the shop's own photo of a product
                # ranked it first only 62% of the time
                "image": math.exp(-(best_look - float(img)) / IMAGE_SHARPNESS) if img is not None else 0.0,
                "rating": bayesian_rating(p.rating_avg, p.rating_count, cfg.bayes_prior_mean, cfg.bayes_prior_count)
                if p.rating_count and p.rating_avg is not None else 0.0,
                "popularity": popularity_value(pop.get(p.id, 0.0), cfg.popularity_scale),
                "recency": novelty(p, now, cfg.recency_half_life_days, opened_at),
                "season": season_match(p, now, cfg.hemisphere),
                # liked and merely shown are kept apart: only a like may be explained as "you liked"; a product
                # the shopper disliked is never "like what you liked" (it is close to a liked one of its kind)
                "session": max(0.0, max_cosine(v, liked)) if p.id not in disliked_set else 0.0,
                "shown": max(0.0, max_cosine(v, viewed)) if p.id not in disliked_set else 0.0,
                "disliked": dis,
                "history": history_match(p, history),
            }
        return out

    def user_history(self, user_id: str, limit: int = 200) -> UserHistory:
        """Brands and categories of what this user bought, added to a cart or liked (logged events)."""
        with self.repo.db.session() as s:
            ids = list(s.scalars(
                select(Interaction.product_id)
                .where(Interaction.user_id == user_pseudonym(s, user_id), Interaction.event.in_(HISTORY_EVENTS))
                .order_by(Interaction.id.desc())
                .limit(limit)
            ))
        products = self.repo.get_many(list(dict.fromkeys(ids)))
        count = Counter(ids)
        brands: Counter[str] = Counter()
        cats: Counter[str] = Counter()
        for p in products:
            if p.brand:
                brands[p.brand.lower()] += count[p.id]
            for c in p.categories:
                cats[c.lower()] += count[p.id]
        return UserHistory(dict(brands), dict(cats), list(dict.fromkeys(ids)))

    # ----- vectors ------------------------------------------------------------------------------
    def vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Product vectors: from the index when it can return them, else embedded from the same text the index holds."""
        out: dict[int, np.ndarray] = {}
        want = [i for i in dict.fromkeys(ids)]
        for i in want:
            if i in self._vec_cache:
                out[i] = self._vec_cache[i]
                self._vec_cache.move_to_end(i)
        missing = [i for i in want if i not in out]
        if not missing or self.index is None:
            return out
        getter = getattr(self.index, "get_vectors", None)
        if callable(getter):
            got = getter([str(i) for i in missing])
            for k, v in got.items():
                out[int(k)] = np.asarray(v, dtype=np.float32)
        missing = [i for i in missing if i not in out]
        if missing and self.embedder is not None:
            from retrieval.indexer import catalog_texts

            texts = catalog_texts(self.repo.db, missing)
            if texts:
                mat = self.embedder.embed_documents(list(texts.values()))
                for key, v in zip(texts, mat, strict=True):
                    out[int(key)] = np.asarray(v, dtype=np.float32)
        for i in want:
            if i in out and i not in self._vec_cache:
                self._vec_cache[i] = out[i]
        while len(self._vec_cache) > self._vec_cache_size:
            self._vec_cache.popitem(last=False)
        return out

    # ----- explicit sorts and impossible constraints --------------------------------------------
    def _sorted(self, request: SearchRequest) -> SearchResults:
        """Exact repository order over the set an explicit sort is about (retrieval.sort_pool), under the filter.

        With a photo: the products that look most like it (the image index's exact top-k under the filter,
        as the relevance path finds them), narrowed by the query's words when some of them have those;
        "like this but cheaper" is then cheaper boots, not the shop's cheapest chalk bag. Without: the whole
        filtered set when the query adds nothing to the filter, else the products named with every word or
        of the kind asked for plus the top relevance results of that kind ("cheapest" after "hiking shoes
        under $100" is the cheapest of what was shown, even a trail shoe without the word "hiking")."""
        f = request.filter
        text = (request.query or "").strip()
        pool: list[int] | None = None
        if request.image_vector is not None and self.image_index is not None:
            vec = np.asarray(request.image_vector, dtype=np.float32)
            look_alike = [int(h.id) for h in self._dense(vec, max(PHOTO_SORT_POOL, request.limit), f, self.image_index)]
            pool = narrow_by_words(self.repo, look_alike, text, f) or None
        if pool is None:  # the words as searched (spelling fixed), as the relevance results they are checked with
            words = self.corrected_query(text) if text else text
            pool = sort_pool(self.repo, words, f, lambda k: self._relevant_ids(request, k), limit=request.limit)
        if pool is not None:
            f = _with_ids(f, pool)
        return self._in_order(self.repo.find_ids(f, sort=request.sort, limit=request.limit))

    def _in_order(self, ids: Sequence[int]) -> SearchResults:
        products = self.repo.get_many(ids)
        n = len(products)
        return SearchResults(
            [RankedProduct(p, float(n - i), {"sort": float(n - i)}, {"sort": float(n - i)}, rank=i) for i, p in enumerate(products)],
            candidates=n,
        )

    def _relevant_ids(self, request: SearchRequest, k: int) -> list[int]:
        """The ids of the top-k relevance results for the request's words, filter and session (no photo, no
        diversity), best first: what an explicit sort may draw from besides the products named like the query."""
        req = dataclasses.replace(request, sort="relevance", limit=k, diversify=False, image_vector=None)
        depth = min(self.config.candidates, max(50, 5 * k))
        return [r.id for r in self._rank(req, self.candidates(req.query, req.filter, depth=depth), {})]

    def _sorted_by_words(self, request: SearchRequest) -> SearchResults:
        """Exact repository order over the filtered set, narrowed to the products whose text has every query
        word when some do. Only for the alternatives of an impossible constraint, which go with a note
        computed over the filter set ("nothing under $5; the cheapest is $21.99")."""
        f = request.filter
        text = (request.query or "").strip()
        if text:
            hits = self.repo.lexical_search(text, f, limit=100_000, mode="all")
            if hits:
                f = _with_ids(f, [h.product_id for h in hits])
        return self._in_order(self.repo.find_ids(f, sort=request.sort, limit=request.limit))

    def explain_no_match(self, request: SearchRequest, alternatives: int = 3) -> NoMatch:
        """Which hard constraint cannot be met, and the nearest alternative that exists."""
        f = request.filter
        repo = self.repo

        def relaxed(**changes: Any) -> ProductFilter:
            return dataclasses.replace(f, **changes)

        def alts(rf: ProductFilter, sort: str) -> list[RankedProduct]:
            req = dataclasses.replace(request, filter=rf, limit=alternatives, sort=sort)
            res = self._sorted_by_words(req) if sort in EXPLICIT_SORTS else self._rank(req, self.candidates(req.query, rf), {})
            return list(res)

        if f.min_price is not None or f.max_price is not None:
            rf = relaxed(min_price=None, max_price=None)
            bounds = repo.price_bounds(rf)
            if bounds is not None:
                lo, hi = bounds
                cur = repo.shop_currency()
                if f.max_price is not None and lo > Decimal(str(f.max_price)):
                    return NoMatch(f"Nothing under {money(f.max_price, cur)}; the cheapest is {money(lo, cur)}.", "price", rf, lo,
                                   alts(rf, "price_asc"))
                if f.min_price is not None and hi < Decimal(str(f.min_price)):
                    return NoMatch(f"Nothing over {money(f.min_price, cur)}; the most expensive is {money(hi, cur)}.", "price", rf, hi,
                                   alts(rf, "price_desc"))
                # the range falls in a gap between prices: show the closest prices on either side
                below = repo.price_bounds(relaxed(min_price=None, max_price=f.min_price)) if f.min_price is not None else None
                above = repo.price_bounds(relaxed(min_price=f.max_price, max_price=None)) if f.max_price is not None else None
                near = [b[1] for b in [below] if b] + [a[0] for a in [above] if a]
                lo_s, hi_s = money(f.min_price or 0, cur), money(f.max_price, cur) if f.max_price is not None else "any price"
                msg = f"Nothing between {lo_s} and {hi_s}; the nearest prices are {', '.join(money(x, cur) for x in near)}."
                return NoMatch(msg, "price", rf, near[0] if near else None, alts(rf, "relevance"))
        steps: list[tuple[str, dict[str, Any], str]] = [
            ("colors/sizes", {"colors": [], "sizes": []}, "None in {what}; here are other colours and sizes."),
            ("on_sale", {"on_sale": False}, ON_SALE_NOTE),
            ("in_stock", {"in_stock": False}, "Everything that matches is out of stock at the moment."),
            # before brands and category: "other colours" when every jacket is red or blue is answered with those
            # jackets and why, not with bags. Excluded words may be given up; excluded products never come back
            # (e.g. the one "more like this" is about).
            ("exclusions", {"exclude_terms": [], "exclude_colors": []}, EXCLUSIONS_NOTE),
            ("brands", {"brands": []}, "Nothing from {what} matches; here are other brands."),
            # gender before category: "a jacket for my 10 year old" in a shop with no kids' clothes is answered
            # with jackets, not with bags
            ("gender", {"gender": None}, "Nothing for {what} matches; here are the nearest products."),
            # a must-have ("they need to be waterproof") before the category: the kind asked for without it, not
            # waterproof bags for jackets
            ("must_words", {"must_words": []}, "Nothing is listed as {what}; here are the nearest products."),
            ("category", {"category": None}, "Nothing in {what} matches; here are products from other categories."),
            ("attributes", {"attributes": {}}, "Nothing with {what}; here are the nearest products."),
        ]
        for violated, change, template in steps:
            current = {k: getattr(f, k) for k in change}
            if all(not v for v in current.values()):
                continue
            rf = relaxed(**change)
            if repo.count(rf):
                what = {
                    "colors/sizes": " ".join([*f.colors, *f.sizes]),
                    "brands": ", ".join(f.brands),
                    "category": f.category or "",
                    "gender": f.gender or "",
                    "attributes": ", ".join(f"{k}={'/'.join(v)}" for k, v in f.attributes.items()),
                    "exclusions": ruled_out(f.exclude_terms, f.exclude_colors),
                    "must_words": ", ".join(f.must_words),
                }.get(violated, "")
                said = template.format(what=what)
                if violated == "colors/sizes" and not (f.colors and f.sizes):
                    # "bags in blue": other colours, never "other colours and sizes" of bags that come in no sizes
                    said = said.replace("other colours and sizes", "other colours" if f.colors else "other sizes")
                return NoMatch(said, violated, rf, None, alts(rf, "relevance"))
        return NoMatch("Nothing in the catalog matches these constraints.", "filters")
