"""Switch the Hugging Face, Chroma and onnxruntime libraries offline before they are imported."""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # onnxruntime writes a device id under ~/.cache/Microsoft on import unless this is set
    # first (it sends nothing: strace saw no socket); the data dir is the only place we write.
    "ORT_DISABLE_TELEMETRY": "1",
    # Model loading draws progress bars on stderr; a CLI draws its own.
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def force_offline() -> None:
    """Set the offline flags; must run before huggingface_hub or transformers is imported,
    because they read these variables once, at import time."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
