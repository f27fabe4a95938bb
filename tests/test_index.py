"""Tests for the index: one writer, one embedding model, crash recovery and `forget`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write

from ingest.errors import IndexBusy, ModelMismatch
from ingest.store import Index, WriterLock, current_writer
from ingest.store.catalog import parse_chunk_id, vector_ids
from ingest.sync import Syncer, SyncOptions


@pytest.fixture
def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "work", tmp_path / "home-notes"
    write(a, "contract.md", "# Contract\n\nThe lease of the barn runs until Michaelmas.\n")
    write(a, "deep/invoice.txt", "Invoice 44 covers the hire of a cider press.\n")
    write(b, "diary.md", "# Diary\n\nSaw a kingfisher by the culvert on Tuesday.\n")
    return a, b


def open_index(data_dir: Path) -> Index:
    return Index(data_dir)


def assert_consistent(index: Index) -> None:
    owned = {r.doc_id: r.chunks for r in index.catalog.files() if r.doc_id is not None}
    ids = index.vectors.all_ids()
    assert len(ids) == index.catalog.counts()["chunks"] == sum(owned.values())
    for vector_id in ids:
        doc, idx = parse_chunk_id(vector_id)
        assert doc in owned and idx < owned[doc], vector_id


# -- one writer -------------------------------------------------------------------------------


def test_a_second_writer_is_refused_in_process(cli, data_dir: Path, docs: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir.mkdir(parents=True)
    with WriterLock(data_dir, "ingest", [str(docs)]):
        with pytest.raises(IndexBusy) as busy:
            WriterLock(data_dir).acquire()
        assert str(busy.value).startswith(f"the index is being updated by process {os.getpid()}")
        result = cli("ingest", str(docs))
        assert result.exit_code == IndexBusy.exit_code
        assert f"the index is being updated by process {os.getpid()}" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert cli("forget", str(docs)).exit_code == IndexBusy.exit_code
        # Readers never wait on the writer.
        status = cli("status", "--json")
        assert status.exit_code == 0 and f'"pid": {os.getpid()}' in status.stdout
    # Released: the next writer gets in, and nobody is recorded as holding it.
    assert current_writer(data_dir) == {}
    assert cli("ingest", str(docs)).exit_code == 0


def test_a_second_writer_is_refused_across_processes(cli, data_dir: Path, docs: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from ingest.store import WriterLock
                lock = WriterLock(Path({str(data_dir)!r}), "ingest", ["/somewhere"]).acquire()
                print("held", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = cli("ingest", str(docs))
        assert result.exit_code == IndexBusy.exit_code
        assert f"the index is being updated by process {holder.pid}" in result.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    # A killed holder's lock dies with it (flock), so no stale lock blocks the next run.
    killed = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path; from ingest.store import WriterLock; "
            f"WriterLock(Path({str(data_dir)!r})).acquire(); print('held', flush=True); "
            "time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert killed.stdout is not None and killed.stdout.readline().strip() == "held"
    killed.kill()
    killed.wait(timeout=30)
    assert cli("ingest", str(docs)).exit_code == 0


# -- one model --------------------------------------------------------------------------------


def test_a_different_model_is_refused(cli, data_dir: Path, docs: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = open_index(data_dir)
    index.bind_model("some-other-model", 768)
    with pytest.raises(ModelMismatch):
        Syncer(index, embedder, SyncOptions())
    index.close()
    result = cli("ingest", str(docs))
    assert result.exit_code == ModelMismatch.exit_code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "some-other-model (768 dimensions)" in lines[0]
    assert "re-index" in lines[0] and "--data-dir" in lines[0]
    index = open_index(data_dir)
    try:
        assert index.catalog.counts()["files"] == 0  # refused before anything was written
        assert index.model == ("some-other-model", 768)
    finally:
        index.close()


def test_the_model_is_recorded_on_first_write(data_dir: Path, two_folders, embedder) -> None:  # type: ignore[no-untyped-def]
    index = open_index(data_dir)
    try:
        assert index.model is None
        Syncer(index, embedder, SyncOptions()).sync([two_folders[0]])
        assert index.model == (embedder.name, 384)
    finally:
        index.close()


# -- forget -----------------------------------------------------------------------------------


def test_forget_removes_a_folder_and_its_vectors(cli, data_dir: Path, two_folders) -> None:  # type: ignore[no-untyped-def]
    work, notes = two_folders
    assert cli("ingest", str(work), str(notes)).exit_code == 0
    result = cli("forget", str(work))
    assert result.exit_code == 0 and result.stdout.startswith("2 files removed")
    index = open_index(data_dir)
    try:
        assert [r.path for r in index.catalog.files()] == [str(notes / "diary.md")]
        assert index.catalog.folders() == [str(notes)]
        assert index.keywords.search('"Michaelmas"', 5) == []
        assert [c.path for c, _ in index.keywords.search('"kingfisher"', 5)] == [
            str(notes / "diary.md")
        ]
        assert_consistent(index)
        assert index.catalog.pending() == []
    finally:
        index.close()
    # The folder sits on disk untouched; a later ingest of the rest does not bring it back.
    assert (work / "contract.md").exists()
    again = cli("ingest", str(notes), "--json")
    assert '"added": 0' in again.stdout and '"removed": 0' in again.stdout


def test_forget_a_single_file(cli, data_dir: Path, two_folders) -> None:  # type: ignore[no-untyped-def]
    work, _ = two_folders
    cli("ingest", str(work))
    assert cli("forget", str(work / "deep" / "invoice.txt")).stdout.startswith("1 file removed")
    index = open_index(data_dir)
    try:
        assert [r.path for r in index.catalog.files()] == [str(work / "contract.md")]
        assert_consistent(index)
    finally:
        index.close()


# -- crash recovery (the kill -9 tests are in test_crash.py) ----------------------------------


def test_reconcile_drops_vectors_no_committed_row_owns(
    data_dir: Path, two_folders, embedder
) -> None:  # type: ignore[no-untyped-def]
    index = open_index(data_dir)
    Syncer(index, embedder, SyncOptions()).sync([two_folders[0]])
    # A writer that died after writing vectors but before committing their row:
    [doc] = index.catalog.next_doc_ids(1)
    index.catalog.begin_vectors_many([(doc, 3)])
    vectors = embedder.embed(["one", "two", "three"])
    index.vectors.add(vector_ids(doc, 3), vectors, [{"doc": doc, "idx": i} for i in range(3)])
    # ... and one whose pending note was lost somehow (belt and braces: count mismatch).
    index.vectors.add(["999:0"], vectors[:1], [{"doc": 999, "idx": 0}])
    index.close()

    index = open_index(data_dir)
    try:
        assert index.reconcile() == 2  # one pending doc dropped, one stray vector
        assert index.catalog.pending() == []
        assert_consistent(index)
    finally:
        index.close()


def test_a_crash_between_commit_and_old_vector_delete_leaves_no_duplicates(
    data_dir: Path, two_folders, embedder
) -> None:  # type: ignore[no-untyped-def]
    work, _ = two_folders
    index = open_index(data_dir)
    Syncer(index, embedder, SyncOptions()).sync([work])
    path = str(work / "contract.md")
    old = index.catalog.file(path)
    assert old is not None
    # Commit a new version but "crash" before the old version's vectors are deleted.
    index._drop_versions = lambda _olds: None  # type: ignore[method-assign]
    write(work, "contract.md", "# Contract\n\nThe lease of the barn was renewed to Lady Day.\n")
    Syncer(index, embedder, SyncOptions()).sync([work])
    assert index.vectors.count() > index.catalog.counts()["chunks"]
    index.close()

    index = open_index(data_dir)
    try:
        index.reconcile()
        assert_consistent(index)
        assert index.vectors.collection.get(where={"doc": old.doc_id})["ids"] == []
    finally:
        index.close()


def test_status_reports_what_is_indexed(cli, data_dir: Path, docs: Path) -> None:  # type: ignore[no-untyped-def]
    report = cli("ingest", str(docs), "--json")
    import json

    chunks = json.loads(report.stdout)["chunks_embedded"]
    status = json.loads(cli("status", "--json").stdout)
    assert status["files"] == 7 and status["chunks"] == chunks
    assert status["folders"] == [str(docs)]
    assert status["data_dir"] == str(data_dir)
    assert status["embedding_model"] == "all-MiniLM-L6-v2"
    assert status["index_bytes"] > 0 and status["failed"] == []
    index = open_index(data_dir)
    try:
        assert index.vectors.count() == chunks
    finally:
        index.close()


@pytest.fixture(autouse=True)
def _no_leftover_lock(data_dir: Path) -> Iterator[None]:
    yield
    if data_dir.is_dir():
        assert current_writer(data_dir) == {}


def test_similarities_are_exact_cosines_best_first(data_dir: Path) -> None:
    """The exact side of filtered search: cosines computed by hand, unknown ids left out."""
    index = Index(data_dir)
    meta = [{"doc": 1, "idx": i, "path": "/d.md"} for i in range(3)]
    index.vectors.add(vector_ids(1, 3), [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], meta)
    # Query (3, 4) has norm 5: cosines are 3/5, (1.8 + 3.2)/5 = 1.0 and 4/5.
    scored = index.vectors.similarities([3.0, 4.0], ["1:0", "1:1", "1:2", "9:9"])
    assert [cid for cid, _ in scored] == ["1:1", "1:2", "1:0"]
    assert [s for _, s in scored] == pytest.approx([1.0, 0.8, 0.6])
    assert index.vectors.similarities([3.0, 4.0], []) == []
    assert index.vectors.similarities([3.0, 4.0], ["7:0"]) == []
    index.close()


def test_a_schema_1_catalog_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    """A catalog written before engines and attachments were recorded opens, gains both
    columns, keeps every row, and then stores attachments and engines."""
    from ingest.chunk import Chunk
    from ingest.store.catalog import SCHEMA_VERSION, Catalog

    path = tmp_path / "catalog.sqlite3"
    old = Catalog(path)
    old.commit_file("/docs/a.md", 10, 1, "hash-a", 1, [Chunk(0, "The gate.", 0, 9, None, None, ())])
    # Make it what schema 1 was: neither column, and version 1 recorded.
    with old.db:
        old.db.execute("ALTER TABLE files DROP COLUMN engine")
        old.db.execute("ALTER TABLE chunks DROP COLUMN attachment")
        old.set_meta("schema_version", "1")
    old.close()

    catalog = Catalog(path)
    assert catalog.get_meta("schema_version") == str(SCHEMA_VERSION) == "3"
    record = catalog.file("/docs/a.md")
    assert record is not None and (record.hash, record.engine) == ("hash-a", None)
    assert catalog.chunks_by_ids(["1:0"])["1:0"].text == "The gate."
    assert catalog.engines() == {"unrecorded": 1}
    mail = Chunk(0, "Invoice total 418 pounds.", 0, 25, 2, 2, (), attachment="invoice.pdf")
    catalog.commit_file("/docs/mail.eml", 20, 1, "hash-m", 2, [mail], engine="email")
    stored = catalog.chunks_by_ids(["2:0"])["2:0"]
    assert (stored.attachment, stored.page_start) == ("invoice.pdf", 2)
    assert catalog.engines() == {"email": 1, "unrecorded": 1}
    catalog.close()


def test_a_file_is_found_by_the_words_of_its_name_after_a_migration_and_a_move(
    tmp_path: Path,
) -> None:
    """A bank export's rows never say "checking" or "February"; its name does. A schema 2
    catalog (headings alone beside the text) gains its files' name words when opened, and
    a renamed file's chunks answer to the new name, not the old one."""
    from ingest.chunk import Chunk
    from ingest.store.catalog import Catalog
    from ingest.store.fts import KeywordIndex

    path = tmp_path / "catalog.sqlite3"
    old = Catalog(path)
    row = Chunk(0, "02/28/2025 | Balance: 4,118.92", 0, 30, None, None, ())
    old.commit_file("/docs/bvcu_checking_2025-02.csv", 10, 1, "hash-c", 1, [row])
    # Make it what schema 2 was: no update trigger, the headings alone as heading text.
    with old.db:
        old.db.execute("DROP TRIGGER chunks_au")
        old.db.execute("DELETE FROM chunks")
        old.db.execute(
            "INSERT INTO chunks(rowid, doc_id, idx, headings, heading_text, char_start, char_end,"
            " text) VALUES (1, 1, 0, '[]', '', 0, 30, ?)",
            (row.text,),
        )
        old.set_meta("schema_version", "2")
    old.close()

    catalog = Catalog(path)
    keywords = KeywordIndex(catalog.db)
    assert catalog.get_meta("schema_version") == "3"
    for word in ("checking", "February", "bvcu"):
        assert [c.chunk_id for c, _ in keywords.search(f'"{word}"', 5)] == ["1:0"], word
    catalog.move_file("/docs/bvcu_checking_2025-02.csv", "/docs/savings_march.csv", 10, 2)
    assert keywords.search('"checking"', 5) == []
    assert [c.path for c, _ in keywords.search('"savings" AND "balance"', 5)] == [
        "/docs/savings_march.csv"
    ]
    keywords.close()
    catalog.close()
