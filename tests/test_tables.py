"""Tables and forms survive reading: every reader writes a row as one line that carries
its column headers and row label (ingest/tables.py), on real files made by the libraries
people's software uses (tests/tablefiles.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import scans
import tablefiles

from ingest.chunk import TokenCounter, chunk_document
from ingest.document import Document, Section
from ingest.readers import read_document
from ingest.tables import (
    KIND_FORM,
    KIND_TABLE,
    Row,
    parse_line,
    render_table,
    split_forms,
)


def _sections(doc: Document, kind: str) -> list[Section]:
    return [s for s in doc.sections if s.kind == kind]


def _lines(doc: Document, kind: str) -> list[str]:
    return [line for s in _sections(doc, kind) for line in s.text.splitlines()]


# --- the line format itself -------------------------------------------------------------


def test_row_line_has_label_first_then_header_value_pairs_without_blank_cells() -> None:
    table = render_table(
        [
            ["Service", "Code", "Billed", "Allowed"],
            ["X-ray, ankle", "73610", "$212.00", "$96.15"],
            ["Claim total", "", "$497.00", "$264.55"],
        ]
    )
    assert table is not None and table.kind == KIND_TABLE
    assert table.text == (
        "X-ray, ankle | Code: 73610 | Billed: $212.00 | Allowed: $96.15\n"
        "Claim total | Billed: $497.00 | Allowed: $264.55\n"
    )
    assert parse_line(table.text.splitlines()[1]) == Row(
        "Claim total", (("Billed", "$497.00"), ("Allowed", "$264.55"))
    )


def test_one_value_column_gives_label_colon_value() -> None:
    table = render_table([["Item", "Price"], ["Rye flour", "$3.10"], ["Spelt", "$4.00"]])
    assert table is not None
    assert table.text == "Rye flour: $3.10\nSpelt: $4.00\n"
    assert parse_line("Rye flour: $3.10") == Row("Rye flour", (("", "$3.10"),))


def test_merged_cells_span_their_columns_and_rows() -> None:
    # None: a cell covered by a merged one (a header over two years, a label over two rows).
    table = render_table(
        [
            ["", "Year ended", None],
            ["", "2019", "2018"],
            ["Revenue", "$1,000", "$900"],
            [None, "$5", ""],
            ["Operating expenses", "", ""],
        ]
    )
    assert table is not None
    assert table.text.splitlines() == [
        "Revenue | Year ended 2019: $1,000 | Year ended 2018: $900",
        "Revenue | Year ended 2019: $5",
        "Operating expenses",
    ]


def test_row_without_a_label_keeps_every_value_under_its_header() -> None:
    table = render_table(
        [["", "2019", "2018"], ["Federal", "$1,139", "$1,294"], ["", "1,568", "1,717"]]
    )
    assert table is not None
    assert table.text.splitlines() == [
        "Federal | 2019: $1,139 | 2018: $1,294",
        "2019: 1,568 | 2018: 1,717",
    ]
    assert parse_line("2019: 1,568 | 2018: 1,717") == Row(
        "", (("2019", "1,568"), ("2018", "1,717"))
    )


def test_table_without_header_row_names_its_columns() -> None:
    table = render_table([["1", "Ribston Pippin", "1931"], ["2", "Bramley", "1950"]])
    assert table is not None
    assert table.text.splitlines()[0] == "1 | Column 2: Ribston Pippin | Column 3: 1931"


def test_stacked_report_header_names_each_column_by_its_group_year_and_units() -> None:
    # A drawn grid has no merged cells: the group's one text names every value column,
    # a letter-spaced year is a year, and a dated corner row is a header row too.
    table = render_table(
        [
            ["", "Fiscal Year Ended", ""],
            ["(Dollars in Millions)", "April 27, 2019", "April 28, 2018"],
            ["Revenues", "$1,073.3", "$1,095.0"],
        ]
    )
    assert table is not None
    assert table.text == (
        "Revenues | Fiscal Year Ended April 27, 2019: $1,073.3"
        " | Fiscal Year Ended April 28, 2018: $1,095.0\n"
    )
    assert table.corner == "(Dollars in Millions)"
    grouped = render_table(
        [
            ["", "December 31, 2019", "", "December 31, 2018", ""],
            ["(In millions)", "Carrying amount", "Fair value", "Carrying amount", "Fair value"],
            ["Term loan", "$474.6", "$470.1", "$222.2", "$221.0"],
        ]
    )
    assert grouped is not None
    assert grouped.text == (
        "Term loan | December 31, 2019 Carrying amount: $474.6 | December 31, 2019 Fair value:"
        " $470.1 | December 31, 2018 Carrying amount: $222.2 | December 31, 2018 Fair value:"
        " $221.0\n"
    )


def test_unnamed_label_column_names_no_caption() -> None:
    table = render_table([["", "2019", "2018"], ["Revenue", "$5", "$4"], ["Costs", "$3", "$2"]])
    assert table is not None and table.corner is None


def test_key_value_table_is_a_form_and_a_blank_value_is_left_out() -> None:
    table = render_table(
        [
            ["Employee", "Ada Quillfeather", "Pay date", "28/03/2025"],
            ["Employee ID", "0001", "Tax code", ""],
        ]
    )
    assert table is not None and table.kind == KIND_FORM
    assert table.text == "Employee: Ada Quillfeather\nPay date: 28/03/2025\nEmployee ID: 0001\n"


def test_separators_inside_cells_cannot_break_a_line_apart() -> None:
    table = render_table([["Note: kind", "Amount"], ["a | b", "1 | 2"], ["c", "3"]])
    assert table is not None
    row = parse_line(table.text.splitlines()[0])
    assert row == Row("a / b", (("", "1 / 2"),))


def test_label_value_lines_become_a_form_beside_the_prose() -> None:
    runs = split_forms("Tenancy\nLandlord: Mr Ashdown\n\nRent: £950 a month\nIt ends in May.")
    assert runs == [
        ("text", "Tenancy"),
        ("form", "Landlord: Mr Ashdown\nRent: £950 a month\n"),
        ("text", "It ends in May."),
    ]


# --- PDFs -------------------------------------------------------------------------------


def test_report_pdf_table_keeps_its_stacked_header_not_column_numbers() -> None:
    doc = read_document(tablefiles.report_pdf(), Path("report.pdf"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.text.splitlines() == [
        "Operating loss carryforward | December 31 2019 U.S. $ in thousands: 73,260"
        " | December 31 2018 U.S. $ in thousands: 57,768",
        "Net deferred tax asset | December 31 2019 U.S. $ in thousands: 795"
        " | December 31 2018 U.S. $ in thousands: 772",
    ]


def test_header_text_running_over_the_next_column_is_read_whole() -> None:
    # Cut at the drawn lines, the header's letters interleave ("r cMheadrgiceadre-appro").
    doc = read_document(tablefiles.overflowing_header_pdf(), Path("notice.pdf"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.text.splitlines()[0] == (
        "Echocardiogram | Amount provider charged: $1,420.00 | Medicare-approved: $512.36"
        " | Medicare paid: $204.29"
    )


def test_ruled_pdf_table_rows_carry_headers_under_the_caption() -> None:
    doc = read_document(tablefiles.ruled_pdf(), Path("payslip.pdf"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.page == 1
    assert table.headings == ("Payslip March 2025", "Deductions")
    assert "Pension | Current: £96.10 | Year to date: £1,057.10" in table.text.splitlines()
    assert "pdfplumber" in doc.engine


def test_ruled_pdf_table_drawn_past_the_page_edge_is_still_a_table() -> None:
    doc = read_document(tablefiles.wide_ruled_pdf(), Path("eob.pdf"))
    (table,) = _sections(doc, KIND_TABLE)
    assert (
        "Daniel Reyes | Service: MRI, right knee | Billed: $1,850.00 | Allowed: $612.00"
        " | Plan paid: $489.60 | You may owe: $122.40"
    ) in table.text.splitlines()


def test_pdf_label_value_lines_are_form_fields() -> None:
    doc = read_document(tablefiles.ruled_pdf(), Path("payslip.pdf"))
    assert "Net pay: £1,984.20" in _lines(doc, KIND_FORM)
    assert "Employee: Ada Quillfeather" in _lines(doc, KIND_FORM)


def test_unruled_pdf_table_is_found_and_prose_is_not_a_table() -> None:
    doc = read_document(tablefiles.unruled_pdf(), Path("accounts.pdf"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings[-1] == "Household costs"
    assert table.text.splitlines() == [
        "January | Rent: £950.00 | Water: £31.20 | Electricity: £88.10",
        "February | Rent: £950.00 | Water: £29.75 | Electricity: £92.40",
        "March | Rent: £975.00 | Water: £30.05 | Electricity: £79.95",
    ]
    prose = " ".join(s.text for s in _sections(doc, "text"))
    assert "mistaken for columns" in prose and "raised the rent" in prose


def test_two_unruled_tables_one_under_the_other_are_read_apart() -> None:
    doc = read_document(tablefiles.stacked_unruled_pdf(), Path("phone.pdf"))
    summary, charges = _sections(doc, KIND_TABLE)
    assert summary.text.splitlines() == [
        "555-0142 | User: Dana | Plan: Unlimited 75 GB | Monthly: $65.00 | Total: $101.00",
        "555-0143 | User: Priya | Plan: Unlimited 50 GB | Monthly: $55.00 | Total: $55.00",
    ]
    assert charges.headings[-1] == "Account charges"
    assert charges.text.splitlines() == ["Lines and extras: $156.00", "Tax (13%): $20.28"]


@pytest.mark.parametrize("repeat_header", [True, False], ids=["repeated", "not-repeated"])
def test_table_across_two_pages_keeps_its_header_on_both(repeat_header: bool) -> None:
    doc = read_document(tablefiles.long_table_pdf(repeat_header), Path("meters.pdf"))
    tables = _sections(doc, KIND_TABLE)
    assert [t.page for t in tables] == [1, 2]
    rows = [line for t in tables for line in t.text.splitlines()]
    expected = [f"{d} | Meter: {m} | Reading: {r}" for d, m, r in tablefiles.READINGS[1:]]
    assert rows == expected
    assert tables[1].headings == tables[0].headings == ("Meter log", "Meter readings")


def test_acroform_fields_come_back_as_label_value_never_a_label_alone() -> None:
    doc = read_document(tablefiles.acroform_pdf(), Path("permit.pdf"))
    assert _lines(doc, KIND_FORM) == [
        "Registration number: KX19 ORC",
        "Permit zone: Zone D (Marrowbrook)",
    ]
    text = "\n".join(s.text for s in doc.sections)
    assert "Applicant" not in text  # blank field: its label alone answers nothing
    assert "Registration number:\n" not in text


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_scanned_table_rows_come_from_tesseracts_word_boxes(ruled: bool) -> None:
    """A table scanned to an image-only PDF: Tesseract reads an unruled table column by
    column, so rows come from where its words sit."""
    page = scans.render_table_page("Payslip March 2025", tablefiles.DEDUCTIONS, ruled=ruled)
    doc = read_document(scans.image_pdf([page]), Path("scan.pdf"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.page == 1 and table.headings == ("Payslip March 2025",)
    assert table.text.splitlines() == [
        f"{label} | Current: {current} | Year to date: {total}"
        for label, current, total in tablefiles.DEDUCTIONS[1:]
    ]
    assert "tesseract" in doc.engine


def test_scanned_image_file_keeps_its_table(tmp_path: Path) -> None:
    page = scans.render_table_page("Household costs", tablefiles.COSTS, ruled=False, angle=-1)
    path = scans.save_image(page, tmp_path / "costs.png")
    doc = read_document(path.read_bytes(), path)
    (table,) = _sections(doc, KIND_TABLE)
    assert (
        table.text.splitlines()[2] == "March | Rent: £975.00 | Water: £30.05 | Electricity: £79.95"
    )


# --- chunks -----------------------------------------------------------------------------


def test_table_chunks_hold_whole_rows_under_the_tables_heading_path(embedder) -> None:  # type: ignore[no-untyped-def]
    doc = read_document(tablefiles.long_table_pdf(False), Path("meters.pdf"))
    counter = TokenCounter(embedder.count_tokens, embedder.token_spans)
    chunks = chunk_document(doc, counter, embedder.max_seq_length)
    rows = {f"{d} | Meter: {m} | Reading: {r}" for d, m, r in tablefiles.READINGS[1:]}
    table_chunks = [c for c in chunks if c.headings == ("Meter log", "Meter readings")]
    assert len(table_chunks) > 2  # the table is long enough to be cut
    seen = []
    for chunk in table_chunks:
        lines = chunk.text.splitlines()
        assert set(lines) <= rows, chunk.text  # never half a row, never a prose line
        assert chunk.embedding_text.startswith("Meter log > Meter readings\n")
        seen += lines
    assert seen == sorted(seen) and set(seen) == rows  # every row once: no overlap


# --- documents, web pages, sheets, slides -----------------------------------------------


def test_docx_table_rows_carry_headers_merged_cell_and_caption() -> None:
    doc = read_document(tablefiles.docx_bytes(), Path("contract.docx"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings == ("Employment contract", "Benefits", "Table 2: Pension and probation")
    assert table.text.splitlines() == [
        "Pension | Employee: 5% | Employer: 3%",
        "Probation | Employee: 6 months",
    ]
    assert _lines(doc, KIND_FORM) == ["Employer: Quillfeather Ltd", "Start date: 1 March 2025"]


def test_a_first_row_merged_across_the_table_is_its_title_not_its_header() -> None:
    doc = read_document(tablefiles.titled_docx_bytes(), Path("invoice.docx"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings == ("Invoice 2025-03", "Ada Brook - Room 2 - March 2025")
    assert table.text.splitlines() == ["Full-day care | Days: 21 | Rate: $68.00"]


def test_html_table_spans_join_headers_and_th_labels_make_a_form() -> None:
    doc = read_document(tablefiles.html_bytes(), Path("savings.html"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings == ("Family savings", "Balances at year end")
    assert table.text.splitlines() == [
        "Easy saver | Balance 2024: £1,200 | Balance 2025: £1,450",
        "Junior ISA | Balance 2024: £640",
    ]
    (form,) = _sections(doc, KIND_FORM)
    assert form.headings == ("Family savings", "Account details")
    assert form.text == "Sort code: 40-11-62\nAccount number: 81234567\n"


def test_sheet_title_rows_become_the_caption_and_a_key_value_block_a_form(
    tmp_path: Path,
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Vet"
    for row in [
        ("Cedar Glen Animal Hospital",),
        ("Patient", "Biscuit"),
        ("Owner", "Evan Whitaker"),
        (),
        ("Vaccine", "Date given", "Next due"),
        ("Rabies", "2023-06-02", "2026-06-02"),
        (),
        ("Leptospirosis", "2024-06-10", "2025-06-10"),
    ]:
        sheet.append(row)
    path = tmp_path / "vet.xlsx"
    book.save(path)
    doc = read_document(path.read_bytes(), path)
    assert [(s.kind, s.headings) for s in doc.sections] == [
        (KIND_FORM, ("Vet", "Cedar Glen Animal Hospital")),
        (KIND_TABLE, ("Vet",)),
        (KIND_TABLE, ("Vet",)),
    ]
    assert doc.sections[0].text == "Patient: Biscuit\nOwner: Evan Whitaker\n"
    # After a blank row the table goes on under its header.
    assert _lines(doc, KIND_TABLE) == [
        "Rabies | Date given: 2023-06-02 | Next due: 2026-06-02",
        "Leptospirosis | Date given: 2024-06-10 | Next due: 2025-06-10",
    ]


def test_sheet_money_and_percentages_read_as_their_cells_show_them(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Fees"
    sheet.append(("Item", "Cost", "Discount", "Players"))
    sheet.append(("Winter clinic", 65, 0.125, 1200))
    sheet.append(("Refund", -46, None, 3))
    formats = {"B": '"$"#,##0.00', "C": "0.0%", "D": "General"}
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            cell.number_format = formats[cell.column_letter]
    sheet["B2"].number_format = "[$€-1809]#,##0.00"
    path = tmp_path / "fees.xlsx"
    book.save(path)
    doc = read_document(path.read_bytes(), path)
    assert _lines(doc, KIND_TABLE) == [
        "Winter clinic | Cost: €65.00 | Discount: 12.5% | Players: 1200",
        "Refund | Cost: -$46.00 | Players: 3",
    ]


def test_title_lines_under_a_full_header_name_the_table() -> None:
    data = "\n".join(
        [
            "Label,Description,Amount",
            ',"Ana Lima Bike Repairs, ABN 47 611 208 935",',
            'G1,Total sales (including GST),"$14,872.00"',
            '1A,GST on sales,"$1,352.00"',
        ]
    )
    doc = read_document(data.encode(), Path("bas.csv"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings == ("Ana Lima Bike Repairs, ABN 47 611 208 935",)
    assert _lines(doc, KIND_TABLE) == [
        "G1 | Description: Total sales (including GST) | Amount: $14,872.00",
        "1A | Description: GST on sales | Amount: $1,352.00",
    ]


def test_epub_chapter_tables_stay_tables() -> None:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_title("Recipes")
    chapter = epub.EpubHtml(title="Bread", file_name="bread.xhtml")
    chapter.content = (
        "<h1>Bread</h1><table><tr><th>Flour</th><th>Grams</th><th>Share</th></tr>"
        "<tr><td>Rye</td><td>300</td><td>60%</td></tr>"
        "<tr><td>Spelt</td><td>200</td><td>40%</td></tr></table>"
    )
    book.add_item(chapter)
    book.toc = [chapter]
    book.spine = [chapter]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    buffer = io.BytesIO()
    epub.write_epub(buffer, book)
    doc = read_document(buffer.getvalue(), Path("recipes.epub"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings == ("Bread",)
    assert table.text.splitlines()[0] == "Rye | Grams: 300 | Share: 60%"


def test_html_email_body_keeps_its_table_under_the_subject() -> None:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = "Whispering Pines <stay@pines.example>"
    mail["To"] = "Evan <evan@example.com>"
    mail["Subject"] = "Your booking"
    mail.set_content(  # HTML only: the reader prefers a plain part where there is one
        "<p>Thank you for booking.</p><table><tr><th>Item</th><th>Nights</th><th>Amount</th>"
        "</tr><tr><td>Cabin 7</td><td>3</td><td>$867.00</td></tr>"
        "<tr><td>Cleaning fee</td><td></td><td>$95.00</td></tr></table><p>See you soon.</p>",
        subtype="html",
    )
    doc = read_document(mail.as_bytes(), Path("booking.eml"))
    (table,) = _sections(doc, KIND_TABLE)
    assert table.headings == ("Your booking",)
    assert table.text == "Cabin 7 | Nights: 3 | Amount: $867.00\nCleaning fee | Amount: $95.00\n"
    assert doc.sections[0].text.startswith("From: Whispering Pines")
    assert "Thank you for booking." in doc.sections[0].text
    assert "See you soon." in doc.sections[-1].text
