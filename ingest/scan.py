"""Finding the files to index: one walker, and one rule for what is excluded, for the sync
and the watcher alike.

A file is indexed when its format is supported, no ignore rule of its root hides it, and
it is not in an excluded folder (the index's own data dir, when it sits inside a root).
Excluded goes by real path: a symlink into the data dir, or a data dir reached through a
symlink, is excluded exactly like the folder itself, so the index never reads its own
files and the watcher never wakes up on its own writes.

A `Fence` keeps a walk inside the folders it was given, by real path too: a symlink in a
served folder that leads to /etc/passwd was ingested and then served to any client.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.ignore import IgnoreRules
from ingest.readers import is_supported


def is_under(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies below it, comparing the strings as given (resolve
    both first where symlinks matter). Cheap: the search filter calls it once per file."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def absolute(path: Path | str) -> Path:
    """Absolute without resolving symlinks: the path the user sees is the one we record."""
    return Path(os.path.abspath(os.path.expanduser(path)))


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


class Excluded:
    """Folders never scanned, watched or indexed, and everything below them."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.real = sorted({os.path.realpath(f) for f in folders})
        # Most paths tested are lexically inside or outside; resolving is for the rest.
        self._lexical = sorted({*self.real, *(os.path.abspath(f) for f in folders)})

    def __call__(self, path: str) -> bool:
        if not self.real:
            return False
        if any(is_under(path, f) for f in self._lexical):
            return True
        real = os.path.realpath(path)
        return any(is_under(real, f) for f in self.real)


class Fence:
    """The folders every walked file must really lie in (after resolving symlinks), and
    the links found leading out of them, which are not followed. `Fence(None)` lets
    everything through."""

    def __init__(self, folders: Iterable[Path | str] | None) -> None:
        self.real = None if folders is None else sorted({os.path.realpath(f) for f in folders})
        self.outside: dict[str, str] = {}  # link -> where it leads

    def _inside(self, real: str) -> bool:
        return self.real is None or any(is_under(real, f) for f in self.real)

    def admits_folder(self, folder: str) -> bool:
        """Once per folder: a folder reached through a link out is left whole."""
        if self.real is None:
            return True
        real = os.path.realpath(folder)
        if self._inside(real):
            return True
        self.outside[folder] = real
        return False

    def admits_file(self, path: str) -> bool:
        """A file in an admitted folder is outside only when it is a link itself."""
        if self.real is None or not os.path.islink(path):
            return True
        real = os.path.realpath(path)
        if self._inside(real) or not os.path.exists(real):  # dangling: the scan drops it
            return True
        self.outside[path] = real
        return False


NO_FENCE = Fence(None)


class Root:
    """One folder (or file) to index, and the ignore rules that apply inside it."""

    def __init__(self, path: Path | str, ignore: Sequence[str] = ()) -> None:
        self.path = absolute(path)
        self.text = str(self.path)
        self.is_file = self.path.is_file()
        self.rules = None if self.is_file else IgnoreRules(self.path, ignore)

    def contains(self, path: str) -> bool:
        return path == self.text if self.is_file else is_under(path, self.text)

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Ignored by the same rules as a walk from the root: a walk never enters an
        ignored folder, so every folder between the root and the path counts too."""
        if self.rules is None:
            return False
        parts = path.relative_to(self.path).parts
        folder = self.path
        for part in parts[:-1]:
            folder = folder / part
            if self.rules.ignored(folder, is_dir=True):
                return True
        return self.rules.ignored(path, is_dir=is_dir)


def walk(
    root: Root, excluded: Excluded, folder: Path | None = None, fence: Fence = NO_FENCE
) -> Iterator[Path]:
    """The files to index under `folder` (a folder inside the root; the whole root when
    None), by the root's ignore rules. Symlinked files and folders are followed as far as
    the fence allows; a folder is entered once (by device and inode), so a link back up
    the tree cannot loop."""
    if root.rules is None:  # a file root
        if (
            folder is None
            and is_supported(root.path)
            and not excluded(root.text)
            and fence.admits_file(root.text)
        ):
            yield root.path
        return
    seen: set[tuple[int, int]] = set()
    for here_text, dirs, files in os.walk(folder or root.path, followlinks=True):
        here = Path(here_text)
        try:
            st = here.stat()
        except OSError:  # gone since it was listed
            dirs[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen or excluded(here_text) or not fence.admits_folder(here_text):
            dirs[:] = []
            continue
        seen.add(key)
        dirs[:] = sorted(d for d in dirs if not root.rules.ignored(here / d, is_dir=True))
        for name in files:
            path = here / name
            if is_supported(path) and not root.rules.ignored(path) and fence.admits_file(str(path)):
                yield path


def scan(roots: Iterable[Root], excluded: Excluded, fence: Fence = NO_FENCE) -> dict[str, FileStat]:
    """Every file `walk` finds under `roots`, with its size and mtime: regular files only
    (a dangling link, or a file gone since its folder was listed, is left out)."""
    found: dict[str, FileStat] = {}
    for root in roots:
        for path in walk(root, excluded, fence=fence):
            try:
                st = path.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found[str(path)] = FileStat(st.st_size, st.st_mtime_ns)
    return found
