"""One owner per data dir: only the process holding the owner lock opens the embedded
vector store; the others ask it over its socket, wait for it, or become it for one run.

Every test runs real processes (the CLI as a user runs it, or a short Python holding the
lock) on a real data dir indexed with the real model; the socket is a Unix one in it.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT
from owner_stress import watching

from assistant.owner.protocol import socket_path
from ingest.store import Index, owner
from ingest.store.owner import NotOwner, StoreOwned
from ingest.store.vectors import open_client


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_OWNER_WAIT": "60"}


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
        cwd=ROOT,
    )


@contextmanager
def process(code: str) -> Iterator[subprocess.Popen[str]]:
    """A Python process running `code` that prints "held" once it holds what it holds,
    then waits for its stdin to close; ended by its own pid."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env(),
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def watcher(folder: Path, data_dir: Path, log: Path):  # type: ignore[no-untyped-def]
    """`assistant watch FOLDER` in the background, once it answers on its socket."""
    return watching(env(), folder, data_dir, log)


@pytest.fixture
def indexed(cli, docs: Path, data_dir: Path, embedder) -> Path:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(docs)).exit_code == 0
    assert not owner.owns(data_dir)  # the ingest let go of the store when it ended
    return docs


HOLD_INDEX = """
    import sys
    from pathlib import Path
    from ingest.store import Index
    index = Index(Path({data_dir!r}))
    index.vectors.count()
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_process_cannot_open_the_embedded_store(indexed, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with process(HOLD_INDEX.format(data_dir=str(data_dir))) as holder:
        index = Index(data_dir)
        try:
            with pytest.raises(StoreOwned, match=f"process {holder.pid}"):
                index.vectors.count()
        finally:
            index.close()
        with pytest.raises(NotOwner):
            open_client(data_dir / "chroma")
        assert owner.holder(data_dir)["pid"] == holder.pid
    # Freed when the holder ends; and a holder killed with -9 frees it too (the kernel).
    with process(HOLD_INDEX.format(data_dir=str(data_dir))) as holder:
        holder.kill()
        holder.wait(timeout=30)
    index = Index(data_dir)
    try:
        assert index.vectors.count() == index.catalog.counts()["chunks"] > 0
    finally:
        index.close()
    assert not owner.owns(data_dir)


def test_a_one_shot_waits_for_another_one_shot_saying_for_what(cli, indexed, data_dir) -> None:  # type: ignore[no-untyped-def]
    code = f"""
        import time
        from pathlib import Path
        from ingest.store import owner
        owner.claim(Path({str(data_dir)!r}), "search")
        print("held", flush=True)
        time.sleep(2)
    """
    with process(code) as holder:
        result = cli("search", "membership fees", "--json")
        assert result.exit_code == 0, result.stderr
        assert result.stderr.count("waiting for process") == 1
        assert f"process {holder.pid} (search)" in result.stderr
        assert '"path"' in result.stdout


def test_a_holder_that_never_frees_it_ends_the_wait_with_one_clear_line(
    cli, indexed, data_dir, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from assistant.owner import route

    monkeypatch.setattr(route, "WAIT_SECONDS", 0.5)
    code = f"""
        import sys
        from pathlib import Path
        from ingest.store import owner
        owner.claim(Path({str(data_dir)!r}), "repair")
        print("held", flush=True)
        sys.stdin.read()
    """
    with process(code) as holder:
        result = cli("search", "membership fees")
    assert result.exit_code == StoreOwned.exit_code
    assert f"in use by process {holder.pid} (repair) after waiting" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # the wait, then the error


# The Typer command alone, without the quick lane of assistant.cli.main.
TYPER_SEARCH = (
    "import sys; from assistant.commands import app\n"
    "app(args=sys.argv[1:], prog_name='assistant', standalone_mode=False)\n"
)


def test_readers_and_a_second_writer_ask_a_running_watcher(
    indexed: Path, data_dir: Path, tmp_path: Path
) -> None:
    more = tmp_path / "more"
    more.mkdir()
    (more / "owls.md").write_text("# Owls\n\nThe barn owl hunts voles at night by sound.\n")
    with watcher(indexed, data_dir, tmp_path / "watch.log") as watching:
        assert stat.S_IMODE(socket_path(data_dir).stat().st_mode) == 0o600  # only the user
        # The one-shot imports no vector library and loads no model: the owner answers;
        # nor Typer, pydantic, the sync or the rest of the CLI (assistant/quick.py).
        heavy = (
            *("chromadb", "onnxruntime", "torch", "numpy", "typer", "pydantic"),
            *("ingest.sync", "ingest.store", "ingest.embed", "assistant.models"),
            *("assistant.commands", "assistant.retrieve", "assistant.owner.route"),
        )
        probe = (
            "import sys; from assistant.cli import main\n"
            "try:\n    main(['search', 'membership fees', '--json'])\n"
            "finally:\n"
            f"    print('LOADED', [m for m in {heavy!r} if m in sys.modules], file=sys.stderr)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env(), cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        assert "LOADED []" in done.stderr
        assert "handbook" in done.stdout.lower() or '"path"' in done.stdout
        # It prints what the Typer command prints, JSON or text.
        for args in (["--json", "--k", "3"], ["--type", "md"]):
            quick = run_cli("search", "membership fees", *args)
            typed = subprocess.run(
                [sys.executable, "-c", TYPER_SEARCH, "search", "membership fees", *args],
                capture_output=True,
                text=True,
                env=env(),
                cwd=ROOT,
            )
            assert quick.returncode == typed.returncode == 0, typed.stderr
            assert quick.stdout == typed.stdout and quick.stdout.strip()

        # summarize asks it too: the owner embeds its sentences (no model loads here).
        report = indexed / "annual-report-2025.pdf"
        probe = (
            "import sys; from assistant.cli import main\n"
            "try:\n"
            f"    main(['summarize', {str(report)!r}, '--answer', 'extractive'])\n"
            "finally:\n"
            "    print('LOADED', [m for m in ('onnxruntime', 'torch', 'chromadb') "
            "if m in sys.modules], file=sys.stderr)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env(), cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        assert "LOADED []" in done.stderr
        assert "quoted from the file (extractive" in done.stderr
        assert done.stdout.startswith("Summary of annual-report-2025.pdf")
        assert "(page 4)" in done.stdout
        summary = json.loads(run_cli("summarize", str(report), "--json").stdout)
        assert summary["path"] == str(report) and summary["sections"]

        asked = run_cli("ask", "How many membership fees?", "--json")
        assert asked.returncode == 0, asked.stderr
        assert '"sources"' in asked.stdout

        ingested = run_cli("ingest", str(more))
        assert ingested.returncode == 0, ingested.stderr
        assert "the index's owner" in ingested.stderr
        assert "1 added" in ingested.stdout

        status = run_cli("status", "--json")
        assert status.returncode == 0 and str(more) in status.stdout
        found = run_cli("search", "barn owl voles", "--json")
        assert "owls.md" in found.stdout
        assert watching.poll() is None


def test_a_killed_owner_leaves_a_stale_socket_that_the_next_run_cleans(
    indexed: Path, data_dir: Path, tmp_path: Path
) -> None:
    with watcher(indexed, data_dir, tmp_path / "watch.log") as watching:
        assert run_cli("search", "membership fees").returncode == 0  # the store is open
        watching.kill()
        watching.wait(timeout=30)
    assert socket_path(data_dir).exists()  # left behind by kill -9
    assert not owner.stopped_cleanly(data_dir)
    result = run_cli("search", "membership fees", "--json")
    assert result.returncode == 0, result.stderr
    assert '"path"' in result.stdout
    assert owner.stopped_cleanly(data_dir)  # probed, used, closed cleanly
    with watcher(indexed, data_dir, tmp_path / "watch2.log"):
        assert run_cli("status").returncode == 0


def index_check() -> dict[str, object]:
    """doctor's index check, run as a user runs it."""
    import json

    checks = json.loads(run_cli("doctor", "--json").stdout)["checks"]
    return next(c for c in checks if c["name"] == "index")


def _garble_store(data_dir: Path) -> None:
    """Overwrite the middle of every file of the vector store: what a crash mid-write or
    a second writer (the defect this guards against) leaves."""
    for path in (data_dir / "chroma").rglob("*"):
        if path.is_file() and path.stat().st_size:
            with path.open("r+b") as f:
                size = path.stat().st_size
                f.seek(0 if size < 64 else size // 4)
                f.write(os.urandom(min(4096, max(16, size // 2))))


def test_doctor_finds_an_unopenable_store_and_repair_rebuilds_it(indexed, data_dir, cli) -> None:  # type: ignore[no-untyped-def]
    before = run_cli("search", "membership fees", "--json", "--mode", "vector").stdout
    _garble_store(data_dir)
    (data_dir / owner.CLEAN_MARK).unlink(missing_ok=True)
    doctor = run_cli("doctor", "--json")
    assert doctor.returncode == 1, doctor.stderr
    assert "assistant repair" in doctor.stdout
    assert not index_check()["ok"]
    # A command never dies of it with a bare signal: it says what happened and what to run.
    search = run_cli("search", "membership fees")
    assert search.returncode == 9, (search.returncode, search.stderr)
    assert "run `assistant repair`" in search.stderr
    chunks = Index(data_dir).catalog.counts()["chunks"]
    repaired = run_cli("repair")
    assert repaired.returncode == 0, repaired.stderr
    assert f"{chunks} chunks re-embedded" in repaired.stdout
    assert index_check()["ok"], index_check()
    after = run_cli("search", "membership fees", "--json", "--mode", "vector").stdout
    assert after == before


def test_repair_after_the_vector_folder_was_deleted(indexed, data_dir) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.rmtree(data_dir / "chroma")
    broken = index_check()
    assert not broken["ok"] and "disagree" in broken["detail"]
    assert run_cli("repair").returncode == 0
    assert index_check()["ok"], index_check()
    assert "handbook" in run_cli("search", "membership fees", "--mode", "vector").stdout.lower()


def test_a_file_name_that_is_not_utf8_travels_to_and_from_the_owner(
    cli, data_dir: Path, tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    """The owner's answer is JSON over the socket: such a name could not be encoded."""
    folder = tmp_path / "latin1"
    folder.mkdir()
    (folder / "plain.md").write_text("# Plain\n\nThe cooper mends the cider barrels.\n")
    odd = os.fsdecode(os.path.join(os.fsencode(folder), b"r\xe9sum\xe9.md"))
    with open(odd, "w", encoding="utf-8") as out:
        out.write("# Wheelwright\n\nThe wheelwright's ledger is kept in the loft.\n")
    assert cli("ingest", str(folder)).exit_code == 0
    with watcher(folder, data_dir, tmp_path / "watch.log") as watching:
        found = run_cli("search", "wheelwright ledger", "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)[0]["path"] == odd
        shown = run_cli("search", "wheelwright ledger")
        assert "r\\xe9sum\\xe9.md" in shown.stdout
        assert watching.poll() is None


def test_an_owner_that_resets_the_connection_while_ending_is_asked_again(tmp_path: Path) -> None:
    """A stand-in owner (a real Unix socket) that accepts and resets the connection, as an
    owner closing its socket with requests in the backlog does: the client raises
    OwnerGone, which a read asks again, not a bare ConnectionResetError."""
    import socket
    import struct
    import threading

    from assistant.owner.client import Owner
    from assistant.owner.protocol import OwnerGone

    path = tmp_path / "owner.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen()

    def reset_one() -> None:
        conn, _ = listener.accept()
        conn.recv(1024)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    thread = threading.Thread(target=reset_one)
    thread.start()
    try:
        with pytest.raises(OwnerGone):
            Owner(path).call("search", {"query": "x" * 100_000})
    finally:
        thread.join(timeout=10)
        listener.close()


def test_a_read_is_asked_again_of_owners_that_end_one_after_another(tmp_path: Path) -> None:
    """Readers beside a writer that ends become owners in turn, and the next may end just
    as it is asked (CI saw a read reset twice running). A stand-in owner on the data dir's
    real socket resets the first two requests and answers the third: the read gets that
    answer, saying once that it asks again, and never does the work itself."""
    import socket
    import struct
    import threading

    from assistant.owner.protocol import encode, socket_path
    from assistant.owner.route import asking
    from assistant.settings import Settings

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(socket_path(data_dir)))
    listener.listen()
    requests: list[bytes] = []

    def serve() -> None:
        while len(requests) < 3:
            conn, _ = listener.accept()
            with conn:
                line = conn.recv(65536)
                if not line:
                    continue  # find_owner's liveness check
                requests.append(line)
                if len(requests) < 3:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.sendall(encode({"result": ["the third owner's answer"]}))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    said: list[str] = []
    try:
        got = asking(
            Settings(data_dir=data_dir),
            "search",
            said.append,
            lambda found: found.call("search", {"query": "quince"}),
            lambda: pytest.fail("the read was done here though an owner answered"),
        )
    finally:
        thread.join(timeout=10)
        listener.close()
    assert got == ["the third owner's answer"]
    assert len(requests) == 3
    assert said == ["the index's owner stopped while answering; asking again"]


async def test_the_chat_beside_a_running_watcher_asks_it(
    indexed: Path, data_dir: Path, tmp_path: Path
) -> None:
    """`assistant chat` beside `assistant watch` was refused: now its searches and the
    sentences it checks go to the watcher (a real one), its model (here none: quotes)
    stays in the chat, summaries work, and the watching is left to the watcher."""
    from test_tui import SIZE, RecordingApp, ask, until

    from assistant.owner.client import find_owner
    from assistant.owner.remote import RemoteRetriever
    from assistant.settings import load_settings
    from assistant.tui.widgets.conversation import AnswerBox

    with watcher(indexed, data_dir, tmp_path / "watch.log") as watching:
        found = find_owner(data_dir)
        assert found is not None
        app = RecordingApp(
            load_settings(),
            owner=found,
            backend_factory=lambda s: None,
            status_interval=0,
            cursor_blink=False,
        )
        async with app.run_test(size=SIZE) as pilot:
            await ask(pilot, "How much does it cost an adult to join the orchard each year?")
            await until(pilot, lambda: app.query_one(AnswerBox).exchange is not None, 120)
            exchange = app.query_one(AnswerBox).exchange
            assert exchange is not None and exchange.answer.strip()
            assert any(s.path.endswith("handbook.md") for s in exchange.sources)
            assert isinstance(app.retriever, RemoteRetriever)

            await ask(pilot, f"/summarize {indexed / 'annual-report-2025.pdf'}")
            await until(pilot, lambda: len(app.query(AnswerBox)) == 2, 30)
            await until(pilot, lambda: app.query(AnswerBox)[1].exchange is not None, 120)
            summary = app.query(AnswerBox)[1].exchange
            assert summary is not None and "(page 4)" in summary.answer

            await pilot.press("ctrl+g")
            await pilot.pause()
            assert any(f"process {watching.pid} (watch) owns the index" in m for _, m in app.notes)
            assert app.watcher is None
            assert not [m for severity, m in app.notes if severity == "error"], app.notes
        assert not owner.owns(data_dir)  # the chat never held the store
        assert owner.holder(data_dir)["pid"] == watching.pid
        assert watching.poll() is None


def test_stopping_a_watcher_stops_the_ingest_it_was_asked_for(
    indexed: Path, data_dir: Path, tmp_path: Path
) -> None:
    """SIGTERM to `assistant watch` while it indexes a folder for `assistant ingest`: it
    used to finish the whole ingest first (past its 5 s promise). Now the ingest stops
    at its next file, the files done stay indexed, the ingest says so in one line and
    exits 1, and the watcher ends (exit 0) with that folder only part indexed."""
    more = tmp_path / "more"
    more.mkdir()
    words = " ".join(f"orchard{n} ledger{n}" for n in range(400))
    for n in range(120):
        (more / f"note-{n:03d}.md").write_text(f"# Note {n}\n\n{words}\n")
    before = json.loads(run_cli("status", "--json").stdout)["files"]
    with watcher(indexed, data_dir, tmp_path / "watch.log") as watching:
        ingest = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "ingest", str(more)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            cwd=ROOT,
        )
        try:
            assert ingest.stderr is not None
            lines = []
            for line in ingest.stderr:  # the owner's progress, replayed: a file is done
                lines.append(line)
                if line.startswith("added"):
                    break
            watching.send_signal(signal.SIGTERM)
            assert watching.wait(timeout=60) == 0
            out, rest = ingest.communicate(timeout=60)
        finally:
            if ingest.poll() is None:
                ingest.kill()
                ingest.wait(timeout=10)
    errors = [line for line in [*lines, *rest.splitlines()] if line.startswith("error:")]
    assert ingest.returncode == 1, (lines, rest)
    log = (tmp_path / "watch.log").read_text()[-1500:]
    assert len(errors) == 1 and "was stopped before this ingest was done" in errors[0], (
        lines,
        rest,
        log,
    )
    assert f"process {watching.pid}, watch" in errors[0] and "run the ingest again" in errors[0]
    status = json.loads(run_cli("status", "--json").stdout)
    assert 0 < status["files"] - before < 120, status
