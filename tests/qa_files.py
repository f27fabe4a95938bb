"""A few questions about a folder of papers, through `assistant eval-qa`, as a user
measures the assistant on their own papers: the abstention tests' end-to-end checks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def ask_about(
    cli: Callable[..., Any], tmp_path: Path, papers: Sequence[Path], lines: Sequence[dict]
) -> dict[str, dict[str, Any]]:
    """Copy the papers into a folder, write the questions file (the home set's layout),
    run `eval-qa --details` on them with quoted answers, and return each question's row
    by its id."""
    docs = tmp_path / "papers"
    docs.mkdir()
    for path in papers:
        shutil.copy(path, docs / path.name)
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    details = tmp_path / "details.jsonl"
    result = cli(
        "eval-qa", str(questions), "--docs", str(docs), "--answer", "extractive",
        "--details", str(details),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return {r["qid"]: r for r in map(json.loads, details.read_text().splitlines())}
