"""Plain-text reader (.txt, .log, .org, .adoc, .rst): one section, or heading sections for reST."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Document, Section
from ingest.readers import ReadOptions, reader
from ingest.readers._decode import decode_text
from ingest.tables import text_sections

# reST adornment: one punctuation character repeated; the level is set by first use.
_RST_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.,_<>!$%&()/;?@\[\]\\{|}])\1{2,}\s*$")


@reader(".txt", ".text", ".log", ".org", ".adoc")
def read_text(data: bytes, path: Path, options: ReadOptions) -> Document:
    """One section per file (the chunker splits on paragraphs, so nothing is gained by
    more), but for its runs of "Label: value" lines, which are forms."""
    return Document(sections=text_sections(decode_text(data)))


@reader(".rst")
def read_rst(data: bytes, path: Path, options: ReadOptions) -> Document:
    """Split at underlined titles, so a chunk can name the reST section it came from."""
    return Document(sections=split_rst_sections(decode_text(data)))


def split_rst_sections(text: str) -> list[Section]:
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []  # adornment styles in order of first use = levels
    path: list[str] = []
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        if "".join(body).strip():
            sections.append(Section(text="\n".join(body).strip("\n"), headings=tuple(path)))
        body.clear()

    i = 0
    while i < len(lines):
        title, style, consumed = _rst_title_at(lines, i)
        if title is None or style is None:
            body.append(lines[i])
            i += 1
            continue
        flush()
        if style not in styles:
            styles.append(style)
        level = styles.index(style)
        del path[level:]
        path.append(title)
        body.append(title)
        i += consumed
    flush()
    return sections or [Section(text=text)]


def _rst_title_at(lines: list[str], i: int) -> tuple[str | None, tuple[str, bool] | None, int]:
    """A title at line i: overline+title+underline, or title+underline; else (None, None, 0)."""
    line = lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    after = lines[i + 2] if i + 2 < len(lines) else ""
    over = _RST_ADORNMENT.match(line)
    if over and nxt.strip() and _RST_ADORNMENT.match(after) and after.strip() == line.strip():
        return nxt.strip(), (over.group(1), True), 3
    prev_blank = i == 0 or not lines[i - 1].strip()
    under = _RST_ADORNMENT.match(nxt)
    if (
        prev_blank
        and line.strip()
        and not line[0].isspace()
        and not _RST_ADORNMENT.match(line)
        and under
        and len(nxt.rstrip()) >= len(line.rstrip())
    ):
        return line.strip(), (under.group(1), False), 2
    return None, None, 0
