"""An in-memory, exact (brute-force numpy) `VectorIndex`, and a deterministic token-hashing embedder.

`MemoryVectorIndex` is a real implementation: a float32 matrix and a dot product. For a few hundred
thousand vectors it is exact and fast (55k x 384 is one 80 MB matrix, ~3 ms per query), which makes it
the index the evaluation and the benchmark use, and the one unit tests use without Chroma.

`TokenHashEmbedder` maps words and character trigrams to hashed buckets (signed feature hashing). It is
deterministic, needs no model files and puts texts sharing words close together: the right embedder
for fast tests. It knows nothing about meaning; never report quality numbers with it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from retrieval.interfaces import VectorHit

_WORD = re.compile(r"\w+", re.UNICODE)


def _normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


class MemoryVectorIndex:
    """Exact cosine search over L2-normalised vectors held in one numpy matrix."""

    def __init__(self, model_id: str, dim: int | None = None):
        self.model_id = model_id
        self.dim = dim
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, dim or 0), dtype=np.float32)
        self._meta: list[Mapping[str, Any]] = []
        self._alive = np.zeros(0, dtype=bool)
        self.generation = 0  # bumped by every write, so readers (the search snapshot) can tell it changed

    def __len__(self) -> int:
        return int(self._alive.sum())

    # ----- writing ----------------------------------------------------------------------------
    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[Mapping[str, Any]] | None = None) -> None:
        vectors = _normalise_rows(vectors)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids but {len(vectors)} vectors")
        if self.dim is None or self._matrix.shape[0] == 0:
            self.dim = self.dim or int(vectors.shape[1])
            if self._matrix.shape[1] != self.dim:
                self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        if vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have dimension {vectors.shape[1]}, this index holds {self.dim} ({self.model_id})")
        metadatas = list(metadatas) if metadatas is not None else [{} for _ in ids]
        new_rows: list[np.ndarray] = []
        for i, (pid, vec, meta) in enumerate(zip(ids, vectors, metadatas, strict=True)):
            key = str(pid)
            row = self._row.get(key)
            if row is not None:
                self._matrix[row] = vec
                self._meta[row] = meta
                self._alive[row] = True
            else:
                self._row[key] = len(self._ids)
                self._ids.append(key)
                self._meta.append(meta)
                new_rows.append(vectors[i])
        if new_rows:
            self._matrix = np.vstack([self._matrix, np.stack(new_rows)])
            self._alive = np.concatenate([self._alive, np.ones(len(new_rows), dtype=bool)])
        self.generation += 1

    def delete(self, ids: Sequence[str]) -> None:
        for pid in ids:
            row = self._row.get(str(pid))
            if row is not None:
                self._alive[row] = False
        self.generation += 1

    # ----- reading ----------------------------------------------------------------------------
    def query(self, vector: np.ndarray, k: int, *, restrict_to: Sequence[str] | None = None) -> list[VectorHit]:
        """The k most similar vectors, best first; with `restrict_to`, exact over that candidate set only."""
        if k <= 0 or self._matrix.shape[0] == 0:
            return []
        q = _normalise_rows(vector)[0]
        if restrict_to is not None:
            rows = np.fromiter(
                (r for r in (self._row.get(str(i)) for i in restrict_to) if r is not None and self._alive[r]),
                dtype=np.int64,
            )
            if rows.size == 0:
                return []
            rows = np.unique(rows)
            scores = self._matrix[rows] @ q
        else:
            rows = np.flatnonzero(self._alive)
            scores = self._matrix @ q if rows.size == self._matrix.shape[0] else self._matrix[rows] @ q
        k = min(k, rows.size)
        top = np.argpartition(-scores, k - 1)[:k] if k < rows.size else np.arange(rows.size)
        # best first; ties broken by id for determinism
        order = sorted(top.tolist(), key=lambda j: (-float(scores[j]), self._ids[rows[j]]))
        return [VectorHit(self._ids[rows[j]], float(scores[j]), self._meta[rows[j]]) for j in order]

    def get_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the given ids (unknown or deleted ids are left out)."""
        out: dict[str, np.ndarray] = {}
        for pid in ids:
            row = self._row.get(str(pid))
            if row is not None and self._alive[row]:
                out[str(pid)] = self._matrix[row]
        return out

    def fingerprints(self) -> dict[str, str]:
        return {
            pid: str(self._meta[row].get("fingerprint", ""))
            for pid, row in self._row.items()
            if self._alive[row]
        }


class TokenHashEmbedder:
    """Deterministic bag of hashed words and character trigrams, L2-normalised. For tests and plumbing."""

    def __init__(self, dim: int = 256, *, trigram_weight: float = 0.5):
        self.dim = dim
        self.trigram_weight = trigram_weight
        self.model_id = f"token-hash-{dim}-v1"

    def _bucket(self, token: str) -> tuple[int, float]:
        h = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        n = int.from_bytes(h, "little")
        return n % self.dim, (1.0 if (n >> 63) & 1 else -1.0)

    def _embed(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in _WORD.findall(text.lower()):
            b, s = self._bucket("w:" + w)
            v[b] += s
            padded = f"#{w}#"
            for i in range(len(padded) - 2):
                b, s = self._bucket("c:" + padded[i : i + 3])
                v[b] += s * self.trigram_weight
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._embed(t) for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed(text)
