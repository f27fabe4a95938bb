"""`--in` and `--type`: which indexed files a search may return."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.scan import is_under


@dataclass(frozen=True)
class PathFilter:
    """Limit results to a folder or a glob, and/or to some file types."""

    within: str | None = None  # a folder, a file, or a glob (absolute or relative)
    types: tuple[str, ...] = ()  # suffixes without the dot: ("pdf", "md")

    def describe(self) -> str:
        """The filter as the user gave it, for messages: "in /docs, of type pdf"."""
        parts = []
        if self.within is not None:
            parts.append(f"matching {self.within}" if self.is_glob else f"in {self.within}")
        if self.types:
            parts.append("of type " + ", ".join(self.types))
        return ", ".join(parts)

    def __call__(self, path: str) -> bool:
        """Called once per indexed file per filtered search: kept to string operations."""
        if self.types and path.rpartition(".")[2].lower() not in self.types:
            return False
        pattern = self.within
        if pattern is None:
            return True
        if not self.is_glob:
            return is_under(path, pattern)
        if pattern.startswith("/"):
            return fnmatch.fnmatchcase(path, pattern)
        name = path.rpartition("/")[2]
        return fnmatch.fnmatchcase(path, "*/" + pattern) or fnmatch.fnmatchcase(name, pattern)

    @property
    def is_glob(self) -> bool:
        return self.within is not None and any(ch in self.within for ch in "*?[")

    @classmethod
    def build(cls, within: str | None, types: Sequence[str] = ()) -> PathFilter | None:
        if within is None and not types:
            return None
        if within is not None and not any(ch in within for ch in "*?["):
            within = str(Path(within).expanduser().absolute())
        return cls(within, tuple(t.lower().lstrip(".") for t in types))
