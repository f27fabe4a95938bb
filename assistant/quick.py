"""One-shot commands done before Typer loads: a `search` that a running owner answers,
and every plain `ask`.

With an owner running (`watch`, `serve`...), its search answer takes 0.02 s; what took the
rest of a one-shot `search` was this process starting: the Typer app's imports, and Typer
coercing each option through pydantic. A one-shot `ask` pays the same ~0.1 s on top of
its own work (the index, the model), against a one-second budget. So
`assistant.cli.main` hands its arguments here first. A plain command line (the global
options, the command, its text, and the command's options below, in any order, `--opt
value` or `--opt=value`) is done with only what the work itself needs loaded, and printed
by the same code as the Typer command prints with: a `search` where the data dir's owner
listens, an `ask` always (`assistant.owner.oneshot` asks the owner or does it here).
Anything else — another command, --help, --debug, --mode, a value that is not plain,
vectors on a Chroma server, no owner for a search, an owner that stopped — returns False,
and the Typer app does it all as before: this lane reads a subset of what Typer reads
(tests/test_quick.py holds its options to the commands' own).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.pathnames import json_text

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.settings import Settings

SEARCH_SNIPPET_CHARS = 300  # `search` shows more of each passage: it is all there is
SOURCE_SNIPPET_CHARS = 160  # under an answer, a reminder of each source
QUOTE_SNIPPET_CHARS = 240  # under an answer, the sentence of a source a statement rests on

# The options read, by their spelling: before the command (the app's own) and after it.
GLOBAL_OPTIONS = {"--data-dir": "data_dir", "--config": "config", "--chroma-url": "chroma_url"}
GLOBAL_ENV = {"data_dir": "ASSISTANT_DATA_DIR", "config": "ASSISTANT_CONFIG"}
FILTER_OPTIONS = {"--k": "k", "--in": "within", "--type": "types"}
COMMAND_OPTIONS = {
    "search": FILTER_OPTIONS,
    "ask": {
        **FILTER_OPTIONS,
        "--backend": "backend",
        "--model": "model",
        "--model-path": "model_path",
        "--answer": "answer_mode",
    },
}
FLAGS = {"--json": "as_json"}  # every command's here


@dataclass
class Line:
    """A one-shot command line, read: the command, its text (QUERY, QUESTION), the
    global options and the command's own (fields named as Typer names them)."""

    command: str
    text: str | None = None
    data_dir: str | None = None
    config: str | None = None
    chroma_url: str | None = None
    k: str | None = None
    within: str | None = None
    types: list[str] = field(default_factory=list)
    answer_flags: dict[str, str] = field(default_factory=dict)  # ask's --backend...
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


def set_up_logging(command: str | None, debug: bool = False) -> None:
    """Warnings only (everything with --debug). The first command on a CPU makes the int8
    model (about 10 s, once): it says so rather than sit silent, except in the terminal UI,
    whose screen a log line would tear, and where the sync's listener says it (ingest,
    watch: a line of their own)."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not debug and command not in (None, "chat", "ingest", "watch"):
        logging.getLogger("ingest.embed.onnx_export").setLevel(logging.INFO)


def read(args: Sequence[str]) -> Line | None:
    """The command line `args` give, or None where it is not a plain one of the commands
    this lane does (Typer reads it instead: the same answer, or its own error)."""
    line = Line(command="")
    options = GLOBAL_OPTIONS
    tokens = iter(args)
    for token in tokens:
        if options is GLOBAL_OPTIONS and token in COMMAND_OPTIONS:
            line.command, options = token, COMMAND_OPTIONS[token]
        elif options is not GLOBAL_OPTIONS and token in FLAGS:
            setattr(line, FLAGS[token], True)
        elif token.startswith("-"):
            name, _, value = token.partition("=") if "=" in token else (token, "", None)
            if name not in options:
                return None
            value = next(tokens, None) if value is None else value
            if not value or value.startswith("-"):
                return None
            if options[name] == "types":
                line.types.append(value)
            elif hasattr(line, options[name]):
                setattr(line, options[name], value)
            else:
                line.answer_flags[options[name]] = value
        elif options is not GLOBAL_OPTIONS and line.text is None:
            line.text = token
        else:
            return None  # a command this lane does not do, or a second QUERY
    if not line.command or not (line.text or "").strip():
        return None  # no text: Typer's error says what to give
    if line.k is not None and not (line.k.isascii() and line.k.isdigit()):
        return None
    return line


def answered(args: Sequence[str]) -> bool:
    """Do `args` if they are a plain `ask`, or a plain `search` an owner answers; else
    False."""
    line = read(args)
    if line is None:
        return False
    from assistant.settings import load_settings

    global_paths = {
        name: Path(value)
        for name in GLOBAL_ENV
        if (value := getattr(line, name) or os.environ.get(GLOBAL_ENV[name]))
    }
    base = load_settings(
        config_file=global_paths.get("config"),
        data_dir=global_paths.get("data_dir"),
        chroma_url=line.chroma_url,
    )
    cfg = base.replace(k=None if line.k is None else int(line.k))
    if line.command == "search":
        return _searched_by_owner(cfg, line)
    set_up_logging(line.command)
    ask(cfg, line.text or "", line.answer_flags, line.within, line.types, line.as_json)
    return True


def _searched_by_owner(cfg: Settings, line: Line) -> bool:
    from assistant.owner.client import find_owner
    from assistant.owner.protocol import OwnerGone, search_request

    found = None if cfg.chroma_url else find_owner(cfg.data_dir)
    if found is None:
        return False
    request = search_request(line.text or "", cfg.k, line.within, line.types, "hybrid")
    try:
        sources = found.call("search", request)
    except OwnerGone:
        return False  # it stopped: Typer's path finds the next owner or becomes it
    print_search(sources, line.as_json)
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


def ask(
    cfg: Settings,
    question: str,
    answer_flags: dict[str, Any],
    within: str | None,
    types: Sequence[str],
    as_json: bool,
) -> None:
    """`ask`: who answers, on stderr (and a count of the tokens a model writes, in a
    terminal), then the checked answer."""
    from assistant.owner import oneshot
    from ingest.words import plural

    def started(chosen: tuple[str, str] | None) -> None:
        if not as_json:
            err(
                f"answering with {chosen[0]} ({chosen[1]}); every statement is checked"
                if chosen is not None
                else "answering with quotes from the documents (extractive: no model)"
            )

    progress = sys.stderr.isatty() and not as_json
    written = 0

    def token(_token: str) -> None:
        nonlocal written
        written += 1
        if progress:
            sys.stderr.write(f"\rwriting … {plural(written, 'token')}")
            sys.stderr.flush()

    answer = oneshot.ask(cfg, err, question, answer_flags, within, types, started, token)
    if progress and written:
        sys.stderr.write("\r\033[K")
    if as_json:
        emit_json(answer.as_dict())
        return
    print_answer(answer)


def print_answer(answer: Answer) -> None:
    """The checked answer, what did not hold up and why, then its sources and quotes."""
    from assistant.text import snippet

    echo(answer.text)
    unsupported = [s for s in answer.statements if not s.supported]
    if unsupported:
        echo("\nNot supported by the documents (the model's words, not theirs):")
        for statement in unsupported:
            echo(f"  - {statement.text} ({statement.reason})")
    cited = [s for s in answer.sources if s.cited]
    if cited:
        echo("\nSources:")
        for source in cited:
            echo(
                f"  [{source.n}] {source.passage.location()}"
                + (f" · {source.passage.heading}" if source.passage.headings else "")
            )
            for line in source.quotes:
                echo(f"      \u201c{snippet(line, QUOTE_SNIPPET_CHARS)}\u201d")
    others = [s for s in answer.sources if not s.cited]
    if others:
        echo("\nPassages found (none cited):")
        for source in others:
            echo(f"  [{source.n}] {source.passage.location()}")
            echo(f"      {snippet(source.passage.text, SOURCE_SNIPPET_CHARS)}")
    if answer.unknown_citations:
        err(
            "note: the model cited passages that do not exist: "
            + ", ".join(f"[{n}]" for n in answer.unknown_citations)
            + " (its citations are replaced by the system's)"
        )
