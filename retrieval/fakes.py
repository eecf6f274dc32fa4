"""Deterministic stand-ins for unit tests and demos: no model, no download, no semantic quality claims."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _bucket(token: str, dim: int) -> tuple[int, float]:
    h = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    n = int.from_bytes(h, "little")
    return n % dim, (1.0 if (n >> 63) & 1 else -1.0)


class HashingEmbedder:
    """Hashed bag of words (signed feature hashing), L2-normalised. Same text -> same vector, any process.

    Shared words give a positive cosine; that is all it knows. `calls` / `texts_embedded` count work.
    """

    def __init__(self, dim: int = 256, *, model_id: str | None = None):
        self.dim = dim
        self.model_id = model_id or f"hashing-{dim}"
        self.calls = 0
        self.texts_embedded = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        tokens = [t.lower() for t in _TOKEN.findall(text or "")] or ["<empty>"]
        for t in tokens:
            i, sign = _bucket(t, self.dim)
            v[i] += sign
        n = float(np.linalg.norm(v))
        if n == 0:  # signed collisions cancelled out
            i, _ = _bucket("<empty>", self.dim)
            v[i] = 1.0
            n = 1.0
        return v / n

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([self._vec(t) for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


class FakeImageEmbedder:
    """A deterministic vector per image: seeded by the file's bytes (or a PIL image's pixels)."""

    supports_text = False

    def __init__(self, dim: int = 64, *, model_id: str | None = None):
        self.dim = dim
        self.model_id = model_id or f"fake-image-{dim}"
        self.images_embedded = 0

    def _seed(self, image: Path | Any) -> bytes:
        if isinstance(image, str | Path):
            return Path(image).read_bytes()
        if hasattr(image, "tobytes"):
            return bytes(image.tobytes())
        raise TypeError(f"cannot embed {type(image).__name__}")

    def embed_images(self, images: Sequence[Path | Any]) -> np.ndarray:
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for i, img in enumerate(images):
            seed = int.from_bytes(hashlib.sha256(self._seed(img)).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        self.images_embedded += len(images)
        return out

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("FakeImageEmbedder has no text tower (supports_text=False)")
