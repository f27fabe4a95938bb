"""What a scan skips: hidden and VCS folders, build and editor debris, and user patterns.

Editors and browsers write temp files beside the real ones (`~$report.docx` while Word has
it open, `.#notes.md` from Emacs, `*.crdownload` mid-download); indexing them would
show half-written text and then churn when they vanish.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path

import pathspec

IGNORE_FILE = ".assistantignore"

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "CVS", "_darcs", "venv"})
TEMP_FILE_PATTERNS = ("~$*", ".#*", "*.swp", "*.swo", "*.tmp", "*.part", "*.crdownload", "*~")


def is_skipped_folder(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_FOLDERS


def is_skipped_file(name: str) -> bool:
    return name.startswith(".") or any(fnmatch.fnmatchcase(name, p) for p in TEMP_FILE_PATTERNS)


class IgnoreRules:
    """User globs plus every `.assistantignore` (gitignore syntax) between a root and a file."""

    def __init__(self, root: Path, user_patterns: Sequence[str] = ()) -> None:
        self.root = root
        self.user = pathspec.GitIgnoreSpec.from_lines(user_patterns) if user_patterns else None
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def _spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            try:
                lines = (folder / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
                self._specs[folder] = pathspec.GitIgnoreSpec.from_lines(lines)
            except (OSError, UnicodeDecodeError):
                self._specs[folder] = None
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool = False) -> bool:
        """Whether `path` (under the root) is excluded by a user pattern or an ignore file."""
        if path == self.root:
            return False
        name = path.name
        if is_dir and is_skipped_folder(name) or not is_dir and is_skipped_file(name):
            return True
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        suffix = "/" if is_dir else ""
        if self.user is not None and self.user.match_file(rel.as_posix() + suffix):
            return True
        folder = self.root
        for part in rel.parts[:-1]:
            spec = self._spec(folder)
            if spec is not None and spec.match_file(path.relative_to(folder).as_posix() + suffix):
                return True
            folder = folder / part
        spec = self._spec(folder)
        return spec is not None and spec.match_file(path.relative_to(folder).as_posix() + suffix)

    def forget_folder(self, folder: Path) -> None:
        """Drop a cached ignore file, after the watcher saw it change."""
        self._specs.pop(folder, None)
