"""The CLI tells the truth: usage errors are exit 2 in one line, `forget` says what a later
ingest does, an ingest with failed files exits 8, `search` prints the score that ranked
its results, counts agree with their nouns, and the progress of an ingest is its real
progress (the bar moves as files are read; the one-time model step is its own line and
in no file's time). Real index, real files, the real embedding model."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

from conftest import ROOT, write

from ingest.sync import Change, SyncListener


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- 6: usage errors ---------------------------------------------------------------------


def test_an_empty_question_is_a_usage_error(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    """It used to answer "The documents do not say ..." with exit 0."""
    assert cli("ingest", str(small), "--quiet").exit_code == 0
    for question in ("", "   ", "\n\t"):
        result = cli("ask", question)
        assert result.exit_code == 2, result.stdout
        assert "give a question" in one_line(result.stderr)
        assert result.stdout == ""


def test_forget_of_a_path_not_in_the_index_is_a_usage_error(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    """It used to print "0 files removed" with exit 0; a typo next to a real path removes
    nothing either."""
    assert cli("ingest", str(small), "--quiet").exit_code == 0
    for paths in (["/no/such/path"], [str(small / "one.md"), str(small / "tow.txt")]):
        result = cli("forget", *paths)
        assert result.exit_code == 2
        assert "nothing in the index is at or under this path" in one_line(result.stderr)
    assert json.loads(cli("status", "--json").stdout)["files"] == 2


def test_forget_says_a_later_ingest_puts_the_file_back_and_how_to_keep_it_out(  # type: ignore[no-untyped-def]
    cli, small: Path, tmp_path: Path
) -> None:
    assert cli("ingest", str(small), "--quiet").exit_code == 0
    forgot = cli("forget", str(small / "one.md"))
    assert forgot.exit_code == 0
    assert forgot.stdout.strip() == "1 file removed from the index"
    note = one_line(forgot.stderr)
    assert "`assistant ingest`" in note and "`ignore`" in note and ".assistantignore" in note
    # What it says is so: the next ingest puts it back ...
    again = json.loads(cli("ingest", "--json", str(small)).stdout)
    assert again["added"] == 1
    # ... and an .assistantignore line keeps it out for good.
    (small / ".assistantignore").write_text("one.md\n")
    assert cli("forget", str(small / "one.md")).exit_code == 0
    assert json.loads(cli("ingest", "--json", str(small)).stdout)["added"] == 0
    assert json.loads(cli("status", "--json").stdout)["files"] == 1
    # A file that is gone from the disk does not come back: no note then.
    (small / "two.txt").unlink()
    gone = cli("forget", str(small / "two.txt"))
    assert gone.exit_code == 0 and gone.stderr == ""


# -- 7: an ingest that left files out ------------------------------------------------------


def test_an_ingest_with_failed_files_exits_8(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(small)).exit_code == 0
    write(small, "bad.pdf", "not a pdf at all")
    plain = cli("ingest", str(small))
    assert plain.exit_code == 8
    assert "1 failed" in plain.stdout and "bad.pdf: failed:" in plain.stderr
    write(small, "bad.pdf", "still not a pdf")  # a failed file is read again once it changes
    as_json = cli("ingest", "--json", str(small))
    assert as_json.exit_code == 8 and len(json.loads(as_json.stdout)["failed"]) == 1
    (small / "bad.pdf").unlink()
    assert cli("ingest", str(small)).exit_code == 0


def test_exit_8_is_documented() -> None:
    from assistant.errors import SOME_FILES_FAILED

    page = (ROOT / "docs" / "cli.md").read_text()
    assert re.search(rf"^\| {SOME_FILES_FAILED} \| .*failed", page, re.MULTILINE)


# -- 10: search's score -------------------------------------------------------------------


def test_search_prints_the_score_that_ranked_it(cli, docs: Path) -> None:  # type: ignore[no-untyped-def]
    """It printed each passage's cosine ([1] 0.06 above [2] 0.23): not what ordered them."""
    assert cli("ingest", str(docs), "--quiet").exit_code == 0
    query = "cider press cost"
    printed = cli("search", query, "--k", "5").stdout
    found = json.loads(cli("search", query, "--k", "5", "--json").stdout)
    shown = [float(s) for s in re.findall(r"^\[\d+\] .*\(rank score ([\d.]+)\)$", printed, re.M)]
    assert len(shown) == len(found) >= 2
    assert shown == sorted(shown, reverse=True)
    assert shown == [round(s["rank_score"], 4) for s in found]
    helped = " ".join(cli("search", "--help").stdout.split())
    assert "rank score" in helped and "reciprocal rank fusion" in helped


# -- 11: counts and nouns -------------------------------------------------------------------


def test_plural_agrees_with_its_count() -> None:
    from ingest.words import plural

    assert plural(1, "chunk") == "1 chunk"
    assert plural(0, "chunk") == "0 chunks"
    assert plural(2, "file") == "2 files"
    assert plural(1, "match", "matches") == "1 match"
    assert plural(3, "match", "matches") == "3 matches"


def test_one_of_a_thing_is_said_in_the_singular(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "one"
    write(folder, "note.md", "# Note\n\nThe ladder is in the barn.\n")
    ingested = cli("ingest", str(folder))
    assert "; 1 chunk embedded in " in ingested.stdout
    assert re.search(r"^added +\S+note\.md \(1 chunk, [\d.]+ s\)$", ingested.stderr, re.M)
    assert cli("forget", str(folder)).stdout.strip() == "1 file removed from the index"


# -- 9: progress ---------------------------------------------------------------------------


class Recorder(SyncListener):
    """Every callback, in order, as the sync makes them (reads come from its own thread)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def planned(self, files: int) -> None:
        self.events.append(("planned", files))

    def file_read(self, path: str) -> None:
        self.events.append(("read", path))

    def chunks_embedded(self, count: int) -> None:
        self.events.append(("embedded", count))

    def file_done(self, change: Change | None) -> None:
        self.events.append(("done", change))


def test_each_file_is_reported_when_it_is_read(
    docs: Path, embedder: object, tmp_path: Path
) -> None:
    """The bar sat at 0 files until the first batch was embedded and written (after ~20 s
    on a first run), then jumped; now every file moves it once read."""
    from assistant import library
    from assistant.settings import Settings

    recorder = Recorder()
    report = library.ingest(Settings(data_dir=tmp_path / "data"), [docs], recorder)
    kinds = [kind for kind, _ in recorder.events]
    read = [path for kind, path in recorder.events if kind == "read"]
    assert report.added >= 5 and sorted(read) == sorted({str(p) for p in read})
    assert len(read) == report.added + len(report.failed)
    assert kinds.index("read") < kinds.index("embedded") < kinds.index("done")


def test_the_bar_moves_per_read_and_gives_an_eta_once_files_finish() -> None:
    """The terminal's bar (rich, to a console in memory), driven as a sync drives it."""
    from rich.console import Console

    from assistant.progress import ProgressBar

    out = StringIO()
    bar = ProgressBar(console=Console(file=out, width=200))
    task = bar.progress.tasks[0]
    bar.planned(3)
    bar.model_step("the int8 copy of all-MiniLM-L6-v2 for this CPU")
    bar.file_read("/d/a.md")
    bar.file_read("/d/b.md")
    assert task.completed == 2 and bar.eta() == ""  # no file finished: no rate yet
    bar.model_ready("the int8 copy of all-MiniLM-L6-v2 for this CPU", 9.5)
    bar.chunks_embedded(7)
    assert task.fields["chunks"] == "7 chunks" and "chunks/s" in task.fields["rate"]
    bar.file_done(Change("added", "/d/a.md", chunks=4, seconds=0.2))
    assert task.completed == 2 and bar.eta().startswith("· ETA ")
    bar.file_done(Change("removed", "/d/gone.md"))  # never read: it moves the bar when done
    assert task.completed == 3
    lines = out.getvalue().splitlines()
    assert "making the int8 copy of all-MiniLM-L6-v2 for this CPU, once (about 10 s) …" in lines
    assert "made the int8 copy of all-MiniLM-L6-v2 for this CPU in 9.5 s" in lines


def test_the_model_step_is_its_own_line_and_in_no_files_time(tmp_path: Path) -> None:
    """A first ingest in a fresh process and data dir makes the int8 model for real: said
    once, on its own line, before the files' lines; every file's time is its own (about
    22 s each before, the model's making included)."""
    docs = tmp_path / "docs"
    for n in range(3):
        write(docs, f"note{n}.md", f"# Note {n}\n\nThe ladder number {n} is in the barn.\n")
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(tmp_path / "data"), "ingest"]
        + [str(docs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    making = [n for n, line in enumerate(lines) if line.startswith("making the int8 copy")]
    made = [n for n, line in enumerate(lines) if line.startswith("made the int8 copy")]
    added = [n for n, line in enumerate(lines) if line.startswith("added ")]
    assert len(making) == 1 and len(made) == 1 and len(added) == 3, done.stderr
    assert making[0] < made[0] < added[0]
    model_seconds = float(re.search(r" in ([\d.]+) s$", lines[made[0]]).group(1))  # type: ignore[union-attr]
    file_seconds = [float(re.search(r", ([\d.]+) s\)$", lines[n]).group(1)) for n in added]  # type: ignore[union-attr]
    # Not a timing threshold: the one-time step is simply not part of any file's time.
    assert all(seconds < model_seconds for seconds in file_seconds), done.stderr


# -- issue 22: a document's control characters never reach the terminal raw ----------------

HOSTILE = "The gate code is 4417.\x1b]0;pwned\x07 Deliveries go to the side door.\x1b[2J\n"


def test_a_documents_escape_sequences_are_printed_escaped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A file's text holding a title-setting OSC sequence and a clear-screen: `search`,
    `ask`'s quotes, `summarize` and `status` print them as escapes; --json as JSON does."""
    folder = tmp_path / "notes"
    path = write(folder, "gate\x1b[31m.md", f"# Gate\x07 notes\n\n{HOSTILE}")
    assert cli("ingest", str(folder), "--quiet").exit_code == 0
    printed = [
        cli("search", "gate code deliveries"),
        cli("ask", "What is the gate code?", "--answer", "extractive"),
        cli("summarize", str(path), "--answer", "extractive"),
        cli("status"),
    ]
    for result in printed:
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, result.stdout
    for result in printed[:3]:
        assert "\\x1b]0;pwned\\x07" in result.stdout or "\\x1b[2J" in result.stdout
    found = json.loads(cli("search", "gate code deliveries", "--json").stdout)
    assert "\x1b]0;pwned\x07" in found[0]["text"]  # JSON escapes it itself (\u001b)
