"""`assistant serve` and `assistant mcp` after the quick start's install, which has no
`serve` extra: one line saying what to install, exit 2, no traceback.

The extra is installed here (the other serve tests need it), so its absence is simulated:
the CLI runs in a subprocess whose `sys.meta_path` starts with a finder that refuses to
import FastAPI, uvicorn and the MCP SDK, as Python does when they are not installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WITHOUT_EXTRA = """
import sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"fastapi", "uvicorn", "mcp", "starlette"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from assistant.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("command", ["serve", "mcp"])
def test_without_the_serve_extra_one_line_says_what_to_install(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"`assistant {command}` needs the serve extra" in lines[0]
    assert "pip install" in lines[0] and "[serve]" in lines[0]
    assert done.stdout == ""


def test_without_the_serve_extra_ingest_and_search_work(tmp_path: Path) -> None:
    """The quick start's install: one-shot commands reach the server's Service (it is what
    owns the index for a run), so nothing on that path may import the web framework (an
    error-shape import pulled in starlette and `assistant ingest` died of it)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.md").write_text("# Cider\n\nThe new cider press cost 3,275 pounds.\n")
    for args in (["ingest", str(folder)], ["search", "cider press", "--json"]):
        done = subprocess.run(
            [sys.executable, "-c", WITHOUT_EXTRA, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert "3,275 pounds" in done.stdout
