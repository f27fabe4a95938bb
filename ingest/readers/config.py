"""Config file readers (.toml, .yaml/.yml, .json): a section per table or top-level key.

A question about a setting ("which port does the proxy use") then finds the block that
sets it under the block's name. TOML and YAML are split on their own lines, as written
(comments kept, no parser needed); JSON is parsed, and each top-level key's value shown
indented under it. Short top-level settings stay together in one section.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, reader, short_reason
from ingest.readers._decode import decode_text

_TOML_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_YAML_KEY = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#'"\-][^:#]*?))\s*:(?:\s|$)""")


@reader(".toml")
def read_toml(data: bytes, path: Path, options: ReadOptions) -> Document:
    sections: list[Section] = []
    name: tuple[str, ...] = ()
    body: list[str] = []
    for line in decode_text(data).splitlines():
        table = _TOML_TABLE.match(line)
        if table:
            _flush(sections, body, name)
            name = (table.group(1),)
        body.append(line)
    _flush(sections, body, name)
    return Document(sections=sections, engine="config")


@reader(".yaml", ".yml")
def read_yaml(data: bytes, path: Path, options: ReadOptions) -> Document:
    """Each top-level key with a nested block is a section under the key; one-line keys
    gather in the section around them; `---` starts a new document."""
    sections: list[Section] = []
    loose: list[str] = []  # one-line settings and comments at the top level
    block: list[str] = []
    key = ""

    def close_block() -> None:
        if len(block) > 1:
            _flush(sections, loose, ())
            _flush(sections, block, (key,))
        else:
            loose.extend(block)
            block.clear()

    for line in decode_text(data).splitlines():
        top = _YAML_KEY.match(line)
        if top or line.strip() == "---":
            close_block()
            if top:
                key = next(g for g in top.groups() if g).strip()
                block.append(line)
            else:
                _flush(sections, loose, ())
        elif block and (line[:1].isspace() or not line.strip() or line.startswith("-")):
            block.append(line)
        else:
            close_block()
            loose.append(line)
    close_block()
    _flush(sections, loose, ())
    return Document(sections=sections, engine="config")


@reader(".json")
def read_json(data: bytes, path: Path, options: ReadOptions) -> Document:
    text = decode_text(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"malformed JSON: {short_reason(exc)}") from exc
    if not isinstance(value, dict):
        return Document(sections=[Section(text=_dump(value))], engine="config")
    sections: list[Section] = []
    loose: list[str] = []
    for key, item in value.items():
        shown = f"{json.dumps(key, ensure_ascii=False)}: {_dump(item)}"
        if isinstance(item, dict | list) and item:
            _flush(sections, loose, ())
            sections.append(Section(text=shown, headings=(str(key),)))
        else:
            loose.append(shown)
    _flush(sections, loose, ())
    return Document(sections=sections, engine="config")


def _dump(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _flush(sections: list[Section], lines: list[str], headings: tuple[str, ...]) -> None:
    text = "\n".join(lines).strip("\n")
    if text.strip():
        sections.append(Section(text=text, headings=headings))
    lines.clear()
