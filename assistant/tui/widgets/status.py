"""The status bar: which model answers, what is indexed, and whether it is kept current."""

from __future__ import annotations

import time
from typing import Any

from textual.reactive import reactive
from textual.widgets import Static


def describe_status(
    info: dict[str, Any] | None,
    backend: str,
    watcher: str,
    within: str | None,
) -> str:
    """One line; plain text so file names with brackets cannot break markup."""
    parts = [backend]
    if info is None:
        parts.append("index: reading …")
    else:
        parts.append(f"embeddings {info.get('device', '?')}")
        parts.append(f"{info.get('files', 0)} files · {info.get('chunks', 0)} chunks")
        parts.append(watcher)
        changed = info.get("last_change")
        if changed:
            parts.append("indexed " + time.strftime("%Y-%m-%d %H:%M", time.localtime(changed)))
    if within:
        parts.append(f"only {within}")
    return " │ ".join(parts)


class StatusBar(Static):
    """Redrawn whenever the app sets one of its fields."""

    info: reactive[dict[str, Any] | None] = reactive(None, always_update=True)
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
