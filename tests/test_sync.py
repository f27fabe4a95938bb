"""Tests for sync: only what changed is embedded, moves keep their vectors, removals and
modifications leave nothing stale, ignore rules, symlinks, and every kind of bad input."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import badfiles
import pytest
from badfiles import BAD_FILES, EXPECTED_REASON_FRAGMENT
from conftest import SAMPLE_DOCS, CountingEmbedder, write

import ingest.sync
from ingest.errors import UserError
from ingest.scan import FileStat
from ingest.store import Index
from ingest.store.catalog import parse_chunk_id, vector_ids
from ingest.sync import Syncer, SyncOptions


@pytest.fixture
def index(data_dir: Path) -> Iterator[Index]:
    idx = Index(data_dir)
    yield idx
    idx.close()


def run_sync(index: Index, embedder, root: Path, **options: object):  # type: ignore[no-untyped-def]
    return Syncer(index, embedder, SyncOptions(**options)).sync([root])  # type: ignore[arg-type]


def keyword_paths(index: Index, word: str) -> list[str]:
    return [c.path for c, _ in index.keywords.search(f'"{word}"', 50)]


def assert_consistent(index: Index) -> None:
    """Vectors and catalog agree: same count, and every vector belongs to a committed row
    with an index inside that row's chunk count."""
    rows = {r.doc_id: r for r in index.catalog.files() if r.doc_id is not None}
    ids = index.vectors.all_ids()
    assert len(ids) == index.catalog.counts()["chunks"]
    assert len(set(ids)) == len(ids)
    for vector_id in ids:
        doc, idx = parse_chunk_id(vector_id)
        assert doc in rows and idx < rows[doc].chunks, vector_id
    chunk_rows = index.catalog.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert chunk_rows == len(ids)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """Three small Markdown notes, each with a word found nowhere else."""
    folder = tmp_path / "notes"
    write(folder, "alpha.md", "# Alpha\n\nThe zanzibarite key opens the tool shed door.\n")
    write(folder, "beta.md", "# Beta\n\nQuokkaberry jam is sold at the Apple Day stall.\n")
    write(folder, "gamma.md", "# Gamma\n\nThe marmaladine hives stand by the east hedge.\n")
    return folder


# -- only what changed is embedded --------------------------------------------------------


def test_second_ingest_embeds_nothing(index: Index, docs: Path, counting_embedder) -> None:  # type: ignore[no-untyped-def]
    first = run_sync(index, counting_embedder, docs)
    assert first.added == 7 and not first.failed
    assert counting_embedder.texts == first.chunks_embedded > 0
    before = counting_embedder.texts
    second = run_sync(index, counting_embedder, docs)
    assert counting_embedder.texts == before
    assert (second.added, second.updated, second.moved, second.removed) == (0, 0, 0, 0)
    assert second.unchanged == 7 and second.chunks_embedded == 0
    assert_consistent(index)


def test_touch_with_same_content_embeds_nothing(
    index: Index, notes: Path, counting_embedder
) -> None:  # type: ignore[no-untyped-def]
    run_sync(index, counting_embedder, notes)
    before = counting_embedder.texts
    path = notes / "alpha.md"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    report = run_sync(index, counting_embedder, notes)
    assert counting_embedder.texts == before
    assert report.unchanged == 3 and report.updated == 0
    # The new mtime is remembered, so the next sync does not even read the file.
    record = index.catalog.file(str(path))
    assert record is not None and record.mtime_ns == path.stat().st_mtime_ns


def test_rename_embeds_nothing_and_the_new_path_is_everywhere(
    index: Index, notes: Path, counting_embedder: CountingEmbedder
) -> None:
    run_sync(index, counting_embedder, notes)
    old, new = notes / "alpha.md", notes / "sub" / "renamed-alpha.md"
    record = index.catalog.file(str(old))
    assert record is not None and record.doc_id is not None
    new.parent.mkdir()
    old.rename(new)
    before = counting_embedder.texts
    report = run_sync(index, counting_embedder, notes)
    assert counting_embedder.texts == before
    assert report.moved == 1 and report.chunks_embedded == 0
    assert (report.added, report.removed) == (0, 0)
    assert index.catalog.file(str(old)) is None
    moved = index.catalog.file(str(new))
    assert moved is not None and moved.doc_id == record.doc_id and moved.state == "indexed"
    assert keyword_paths(index, "zanzibarite") == [str(new)]
    got = index.vectors.collection.get(
        ids=vector_ids(record.doc_id, record.chunks), include=["metadatas"]
    )
    assert len(got["ids"]) == record.chunks
    assert {m["path"] for m in got["metadatas"]} == {str(new)}
    assert_consistent(index)


def test_delete_removes_vectors_and_keyword_rows(index: Index, notes: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    run_sync(index, embedder, notes)
    record = index.catalog.file(str(notes / "beta.md"))
    assert record is not None and keyword_paths(index, "quokkaberry")
    (notes / "beta.md").unlink()
    report = run_sync(index, embedder, notes)
    assert report.removed == 1
    assert index.catalog.file(str(notes / "beta.md")) is None
    assert keyword_paths(index, "quokkaberry") == []
    assert index.vectors.collection.get(where={"doc": record.doc_id})["ids"] == []
    assert index.catalog.pending() == []
    assert_consistent(index)


def test_modification_leaves_no_old_text_and_no_duplicates(
    index: Index, notes: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    path = notes / "gamma.md"
    long_text = "# Gamma\n\n" + "\n\n".join(
        f"Paragraph {i}: the marmaladine hives stand by hedge number {i}." for i in range(60)
    )
    path.write_text(long_text)
    run_sync(index, embedder, notes)
    old = index.catalog.file(str(path))
    assert old is not None and old.chunks > 1
    path.write_text("# Gamma\n\nThe hives moved; the orchard now keeps tortoiseshell cats.\n")
    report = run_sync(index, embedder, notes)
    assert report.updated == 1 and report.chunks_embedded == 1
    assert keyword_paths(index, "marmaladine") == []
    assert keyword_paths(index, "tortoiseshell") == [str(path)]
    assert index.vectors.collection.get(where={"doc": old.doc_id})["ids"] == []
    assert_consistent(index)


# -- what a scan skips and follows ----------------------------------------------------------


def test_ignore_rules(index: Index, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    text = "# Note\n\nA plain note about the orchard.\n"
    kept = [
        write(root, "kept.md", text),
        write(root, "sub/kept.txt", text),
        write(root, "sub/keep.secret.md", text),
        write(root, "archive2/kept.md", text),
    ]
    for name in [
        ".hidden.md",
        ".hiddendir/x.md",
        ".git/notes.md",
        "node_modules/pkg/readme.md",
        "__pycache__/x.txt",
        "~$report.docx",
        "notes.md.swp",
        "notes.swp",
        ".#draft.md",
        "film.md.crdownload",
        "x.tmp",
        "editor-backup.md~",
        "sub/drafts/plan.md",
        "sub/one.secret.md",
        "sub/deeper/two.secret.md",
        "server.log",
        "archive/old.md",
    ]:
        write(root, name, text)
    write(
        root,
        "sub/.assistantignore",
        "# drafts and secrets\ndrafts/\n*.secret.md\n!keep.secret.md\n",
    )
    run_sync(index, embedder, root, ignore=("*.log", "archive/"))
    indexed = sorted(r.path for r in index.catalog.files())
    assert indexed == sorted(str(p) for p in kept)


def test_symlinked_file_is_followed(index: Index, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    outside = write(tmp_path / "elsewhere", "real.md", "# Real\n\nThe lantern is in the barn.\n")
    root = tmp_path / "lib"
    root.mkdir()
    (root / "link.md").symlink_to(outside)
    (root / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    report = run_sync(index, embedder, root, follow_outside=True)
    assert report.added == 1 and not report.failed
    assert keyword_paths(index, "lantern") == [str(root / "link.md")]


def test_symlink_loop_does_not_hang(index: Index, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    write(root, "top.md", "# Top\n\nThe ladder hangs on the north wall.\n")
    write(root, "sub/inner.md", "# Inner\n\nThe rake is behind the door.\n")
    (root / "sub" / "up").symlink_to(root)  # a folder linking to its parent
    (root / "sub" / "self").symlink_to(root / "sub")
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(run_sync(index, embedder, root)))
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "sync looped on a symlinked folder"
    assert result and result[0].added == 2  # type: ignore[attr-defined]
    assert sorted(r.path for r in index.catalog.files()) == [
        str(root / "sub" / "inner.md"),
        str(root / "top.md"),
    ]


def test_data_dir_inside_an_indexed_folder_is_not_indexed(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    write(root, "note.md", "# Note\n\nThe wheelbarrow tyre is flat.\n")
    data = root / "index-data"
    index = Index(data)
    write(data, "stray.md", "# Stray\n\nNot a document.\n")
    try:
        report = Syncer(index, embedder, SyncOptions(exclude=(data,))).sync([root])
        assert report.added == 1
        assert [r.path for r in index.catalog.files()] == [str(root / "note.md")]
    finally:
        index.close()


def test_a_root_inside_the_data_dir_is_refused_with_the_reason(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    index = Index(data)
    inside = write(data / "notes", "x.md", "# X\n\nA note kept in the wrong place.\n").parent
    try:
        with pytest.raises(UserError) as err:
            Syncer(index, embedder, SyncOptions(exclude=(data,))).sync([inside])
        assert str(err.value) == (
            f"{inside}: inside the index's own data dir, which is never indexed"
        )
        assert list(index.catalog.files()) == []
    finally:
        index.close()


# -- bad input ------------------------------------------------------------------------------


def test_size_limit_fails_with_the_reason(index: Index, notes: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    big = write(notes, "big.md", "# Big\n\n" + "The orchard is large. " * 200)
    report = run_sync(index, embedder, notes, max_file_bytes=2000)
    assert report.added == 3
    assert [(p, r.split(" (")[0]) for p, r in report.failed] == [(str(big), "too large")]
    record = index.catalog.file(str(big))
    assert record is not None and record.state == "failed" and "too large" in (record.reason or "")
    assert record.chunks == 0
    # The file is unchanged but the limit is not: it is tried again, and nothing else is.
    again = run_sync(index, embedder, notes, max_file_bytes=2000)
    assert (again.unchanged, len(again.failed)) == (3, 1)
    raised = run_sync(index, embedder, notes)
    assert (raised.unchanged, raised.failed) == (3, [])
    record = index.catalog.file(str(big))
    assert record is not None and record.state == "indexed" and record.chunks > 0
    assert keyword_paths(index, "large") == [str(big)] * record.chunks


def make_bad_library(root: Path) -> dict[str, Path]:
    shutil.copytree(SAMPLE_DOCS, root)
    return {case: make(root) for case, make in BAD_FILES.items()}


def failure_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": failed: " in line]


def test_every_bad_file_gets_one_line_and_the_good_files_are_indexed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "library"
    bad = make_bad_library(root)
    result = cli("ingest", str(root))
    assert result.exit_code == 8, result.stderr  # done, but some files failed
    lines = failure_lines(result.stderr)
    assert len(lines) == len(bad), lines
    for case, path in bad.items():
        mine = [line for line in lines if line.startswith(f"{path}: failed: ")]
        assert len(mine) == 1, (case, lines)
        assert EXPECTED_REASON_FRAGMENT[case] in mine[0], (case, mine[0])
    assert f"{len(bad)} failed" in result.stdout

    index = Index(tmp_path / "data")
    try:
        for case, path in bad.items():
            record = index.catalog.file(str(path))
            assert record is not None and record.state == "failed", case
            assert EXPECTED_REASON_FRAGMENT[case] in (record.reason or ""), case
            assert record.chunks == 0
        good = [r for r in index.catalog.files() if r.state == "indexed"]
        assert sorted(Path(r.path).name for r in good) == sorted(
            p.name for p in SAMPLE_DOCS.iterdir()
        )
        assert all(r.chunks > 0 for r in good)
        assert_consistent(index)
    finally:
        index.close()


def test_failed_files_are_retried_only_when_they_change(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "library"
    bad = make_bad_library(root)
    assert len(failure_lines(cli("ingest", str(root)).stderr)) == len(bad)

    again = cli("ingest", str(root), "--json")
    assert failure_lines(again.stderr) == []
    assert '"failed": []' in again.stdout

    # Still bad but changed: tried again, reported again, and only that one.
    bad["binary_txt"].write_bytes(b"\x00\x01\x02 still binary \x00" * 50)
    changed = cli("ingest", str(root))
    lines = failure_lines(changed.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"{bad['binary_txt']}: failed: ")

    # Fixed: indexed, and the failure is gone from status.
    bad["binary_txt"].write_text("The missing minutes were in the seed tin.\n")
    fixed = cli("ingest", str(root))
    assert failure_lines(fixed.stderr) == []
    status = cli("status", "--json")
    assert str(bad["binary_txt"]) not in status.stdout
    index = Index(tmp_path / "data")
    try:
        record = index.catalog.file(str(bad["binary_txt"]))
        assert record is not None and record.state == "indexed" and record.chunks == 1
        assert keyword_paths(index, "seed tin") == [str(bad["binary_txt"])]
    finally:
        index.close()


def test_an_indexed_file_that_turns_bad_keeps_nothing_stale(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "library"
    path = write(root, "ledger.txt", "The pomegranite ledger lists every loan of the ladder.\n")
    write(root, "other.md", "# Other\n\nThe scythe is not lent to anyone.\n")
    assert cli("ingest", str(root)).exit_code == 0
    path.write_bytes(bytes(range(256)) * 20)  # binary now, same name
    result = cli("ingest", str(root))
    lines = failure_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"{path}: failed: "), lines
    assert "binary data, not text" in lines[0]
    index = Index(tmp_path / "data")
    try:
        record = index.catalog.file(str(path))
        assert record is not None and record.state == "failed" and record.chunks == 0
        assert [c.path for c, _ in index.keywords.search('"pomegranite"', 5)] == []
        assert index.catalog.counts()["chunks"] == 1
        assert_consistent(index)
    finally:
        index.close()


def test_a_file_that_vanishes_before_it_is_read(
    index: Index, notes: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    run_sync(index, embedder, notes)
    ghost = notes / "alpha.md"
    real_scan = ingest.sync.scan

    def scan_then_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real_scan(*args, **kwargs)
        found[str(ghost)] = FileStat(1, 1)  # listed with a new stat, then deleted
        ghost.unlink()
        return found

    monkeypatch.setattr(ingest.sync, "scan", scan_then_delete)
    report = run_sync(index, embedder, notes)
    assert [(p, r) for p, r in report.failed] == [(str(ghost), "vanished before it could be read")]
    assert index.catalog.file(str(ghost)) is None
    assert keyword_paths(index, "zanzibarite") == []
    assert_consistent(index)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(index: Index, notes: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    locked = write(notes, "locked.md", "# Locked\n\nNo one may read this.\n")
    locked.chmod(0)
    try:
        report = run_sync(index, embedder, notes)
    finally:
        locked.chmod(0o644)
    assert report.failed == [(str(locked), "permission denied")]
    assert report.added == 3


# -- defects found under attack (issue 22) ---------------------------------------------------


def test_empty_files_are_skipped_and_counted_not_failed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """20,000 empty files were 20,000 failure lines; now they are counted in `status`."""
    root = tmp_path / "library"
    write(root, "real.md", "# Real\n\nThe cider press is cleaned on Sundays.\n")
    empties = [badfiles.empty_md(write(root, f"d{n}/keep.tmp", "").parent) for n in range(3)]
    result = cli("ingest", str(root), "--json")
    assert result.exit_code == 0, result.stderr
    assert failure_lines(result.stderr) == []
    report = json.loads(result.stdout)
    assert (report["added"], report["empty"], report["failed"]) == (1, 3, [])
    status = json.loads(cli("status", "--json").stdout)
    assert (status["files"], status["empty"], status["failed"]) == (1, 3, [])
    assert "1 indexed, 0 failed, 3 empty (skipped)" in cli("status").stdout
    # Unchanged, an empty file is not even looked at again; given text, it is indexed.
    again = json.loads(cli("ingest", str(root), "--json").stdout)
    assert (again["unchanged"], again["empty"]) == (4, 0)
    empties[0].write_text("The quince jelly sets overnight.\n")
    filled = json.loads(cli("ingest", str(root), "--json").stdout)
    assert (filled["added"], filled["updated"], filled["unchanged"]) == (0, 1, 3)
    index = Index(tmp_path / "data")
    try:
        assert keyword_paths(index, "quince") == [str(empties[0])]
        assert index.catalog.counts()["empty"] == 2
        assert_consistent(index)
    finally:
        index.close()


def test_a_text_file_with_a_few_nul_bytes_is_indexed(index: Index, notes: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """A few NULs (a crashed writer's padding) no longer make the whole file binary."""
    log = notes / "server.log"
    lines = [f"line {n}: the greenhouse vent opened at dawn" for n in range(200)]
    log.write_bytes("\n".join(lines).encode() + b"\x00" * 16 + b"\nthe xylofrond sensor\n")
    report = run_sync(index, embedder, notes)
    assert report.failed == [] and report.added == 4
    assert keyword_paths(index, "xylofrond") == [str(log)]
    assert all("\x00" not in c.text for c, _ in index.keywords.search('"xylofrond"', 5))


def test_the_size_limit_is_said_in_mib_as_it_is_counted(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """max_file_mb = 100 was reported as "the limit is 105 MB"."""
    root = tmp_path / "library"
    big = root / "big.txt"
    root.mkdir()
    with big.open("wb") as out:  # sparse: no 101 MiB written to the disk
        out.truncate(101 * 2**20)
    result = cli("ingest", str(root))
    lines = failure_lines(result.stderr)
    assert lines == [f"{big}: failed: too large (101.0 MiB, the limit is 100 MiB: max_file_mb)"]


def test_a_file_whose_text_is_over_the_limit_fails_alone_until_the_limit_is_raised(
    index: Index, notes: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    long = write(notes, "long.txt", ("The orchard wall is mended in spring. " * 100).strip())
    report = run_sync(index, embedder, notes, max_text_chars=1000)
    assert report.added == 3
    assert report.failed == [
        (
            str(long),
            "its text is 3,799 characters, over the limit of 1,000 "
            "(max_text_chars: raise it to index this file)",
        )
    ]
    raised = run_sync(index, embedder, notes, max_text_chars=10_000)
    assert (raised.updated, raised.unchanged, raised.failed) == (1, 3, [])
    assert_consistent(index)


def _write_bytes_name(folder: Path, name: bytes, text: str) -> str:
    """A file whose name is not UTF-8 (Latin-1 from an old archive), as Python sees it:
    the bad byte as a lone surrogate."""
    folder.mkdir(parents=True, exist_ok=True)
    path = os.path.join(os.fsencode(folder), name)
    with open(path, "wb") as out:
        out.write(text.encode())
    return os.fsdecode(path)


def test_a_file_name_that_is_not_utf8_is_indexed_losslessly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It aborted the whole ingest (Chroma: cannot convert ... UpdateMetadataValue) with
    nothing indexed; now it is indexed under its exact name, shown escaped."""
    root = tmp_path / "library"
    good = write(root, "good.md", "# Good\n\nThe walnut tree is pruned in August.\n")
    odd = _write_bytes_name(root / "caf\xe9", b"r\xe9sum\xe9.txt", "The hazelbrook key is here.\n")
    result = cli("ingest", str(root), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["failed"]) == (2, [])
    status = json.loads(cli("status", "--json").stdout)
    assert status["files"] == 2
    found = cli("search", "hazelbrook key")
    assert "r\\xe9sum\\xe9.txt" in found.stdout
    sources = json.loads(cli("search", "hazelbrook key", "--json").stdout)
    assert sources[0]["path"] == odd  # the JSON escape reads back as the same name
    index = Index(tmp_path / "data")
    try:
        assert index.catalog.file(odd) is not None
        assert [r.path for r in index.catalog.files(str(root / "caf\xe9"))] == [odd]
        assert keyword_paths(index, "hazelbrook") == [odd]
        assert_consistent(index)
    finally:
        index.close()
    # Unchanged on the next run, and a rename keeps its vectors under the new odd name.
    again = json.loads(cli("ingest", str(root), "--json").stdout)
    assert (again["unchanged"], again["failed"]) == (2, [])
    moved = os.fsdecode(os.path.join(os.fsencode(root), b"\xff-moved.txt"))
    os.rename(odd, moved)
    after = json.loads(cli("ingest", str(root), "--json").stdout)
    assert (after["moved"], after["chunks_embedded"], after["failed"]) == (1, 0, [])
    index = Index(tmp_path / "data")
    try:
        assert keyword_paths(index, "hazelbrook") == [moved]
        assert sorted(r.path for r in index.catalog.files()) == sorted([moved, str(good)])
        assert_consistent(index)
    finally:
        index.close()


# -- symlinks that lead out of the folders given ---------------------------------------------


def test_a_symlink_out_of_the_folder_is_not_followed_and_said_in_one_line(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    secret = write(tmp_path / "elsewhere", "secret.txt", "The vault code is 4471.\n")
    write(tmp_path / "elsewhere" / "dir", "deep.md", "# Deep\n\nThe vault map is here.\n")
    root = tmp_path / "lib"
    write(root, "own.md", "# Own\n\nThe lantern is in the barn.\n")
    write(root / "sub", "inner.md", "# Inner\n\nThe rake hangs on the wall.\n")
    (root / "passwd.txt").symlink_to(secret)
    (root / "outdir").symlink_to(tmp_path / "elsewhere" / "dir")
    (root / "inside.md").symlink_to(root / "sub" / "inner.md")  # inside: followed
    result = cli("ingest", str(root))
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "not followed" in line]
    assert lines == [
        f"{root / 'outdir'}: not followed: a symlink to {tmp_path / 'elsewhere' / 'dir'}, "
        "outside the folders given (follow_symlinks_outside = true follows it)",
        f"{root / 'passwd.txt'}: not followed: a symlink to {secret}, "
        "outside the folders given (follow_symlinks_outside = true follows it)",
    ]
    index = Index(tmp_path / "data")
    try:
        assert sorted(Path(r.path).name for r in index.catalog.files()) == [
            "inner.md",
            "inside.md",
            "own.md",
        ]
        assert keyword_paths(index, "vault") == []
    finally:
        index.close()


def test_the_setting_follows_symlinks_out(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = write(tmp_path / "elsewhere", "real.md", "# Real\n\nThe lantern is in the shed.\n")
    root = tmp_path / "lib"
    root.mkdir()
    (root / "link.md").symlink_to(secret)
    monkeypatch.setenv("ASSISTANT_FOLLOW_SYMLINKS_OUTSIDE", "true")
    result = cli("ingest", str(root), "--json")
    assert json.loads(result.stdout)["added"] == 1
    assert "not followed" not in result.stderr
