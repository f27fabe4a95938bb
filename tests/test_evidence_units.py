"""The units a person's papers answer with: a letter's list items, a medication list's
lines, a "Label: value" field with an abbreviation in it, the finer kind of value a
question asks for (a phone number, a dose), and a bank statement's Debit cell rather than
its running Balance. Files are written to disk and read by the real readers; scoring uses
the real embedding model."""

from __future__ import annotations

from pathlib import Path

from assistant.evidence.compose import extractive_answer
from assistant.evidence.kinds import ValueKinds
from assistant.evidence.question import QuestionProfile
from assistant.evidence.records import Cell, parse_record
from assistant.evidence.select import select_evidence
from assistant.evidence.structure import chosen_cells
from assistant.evidence.text import split_sentences
from assistant.retrieve import Passage
from ingest.readers import read_document

LETTER = """Dear Committee members,

We request approval to install a fence around the rear yard of our home at
1824 Juniper Hollow Drive (Lot 57). The details:

  - Style: black powder-coated aluminum, flat top
  - Height: 5 feet (60 inches)
  - Length: about 186 linear feet, with one 4-foot walk gate on the east side
    and one 10-foot double drive gate by the driveway
  - Planned start: April 14, 2025, if approved

Our reason is simple: our dog needs a safe place to run.
"""

MEDICATIONS = """CURRENT MEDICATIONS
Updated: 2025-03-12, after Dr. Feldman raised the metoprolol dose
Primary care: Dr. Helen Marsh, Cedar Glen Family Medicine

MORNING (8:00 AM, with breakfast)
  - Apixaban (Eliquis) 2.5 mg ........ 1 tablet
  - Metoprolol succinate ER 50 mg .... 1 tablet   raised from 25 mg on 03/10/2025
  - Lisinopril 10 mg ................. 1 tablet
"""

STATEMENT = """Date,Description,Category,Debit,Credit,Balance
03/19/2025,QUICKFUEL #212 CEDAR GLEN,Gas,46.58,,6193.28
03/21/2025,HARVEST FRESH MARKET #0847 CEDAR GLEN,Groceries,214.65,,5978.63
03/24/2025,PAYROLL DEPOSIT,Income,,1698.48,7677.11
"""


def written(tmp_path: Path, name: str, text: str) -> Passage:
    """`text` saved as `name`, read back by its reader, as one retrieved passage."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = read_document(path.read_bytes(), path)
    body = "\n\n".join(section.text for section in document.sections)
    return Passage(
        path=str(path),
        doc_id=1,
        first=0,
        last=0,
        page_start=None,
        page_end=None,
        headings=(),
        text=body,
        char_start=0,
        char_end=len(body),
        score=0.5,
        fused=0.1,
    )


def test_each_list_item_is_a_unit_and_a_labelled_one_is_a_field(tmp_path: Path) -> None:
    units = split_sentences(written(tmp_path, "letter.txt", LETTER).text)
    items = [u for u in units if u.item]
    assert [u.text.split(":")[0] for u in items] == ["Style", "Height", "Length", "Planned start"]
    height = next(u for u in items if u.text.startswith("Height"))
    assert height.record is not None and height.record.cells == (Cell("", "5 feet (60 inches)"),)
    length = next(u for u in items if u.text.startswith("Length"))
    assert length.text.endswith("double drive gate by the driveway"), "a wrapped item is whole"
    assert not any(u.item for u in units if u.text.startswith(("We request", "Our reason")))


def test_dotted_leaders_and_abbreviations_end_no_unit(tmp_path: Path) -> None:
    units = [u.text for u in split_sentences(written(tmp_path, "meds.txt", MEDICATIONS).text)]
    assert "Metoprolol succinate ER 50 mg .... 1 tablet raised from 25 mg on 03/10/2025" in units
    primary = parse_record("Primary care: Dr. Helen Marsh, Cedar Glen Family Medicine")
    assert primary is not None and primary.label == "Primary care"
    assert parse_record("Note: the office is shut. Call us on Monday.") is None
    # One rule for a sentence's end and a field's (evidence/abbreviations.py): the field
    # reader once knew 11 abbreviations to the sentence splitter's 40.
    line = "Consultant: Prof. Ada Quist, Ward 4"
    assert [u.text for u in split_sentences(line)] == [line]
    consultant = parse_record(line)
    assert consultant is not None and consultant.cells[0].value == "Prof. Ada Quist, Ward 4"


def test_the_finer_kind_of_value_a_question_asks_for() -> None:
    phone = ValueKinds.of("What number do I call for a tow or a jump-start?")
    assert phone.held("Roadside assistance: (800) 555-0145, 24 hours a day")
    assert not phone.held("Roadside Assistance (6-month premium): $8.90")
    assert ValueKinds.of("What dose of metoprolol is he on now?").held("Metoprolol ER 50 mg")
    assert ValueKinds.of("Which water heater model is going in?").held("a Rheem AP40-G6-38")
    assert ValueKinds.of("How long will we be without hot water?").held("about 4 hours")
    assert ValueKinds.of("Who signed the agreement?").held("anything") is None


def test_a_list_item_answers_over_the_sentence_around_it(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    letter = written(tmp_path, "letter_to_hoa.txt", LETTER)
    evidence = select_evidence("When did we hope to start the fence?", [letter], embedder.embed)
    answer, _ = extractive_answer(evidence)
    # The item alone, as a field with its label, not the whole list as one "sentence".
    assert "Planned start: April 14, 2025, if approved — letter_to_hoa.txt" in answer, answer
    dose = select_evidence(
        "What dose of metoprolol is Dad on now?",
        [written(tmp_path, "medication_list.txt", MEDICATIONS)],
        embedder.embed,
    )
    assert dose.best is not None and dose.best.features["kind_match"] == 1.0
    assert "50 mg" in dose.best.text


def test_money_spent_is_the_debit_not_the_running_balance(tmp_path: Path) -> None:
    units = split_sentences(written(tmp_path, "checking_2025-03.csv", STATEMENT).text)
    row = next(u.record for u in units if u.record and "HARVEST" in u.text)
    assert row is not None
    spent = QuestionProfile.of("How much did we spend at Harvest Fresh Market on March 21?")
    assert [c.header for c in chosen_cells(row, spent, {})] == ["Debit"]
    left = QuestionProfile.of("What balance was left after the Harvest Fresh Market purchase?")
    assert [c.header for c in chosen_cells(row, left, {})] == ["Balance"]


def test_a_line_that_runs_on_is_prose_not_a_field(tmp_path: Path) -> None:
    card = (
        "Reading support: Theo meets the reading specialist on Tuesdays and Thursdays,\n"
        "9:10-9:40 AM, through March 2025.\n\n"
        "Our reason is simple: our dog needs a safe place to run, and our\n"
        "two children play in the back yard.\n\n"
        "Policy number: GS-1184\n"
    )
    units = split_sentences(written(tmp_path, "report_card.txt", card).text)
    assert [u.record is not None for u in units] == [False, False, True]
    assert units[0].text.endswith("9:10-9:40 AM, through March 2025.")
