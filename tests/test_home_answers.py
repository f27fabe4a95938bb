"""The home set end to end: a fictional household's 38 documents (generated here by the set's
own `make_docs.py`, shipped in tests/fixtures/home) and its 200 questions, through `assistant
eval-qa` on the default install (extractive answers, the real readers, index and model).

A floor, not the target: it fails when a change makes answers on personal papers clearly
worse than measured (bench/RESULTS.md, "Issue 23"). Slow: it ingests 38 files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HOME = Path(__file__).parent / "fixtures" / "home"
# Measured 2026-12-07 (bench/RESULTS.md) minus a margin for the noise of small changes.
FLOORS = {
    # answerable: holds the gold and cites the file (82% measured; 79% before the sixth
    # session's label vocabulary and two-paper questions, 77% before the fifth session's
    # rules, 69% before the cell and kind rules, 61% before the refitted scorer and the
    # passage order)
    "right_cited_file": 0.77,
    # the first quote alone holds it (74% measured; 65% before the quote order)
    "first_holds_gold": 0.69,
    # 84% measured (86% before the sixth session's refit; 76% before the designation and
    # compound rules, 64% before the money
    # and prose checks, 48% before the topic check, 36% before the paper-name checks, 24%
    # before the date and name checks)
    "abstained_unanswerable": 0.80,
    "retrieved_holds_gold": 0.87,  # 93% measured (89% before the label words and versions)
}
MAX_WRONGLY_DECLINED = 0.10  # 6.0% measured (8.7% before the label words and versions)
TABLE_FLOOR = 0.79  # table questions right and cited (84.3% measured)


@pytest.mark.slow
def test_the_home_set_stays_above_its_floor(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "home"
    subprocess.run([sys.executable, str(HOME / "make_docs.py"), str(docs)], check=True)
    result = cli(
        "eval-qa", str(HOME / "questions.jsonl"), "--docs", str(docs), "--answer", "extractive",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["questions"] == 200 and report["answerable"] == 150
    for key, floor in FLOORS.items():
        assert report[key] >= floor, f"{key} {report[key]} fell below {floor}"
    assert report["abstained_answerable"] <= MAX_WRONGLY_DECLINED
    assert report["by_kind"]["table"]["right_cited_file"] >= TABLE_FLOOR
    assert set(report["by_kind"]) >= {"table", "text", "follow-up", "unanswerable-absent"}
