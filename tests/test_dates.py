"""The one reader of written dates (assistant/evidence/dates.py): what rows, papers'
names and questions are matched by."""

from __future__ import annotations

from assistant.evidence.qualifiers import Dated
from ingest.dates import (
    calendar_dates,
    date_spans,
    file_months,
    month_number,
    slash_order,
    without_dates,
    written_dates,
)


def test_a_date_at_the_end_of_a_sentence_is_still_a_date() -> None:
    assert calendar_dates("Payment due 03/27/2025.") == {(2025, 3, 27)}
    assert calendar_dates("Paid on 2025-04-30.") == {(2025, 4, 30)}
    assert Dated.of_text("Statement closed 04/30/2025.").pairs == {("april", "2025")}


def test_a_figure_is_no_date() -> None:
    assert calendar_dates("Revenue rose to 2019.12 million") == set()
    assert calendar_dates("fiscal 2019-20 and account 1.03/04/2025") == set()
    assert calendar_dates("claim 20190312") == set()


def test_a_month_of_a_year_written_with_figures() -> None:
    assert calendar_dates("Period: 2025-03") == {(2025, 3, None)}
    assert calendar_dates("2025_03_05") == {(2025, 3, 5)}
    assert file_months("statement_202503") == [(2025, 3)]
    assert file_months("power_gas_bill_2025-02") == [(2025, 2)]


def test_a_numeric_date_is_read_as_its_document_writes_them() -> None:
    (written,) = written_dates("04/05/2024")
    assert written.days == {(2024, 4, 5), (2024, 5, 4)}
    assert written.read("mdy") == {(2024, 4, 5)} and written.read("dmy") == {(2024, 5, 4)}
    assert slash_order("due 04/05/2024, paid 04/27/2024") == "mdy"
    assert slash_order("due 04/05/2024, paid 27/04/2024") == "dmy"
    assert slash_order("due 04/05/2024") is None


def test_spelled_dates_leave_the_amounts() -> None:
    assert without_dates("On 31 March 2025 we paid 40").split() == ["On", "we", "paid", "40"]
    assert without_dates("In March 1685 the edict").split() == ["In", "the", "edict"]
    assert date_spans("due Sept. 5, 2025") == [(4, 17)]
    assert month_number("Sept.") == 9 and month_number("Mar") == 3 and month_number("mark") is None
