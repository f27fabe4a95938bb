"""A school letter's timetable and its list of things to bring: a timetable's line
("12:45 pm: Kiama Blowhole") is a time and what happens then, and a list's item keeps the
bullet or number a reader of the page sees, so neither is read as a short title line that
never answers. The letter is HTML written to disk and read by the real reader; scoring uses
the real embedding model."""

from __future__ import annotations

from pathlib import Path

from assistant.evidence.abstain import should_abstain
from assistant.evidence.compose import extractive_answer
from assistant.evidence.records import Cell, Record, parse_record
from assistant.evidence.select import select_evidence
from assistant.evidence.which import prefer_matching
from ingest.readers.html import html_document
from tests.test_evidence_units import written

LETTER = """<html><head><title>Year 6 museum visit</title></head><body>
<h1>Fairfield Primary School</h1>
<h2>Year 6 visit to the Museum of Transport</h2>
<p>Dear parents,</p>
<p>Year 6 will visit the Museum of Transport on Friday 13 June 2025.</p>
<p>8:40 am: Coach leaves the school gate<br>
10:15 am: Museum of Transport: tram workshop<br>
12:30 pm: Lunch in the museum garden<br>
2:50 pm: Return to school</p>
<h3>What to bring</h3>
<ul>
<li>A packed lunch in a named bag</li>
<li>A refillable bottle with at least 750 ml of water</li>
<li>A coat</li>
</ul>
<h3>How to reply</h3>
<ol><li>Sign the slip</li><li>Pay online by 30 May 2025</li></ol>
</body></html>
"""


def test_a_list_keeps_its_bullets_and_numbers() -> None:
    text = "\n".join(s.text for s in html_document(LETTER).sections)
    assert "- A refillable bottle with at least 750 ml of water\n- A coat" in text
    assert "1. Sign the slip\n2. Pay online by 30 May 2025" in text


def test_a_timetable_line_is_a_time_and_what_happens() -> None:
    assert parse_record("10:15 am: Museum of Transport: tram workshop") == Record(
        "field", "10:15 am", (Cell("", "Museum of Transport: tram workshop"),)
    )
    assert parse_record("Start time: 10:15 am") == Record(
        "field", "Start time", (Cell("", "10:15 am"),)
    )


def test_the_timetable_and_the_list_answer(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = written(tmp_path, "year6_museum_visit_letter.html", LETTER)
    question = "What time does the class get to the tram workshop?"
    evidence = prefer_matching(select_evidence(question, [page], embedder.embed))
    assert not should_abstain(evidence)
    assert extractive_answer(evidence)[0].startswith("10:15 am: Museum of Transport")
    # The item is the unit that answers; whether to answer is the combiner's (it doubts a
    # short line: bench/RESULTS.md), not the reader's.
    question = "How much water should the children bring on the museum trip?"
    evidence = prefer_matching(select_evidence(question, [page], embedder.embed))
    assert evidence.candidates[0].sentence.item
    assert "750 ml of water" in extractive_answer(evidence)[0].split(" [")[0]
