"""A fast query encoder for BERT-style sentence-transformers models (all-MiniLM-L6-v2 and the like).

Why: a search embeds ONE short query. With torch, per-operator overhead makes that ~12 ms on our 2-core
machine; the same weights exported once to ONNX and run by onnxruntime on one thread take ~4 ms, about a
third of a whole search.

Safety: the exported graph is checked against the torch model on probe texts every time it is loaded;
an unsupported architecture, a missing package or any mismatch above `MAX_ABS_DIFF` falls back to torch
(with the reason logged), so the query vector always matches the document vectors' model.
Documents are still embedded by torch in batches.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedders import weights_digest

log = logging.getLogger(__name__)

MAX_ABS_DIFF = 1e-4
PROBES = (
    "cordless drill",
    "white vanity 36 in. with top",
    "a purple jacket for women under 60 dollars",
    "1/2 in. x 10 ft. copper pipe type L",
    "x",
    "Ein wasserdichter Rucksack für Wanderungen im Winter mit vielen Taschen und einem Regenschutz",
)


class OnnxQueryEncoder:
    """`encode(text)` -> the L2-normalised mean-pooled vector, as the sentence-transformers model gives it."""

    def __init__(self, session: Any, tokenizer: Any, max_length: int, path: Path):
        self._session = session
        self._tokenizer = tokenizer
        self.max_length = max_length
        self.path = path

    def encode(self, text: str) -> np.ndarray:
        enc = self._tokenizer([text], truncation=True, max_length=self.max_length, return_tensors="np")
        ids = enc["input_ids"].astype(np.int64)
        mask = enc["attention_mask"].astype(np.int64)
        positions = np.arange(ids.shape[1], dtype=np.int64)[None, :]
        out = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "position_ids": positions})[0]
        return np.asarray(out[0], dtype=np.float32)


def _supported(st_model: Any) -> tuple[Any, int] | str:
    """(the BertModel, max tokens) when the pipeline is BERT -> mean pooling -> normalise; else why not."""
    modules = list(st_model)
    names = [type(m).__name__ for m in modules]
    if len(modules) != 3 or names[0] != "Transformer" or names[1] != "Pooling" or names[2] != "Normalize":
        return f"pipeline {names} is not Transformer -> Pooling -> Normalize"
    pooling = modules[1].get_config_dict()
    if not (pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens")):
        return f"pooling {pooling} is not mean pooling"
    bert = getattr(modules[0], "auto_model", None)
    cfg = getattr(bert, "config", None)
    if cfg is None or cfg.model_type != "bert":
        return f"model type {getattr(cfg, 'model_type', None)} is not bert"
    if getattr(cfg, "position_embedding_type", "absolute") != "absolute" or cfg.hidden_act != "gelu":
        return "only absolute positions and erf GELU are exported"
    return bert, int(st_model.max_seq_length or cfg.max_position_embeddings)


def _export(bert: Any, path: Path) -> None:
    """Trace a plain re-statement of BERT's forward (no shape-dependent Python code, the mask and positions
    are inputs) so the graph is valid for every batch size and length."""
    import torch

    cfg = bert.config
    heads = cfg.num_attention_heads
    scale = float(cfg.hidden_size // heads) ** -0.5

    class QueryBert(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, position_ids: Any) -> Any:
            e = self.bert.embeddings
            x = e.word_embeddings(input_ids) + e.position_embeddings(position_ids) + e.token_type_embeddings.weight[0]
            x = e.LayerNorm(x)
            m = attention_mask.to(x.dtype)
            additive = ((1.0 - m) * -1e4)[:, None, None, :]
            for layer in self.bert.encoder.layer:
                att = layer.attention
                q = att.self.query(x).unflatten(-1, (heads, -1)).transpose(1, 2)
                k = att.self.key(x).unflatten(-1, (heads, -1)).transpose(1, 2)
                v = att.self.value(x).unflatten(-1, (heads, -1)).transpose(1, 2)
                scores = (q @ k.transpose(-1, -2)) * scale + additive
                ctx = (scores.softmax(-1) @ v).transpose(1, 2).flatten(-2)
                x = att.output.LayerNorm(att.output.dense(ctx) + x)
                h = torch.nn.functional.gelu(layer.intermediate.dense(x))
                x = layer.output.LayerNorm(layer.output.dense(h) + x)
            pooled = (x * m[..., None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 3231, 102, 0, 0, 0]])
    mask = (ids != 0).long()
    pos = torch.arange(ids.shape[1])[None, :].expand_as(ids)
    dyn = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
           "position_ids": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx.tmp", dir=path.parent)
    os.close(fd)
    try:
        with torch.inference_mode():
            torch.onnx.export(QueryBert().eval(), (ids, mask, pos), tmp, input_names=["input_ids", "attention_mask", "position_ids"],
                              output_names=["embedding"], dynamic_axes=dyn, opset_version=17, dynamo=False)
        os.replace(tmp, path)  # atomic: a killed export never leaves a half-written model behind
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_onnx_query_encoder(st_model: Any, model_id: str, cache_dir: Path, *, threads: int = 1) -> OnnxQueryEncoder | None:
    """Export (once, cached under `cache_dir`) and load the ONNX query encoder; None, with the reason logged,
    when it cannot serve exactly the vectors torch would give."""
    got = _supported(st_model)
    if isinstance(got, str):
        log.info("fast query encoder off for %s: %s", model_id, got)
        return None
    bert, max_length = got
    try:
        import onnxruntime as ort
    except ModuleNotFoundError:
        log.warning("fast query encoder off: onnxruntime is not installed (pip install onnxruntime)")
        return None
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[-80:]
    path = cache_dir / f"{safe}-{weights_digest(bert)[:20]}.onnx"
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    try:
        if not path.exists():
            _export(bert, path)
        try:
            session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a damaged cache file: export again, once
            log.warning("re-exporting the query encoder: %s could not be loaded (%s)", path, exc)
            path.unlink(missing_ok=True)
            _export(bert, path)
            session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    except ModuleNotFoundError as exc:
        log.warning("fast query encoder off: %s (pip install onnx)", exc)
        return None
    except Exception as exc:  # a broken cache file or an exporter limitation: torch still works
        log.warning("fast query encoder off for %s: %s", model_id, exc)
        return None
    enc = OnnxQueryEncoder(session, st_model.tokenizer, max_length, path)
    want = np.asarray(st_model.encode(list(PROBES), normalize_embeddings=True, show_progress_bar=False), dtype=np.float32)
    got_v = np.stack([enc.encode(t) for t in PROBES])
    diff = float(np.abs(want - got_v).max())
    if not diff <= MAX_ABS_DIFF:
        log.warning("fast query encoder off for %s: differs from torch by %.2g (> %g)", model_id, diff, MAX_ABS_DIFF)
        return None
    return enc
