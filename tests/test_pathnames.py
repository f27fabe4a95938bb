"""File names as stored (lossless, valid Unicode) and as shown (one line, no terminal
control), and the CLI printing them that way everywhere it names a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from badfiles import binary_txt
from conftest import write

from ingest.pathnames import from_stored, shown, stored

NAMES = [
    "/plain/notes.md",
    "/caf\udce9/r\udce9sum\udce9.txt",  # Latin-1 bytes, as os.fsdecode gives them
    "/\ud800\udfff odd surrogates",
    "/private/\U0010f7ff\U0010f800\U0010ffff use",  # the characters `stored` uses itself
    "/日本語/ü.md",
]


@pytest.mark.parametrize("name", NAMES)
def test_stored_names_are_valid_unicode_and_read_back_exactly(name: str) -> None:
    text = stored(name)
    text.encode("utf-8")  # what SQLite and Chroma need
    assert from_stored(text) == name


def test_a_folders_stored_name_is_a_prefix_of_its_files() -> None:
    """The catalog finds a folder's files by the prefix of their stored path."""
    folder = "/caf\udce9/\U0010f900"
    assert stored(folder + "/x\udcff.md").startswith(stored(folder) + "/")


def test_shown_names_are_one_line_without_terminal_control() -> None:
    name = "/tmp/evil\x1b]0;owned\x07\nrm -rf ~\r\tx\u202egnp.exe r\udce9sum\udce9\x7f"
    out = shown(name)
    assert out == (
        "/tmp/evil\\x1b]0;owned\\x07\\nrm -rf ~\\r\\tx\\u202egnp.exe r\\xe9sum\\xe9\\x7f"
    )
    assert out.isprintable()
    assert shown("/plain/日本語 notes.md") == "/plain/日本語 notes.md"


EVIL = "bad\x1b[2J\nzorkname"


def _assert_clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    for line in text.splitlines():
        assert "zorkname" not in line or "\\x1b[2J\\nzorkname" in line, line


def test_the_cli_escapes_file_names_everywhere_it_prints_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    good = write(root, f"{EVIL}.md", "# Note\n\nThe bramblewick lantern hangs by the gate.\n")
    bad = binary_txt(root)
    bad.rename(root / f"{EVIL}.txt")
    odd = os.fsdecode(os.path.join(os.fsencode(root), b"r\xe9sum\xe9.txt"))
    Path(odd).write_text("The bramblewick key is under the pot.\n")

    ingested = cli("ingest", str(root))  # not a terminal: one line per file
    assert ingested.exit_code == 8, ingested.stderr  # done, one file failed
    _assert_clean(ingested.stderr)
    assert f"{root}/{shown(EVIL)}.txt: failed: binary data, not text" in ingested.stderr
    assert f"added    {root}/{shown(EVIL)}.md" in ingested.stderr
    assert f"added    {root}/r\\xe9sum\\xe9.txt" in ingested.stderr

    status = cli("status")
    _assert_clean(status.stdout)
    assert f"  {root}/{shown(EVIL)}.txt: failed: binary data, not text" in status.stdout

    found = cli("search", "bramblewick")
    _assert_clean(found.stdout)
    assert f"{shown(EVIL)}.md" in found.stdout and "r\\xe9sum\\xe9.txt" in found.stdout
    paths = {s["path"] for s in json.loads(cli("search", "bramblewick", "--json").stdout)}
    assert paths == {str(good), odd}

    answered = cli("ask", "where is the bramblewick lantern?", "--answer", "extractive")
    assert answered.exit_code == 0, answered.stderr
    _assert_clean(answered.stdout)
    assert f"{shown(EVIL)}.md" in answered.stdout

    missing = cli("ingest", str(root / f"{EVIL}-gone"))
    assert missing.exit_code != 0
    _assert_clean(missing.stderr)
    assert f"{shown(EVIL)}-gone: no such file or folder" in missing.stderr
