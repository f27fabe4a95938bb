"""The reader processes: a file whose reader hangs, balloons, starts a program that
balloons, or crashes is ended and recorded as failed with the reason, and the rest go on;
a reader that reports progress keeps its time; nothing it started is left running.

The readers here are registered for test suffixes inside each test, in this process;
the workers import them by module and name, as they would a plugin's.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write

from ingest import readers
from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions
from ingest.store import Index
from ingest.sync import Syncer, SyncListener, SyncOptions

LIMITS = SyncOptions(file_timeout=2.0, file_memory_bytes=300 * 2**20, workers=2)


def _note_pid(path: Path, suffix: str, pid: int) -> None:
    path.with_suffix(suffix).write_text(str(pid))


def hang_forever(data: bytes, path: Path, options: ReadOptions) -> Document:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    _note_pid(path, ".worker", os.getpid())
    _note_pid(path, ".child", child.pid)
    while True:
        time.sleep(1)


def allocate_without_end(data: bytes, path: Path, options: ReadOptions) -> Document:
    held = []
    while True:
        held.append(bytearray(b"\1") * (32 * 2**20))


CHILD_BALLOON = (
    "import resource, time\n"
    # Past the address-space limit it inherited: only the parent's count of the worker's
    # resident memory, children included, can stop it.
    "resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)\n"
    "held = []\n"
    "while True:\n    held.append(bytearray(b'\\1') * (10 * 2**20)); time.sleep(0.05)\n"
)


def start_a_ballooning_program(data: bytes, path: Path, options: ReadOptions) -> Document:
    """Like OCR's Tesseract: the memory is in a program the reader waits for."""
    child = subprocess.Popen([sys.executable, "-c", CHILD_BALLOON])
    _note_pid(path, ".child", child.pid)
    child.wait()
    raise UnreadableFile(f"the program ended by itself ({child.returncode})")


def slow_pages(data: bytes, path: Path, options: ReadOptions) -> Document:
    """Six pages at 0.5 s each: 3 s in all, past the 2 s limit, but never 2 s silent."""
    options.progress(0, 6)
    for page in range(1, 7):
        time.sleep(0.5)
        options.progress(page, 6)
    return Document([Section("Six slow pages about the orchard's cider press.", page=1)])


def crash(data: bytes, path: Path, options: ReadOptions) -> Document:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def add(suffix: str, fn) -> None:  # type: ignore[no-untyped-def]
        readers._load_all()
        monkeypatch.setitem(readers._REGISTRY, suffix, fn)

    return add


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped is not)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return not any(line.startswith("State:\tZ") for line in status)
    except FileNotFoundError:
        return False


def wait_dead(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def folder_with(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "docs"
    for n in range(3):
        text = f"# Note {n}\n\nThe plum trees in row {n} were pruned in July.\n"
        write(folder, f"fine{n}.md", text)
    for name in names:
        write(folder, name, "whatever the reader makes of it")
    return folder


def sync(folder: Path, data_dir: Path, embedder, listener=None, options=LIMITS):  # type: ignore[no-untyped-def]
    index = Index(data_dir)
    try:
        return Syncer(index, embedder, options, listener).sync([folder]), index.catalog
    finally:
        index.close()


def test_a_reader_that_hangs_is_ended_with_what_it_started(
    tmp_path: Path, data_dir: Path, embedder, register
) -> None:  # type: ignore[no-untyped-def]
    register(".hang", hang_forever)
    folder = folder_with(tmp_path, "stuck.hang")
    report, _ = sync(folder, data_dir, embedder)
    assert report.added == 3
    assert report.failed == [
        (str(folder / "stuck.hang"), "took longer than 2 s without progress (file_timeout_seconds)")
    ]
    for pid_file in ("stuck.worker", "stuck.child"):
        pid = int((folder / pid_file).read_text())
        assert wait_dead(pid), f"{pid_file} {pid} still running"
    # Recorded under its content: the next sync does not wait for it again.
    (folder / "stuck.worker").unlink()
    (folder / "stuck.child").unlink()
    again, catalog = sync(folder, data_dir, embedder)
    assert again.failed == [] and again.unchanged == 4


def test_a_reader_that_allocates_without_end_is_stopped(
    tmp_path: Path, data_dir: Path, embedder, register
) -> None:  # type: ignore[no-untyped-def]
    register(".balloon", allocate_without_end)
    folder = folder_with(tmp_path, "huge.balloon")
    report, _ = sync(folder, data_dir, embedder)
    assert report.added == 3
    assert report.failed == [
        (str(folder / "huge.balloon"), "needed more than 300 MiB of memory (max_file_memory_mb)")
    ]


def test_memory_of_a_program_the_reader_started_counts_against_the_file(
    tmp_path: Path, data_dir: Path, embedder, register
) -> None:  # type: ignore[no-untyped-def]
    register(".ocrish", start_a_ballooning_program)
    folder = folder_with(tmp_path, "scan.ocrish")
    patient = dataclasses.replace(LIMITS, file_timeout=60.0)  # memory, not time, must stop it
    report, _ = sync(folder, data_dir, embedder, options=patient)
    assert report.added == 3
    assert report.failed == [
        (str(folder / "scan.ocrish"), "needed more than 300 MiB of memory (max_file_memory_mb)")
    ]
    assert wait_dead(int((folder / "scan.child").read_text()))


def test_a_reader_that_reports_progress_keeps_its_time(
    tmp_path: Path, data_dir: Path, embedder, register
) -> None:  # type: ignore[no-untyped-def]
    class Pages(SyncListener):
        def __init__(self) -> None:
            self.seen: list[tuple[str, int, int]] = []

        def file_progress(self, path: str, done: int, total: int) -> None:
            self.seen.append((Path(path).name, done, total))

    register(".slow", slow_pages)
    folder = folder_with(tmp_path, "long.slow")
    listener = Pages()
    report, catalog = sync(folder, data_dir, embedder, listener)
    assert (report.added, report.failed) == (4, [])
    assert listener.seen[0] == ("long.slow", 0, 6) and listener.seen[-1] == ("long.slow", 6, 6)
    assert len(listener.seen) >= 4


def test_a_reader_that_crashes_its_process_fails_only_its_file(
    tmp_path: Path, data_dir: Path, embedder, register
) -> None:  # type: ignore[no-untyped-def]
    register(".crash", crash)
    folder = folder_with(tmp_path, "bad.crash")
    report, _ = sync(folder, data_dir, embedder)
    assert report.added == 3
    assert report.failed == [(str(folder / "bad.crash"), "the reader crashed (SIGSEGV)")]
