"""The model run by sentence-transformers on torch: CUDA in fp16, Apple MPS, or fp32 on CPU.

The GPU path and the CPU fallback (no onnxruntime, a model the ONNX path cannot run, or
`embedding_backend = torch`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from ingest.embed.device import cpu_threads, cuda_batch_size
from ingest.embed.model_dir import ModelDir

log = logging.getLogger(__name__)


class TorchEncoder:
    backend = "torch"

    def __init__(self, model: ModelDir, device: str, batch_size: int | None = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if device == "cpu":
            torch.set_num_threads(cpu_threads())
        log.info("loading embedding model %s on %s", model.name, device)
        self.model: Any = SentenceTransformer(str(model.path), device=device, local_files_only=True)
        self.device = str(self.model.device)
        # fp16 on CUDA: twice the throughput of fp32 and the same ranking for MiniLM. MPS
        # stays fp32: its half-precision kernels vary with the macOS version.
        self.precision = "fp16" if device.startswith("cuda") else "fp32"
        if self.precision == "fp16":
            self.model.half()
        self.batch_size = batch_size or self._default_batch_size(device)

    @staticmethod
    def _default_batch_size(device: str) -> int:
        if device.startswith("cuda"):
            import torch

            return cuda_batch_size(torch.cuda.get_device_properties(device).total_memory)
        return 64 if device == "mps" else 32

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """sentence-transformers sorts by length and pads per batch; its encode offers no
        pinned-memory option, and what crosses to the GPU is token ids (kilobytes a
        batch), so pinning would not show in the throughput."""
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
