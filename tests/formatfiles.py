"""Real files of every format the readers take, written by the libraries made for each
(openpyxl, python-pptx, ebooklib, odfpy, the standard library's email and mailbox), with
facts a test can look for in the place the reader must put them. Used by test_formats.py
and, truncated or broken, by badfiles.py.
"""

from __future__ import annotations

import io
import mailbox
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

INVOICE_ROWS = [
    ("Supplier", "Amount", "Paid on"),
    ("Quillfeather Cider Press", 418, "2025-10-09"),
    ("Harcastle Hives", 95.5, "2025-11-02"),
]


def xlsx_bytes() -> bytes:
    """Two sheets: Invoices (a header row, then rows) and Trees (no header: data at once)."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    invoices = book.active
    invoices.title = "Invoices"
    invoices.append(INVOICE_ROWS[0])
    for supplier, amount, paid in INVOICE_ROWS[1:]:
        invoices.append((supplier, amount, dt.date.fromisoformat(paid)))
    trees = book.create_sheet("Trees")
    trees.append((1, "Ribston Pippin", 1931))
    trees.append((2, "Bramley", 1950))
    book.properties.title = "Orchard accounts"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pptx_bytes() -> bytes:
    """Slide 1: a title and bullets with speaker notes; slide 2: a title and a table."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Pruning plan"
    first.placeholders[1].text = "Prune the Bramleys in February\nBurn nothing: chip it"
    first.notes_slide.notes_text_frame.text = "Remind Oswin to sharpen the long-arm loppers."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Harvest by variety"
    table = second.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate([("Variety", "Crates"), ("Ribston Pippin", "37"), ("Bramley", "52")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    deck.core_properties.title = "Winter meeting"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def epub_bytes() -> bytes:
    """A two-chapter book with a table of contents; chapter 2 has a sub-heading."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("orchard-almanac-1")
    book.set_title("The Orchard Almanac")
    book.add_author("Philippa Thornycroft")
    one = epub.EpubHtml(title="Winter Work", file_name="winter.xhtml", lang="en")
    one.content = "<h1>Winter Work</h1><p>Winter pruning opens the canopy to light.</p>"
    two = epub.EpubHtml(title="Spring Blossom", file_name="spring.xhtml", lang="en")
    two.content = (
        "<h1>Spring Blossom</h1><p>Frost at blossom time costs the crop.</p>"
        "<h2>Pollinators</h2><p>Mason bees fly at nine degrees, honeybees at twelve.</p>"
    )
    for chapter in (one, two):
        book.add_item(chapter)
    book.toc = [
        epub.Link("winter.xhtml", "Winter Work", "winter"),
        epub.Link("spring.xhtml", "Spring Blossom", "spring"),
    ]
    book.spine = [one, two]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    with tempfile.TemporaryDirectory() as folder:  # ebooklib writes to a path only
        path = Path(folder) / "book.epub"
        epub.write_epub(str(path), book)
        return path.read_bytes()


def odt_bytes() -> bytes:
    from odf import table, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    doc.text.addElement(text.H(outlinelevel=1, text="Tenancy"))
    doc.text.addElement(text.P(text="The meadow rent is 260 pounds a year."))
    doc.text.addElement(text.H(outlinelevel=2, text="Grazing"))
    doc.text.addElement(text.P(text="No more than six sheep between November and February."))
    grid = table.Table(name="Dates")
    for row_values in (("Due", "Lady Day"), ("Paid", "25 March")):
        row = table.TableRow()
        for value in row_values:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    doc.text.addElement(grid)
    return _odf_bytes(doc)


def ods_bytes() -> bytes:
    from odf import table, text
    from odf.opendocument import OpenDocumentSpreadsheet

    doc = OpenDocumentSpreadsheet()
    sheet = table.Table(name="Invoices")
    for values in INVOICE_ROWS:
        row = table.TableRow()
        for value in values:
            if isinstance(value, int | float):
                cell = table.TableCell(valuetype="float", value=value)
            else:
                cell = table.TableCell(valuetype="string")
            cell.addElement(text.P(text=str(value)))
            row.addElement(cell)
        # What office programs write after the data: one cell repeated to the sheet's edge.
        row.addElement(table.TableCell(numbercolumnsrepeated=1020))
        sheet.addElement(row)
    sheet.addElement(table.TableRow(numberrowsrepeated=1048570))
    doc.spreadsheet.addElement(sheet)
    return _odf_bytes(doc)


def odp_bytes() -> bytes:
    from odf import draw, presentation, style, text
    from odf.namespaces import PRESENTATIONNS
    from odf.opendocument import OpenDocumentPresentation

    doc = OpenDocumentPresentation()
    layout = style.PageLayout(name="layout")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="master", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    for title, body, notes in (
        ("Swarm season", "Swarms cluster on the pear by the gate.", "Call Oswin first."),
        ("Honey", "We took 41 jars from the two hives.", ""),
    ):
        page = draw.Page(masterpagename=master)
        for kind, words in (("title", title), ("outline", body)):
            frame = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
            frame.setAttrNS(PRESENTATIONNS, "class", kind)
            box = draw.TextBox()
            box.addElement(text.P(text=words))
            frame.addElement(box)
            page.addElement(frame)
        if notes:
            note = presentation.Notes()
            frame = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
            box = draw.TextBox()
            box.addElement(text.P(text=notes))
            frame.addElement(box)
            note.addElement(frame)
            page.addElement(note)
        doc.presentation.addElement(page)
    return _odf_bytes(doc)


def _odf_bytes(doc: object) -> bytes:
    out = io.BytesIO()
    doc.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def message(
    subject: str,
    body: str,
    sender: str = "Oswin Harcastle <oswin@example.org>",
    attachments: tuple[tuple[str, bytes], ...] = (),
) -> EmailMessage:
    import datetime as dt

    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "Orchard Committee <committee@example.org>"
    mail["Date"] = format_datetime(dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.timezone.utc))
    mail["Subject"] = subject
    mail.set_content(body)
    for name, data in attachments:
        maintype, subtype = {
            ".pdf": ("application", "pdf"),
            ".txt": ("text", "plain"),
        }.get(Path(name).suffix, ("application", "octet-stream"))
        if maintype == "text":
            mail.add_attachment(data.decode(), filename=name)
        else:
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail


def invoice_pdf() -> bytes:
    """Two pages; the total is on page 2 only."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.drawString(72, 800, "Invoice 2211 from the Quillfeather Cider Press. Page one: items.")
    pdf.showPage()
    pdf.drawString(72, 800, "Invoice total: 418 pounds, payable within thirty days.")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def eml_bytes() -> bytes:
    """A message with a PDF attachment and a forwarded message that has a text file."""
    forwarded = message(
        "Hive inspection",
        "Forwarding the inspector's note.",
        attachments=(
            ("inspection.txt", b"Brood pattern good; queen seen; no varroa above threshold."),
        ),
    )
    mail = message(
        "Cider press invoice",
        "Please find the invoice attached. It is due at the end of the month.",
        sender="Philippa Thornycroft <philippa@example.org>",
        attachments=(("invoice.pdf", invoice_pdf()), ("broken.pdf", b"%PDF-1.4 truncated")),
    )
    mail.add_attachment(forwarded, filename="hive-inspection.eml")
    return mail.as_bytes()


def mbox_bytes() -> bytes:
    """Two messages in one mbox, written by the standard library's mailbox module; the
    second body has a line starting 'From ', which mbox escapes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orchard.mbox"
        box = mailbox.mbox(str(path))
        box.add(message("Rota for April", "Ada waters on Mondays, Grace on Thursdays."))
        box.add(message("Ladder repair", "The ladder is mended.\nFrom now on, tie it off."))
        box.flush()
        box.close()
        return path.read_bytes()


def msg_bytes() -> bytes:
    """An Outlook message (what Outlook's "Save as" writes, built with tests/cfb.py): the
    transport headers, a plain body, the submit time, and two attachments: the two-page
    invoice PDF and a text note."""
    import datetime as dt
    import struct

    import cfb

    def utf16(text: str) -> bytes:
        return text.encode("utf-16-le")

    sent = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.timezone.utc)
    filetime = int((sent.timestamp() + 11_644_473_600) * 10**7)
    headers = (
        "From: Philippa Thornycroft <philippa@example.org>\r\n"
        "To: Orchard Committee <committee@example.org>\r\n"
        "Subject: Cider press invoice\r\n\r\n"
    )
    # The message's property stream: a 32-byte header (next recipient and attachment ids,
    # their counts), then PR_CLIENT_SUBMIT_TIME as a fixed-size property.
    properties = b"\0" * 8 + struct.pack("<IIII", 0, 2, 0, 2) + b"\0" * 8
    properties += struct.pack("<IIQ", 0x00390040, 6, filetime)

    def attachment(name: str, data: bytes) -> cfb.Storage:
        return cfb.Storage(
            {
                "__substg1.0_3707001F": utf16(name),  # PR_ATTACH_LONG_FILENAME
                "__substg1.0_37010102": data,  # PR_ATTACH_DATA_BIN
                "__properties_version1.0": b"\0" * 8,
            }
        )

    root = cfb.Storage(
        {
            "__substg1.0_001A001F": utf16("IPM.Note"),  # PR_MESSAGE_CLASS
            "__substg1.0_0037001F": utf16("Cider press invoice"),  # PR_SUBJECT
            "__substg1.0_1000001F": utf16("Please find the invoice attached. Due in March."),
            "__substg1.0_007D001F": utf16(headers),  # PR_TRANSPORT_MESSAGE_HEADERS
            "__properties_version1.0": properties,
            # Named-property mapping: empty, but a reader expects its three streams.
            "__nameid_version1.0": cfb.Storage({f"__substg1.0_000{n}0102": b"" for n in (2, 3, 4)}),
            "__attach_version1.0_#00000000": attachment("invoice.pdf", invoice_pdf()),
            "__attach_version1.0_#00000001": attachment(
                "ladder.txt", b"The ladder is mended; tie it off at the top. " * 100
            ),
        }
    )
    return cfb.write(root)
