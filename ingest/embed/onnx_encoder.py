"""The int8 model run by onnxruntime: tokenizers + onnxruntime + numpy, never torch.

This is what a one-shot `assistant search` loads, so it must start in a fraction of a
second: the tokenizer is the Rust `tokenizers` library the chunker already uses, pooling
and normalization are a few numpy lines, and the session is made once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ingest.embed.device import cpu_threads
from ingest.embed.model_dir import ModelDir
from ingest.offline import force_offline

if TYPE_CHECKING:
    from tokenizers import Tokenizer

_sessions: dict[Path, Any] = {}
_sessions_lock = threading.Lock()


def onnxruntime_available() -> bool:
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None


def _session(path: Path) -> Any:
    """One session per model file per process: sessions are thread-safe to run."""
    with _sessions_lock:
        if path not in _sessions:
            force_offline()  # ORT_DISABLE_TELEMETRY is read once, when onnxruntime loads
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = cpu_threads()
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # errors only: its warnings are not the user's
            _sessions[path] = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        return _sessions[path]


class OnnxEncoder:
    """Normalized sentence vectors from an exported model file, pooled as the model folder
    says (mean over the attention mask for MiniLM).

    One text per run by default: dynamic quantization scales each run's activations by
    their own range, so in a batch a text's vector would depend on the texts beside it
    (and on their padding). Alone, the same text always gets the same vector, no padding
    is computed, and on 2 cores it was also the fastest (21 chunks/s against 14 at batch
    32, bench/RESULTS.md)."""

    device = "cpu"
    precision = "int8"
    backend = "onnx-int8"

    def __init__(self, model: ModelDir, onnx_file: Path, batch_size: int = 1) -> None:
        self.model = model
        self.onnx_file = onnx_file
        self.batch_size = batch_size
        self.pooling = model.pooling_mode or "mean"
        self.session = _session(onnx_file)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.tokenizer = _padding_tokenizer(model)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Longest first, in batches padded to their own longest text: short texts never
        pay for a long one's padding (what sentence-transformers does too)."""
        out = np.empty((len(texts), self.model.dimension or 0), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            vectors = self._encode_batch([texts[i] for i in rows])
            if out.shape[1] != vectors.shape[1]:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=True)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = self.session.run(None, {name: feeds[name] for name in self.inputs})[0]
        vectors = pool(hidden, feeds["attention_mask"], self.pooling)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """Token vectors (batch, tokens, dim) to one vector per text, ignoring padding."""
    if mode == "cls":
        return hidden[:, 0]
    weights = mask[..., None].astype(hidden.dtype)
    if mode == "max":
        return np.where(weights > 0, hidden, -np.inf).max(axis=1)
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def _padding_tokenizer(model: ModelDir) -> Tokenizer:
    """The model's tokenizer truncating at its max_seq_length (the shipped tokenizer.json
    says 128; sentence-transformers uses 256) and padding each batch to its longest."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model.path / "tokenizer.json"))
    tokenizer.enable_truncation(model.max_seq_length)
    pad_id = tokenizer.padding["pad_id"] if tokenizer.padding else 0
    pad_token = tokenizer.padding["pad_token"] if tokenizer.padding else "[PAD]"
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
    return tokenizer
