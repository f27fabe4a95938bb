"""A one-shot `search` that a running owner answers, done before Typer loads.

With an owner running (`watch`, `serve`...), its answer takes 0.02 s; what took the rest
of a one-shot `search` was this process starting: the Typer app's imports, and Typer
coercing each option through pydantic. So `assistant.cli.main` hands its arguments here
first: a plain `search` (the global options, QUERY, --k, --in, --type, --json, in any
order, `--opt value` or `--opt=value`) for a data dir whose owner listens is answered
with only the settings and the socket client loaded, and printed by the same code as the
Typer command prints with. Anything else — another command, --help, --debug, --mode, a
value that is not plain, vectors on a Chroma server, no owner, an owner that stopped —
returns False, and the Typer app does it all as before: this lane reads a subset of what
Typer reads (tests/test_quick.py holds its options to the `search` command's own).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.pathnames import json_text

SEARCH_SNIPPET_CHARS = 300  # `search` shows more of each passage: it is all there is

# The options read, by their spelling: before the command (the app's own) and after it.
GLOBAL_OPTIONS = {"--data-dir": "data_dir", "--config": "config", "--chroma-url": "chroma_url"}
GLOBAL_ENV = {"data_dir": "ASSISTANT_DATA_DIR", "config": "ASSISTANT_CONFIG"}
SEARCH_OPTIONS = {"--k": "k", "--in": "within", "--type": "types"}
SEARCH_FLAGS = {"--json": "as_json"}


@dataclass
class Search:
    """A `search` command line, read."""

    query: str | None = None
    data_dir: str | None = None
    config: str | None = None
    chroma_url: str | None = None
    k: str | None = None
    within: str | None = None
    types: list[str] = field(default_factory=list)
    as_json: bool = False


def emit_json(data: Any) -> None:
    sys.stdout.write(json_text(data, indent=2) + "\n")


def err(message: str) -> None:
    sys.stderr.write(message + "\n")


def echo(text: str = "") -> None:
    """A line (or lines) of a command's output: what a document, a model or a file name
    put in it is shown escaped (assistant.text.printable), never as terminal control."""
    from assistant.text import printable

    sys.stdout.write(printable(text) + "\n")


def read(args: Sequence[str]) -> Search | None:
    """The search `args` ask for, or None where they are not a plain `search` (Typer
    reads them instead: the same answer, or its own error)."""
    read = Search()
    tokens = iter(args)
    options = GLOBAL_OPTIONS
    for token in tokens:
        if options is GLOBAL_OPTIONS and token == "search":
            options = SEARCH_OPTIONS
        elif options is SEARCH_OPTIONS and token in SEARCH_FLAGS:
            setattr(read, SEARCH_FLAGS[token], True)
        elif token.startswith("-"):
            name, _, value = token.partition("=") if "=" in token else (token, "", None)
            if name not in options:
                return None
            value = next(tokens, None) if value is None else value
            if not value or value.startswith("-"):
                return None
            if options[name] == "types":
                read.types.append(value)
            else:
                setattr(read, options[name], value)
        elif options is SEARCH_OPTIONS and read.query is None:
            read.query = token
        else:
            return None  # a command other than search, or a second QUERY
    if options is GLOBAL_OPTIONS or read.query is None:
        return None
    if read.k is not None and not (read.k.isascii() and read.k.isdigit()):
        return None
    return read


def answered(args: Sequence[str]) -> bool:
    """Answer `args` if they are a plain `search` and an owner listens; else False."""
    search = read(args)
    if search is None:
        return False
    from assistant.owner.client import find_owner
    from assistant.owner.protocol import OwnerGone, search_request
    from assistant.settings import load_settings

    global_paths = {
        name: Path(value)
        for name in GLOBAL_ENV
        if (value := getattr(search, name) or os.environ.get(GLOBAL_ENV[name]))
    }
    base = load_settings(
        config_file=global_paths.get("config"),
        data_dir=global_paths.get("data_dir"),
        chroma_url=search.chroma_url,
    )
    cfg = base.replace(k=None if search.k is None else int(search.k))
    found = None if cfg.chroma_url else find_owner(cfg.data_dir)
    if found is None:
        return False
    request = search_request(search.query or "", cfg.k, search.within, search.types, "hybrid")
    try:
        sources = found.call("search", request)
    except OwnerGone:
        return False  # it stopped: Typer's path finds the next owner or becomes it
    print_search(sources, search.as_json)
    return True


def print_search(sources: list[dict[str, Any]], as_json: bool) -> None:
    """`search`'s output: the JSON, or each passage's place, rank score, heading and text."""
    if as_json:
        emit_json(sources)
        return
    from assistant.text import file_location, snippet

    if not sources:
        echo("nothing relevant found")
        return
    for source in sources:
        where = file_location(
            source["path"], source["page"], source["page_end"], source["attachment"]
        )
        echo(f"[{source['n']}] {where}  (rank score {source['rank_score']:.4f})")
        if source["heading"]:
            echo(f"    {source['heading']}")
        echo("    " + snippet(source["text"], SEARCH_SNIPPET_CHARS))
