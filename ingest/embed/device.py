"""Which device embeds, found without importing torch where no GPU can exist.

`assistant status` and every one-shot on a plain CPU machine ask this; importing torch
to learn "cpu" would cost them seconds.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from pathlib import Path

DEVICES = ("cuda", "mps", "cpu")


def gpu_possible() -> bool:
    """An NVIDIA driver or an Apple Silicon Mac: only then can torch find a GPU."""
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return True
    return Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi") is not None


def pick_device(requested: str | None = None) -> str:
    """CUDA, then Apple MPS, then CPU, unless the user asked for one."""
    if requested:
        return requested
    if not gpu_possible():
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def cpu_threads() -> int:
    """The cores this process may use (a container or `taskset` may allow fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def cuda_batch_size(total_memory_bytes: int) -> int:
    """Sequences per forward pass on a GPU: large enough to keep it busy, small enough that
    a batch of 256-token inputs (activations and attention, fp16) fits beside other work.
    MiniLM at 256 tokens needs about 2 MB per sequence in fp16."""
    gib = total_memory_bytes / 2**30
    if gib >= 40:
        return 1024
    if gib >= 16:
        return 512
    if gib >= 8:
        return 256
    return 128
