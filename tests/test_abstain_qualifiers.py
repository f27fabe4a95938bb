"""Which document: a question's year and month against the evidence's (issue 23, point 4).

The bills are the household2 fixture's files as they are on disk; the embedding model is
the real one; the answer goes through `answer_stream`, as `assistant ask` does."""

from __future__ import annotations

from pathlib import Path

from assistant.answer import answer_stream
from assistant.evidence.abstain import should_abstain
from assistant.evidence.compose import ABSTAIN_ANSWER
from assistant.evidence.qualifiers import Dated, conflicts, document_dates, slash_order
from assistant.evidence.select import select_evidence
from assistant.evidence.which import prefer_matching
from assistant.retrieve import Passage

DOCS = Path(__file__).parent / "fixtures" / "household2" / "docs"
APRIL = DOCS / "brightwave_electricity_bill_2025-04.md"
MAY = DOCS / "brightwave_electricity_bill_2025-05.md"


def passage(path: Path, doc_id: int, score: float) -> Passage:
    text = path.read_text(encoding="utf-8")
    return Passage(
        path=str(path),
        doc_id=doc_id,
        first=0,
        last=0,
        page_start=None,
        page_end=None,
        headings=("Brightwave Energy: your electricity bill",),
        text=text,
        char_start=0,
        char_end=len(text),
        score=score,
        fused=0.1,
    )


def bills() -> list[Passage]:
    """May's bill retrieved first, April's second: their text differs only in figures."""
    return [passage(MAY, 1, 0.62), passage(APRIL, 2, 0.60)]


def test_years_and_months_are_read_from_names_dates_and_file_names() -> None:
    named = Dated.of_text("power gas bill 2025 02 February 2025")
    assert named.pairs == {("february", "2025")} and named.years == {"2025"}
    assert Dated.of_text("Mar 2024 | Electric: 912").pairs == {("march", "2024")}
    assert Dated.of_text("Paid on 2025-04-30").pairs == {("april", "2025")}
    # 04/05/2024 is April to an American and May to a Briton: both readings count, unless
    # the text shows its order (27 can only be a day) or the paper's own date settles it.
    assert Dated.of_text("Due date: 04/05/2024").months == {"april", "may"}
    assert slash_order("03/04/2025 and 03/27/2025") == "mdy"
    assert Dated.of_text("03/04/2025", "mdy").months == {"march"}
    assert Dated.of_text("03/04/2025", None, frozenset({("march", "2025")})).months == {"march"}
    assert Dated.of_text("Balance: £2,025.10 | Sept 2024").years == {"2024"}
    assert Dated.of_question("What was our net pay in May 2025?").pairs == {("may", "2025")}
    assert not Dated.of_question("May I see the march schedule for the parade?")
    # A month's name as the one who does what is asked is a person: Jan (Janice) pays.
    assert not Dated.of_question("What does Jan pay each month for her drug plan?")
    assert not Dated.of_question("How much has June paid towards the boiler?")
    assert Dated.of_question("How much did we pay in Jan?").months == {"january"}


def test_a_date_that_names_a_paper_is_told_from_one_that_names_a_fact() -> None:
    bill = document_dates("How much electricity did we use on the March 2025 power bill?")
    assert bill.pairs == {("march", "2025")}
    assert document_dates("What was due on the power and gas bill from January 2025?").pairs == {
        ("january", "2025")
    }
    assert document_dates("What did butter cost under the 2023 Prairie Mill agreement?").years == {
        "2023"
    }
    assert not document_dates("How much did the bakery sell in December 2023?")
    assert not document_dates("What were the finance leases for 2022?")


def test_the_bill_of_the_month_asked_for_is_preferred(embedder) -> None:  # type: ignore[no-untyped-def]
    question = "How many units of electricity did we use in April 2025?"
    evidence = prefer_matching(select_evidence(question, bills(), embedder.embed))
    best = evidence.candidates[0]
    assert evidence.passages[best.source - 1].path == str(APRIL)
    stream = answer_stream(
        question,
        select_evidence(question, bills(), embedder.embed),
        None,
        embed=embedder.embed,
        mode="extractive",
    )
    answer = stream.finish()
    assert not answer.abstained
    assert answer.text.startswith("Units used: 212 kWh"), answer.text


def test_a_month_no_document_is_dated_with_is_declined(embedder) -> None:  # type: ignore[no-untyped-def]
    question = "How many units of electricity did we use in March 2025?"
    evidence = select_evidence(question, bills(), embedder.embed)
    assert conflicts(evidence, evidence.candidates[0]) == ["march 2025"]
    assert should_abstain(evidence)
    answer = answer_stream(question, evidence, None, embed=embedder.embed, mode="extractive")
    assert answer.finish().text == ABSTAIN_ANSWER


def test_an_undated_document_or_a_unit_naming_the_year_never_conflicts(embedder) -> None:  # type: ignore[no-untyped-def]
    report = "Results\nNet income | 2019: $1,496.5 | 2018: $1,202.9\n"
    undated = Passage(
        "/docs/annual-report.pdf", 1, 0, 0, 3, 3, (), report, 0, len(report), 0.6, 0.1
    )
    evidence = select_evidence("What was the net income in 2017?", [undated], embedder.embed)
    assert conflicts(evidence, evidence.candidates[0]) == []
    # The May bill names June 2025 (its due date) in the unit itself: no conflict there.
    asked = select_evidence("When is payment due by in June 2025?", bills()[:1], embedder.embed)
    best = asked.candidates[0]
    assert "June 2025" in best.text and conflicts(asked, best) == []
