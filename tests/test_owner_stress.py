"""Readers beside a writer, as a user runs them: no reader call fails, and afterwards the
catalog, the keyword index and the vectors agree and doctor finds the index whole.

Short on purpose (a few rounds, a few reader processes); bench/bench_owner.py runs the
same driver for 1,000+ reader calls. Only real processes and a Unix socket.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from owner_stress import (
    agrees,
    consistency,
    doctor_index,
    edit_round,
    ingest_rounds,
    make_corpus,
    readers,
    run,
    wait_indexed,
    watching,
)

pytestmark = pytest.mark.slow

FILES = 12
EDITS = 4


@pytest.fixture
def corpus(tmp_path: Path, data_dir: Path, embedder) -> tuple[Path, dict[str, str]]:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    from assistant import library
    from assistant.settings import Settings

    folder = tmp_path / "notes"
    make_corpus(folder, FILES)
    library.ingest(Settings(data_dir=data_dir), [folder])  # the model made once, in-process
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_OWNER_WAIT": "120"}
    return folder, env


def check_whole(env: dict[str, str], data_dir: Path) -> None:
    counts = consistency(env, data_dir)
    assert agrees(counts), counts
    index = doctor_index(env)
    assert index["ok"], index


def test_readers_beside_ingest_rounds(corpus, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    folder, env = corpus
    with readers(env, lanes=3) as tally:
        failures = ingest_rounds(env, folder, rounds=3, files=FILES, edits=EDITS)
    assert failures == []
    assert tally.calls >= 6 and tally.failed == [], tally.failed
    check_whole(env, data_dir)


def test_readers_beside_a_watcher_that_is_killed(corpus, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, env = corpus
    with readers(env, lanes=3) as tally:
        with watching(env, folder, data_dir, tmp_path / "watch.log") as watcher:
            for round_ in (1, 2):
                edit_round(folder, round_, FILES, EDITS)
                assert wait_indexed(env, folder, round_, FILES, EDITS)
            edit_round(folder, 3, FILES, EDITS)
            watcher.kill()  # kill -9 mid-way: maybe inside a batch
            watcher.wait(timeout=30)
        # Readers go on (becoming owners in turn); the next writer catches up.
        assert run(env, "ingest", str(folder), "--quiet").returncode == 0
    assert tally.calls >= 6 and tally.failed == [], tally.failed
    check_whole(env, data_dir)
