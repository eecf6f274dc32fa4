"""The small interfaces retrieval is built from. Each has a real default and a fake for unit tests.

Vectors are float32 numpy arrays, L2-normalised, so a dot product is the cosine similarity.
`model_id` names the model (and its version/pretrained tag): vectors of different models never mix,
an index remembers the model_id it was built with and refuses another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Text -> vectors. Query and passage are separate because some models (e5) need prefixes."""

    model_id: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


@runtime_checkable
class ImageEmbedder(Protocol):
    """Images -> vectors. `embed_text` is only available for joint text-image models (CLIP)."""

    model_id: str
    dim: int
    supports_text: bool

    def embed_images(self, images: Sequence[Path | Any]) -> np.ndarray: ...

    def embed_text(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class VectorHit:
    id: str
    score: float  # cosine similarity, higher is better
    metadata: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class VectorIndex(Protocol):
    """A persistent collection of vectors keyed by string id, with a content fingerprint per id."""

    model_id: str

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[Mapping[str, Any]]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(self, vector: np.ndarray, k: int, *, restrict_to: Sequence[str] | None = None) -> list[VectorHit]: ...

    def fingerprints(self) -> dict[str, str]: ...
