"""Tests for the ingest, status and forget commands as a script or a person meets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write

INGEST_KEYS = {
    "added",
    "updated",
    "moved",
    "removed",
    "unchanged",
    "empty",
    "failed",
    "outside",
    "chunks_embedded",
    "seconds",
}
STATUS_KEYS = {
    "data_dir",
    "folders",
    "files",
    "chunks",
    "failed",
    "engines",
    "embedding_model",
    "device",
    "embedding_backend",
    "precision",
    "index_bytes",
}


def test_ingest_json_has_exactly_the_documented_keys(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", "--json", str(small))
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)  # one object and nothing else on stdout
    assert set(summary) == INGEST_KEYS
    assert summary["added"] == 2 and summary["chunks_embedded"] == 2
    assert summary["failed"] == [] and isinstance(summary["seconds"], float | int)

    (small / "two.txt").unlink()
    write(small, "bad.pdf", "not a pdf at all")
    again = json.loads(cli("ingest", "--json", str(small)).stdout)
    assert set(again) == INGEST_KEYS
    assert (again["added"], again["removed"], again["unchanged"]) == (0, 1, 1)
    assert [set(f) for f in again["failed"]] == [{"path", "reason"}]
    assert again["failed"][0]["path"] == str(small / "bad.pdf")


def test_ingest_plain_output_is_one_summary_line(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(small))
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines() == [
        result.stdout.strip()
    ] and result.stdout.startswith("2 added, 0 updated, 0 moved, 0 removed, 0 unchanged, 0 failed")
    # Off a terminal, each change is one plain line on stderr (no progress bar codes).
    assert "\x1b[" not in result.stderr
    assert f"added    {small / 'one.md'} (1 chunk" in result.stderr


def test_status_json_has_the_documented_keys(cli, small: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    empty = json.loads(cli("status", "--json").stdout)
    assert set(empty) >= STATUS_KEYS
    assert (empty["files"], empty["chunks"], empty["folders"]) == (0, 0, [])

    cli("ingest", str(small))
    status = json.loads(cli("status", "--json").stdout)
    assert set(status) >= STATUS_KEYS
    assert status["data_dir"] == str(data_dir)
    assert status["folders"] == [str(small)]
    assert (status["files"], status["chunks"], status["failed"]) == (2, 2, [])
    assert status["engines"] == {"markdown": 1, "text": 1}
    assert status["embedding_model"] == "all-MiniLM-L6-v2"
    assert (status["device"], status["precision"], status["embedding_backend"]) == (
        "cpu",
        "int8",
        "onnx-int8",
    )
    assert status["embedding_note"] is None  # the ingest made the int8 model
    assert status["index_bytes"] > 0
    # Two small files: the 23 MB int8 model copy in the data dir is not counted.
    assert any((data_dir / "models").iterdir()) and status["index_bytes"] < 10_000_000

    plain = cli("status")
    assert plain.exit_code == 0 and "files:           2 indexed, 0 failed" in plain.stdout
    assert "embedding model: all-MiniLM-L6-v2 on cpu, int8 (onnx-int8)" in plain.stdout


def test_status_says_when_torch_embeds(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "torch")
    status = json.loads(cli("status", "--json").stdout)
    assert (status["device"], status["precision"], status["embedding_backend"]) == (
        "cpu",
        "fp32",
        "torch",
    )


def test_a_path_that_does_not_exist_is_one_error_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "no-such-folder"
    result = cli("ingest", str(missing))
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {missing}: no such file or folder"]
    assert result.stdout == ""


def test_a_bad_path_among_good_ones_changes_nothing(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(small), str(tmp_path / "typo"))
    assert result.exit_code != 0
    status = json.loads(cli("status", "--json").stdout)
    assert status["files"] == 0


@pytest.mark.parametrize("command", [[], ["ingest"], ["status"], ["forget"]])
def test_help(cli, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    if command:
        assert command[0] in result.stdout
    else:
        for name in ("ingest", "status", "forget"):
            assert name in result.stdout


def test_ingest_without_a_path_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_forget_reports_how_many_files_went(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", str(small))
    result = cli("forget", str(small))
    assert result.exit_code == 0 and result.stdout.strip() == "2 files removed from the index"
    status = json.loads(cli("status", "--json").stdout)
    assert (status["files"], status["chunks"], status["folders"]) == (0, 0, [])
