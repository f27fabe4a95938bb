"""Embedding: the model folder, the device, and the encoders that run it (int8 ONNX on a
CPU, sentence-transformers on torch for a GPU or as the fallback)."""

from ingest.embed.device import pick_device
from ingest.embed.embedder import BACKENDS, BadBackend, Embedder, Plan
from ingest.embed.model_dir import DEFAULT_MODEL_NAME, ModelDir, ModelNotFound, resolve_model

__all__ = [
    "BACKENDS",
    "DEFAULT_MODEL_NAME",
    "BadBackend",
    "Embedder",
    "ModelDir",
    "ModelNotFound",
    "Plan",
    "pick_device",
    "resolve_model",
]
