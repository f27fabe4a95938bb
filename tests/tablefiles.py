"""Real files with tables and forms, written by the libraries people's software uses
(reportlab for PDFs, python-docx, openpyxl...), for test_tables.py: each table holds
facts a test can look for in the row line the reader must write.
"""

from __future__ import annotations

import io

# A payslip's deductions: the row label, then Current and Year to date.
DEDUCTIONS = [
    ("Deduction", "Current", "Year to date"),
    ("Income tax", "£312.40", "£3,436.40"),
    ("National Insurance", "£118.22", "£1,300.42"),
    ("Pension", "£96.10", "£1,057.10"),
]
# Household costs by month, for the unruled table.
COSTS = [
    ("Month", "Rent", "Water", "Electricity"),
    ("January", "£950.00", "£31.20", "£88.10"),
    ("February", "£950.00", "£29.75", "£92.40"),
    ("March", "£975.00", "£30.05", "£79.95"),
]
# A report's table as annual reports draw it: a group header over letter-spaced years, a
# units line under them, no merged cells (every cell drawn, the group's others blank).
REPORT = [
    ("", "December 31", ""),
    ("", "2019", "2 0 1 8"),
    ("", "U.S. $ in thousands", ""),
    ("Operating loss carryforward", "73,260", "57,768"),
    ("Net deferred tax asset", "795", "772"),
]
# A meter-reading log long enough to run over a page break.
READINGS = [("Date", "Meter", "Reading")] + [
    (f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}", f"M-{100 + i}", f"{4100 + 7 * i} kWh")
    for i in range(70)
]


def _pdf(story: list, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title, invariant=1).build(story)
    return out.getvalue()


def _styles() -> dict:
    from reportlab.lib.styles import getSampleStyleSheet

    return getSampleStyleSheet()


def ruled_pdf() -> bytes:
    """A payslip: "Label: value" lines, then a drawn grid under a "Deductions" heading."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    )
    story = [
        Paragraph("Payslip March 2025", styles["Heading1"]),
        Paragraph("Employee: Ada Quillfeather", styles["BodyText"]),
        Paragraph("Pay date: 28/03/2025", styles["BodyText"]),
        Paragraph("Net pay: £1,984.20", styles["BodyText"]),
        Spacer(1, 12),
        Paragraph("Deductions", styles["Heading2"]),
        Table(DEDUCTIONS, style=grid),
        Spacer(1, 12),
        Paragraph("Pay is made by bank transfer on the last working day.", styles["BodyText"]),
    ]
    return _pdf(story, "Payslip March 2025")


def wide_ruled_pdf() -> bytes:
    """A claims table drawn wider than the page, its last column past the right edge (as
    some statement generators draw them): the cells inside the page are still a table."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    grid = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold")]
    )
    rows = [
        ("Patient", "Service", "Billed", "Allowed", "Plan paid", "You may owe"),
        ("Tyler Whitaker", "Urgent care visit", "$285.00", "$168.40", "$54.72", "$113.68"),
        ("Daniel Reyes", "MRI, right knee", "$1,850.00", "$612.00", "$489.60", "$122.40"),
    ]
    story = [
        Paragraph("Claims processed", _styles()["Heading2"]),
        Table(rows, colWidths=[110, 130, 90, 90, 90, 90], style=grid),
    ]
    return _pdf(story, "Explanation of Benefits")


def report_pdf() -> bytes:
    """An annual report's note: a paragraph, then the REPORT table as a ruled grid."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    story = [
        Paragraph("Note 13 - Taxes on income", styles["Heading1"]),
        Paragraph("The deferred tax assets are summarised below.", styles["BodyText"]),
        Spacer(1, 12),
        Table(REPORT, style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)])),
    ]
    return _pdf(story, "Annual report extract")


def overflowing_header_pdf() -> bytes:
    """A statement whose header texts are wider than their drawn columns and run over
    the next one's, as a form generator sets them."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows = [
        ("Service", "Amount provider charged", "Medicare-approved", "Medicare paid"),
        ("Echocardiogram", "$1,420.00", "$512.36", "$204.29"),
        ("Office visit", "$245.00", "$128.50", "$102.80"),
    ]
    style = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTSIZE", (0, 0), (-1, -1), 8)]
    )
    story = [
        Paragraph("Your claims in detail", _styles()["Heading1"]),
        Table(rows, colWidths=[110, 70, 80, 62], style=style),
    ]
    return _pdf(story, "Summary notice")


def unruled_pdf() -> bytes:
    """Prose, then a table with no lines at all (a bold header row), then prose."""
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    story = [
        Paragraph("Flat accounts 2025", styles["Heading1"]),
        Paragraph(
            "The landlord, Mr Ashdown, raised the rent in March as the lease allowed. "
            "Everything else was paid by direct debit from the joint account.",
            styles["BodyText"],
        ),
        Spacer(1, 12),
        Paragraph("Household costs", styles["Heading2"]),
        Table(COSTS, style=TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold")])),
        Spacer(1, 12),
        Paragraph(
            "Notes follow in a paragraph of ordinary prose that runs over more than one "
            "line of the page, so that its words could be mistaken for columns.",
            styles["BodyText"],
        ),
    ]
    return _pdf(story, "Flat accounts 2025")


def stacked_unruled_pdf() -> bytes:
    """A phone bill: a summary table by line and, right under it with no gap wider than
    a row's, a two-column table of account charges on other columns; no lines drawn."""
    from reportlab.platypus import Paragraph, Table

    lines = [
        ("Line", "User", "Plan", "Monthly", "Total"),
        ("555-0142", "Dana", "Unlimited 75 GB", "$65.00", "$101.00"),
        ("555-0143", "Priya", "Unlimited 50 GB", "$55.00", "$55.00"),
    ]
    charges = [
        ("Account charges", "Amount"),
        ("Lines and extras", "$156.00"),
        ("Tax (13%)", "$20.28"),
    ]
    return _pdf(
        [
            Paragraph("Summary by line", _styles()["Heading2"]),
            Table(lines, colWidths=[70, 50, 110, 60, 60], hAlign="LEFT"),
            Table(charges, colWidths=[150, 60], hAlign="LEFT"),
        ],
        "Phone bill",
    )


def long_table_pdf(repeat_header: bool) -> bytes:
    """READINGS drawn as one ruled table that runs onto page 2, with its header row
    repeated there (what most tools do) or not (the reader must carry it over)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    styles = _styles()
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    )
    table = Table(READINGS, style=style, repeatRows=1 if repeat_header else 0)
    return _pdf([Paragraph("Meter readings", styles["Heading1"]), table], "Meter log")


def acroform_pdf() -> bytes:
    """A filled-in PDF form: the page shows the labels, the values live in the fields."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.drawString(72, 800, "Parking permit application")
    fields = [
        ("Registration number", "registration", "KX19 ORC"),
        ("Permit zone", "zone", "Zone D (Marrowbrook)"),
        ("Applicant", "applicant", ""),
    ]
    for row, (label, name, value) in enumerate(fields):
        y = 760 - 40 * row
        pdf.drawString(72, y, f"{label}:")
        pdf.acroForm.textfield(
            name=name, tooltip=label, value=value, x=220, y=y - 6, width=200, height=20
        )
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def docx_bytes() -> bytes:
    """An employment contract: "Label: value" paragraphs, then a captioned table with a
    bold header row and a cell merged across two columns."""
    import docx

    document = docx.Document()
    document.add_heading("Employment contract", level=1)
    document.add_paragraph("Employer: Quillfeather Ltd")
    document.add_paragraph("Start date: 1 March 2025")
    document.add_heading("Benefits", level=2)
    document.add_paragraph("Table 2: Pension and probation")
    table = document.add_table(rows=3, cols=3)
    rows = [("Benefit", "Employee", "Employer"), ("Pension", "5%", "3%"), ("Probation", "", "")]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            run = table.cell(r, c).paragraphs[0].add_run(value)
            run.bold = r == 0
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.paragraphs[0].add_run("6 months")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def titled_docx_bytes() -> bytes:
    """A childcare invoice whose table opens with a bold row merged across every column
    (whose care, which month) over its bold header row."""
    import docx

    document = docx.Document()
    document.add_heading("Invoice 2025-03", level=1)
    rows = [
        ("Ada Brook - Room 2 - March 2025", "", ""),
        ("Description", "Days", "Rate"),
        ("Full-day care", "21", "$68.00"),
    ]
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).paragraphs[0].add_run(value).bold = r < 2
    table.cell(0, 0).merge(table.cell(0, 2))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_bytes() -> bytes:
    """Two header rows joined by a colspan and a rowspan, and a key/value table whose
    rows start with <th>."""
    return b"""<html><head><title>Savings</title></head><body>
<h1>Family savings</h1>
<table>
  <caption>Balances at year end</caption>
  <thead>
    <tr><th rowspan="2">Account</th><th colspan="2">Balance</th></tr>
    <tr><th>2024</th><th>2025</th></tr>
  </thead>
  <tr><td>Easy saver</td><td>\xc2\xa31,200</td><td>\xc2\xa31,450</td></tr>
  <tr><td>Junior ISA</td><td>\xc2\xa3640</td><td></td></tr>
</table>
<h2>Account details</h2>
<table>
  <tr><th>Sort code</th><td>40-11-62</td></tr>
  <tr><th>Account number</th><td>81234567</td></tr>
</table>
</body></html>"""
