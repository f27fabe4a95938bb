"""The status bar: which model answers, what is indexed, and whether it is kept current."""

from __future__ import annotations

import time

from textual.reactive import reactive
from textual.widgets import Static

from assistant.library import IndexStatus
from ingest.words import plural


def describe_status(
    info: IndexStatus | None,
    backend: str,
    watcher: str,
    within: str | None,
) -> str:
    """One line; plain text so file names with brackets cannot break markup."""
    parts = [backend]
    if info is None:
        parts.append("index: reading …")
    else:
        parts.append(f"embeddings {info.device}")
        parts.append(f"{plural(info.files, 'file')} · {plural(info.chunks, 'chunk')}")
        parts.append(watcher)
        if info.last_change:
            when = time.localtime(info.last_change)
            parts.append("indexed " + time.strftime("%Y-%m-%d %H:%M", when))
    if within:
        parts.append(f"only {within}")
    return " │ ".join(parts)


class StatusBar(Static):
    """Redrawn whenever the app sets one of its fields."""

    info: reactive[IndexStatus | None] = reactive(None, always_update=True)
    backend: reactive[str] = reactive("model: starting …")
    watcher: reactive[str] = reactive("watcher off")
    within: reactive[str | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def _refresh_line(self) -> None:
        self.update(describe_status(self.info, self.backend, self.watcher, self.within))

    def watch_info(self) -> None:
        self._refresh_line()

    def watch_backend(self) -> None:
        self._refresh_line()

    def watch_watcher(self) -> None:
        self._refresh_line()

    def watch_within(self) -> None:
        self._refresh_line()

    def on_mount(self) -> None:
        self._refresh_line()
