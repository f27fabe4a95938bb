"""The quick lane of a one-shot `search` and `ask` (assistant/quick.py) reads only what
the Typer commands read, the same way, and hands everything else to Typer.

The answer it gets from a running owner, and that it loads none of the heavy modules,
is checked with a real watcher in tests/test_owner.py
(test_readers_and_a_second_writer_ask_a_running_watcher).
"""

from __future__ import annotations

import pytest
import typer.main

from assistant import quick
from assistant.commands import app


def typer_options(command: str | None) -> dict[str, object]:
    """The options of `command` (None: the app's own), by spelling, as click sees them."""
    group = typer.main.get_command(app)
    params = group.commands[command].params if command else group.params  # type: ignore[attr-defined]
    return {name: p for p in params for name in getattr(p, "opts", ())}


@pytest.mark.parametrize(
    ("command", "known"),
    [
        (None, {**quick.GLOBAL_OPTIONS}),
        *((name, {**options, **quick.FLAGS}) for name, options in quick.COMMAND_OPTIONS.items()),
    ],
)
def test_every_option_the_quick_lane_reads_is_the_commands_own(command, known) -> None:  # type: ignore[no-untyped-def]
    options = typer_options(command)
    for spelling, name in known.items():
        param = options[spelling]
        assert param.name == name
        assert bool(getattr(param, "multiple", False)) == (name == "types")
        assert bool(getattr(param, "is_flag", False)) == (spelling in quick.FLAGS)


def test_the_lane_does_search_and_ask() -> None:
    assert set(quick.COMMAND_OPTIONS) == {"search", "ask"}


def test_the_global_options_environment_variables_are_the_apps() -> None:
    options = typer_options(None)
    for spelling, name in quick.GLOBAL_OPTIONS.items():
        assert options[spelling].envvar == quick.GLOBAL_ENV.get(name)


def test_a_plain_search_is_read_in_any_order_and_spelling() -> None:
    read = quick.read(
        [
            "--data-dir=/d",
            "--config",
            "/c.toml",
            "search",
            "--k",
            "3",
            "owls at night",
            "--type",
            "pdf",
            "--in=notes",
            "--type=md",
            "--json",
        ]
    )
    assert read == quick.Line(
        command="search",
        text="owls at night",
        data_dir="/d",
        config="/c.toml",
        k="3",
        within="notes",
        types=["pdf", "md"],
        as_json=True,
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["search"],  # no QUERY: Typer says so
        ["--help"],
        ["search", "--help"],
        ["--debug", "search", "q"],
        ["search", "q", "--mode", "keyword"],
        ["search", "q", "more"],  # a second QUERY: Typer's error
        ["search", "-q"],
        ["search", "q", "--k"],
        ["search", "q", "--k", "three"],
        ["search", "q", "--k", "-1"],
        ["search", "q", "--in="],
        ["search", "q", "--json=yes"],
        ["ask"],  # no QUESTION
        ["ask", "  "],  # a blank one: Typer's one-line usage error
        ["ask", "q", "--answer"],
        ["ask", "q", "--stream"],
        ["ask", "q", "--mode", "keyword"],  # search's, not ask's
        ["status", "--json"],
        ["--json", "search", "q"],  # --json is search's, not the app's
        ["search", "q", "--data-dir", "/d"],  # the app's, not search's
    ],
)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert quick.read(args) is None


def test_a_plain_ask_is_read_with_its_answer_options() -> None:
    read = quick.read(
        ["ask", "--answer=extractive", "When does the lease end?", "--backend", "llamacpp"]
        + ["--model-path", "/m.gguf", "--in", "*.pdf", "--k", "4", "--json"]
    )
    assert read == quick.Line(
        command="ask",
        text="When does the lease end?",
        k="4",
        within="*.pdf",
        answer_flags={"answer_mode": "extractive", "backend": "llamacpp", "model_path": "/m.gguf"},
        as_json=True,
    )


def test_no_owner_is_left_to_typer(data_dir) -> None:  # type: ignore[no-untyped-def]
    assert quick.answered(["--data-dir", str(data_dir), "search", "owls"]) is False


def test_the_typer_app_loads_the_sync_only_for_ingest_and_watch() -> None:
    """Every other command (ask, status...) went through importing the sync for the
    progress printers: now in assistant.progress, imported by those two commands."""
    import subprocess
    import sys

    code = "import sys, assistant.commands; print('ingest.sync' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_one_shot_ask_answers_without_loading_typer(cli, small) -> None:  # type: ignore[no-untyped-def]
    """The whole `assistant ask` in its own process, as a person runs it: quoted, cited,
    exit 0, and neither Typer (about 0.1 s of the one-second budget) nor chromadb's Python
    layer (0.4 s: the store opens on its engine alone, ingest.store.reader) imported."""
    import subprocess
    import sys

    assert cli("ingest", str(small), "--quiet").exit_code == 0
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        "main(sys.argv[1:])\n"
        "print('TYPER', 'typer' in sys.modules, file=sys.stderr)\n"
        "print('CHROMADB', 'chromadb' in sys.modules, file=sys.stderr)\n"
    )
    question = "When does the bell by the gate ring?"
    done = subprocess.run(
        [sys.executable, "-c", code, "ask", "--answer", "extractive", question],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "rings for lunch" in done.stdout
    assert "one.md" in done.stdout
    assert "answering with quotes from the documents" in done.stderr
    assert "TYPER False" in done.stderr
    assert "CHROMADB False" in done.stderr
