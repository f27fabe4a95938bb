"""Which command opens a source file, at its page or line where the program allows it.

No Textual here: the choice is plain data, so it is tested without a terminal. The app
runs a terminal program (an editor, less) with the screen suspended and a desktop viewer
detached.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Editors and pagers that take `+LINE` before the file.
_PLUS_LINE = {"vi", "vim", "nvim", "nano", "emacs", "emacsclient", "less", "micro", "kak", "mg"}
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".rst", ".org", ".csv", ".json", ".html"}


@dataclass(frozen=True)
class OpenCommand:
    argv: list[str]
    in_terminal: bool  # needs the terminal: the app suspends itself while it runs


def line_of(path: Path, passage_text: str) -> int | None:
    """The 1-based line where the passage starts in a text file, found by its first words;
    None when the file changed so much that they are gone."""
    probe = " ".join(passage_text.split()[:8])
    if not probe:
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    flat_positions: list[int] = []  # index in `text` of each character kept in `flat`
    flat_chars: list[str] = []
    previous_space = False
    for i, ch in enumerate(text):
        space = ch.isspace()
        if space and previous_space:
            continue
        flat_chars.append(" " if space else ch)
        flat_positions.append(i)
        previous_space = space
    at = "".join(flat_chars).find(probe)
    if at < 0:
        return None
    return text.count("\n", 0, flat_positions[at]) + 1


def open_command(
    path: Path,
    page: int | None = None,
    line: int | None = None,
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
) -> OpenCommand | None:
    """The command for `path`, or None when nothing on this machine can open it.

    A PDF goes to a viewer that can jump to the page (zathura, evince, okular) if one is
    installed, else to the system's opener. Text goes to $VISUAL/$EDITOR (at the line
    when the editor takes `+LINE`), else to `less`, else to the system's opener.
    """
    env = os.environ if environ is None else environ
    target = str(path)
    if path.suffix.lower() == ".pdf":
        if page is not None:
            if which("zathura"):
                return OpenCommand(["zathura", "-P", str(page), target], False)
            if which("evince"):
                return OpenCommand(["evince", "-i", str(page), target], False)
            if which("okular"):
                return OpenCommand(["okular", "-p", str(page), target], False)
        return _system_opener(target, which, platform)
    is_text = path.suffix.lower() in TEXT_SUFFIXES
    editor = env.get("VISUAL") or env.get("EDITOR")
    if editor and is_text:
        argv = shlex.split(editor)
        if line and Path(argv[0]).name in _PLUS_LINE:
            argv.append(f"+{line}")
        return OpenCommand([*argv, target], True)
    if is_text and which("less"):
        return OpenCommand(["less", *([f"+{line}"] if line else []), target], True)
    return _system_opener(target, which, platform)


def _system_opener(
    target: str, which: Callable[[str], str | None], platform: str
) -> OpenCommand | None:
    opener = "open" if platform == "darwin" else "xdg-open"
    if which(opener):
        return OpenCommand([opener, target], False)
    return None
