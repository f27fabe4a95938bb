"""What a scan skips: hidden and VCS folders, build and editor debris, and user patterns.

Editors and browsers write temp files beside the real ones (`~$report.docx` while Word has
it open, `.#notes.md` from Emacs, `*.crdownload` mid-download); indexing them would
show half-written text and then churn when they vanish.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

IGNORE_FILE = ".assistantignore"

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "CVS", "_darcs", "venv"})
TEMP_FILE_PATTERNS = ("~$*", ".#*", "*.swp", "*.swo", "*.tmp", "*.part", "*.crdownload", "*~")


def is_skipped_folder(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_FOLDERS


_TEMP_FILE = re.compile("|".join(fnmatch.translate(p) for p in TEMP_FILE_PATTERNS))


def is_skipped_file(name: str) -> bool:
    return name.startswith(".") or _TEMP_FILE.match(name) is not None


class IgnoreRules:
    """User globs plus every `.assistantignore` (gitignore syntax) between a root and a file."""

    def __init__(self, root: Path, user_patterns: Sequence[str] = ()) -> None:
        self.root = root
        self.user = _gitignore(user_patterns) if user_patterns else None
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self._chains: dict[Path, list[tuple[str, pathspec.GitIgnoreSpec]]] = {}

    def _spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            try:
                lines = (folder / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
                self._specs[folder] = _gitignore(lines)
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
        posix = path.as_posix()
        for folder, spec in self._chain(path.parent):
            if spec.match_file(posix[len(folder) + 1 :] + suffix):
                return True
        return False

    def _chain(self, folder: Path) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
        """The ignore files that apply inside `folder`: its own and its ancestors' up to the
        root, cached per folder so a scan reads each one once and most files test none."""
        if folder not in self._chains:
            above = (
                [] if folder == self.root or folder.parent == folder else self._chain(folder.parent)
            )
            spec = self._spec(folder)
            self._chains[folder] = above + ([(folder.as_posix(), spec)] if spec else [])
        return self._chains[folder]

    def forget_folder(self, folder: Path) -> None:
        """Drop a cached ignore file, after the watcher saw it change."""
        self._specs.pop(folder, None)
        self._chains.clear()


def _gitignore(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    """Parsed gitignore patterns; pathspec loads only when a folder has some, because an
    unchanged re-sync of a large tree is dominated by start-up time."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)
