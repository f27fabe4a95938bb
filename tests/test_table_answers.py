"""Tables and forms as evidence: a row is read by its labels and a field by its label, and
the extractive answer quotes the one cell asked for with what identifies it.

The text is written here in the readers' layout (one line per row, `Row label | Header:
value`; a field `Label: value`); the embedding model is the real one."""

from __future__ import annotations

from assistant.evidence.claims import check_answer
from assistant.evidence.compose import compact_passages, extractive_answer
from assistant.evidence.question import QuestionProfile
from assistant.evidence.records import Cell, Record, parse_record
from assistant.evidence.select import select_evidence
from assistant.evidence.structure import cell_text, chosen_cells
from assistant.evidence.text import split_sentences
from assistant.retrieve import Passage
from ingest.dates import calendar_dates, names_date
from ingest.namewords import file_terms

PAYSLIP = """Payslip March 2025
Employee: Dana Whitfield
Pay date: 31 March 2025

Deductions
Income tax | This period: £289.60 | Year to date: £868.80
Pension | This period: £96.10 | Year to date: £288.30
Net pay | This period: £1,984.20 | Year to date: £5,952.60

Your pension is paid into the Harbour Workplace scheme at the end of each month.
"""

LEASE = """The lease on 14 Elm Street, Flat 2, begins on 1 March 2025 and ends on 28 February
2026. The rent is due on the first day of each month and is paid by standing order.
"""


def passage(text: str, path: str = "/docs/payslip-2025-03.pdf", page: int | None = 1) -> Passage:
    return Passage(
        path=path,
        doc_id=1,
        first=0,
        last=0,
        page_start=page,
        page_end=page,
        headings=("Payslip March 2025",),
        text=text,
        char_start=0,
        char_end=len(text),
        score=0.5,
        fused=0.1,
    )


def answered(embedder, question: str, *texts: str, path: str = "/docs/report.pdf"):  # type: ignore[no-untyped-def]
    """The extractive answer to `question` from passages of `texts` in one file."""
    page = 1 if path.endswith(".pdf") else None  # a text file or a sheet has no pages
    evidence = select_evidence(question, [passage(t, path, page) for t in texts], embedder.embed)
    return extractive_answer(evidence)


def test_a_row_and_a_field_are_parsed_and_prose_is_not() -> None:
    row = parse_record("Pension | This period: £96.10 | Year to date: £288.30")
    assert row == Record(
        "row", "Pension", (Cell("This period", "£96.10"), Cell("Year to date", "£288.30"))
    )
    sheet = parse_record("Date: 2025-03-01 | Amount: 418 | Paid: yes")
    assert sheet is not None and sheet.label == "" and len(sheet.cells) == 3
    assert parse_record("Policy number: GS-1184-22") == Record(
        "field", "Policy number", (Cell("", "GS-1184-22"),)
    )
    assert parse_record("We arrive at 6:15 PM for the concert.") is None
    assert parse_record("the following items: flour, butter and eggs") is None
    assert parse_record("Name | Amount | Paid") is None, "a header row has no values"


def test_rows_and_fields_stand_alone_as_units_beside_sentences() -> None:
    units = split_sentences(PAYSLIP)
    kinds = [(u.text, u.heading, u.record.kind if u.record else None) for u in units]
    assert ("Payslip March 2025", True, None) in kinds
    assert ("Employee: Dana Whitfield", False, "field") in kinds
    assert ("Pension | This period: £96.10 | Year to date: £288.30", False, "row") in kinds
    assert kinds[-1][2] is None and kinds[-1][0].startswith("Your pension")


def test_the_cell_asked_for_is_chosen_by_its_header() -> None:
    row = parse_record("Pension | This period: £96.10 | Year to date: £288.30")
    assert row is not None
    profile = QuestionProfile.of("How much pension has been paid year to date?")
    assert chosen_cells(row, profile, {}) == [Cell("Year to date", "£288.30")]
    yearly = parse_record("Total sales | 2019: $1,496.5 | 2018: $1,202.9 | 2017: $1,107.7")
    assert yearly is not None
    in_2018 = chosen_cells(yearly, QuestionProfile.of("What were total sales in 2018?"), {})
    assert cell_text(yearly, in_2018) == "Total sales (2018): $1,202.9"
    compared = chosen_cells(yearly, QuestionProfile.of("In which year were sales highest?"), {})
    assert len(compared) == 3, "a comparison shows the cells side by side"


def test_the_extractive_answer_is_the_cell_with_what_identifies_it(embedder) -> None:  # type: ignore[no-untyped-def]
    evidence = select_evidence(
        "How much was deducted for the pension this period?", [passage(PAYSLIP)], embedder.embed
    )
    text, statements = extractive_answer(evidence)
    assert text.startswith(
        "Deductions › Pension (This period): £96.10 — payslip-2025-03.pdf, page 1 [1]"
    )
    assert statements[0].supported and statements[0].citations == [1]
    assert statements[0].evidence.startswith("Pension | This period")


def test_a_form_field_is_quoted_with_its_value_never_its_label_alone(embedder) -> None:  # type: ignore[no-untyped-def]
    evidence = select_evidence("Who is the employee?", [passage(PAYSLIP)], embedder.embed)
    text, _ = extractive_answer(evidence)
    assert text.startswith("Employee: Dana Whitfield — payslip-2025-03.pdf, page 1 [1]")


def test_prose_is_still_quoted_as_a_sentence(embedder) -> None:  # type: ignore[no-untyped-def]
    text, _ = answered(
        embedder, "When does the lease on Elm Street end?", LEASE, path="/docs/lease.txt"
    )
    assert text.startswith('lease.txt: "The lease on 14 Elm Street') and "28 February" in text


def test_a_files_name_says_which_month_and_whose() -> None:
    assert file_terms("/x/power_gas_bill_2025-02.pdf") == "power gas bill 2025 02 February 2025"
    assert "harold" in file_terms("/x/cgrmc_statement_harold_2025-03-06.pdf")


def test_the_abstention_window_of_a_row_is_the_row_under_its_caption_and_file(embedder) -> None:  # type: ignore[no-untyped-def]
    """A row is read alone: the rows beside it are other things, whose labels would answer
    for it ("the pension" is not "the income tax"); the file's name says which month."""
    evidence = select_evidence("What was the net pay in March?", [passage(PAYSLIP)], embedder.embed)
    best = evidence.best
    assert best is not None and best.sentence.record is not None
    window = evidence.window_under_headings(best)
    assert window.startswith("payslip 2025 03 March 2025")
    assert "Net pay" in window and "Income tax" not in window and "Pension" not in window


def test_each_column_a_question_names_is_shown() -> None:
    row = parse_record("Net income | 2019: 106.4 | 2018: 70.5 | 2017: 55.0")
    assert row is not None
    asked = QuestionProfile.of("What was the net income in 2019 and 2018 respectively?")
    assert cell_text(row, chosen_cells(row, asked, {})) == "Net income: 2019: 106.4 | 2018: 70.5"
    spanned = QuestionProfile.of("What was the net income for fiscal years 2019 to 2017?")
    assert len(chosen_cells(row, spanned, {})) == 3


def test_a_statements_figure_is_checked_against_the_cell_it_names(embedder) -> None:  # type: ignore[no-untyped-def]
    """A model's figure from the wrong column of the right row is not supported."""
    evidence = select_evidence(
        "How much went to the pension this period?", [passage(PAYSLIP)], embedder.embed
    )
    right, wrong = check_answer(
        "The pension deduction this period was £96.10 [1]. "
        "The pension deduction this period was £288.30 [1].",
        evidence,
        embedder.embed,
    )
    assert right.supported and right.evidence.startswith("Pension |")
    assert not wrong.supported


def test_a_model_is_given_rows_as_lines_with_their_headers(embedder) -> None:  # type: ignore[no-untyped-def]
    evidence = select_evidence(
        "How much went to the pension this period?", [passage(PAYSLIP)], embedder.embed
    )
    kept, _ = compact_passages(evidence, 2)
    assert "Pension | This period: £96.10 | Year to date: £288.30\n" in kept[0].text + "\n"


RECEIVABLES = """Trade and other receivables
The components of accounts receivable are as follows (in thousands):
Receivables
Billed | 2019: $41,260 | 2018: $38,114
Unbilled | 2019: $12,653 | 2018: $9,870
Total accounts receivable | 2019: $53,913 | 2018: $47,984
Allowances for doubtful accounts were not significant in either year.
"""


def test_a_question_for_a_tables_rows_is_answered_with_their_labels(embedder) -> None:  # type: ignore[no-untyped-def]
    """ "Which types ..." asks for the rows, not one value: the answer names every row of
    the table (its total left out), even where the sentence introducing the table scores
    above the rows."""
    text, statements = answered(
        embedder,
        "What types of accounts receivable are there?",
        RECEIVABLES,
        path="/docs/report.pdf",
    )
    assert text.startswith("Receivables › Billed; Unbilled — report.pdf, page 1 [1]")
    assert statements[0].evidence.startswith("Billed |")
    assert "Unbilled |" in statements[0].evidence


def test_which_years_and_superlatives_show_the_row_side_by_side() -> None:
    row = parse_record("Total equity | 2019 £m: 1,412.0 | 2018 £m: 1,365.4")
    assert row is not None
    for question in (
        "In which years was the total equity calculated?",
        "In which year was total equity largest?",
    ):
        shown = cell_text(row, chosen_cells(row, QuestionProfile.of(question), {}))
        assert shown == "Total equity: 2019 £m: 1,412.0 | 2018 £m: 1,365.4", question


SCHEDULE = """Loan amortization schedule
""" + "".join(
    f"{n} | Due date: {month:02d}/05/2025 | Payment: $630.98 | Principal: ${400 + n}.00"
    f" | Interest: ${230 - n}.00 | Balance: ${20000 - 400 * n:,}.00\n"
    for n, month in enumerate(range(1, 13), start=1)
)


def test_a_date_the_question_spells_out_finds_the_row_that_writes_it_in_figures(embedder) -> None:  # type: ignore[no-untyped-def]
    """ "Due June 5, 2025" shares no word with the row "06/05/2025": the dates match, and
    the cell asked for is the interest, not the date the question already gave."""
    text, _ = answered(
        embedder,
        "How much of the car payment due June 5, 2025 is interest?",
        SCHEDULE,
        path="/docs/loan.pdf",
    )
    assert text.startswith("Loan amortization schedule › 6 (Interest): $224.00 — loan.pdf")
    # "the March 2025 payment" names the row: "Payment" is not the column asked for.
    text, _ = answered(
        embedder,
        "How much will we still owe after the March 2025 payment?",
        SCHEDULE,
        path="/docs/loan.pdf",
    )
    assert text.startswith("Loan amortization schedule › 3 (Balance): $18,800.00 — loan.pdf")


def test_dates_are_read_however_they_are_written() -> None:
    assert calendar_dates("the payment due June 5, 2025") == {(2025, 6, 5)}
    assert calendar_dates("Due date: 06/05/2025") == {(2025, 6, 5), (2025, 5, 6)}
    assert calendar_dates("after the December 2025 payment") == {(2025, 12, None)}
    assert calendar_dates("net pay on 20th March") == {(None, 3, 20)}
    assert calendar_dates("May I ask what is due in April?") == set()
    assert names_date(calendar_dates("the April 2025 payment"), calendar_dates("2025-04-01"))
    assert not names_date(calendar_dates("December 2025"), calendar_dates("12/05/2024"))


TAX_BILL = """Valuation
Land | Market (100%): $92,300 | Taxable (35%): $32,305
Building | Market (100%): $306,300 | Taxable (35%): $107,205
Total | Market (100%): $398,600 | Taxable (35%): $139,510
"""


def test_a_question_naming_no_part_of_a_table_is_answered_by_its_total(embedder) -> None:  # type: ignore[no-untyped-def]
    def answer(question: str) -> str:
        return answered(embedder, question, TAX_BILL, path="/docs/tax_bill.pdf")[0]

    assert answer("What's the taxable value of our house?").startswith(
        "Valuation › Total (Taxable (35%)): $139,510"
    )
    assert answer("What is the taxable value of the land?").startswith(
        "Valuation › Land (Taxable (35%)): $32,305"
    )


SALES = (
    """Sales by month, calendar year 2024
"""
    + "".join(
        f"{month} 2024 | Farmers market: {fm} | Custom cakes: {cakes} | Total sales: {fm + cakes}\n"
        for month, fm, cakes in [
            ("August", 4120, 1210),
            ("September", 3702, 1465),
            ("October", 3286, 1730),
            ("November", 1450, 1215),
        ]
    )
    + "Year total | Farmers market: 12558 | Custom cakes: 5620 | Total sales: 18178\n"
)


def test_a_superlative_down_a_column_shows_that_column_row_by_row(embedder) -> None:  # type: ignore[no-untyped-def]
    """ "Which month had the biggest custom cake sales?" compares one column's cells down
    the rows: they are shown side by side with their row labels (the total left out)."""
    text, _ = answered(
        embedder,
        "Which month of 2024 had the biggest custom cake sales?",
        SALES,
        path="/docs/bakery_sales_2024.xlsx",
    )
    assert text.startswith(
        "Sales by month, calendar year 2024 › Custom cakes: August 2024: 1210; September 2024:"
        " 1465; October 2024: 1730; November 2024: 1215 — bakery_sales_2024.xlsx [1]"
    )
    assert answered(
        embedder,
        "What were the bakery's total sales for the whole of 2024?",
        SALES,
        path="/docs/bakery_sales_2024.xlsx",
    )[0].startswith("Sales by month, calendar year 2024 › Year total (Total sales): 18178")


INTRODUCTION = """Results of operations
The analysis below should be read with our financial statements and their notes.
The following table sets forth, for the periods indicated, the percentage of sales \
represented by certain items reflected in our statements of operations:
"""
INTRODUCED = """\
Sales | Year Ended December 31, 2019: 100.0 % | Year Ended December 31, 2018: 100.0 %
Gross profit | Year Ended December 31, 2019: 40.0 | Year Ended December 31, 2018: 50.9
Operating expenses | Year Ended December 31, 2019: 33.1 | Year Ended December 31, 2018: 27.0
Operating income | Year Ended December 31, 2019: 6.9 | Year Ended December 31, 2018: 23.9
"""


def test_a_sentence_introducing_a_table_gives_way_to_its_rows(embedder) -> None:  # type: ignore[no-untyped-def]
    """The sentence ending in a colon shares most words with the question, but the
    answer is in the rows after it (a passage of their own: a table is not packed with
    prose)."""
    text, _ = answered(
        embedder,
        "What was the percentage of sales represented by gross profit in 2018?",
        INTRODUCTION,
        INTRODUCED,
    )
    assert text.startswith(
        "Payslip March 2025 › Gross profit (Year Ended December 31, 2018): 50.9 — report.pdf"
    )


CUSTOMERS = """Concentrations of credit risk
Customers comprising more than 10% of revenue can change from year to year.
Apple Inc. | Fiscal Year 2019: 32% | Fiscal Year 2018: 36%
Huawei Technologies Co., Ltd. | Fiscal Year 2019: 13% | Fiscal Year 2018: 8%
"""


def test_respective_rows_and_the_years_a_table_covers(embedder) -> None:  # type: ignore[no-untyped-def]
    """ "The respective shares of Apple and Huawei" are two rows: both are quoted. "Which
    years does the table show?" is answered by a row shown whole, not by the prose."""
    text, _ = answered(
        embedder,
        "What are the respective percentage of revenue from Apple and Huawei in 2018?",
        CUSTOMERS,
    )
    assert "(Fiscal Year 2018): 36%" in text and "(Fiscal Year 2018): 8%" in text
    text, _ = answered(embedder, "Which years does the table provide information for?", CUSTOMERS)
    assert text.startswith("Concentrations of credit risk › ")
    assert "Fiscal Year 2019: " in text.split(" — ")[0] and "Fiscal Year 2018: " in text
