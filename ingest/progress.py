"""Progress from inside a reader: how far a long extraction (OCR, a huge PDF) has got.

A reader calls `report(done, total, unit)` as it works. Inside an ingest worker the call
reaches the parent (the progress bar, and the file's time limit, which each report
renews); anywhere else it does nothing, so a reader stays a plain function in tests.
"""

from __future__ import annotations

from collections.abc import Callable

Sink = Callable[[int, "int | None", str], None]

_sink: Sink | None = None


def report(done: int, total: int | None = None, unit: str = "pages") -> None:
    """`done` of `total` units (pages, images) finished for the file being read."""
    if _sink is not None:
        _sink(done, total, unit)
