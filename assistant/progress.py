"""How `ingest` and `watch` show their progress: a line per change, or a progress bar on a
terminal; imported by those commands only (the sync is not light to import)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.quick import err
from ingest.pathnames import shown
from ingest.sync import Change, SyncListener
from ingest.words import plural


class LinePrinter(SyncListener):
    """One line per change: what happened, to which file, how long it took; and the
    one-time model step (even when quiet: it is why the first run takes longer)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def say(self, line: str) -> None:
        err(line)

    def model_step(self, what: str) -> None:
        self.say(f"making {what}, once (about 10 s) …")

    def model_ready(self, what: str, seconds: float) -> None:
        self.say(f"made {what} in {seconds:.1f} s")

    def file_done(self, change: Change | None) -> None:
        if change is None:
            return
        if change.kind in ALWAYS_SHOWN or not self.quiet:
            err(describe_change(change))


# Printed even with --quiet and under the progress bar.
ALWAYS_SHOWN = ("failed", "outside")


def describe_change(change: Change) -> str:
    """One line; a file name's control characters are escaped, never sent to the terminal."""
    if change.kind == "failed":
        line = f"{change.path}: failed: {change.detail}"
    elif change.kind == "outside":
        line = (
            f"{change.path}: not followed: a symlink to {change.detail}, outside the folders "
            "given (follow_symlinks_outside = true follows it)"
        )
    elif change.kind == "moved":
        line = f"moved    {change.detail} -> {change.path}"
    elif change.kind in ("added", "updated"):
        chunks = plural(change.chunks or 0, "chunk")
        line = f"{change.kind:<8} {change.path} ({chunks}, {change.seconds:.1f} s)"
    else:
        line = f"{change.kind:<8} {change.path}"
    return shown(line)


class ProgressBar(LinePrinter):
    """A rich progress bar for a terminal. It moves as each file is read (so it is not
    stuck while the first batch is embedded or the model is made), counts the chunks as
    each batch is embedded, and gives an ETA once files are being finished; the one-time
    model step is a line of its own above it, and its seconds are left out of the rates."""

    def __init__(self, console: Any = None) -> None:
        super().__init__(quiet=True)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("[bold]indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[chunks]} embedded{task.fields[rate]}"),
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.fields[inside]}"),
            transient=True,
            console=console,
        )
        self.task = self.progress.add_task(
            "files", total=None, chunks=plural(0, "chunk"), rate="", eta="", inside=""
        )
        self.total: int | None = None
        self.read: set[str] = set()
        self.done = 0
        self.chunks = 0
        self.started = time.monotonic()
        self.model_seconds = 0.0

    def say(self, line: str) -> None:
        self.progress.console.print(line, markup=False, highlight=False)

    def planned(self, files: int) -> None:
        self.total = files
        self.progress.update(self.task, total=files)

    def file_read(self, path: str) -> None:
        if path not in self.read:  # a file read twice (a move that lost its claim) counts once
            self.read.add(path)
            self.progress.advance(self.task)

    def model_ready(self, what: str, seconds: float) -> None:
        self.model_seconds += seconds
        super().model_ready(what, seconds)

    def file_done(self, change: Change | None) -> None:
        if change is not None and change.kind in ALWAYS_SHOWN:
            self.say(describe_change(change))
        if change is not None and change.path not in self.read:  # removed, or never readable
            self.read.add(change.path)
            self.progress.advance(self.task)
        self.done += 1
        self.progress.update(self.task, eta=self.eta())

    def chunks_embedded(self, count: int) -> None:
        self.chunks += count
        rate = f" · {self.chunks / self.working_seconds():.1f} chunks/s"
        self.progress.update(self.task, chunks=plural(self.chunks, "chunk"), rate=rate)

    def working_seconds(self) -> float:
        """Seconds since the start, less the one-time model step."""
        return max(time.monotonic() - self.started - self.model_seconds, 1e-6)

    def eta(self) -> str:
        """The time left at the rate files have been finished so far; nothing until one is."""
        if not self.done or self.total is None:
            return ""
        left = max(self.total - self.done, 0) * self.working_seconds() / self.done
        minutes, seconds = divmod(round(left), 60)
        return f"· ETA {minutes}:{seconds:02d}"

    def file_progress(self, path: str, done: int, total: int) -> None:
        """OCR takes seconds a page: say which file and page, or the bar looks stuck."""
        inside = f"OCR {shown(Path(path).name)} {done}/{total} pages" if done < total else ""
        self.progress.update(self.task, inside=inside)


class WatchPrinter(LinePrinter):
    """LinePrinter with the time of day: a watcher's lines end up in a log."""

    def say(self, line: str) -> None:
        err(f"{time.strftime('%H:%M:%S')} {line}")

    def file_done(self, change: Change | None) -> None:
        if change is None or (self.quiet and change.kind not in ALWAYS_SHOWN):
            return
        self.say(
            shown(f"failed   {change.path}: {change.detail}")
            if change.kind == "failed"
            else describe_change(change)
        )
