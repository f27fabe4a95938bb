"""Markdown reader: sections by ATX and setext headings, with front matter as metadata;
pipe tables are table sections (ingest/tables.py), "Label: value" lines forms.

A small line scanner instead of a Markdown library: all we need is where headings are,
which means knowing which lines sit inside fenced code (a `# comment` in a shell snippet
is not a heading) and nothing about inline markup.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Document, Section
from ingest.readers import ReadOptions, reader
from ingest.readers._decode import decode_text
from ingest.tables import table_section, text_sections

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Lines that start their own block, so a `---` under them is not a setext underline.
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-*+>|]|\d+[.)]\s|#)|^ {4}|^\t")
_DELIMITER_ROW = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_FRONT_MATTER_KEY = re.compile(r"^([A-Za-z_][\w .-]*?)\s*[:=]\s*(.*)$")


@reader(".md", ".markdown")
def read_markdown(data: bytes, path: Path, options: ReadOptions) -> Document:
    text = decode_text(data)
    metadata, body = split_front_matter(text)
    return Document(sections=split_sections(body), metadata=metadata)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Take a leading `---` (YAML) or `+++` (TOML) block's simple `key: value` lines.

    Only flat scalar keys are kept: lists and nested maps have no single string form, and
    a real YAML parser would be a dependency for a handful of title/author/date fields.
    Without a closing delimiter the opening `---` is a thematic break, not front matter.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, text
    closers = ("---", "...") if lines[0].strip() == "---" else ("+++",)
    for end in range(1, len(lines)):
        if lines[end].strip() in closers:
            break
    else:
        return {}, text
    metadata: dict[str, str] = {}
    for line in lines[1:end]:
        if line[:1].isspace() or line.lstrip().startswith(("#", "-")):
            continue
        match = _FRONT_MATTER_KEY.match(line.strip())
        if match and match.group(2):
            metadata[match.group(1).strip()] = _unquote(match.group(2).strip())
    return metadata, "".join(lines[end + 1 :])


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def split_sections(text: str) -> list[Section]:
    """One section per heading, carrying the path of headings above it, outermost first."""
    lines = text.splitlines()
    stack: list[tuple[int, str]] = []  # (level, title) of the open headings
    sections: list[Section] = []
    body: list[str] = []
    fence: str | None = None  # the opening fence while inside fenced code

    def flush() -> None:
        if "".join(body).strip():
            headings = tuple(title for _, title in stack if title)
            sections.extend(_blocks(body, headings))
        body.clear()

    def open_heading(level: int, title: str) -> None:
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))

    for i, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence is not None:
            body.append(line)
            if _closes_fence(line, fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            body.append(line)
            continue
        atx = _ATX.match(line)
        if atx:
            open_heading(len(atx.group(1)), (atx.group(2) or "").strip())
            body.append(line)
            continue
        if _is_setext_underline(lines, i) and body:
            title = body.pop()
            open_heading(1 if line.strip()[0] == "=" else 2, title.strip())
            body.extend([title, line])
            continue
        body.append(line)
    flush()
    return sections


def _blocks(lines: list[str], headings: tuple[str, ...]) -> list[Section]:
    """A heading's lines as sections: pipe tables (outside fenced code) as tables, runs of
    "Label: value" lines as forms, the rest as text."""
    sections: list[Section] = []
    text: list[str] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        fence_match = _FENCE.match(line)
        if fence is not None or fence_match:
            if fence is None and fence_match:
                fence = fence_match.group(1)
            elif fence is not None and _closes_fence(line, fence):
                fence = None
            text.append(line)
            i += 1
            continue
        end = _table_end(lines, i)
        if end == i:
            text.append(line)
            i += 1
            continue
        sections.extend(_prose(text, headings))
        text = []
        grid = [_pipe_cells(row) for row in [lines[i], *lines[i + 2 : end]]]
        if table := table_section(grid, headings, header_rows=1):
            sections.append(table)
        i = end
    sections.extend(_prose(text, headings))
    return sections


def _prose(lines: list[str], headings: tuple[str, ...]) -> list[Section]:
    text = "\n".join(lines).strip("\n")
    return text_sections(text, headings) if text.strip() else []


def _table_end(lines: list[str], i: int) -> int:
    """Where a pipe table starting at line i (a header row, then a `|---|` delimiter
    row) ends; i itself where none starts."""
    if "|" not in lines[i] or i + 1 >= len(lines) or not _DELIMITER_ROW.match(lines[i + 1]):
        return i
    end = i + 2
    while end < len(lines) and "|" in lines[end] and lines[end].strip():
        end += 1
    return end


def _pipe_cells(row: str) -> list[str]:
    """A pipe table row's cells, without the outer pipes; `\\|` is a pipe inside a cell."""
    cells = re.split(r"(?<!\\)\|", row.strip().removeprefix("|").removesuffix("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def _closes_fence(line: str, fence: str) -> bool:
    """Only a run of the same character, at least as long, with nothing after it closes."""
    match = _FENCE.match(line)
    return (
        match is not None
        and match.group(1)[0] == fence[0]
        and len(match.group(1)) >= len(fence)
        and not line.strip(fence[0] + " \t")
    )


def _is_setext_underline(lines: list[str], i: int) -> bool:
    """`===`/`---` right under a one-line paragraph; after a blank line `---` is a rule."""
    if i == 0 or not _SETEXT.match(lines[i]):
        return False
    title = lines[i - 1]
    if not title.strip() or _NOT_PARAGRAPH.match(title) or _SETEXT.match(title):
        return False
    # A multi-line paragraph would make the whole paragraph the heading; such headings are
    # rare enough that treating the underline as text loses nothing worth the complexity.
    return i == 1 or not lines[i - 2].strip()
