"""The readers of EPUB, PowerPoint, Excel, CSV/TSV, OpenDocument, e-mail, source code and
config files, on real files written by each format's own library (tests/formatfiles.py):
each fact must come back in the place its format gives it (slide, sheet, chapter,
message, attachment page), and a passage from an attachment is cited through its mail.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import formatfiles
import pytest

from assistant.conversation import SavedSource
from assistant.retrieve import file_location
from ingest.document import Document, Section, UnreadableFile
from ingest.readers import read_document, supported_suffixes


def read(data: bytes, name: str) -> Document:
    return read_document(data, Path(name))


def where(doc: Document, words: str) -> list[Section]:
    return [s for s in doc.sections if words in s.text]


def test_every_new_format_has_a_reader() -> None:
    expected = {".epub", ".pptx", ".xlsx", ".csv", ".tsv", ".odt", ".ods", ".odp"}
    expected |= {".eml", ".mbox", ".msg", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
    expected |= {".webp", ".bmp", ".py", ".js", ".ts", ".go", ".rs", ".java", ".c", ".h"}
    expected |= {".sh", ".toml", ".yaml", ".json"}
    assert expected <= supported_suffixes()


# --- spreadsheets -------------------------------------------------------------------------


def test_xlsx_one_section_per_sheet_and_each_cell_beside_its_column() -> None:
    doc = read(formatfiles.xlsx_bytes(), "accounts.xlsx")
    assert [(s.headings, s.kind) for s in doc.sections] == [
        (("Invoices",), "table"),
        (("Trees",), "table"),
    ]
    assert doc.sections[0].text.splitlines() == [
        "Quillfeather Cider Press | Amount: 418 | Paid on: 2025-10-09",
        "Harcastle Hives | Amount: 95.5 | Paid on: 2025-11-02",
    ]
    # A sheet that starts with data has no header: its columns are named by letter.
    assert doc.sections[1].text.splitlines()[0] == "1 | B: Ribston Pippin | C: 1931"
    assert doc.engine == "openpyxl" and doc.metadata["title"] == "Orchard accounts"


def test_csv_sniffs_semicolons_and_tsv_uses_tabs() -> None:
    csv = "Supplier;Amount\nQuillfeather Cider Press;418\n\n;\nHarcastle Hives;95,50\n"
    doc = read(csv.encode(), "invoices.csv")
    # One value column: `row label: value`.
    assert [line for s in doc.sections for line in s.text.splitlines()] == [
        "Quillfeather Cider Press: 418",
        "Harcastle Hives: 95,50",
    ]
    tsv = "Tree\tPlanted\tRow\nBramley, the big one\t1950\t4\n"
    assert (
        "Bramley, the big one | Planted: 1950 | Row: 4"
        in read(tsv.encode(), "t.tsv").sections[0].text
    )


def test_ods_sheet_with_repeated_empty_cells_stays_small() -> None:
    doc = read(formatfiles.ods_bytes(), "accounts.ods")
    assert [s.headings for s in doc.sections] == [("Invoices",)]
    assert where(doc, "Quillfeather Cider Press | Amount: 418 | Paid on: 2025-10-09")
    assert len(doc.sections[0].text) < 300  # no million empty rows written out


# --- slides -------------------------------------------------------------------------------


def test_pptx_one_slide_a_page_with_title_table_and_notes() -> None:
    doc = read(formatfiles.pptx_bytes(), "winter.pptx")
    assert [(s.page, s.headings, s.kind) for s in doc.sections] == [
        (1, ("Pruning plan",), "text"),
        (2, ("Harvest by variety",), "text"),
        (2, ("Harvest by variety",), "table"),
    ]
    first, _title, table = doc.sections
    assert "Prune the Bramleys in February" in first.text
    assert first.text.endswith("Notes: Remind Oswin to sharpen the long-arm loppers.")
    assert table.text == "Ribston Pippin: 37\nBramley: 52\n"
    assert doc.engine == "python-pptx"


def test_odp_one_slide_a_page_with_notes() -> None:
    doc = read(formatfiles.odp_bytes(), "bees.odp")
    assert [(s.page, s.headings) for s in doc.sections] == [
        (1, ("Swarm season",)),
        (2, ("Honey",)),
    ]
    assert doc.sections[0].text.endswith("Notes: Call Oswin first.")
    assert where(doc, "41 jars")[0].page == 2


# --- text documents -----------------------------------------------------------------------


def test_epub_chapters_in_reading_order_under_their_titles() -> None:
    doc = read(formatfiles.epub_bytes(), "almanac.epub")
    assert [s.headings for s in doc.sections] == [
        ("Winter Work",),
        ("Spring Blossom",),
        ("Spring Blossom", "Pollinators"),
    ]
    assert where(doc, "Mason bees fly at nine degrees")[0].headings[-1] == "Pollinators"
    assert doc.metadata == {"title": "The Orchard Almanac", "author": "Philippa Thornycroft"}


def test_odt_headings_nest_and_tables_keep_rows() -> None:
    doc = read(formatfiles.odt_bytes(), "lease.odt")
    assert where(doc, "260 pounds")[0].headings == ("Tenancy",)
    grazing = where(doc, "six sheep")[0]
    assert grazing.headings == ("Tenancy", "Grazing")
    # A two-column table of labels and values is a form, under the same headings.
    (dates,) = where(doc, "Lady Day")
    assert (dates.kind, dates.headings) == ("form", ("Tenancy", "Grazing"))
    assert dates.text == "Due: Lady Day\nPaid: 25 March\n"


# --- e-mail -------------------------------------------------------------------------------


def test_eml_message_attachments_and_forwarded_message(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        doc = read(formatfiles.eml_bytes(), "invoice-mail.eml")
    message = doc.sections[0]
    assert message.attachment is None and message.headings == ("Cider press invoice",)
    assert message.text.splitlines()[:5] == [
        "From: Philippa Thornycroft <philippa@example.org>",
        "To: Orchard Committee <committee@example.org>",
        "Date: Sat, 14 Mar 2026 09:30:00 +0000",
        "Subject: Cider press invoice",
        "",
    ]
    assert "due at the end of the month" in message.text
    total = where(doc, "Invoice total: 418 pounds")
    assert [(s.attachment, s.page) for s in total] == [("invoice.pdf", 2)]
    note = where(doc, "queen seen")
    assert [s.attachment for s in note] == ["hive-inspection.eml › inspection.txt"]
    assert where(doc, "Subject: Hive inspection")[0].attachment == "hive-inspection.eml"
    # The broken attachment costs itself only, with a line saying why.
    assert "attachment broken.pdf: corrupt or truncated PDF" in caplog.text
    assert doc.metadata["title"] == "Cider press invoice"


def test_mbox_one_section_per_message() -> None:
    doc = read(formatfiles.mbox_bytes(), "orchard.mbox")
    assert [s.headings for s in doc.sections] == [("Rota for April",), ("Ladder repair",)]
    assert "Grace on Thursdays" in doc.sections[0].text
    assert "tie it off" in doc.sections[1].text


def test_attachment_location_reads_through_its_mail() -> None:
    assert file_location("/m/invoice-mail.eml", 2, 2, "invoice.pdf") == (
        "invoice-mail.eml › invoice.pdf, page 2"
    )
    saved = SavedSource(1, "/m/a.eml", 1, 1, "", 0.5, "text", True, "b.eml › c.pdf")
    assert SavedSource(**json.loads(json.dumps(saved.__dict__))).location() == (
        "a.eml › b.eml › c.pdf, page 1"
    )


def test_attachment_is_cited_through_its_mail_by_search_and_ask(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "invoice-mail.eml").write_bytes(formatfiles.eml_bytes())
    result = cli("ingest", "--json", str(folder))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["failed"] == []
    top = json.loads(cli("search", "--json", "invoice total payable thirty days").stdout)[0]
    # The total is on the invoice's second page, and only that page is cited.
    assert top["attachment"] == "invoice.pdf" and (top["page"], top["page_end"]) == (2, 2)
    assert "Invoice total: 418 pounds" in top["text"]
    shown = cli("search", "invoice total payable thirty days").stdout
    assert "[1] invoice-mail.eml › invoice.pdf, page 2" in shown
    status = json.loads(cli("status", "--json").stdout)
    assert status["engines"] == {"email": 1}


# --- source code and config ---------------------------------------------------------------

PYTHON = '''"""Ledger helpers."""

import math

RATE = 0.2


# The total with VAT, rounded up to the penny.
def total(amounts):
    subtotal = sum(amounts)

    return math.ceil(subtotal * (1 + RATE) * 100) / 100


class Ledger:
    """Lines of the orchard ledger."""

    def __init__(self):
        self.lines = []

    @property
    def balance(self):
        return total(self.lines)
'''


def test_python_split_into_whole_functions_and_methods() -> None:
    doc = read(PYTHON.encode(), "ledger.py")
    by_heading = {s.headings: s.text for s in doc.sections}
    assert by_heading[("def total",)].startswith("# The total with VAT")
    assert by_heading[("def total",)].endswith(
        "return math.ceil(subtotal * (1 + RATE) * 100) / 100"
    )
    assert "subtotal = sum(amounts)\n\n    return" in by_heading[("def total",)]
    assert by_heading[("class Ledger", "def balance")].lstrip().startswith("@property")
    assert ("class Ledger", "def __init__") in by_heading
    assert by_heading[()].startswith('"""Ledger helpers."""')


GO = """package ledger

import "math"

// Total adds the amounts.
func Total(amounts []float64) float64 {
	sum := 0.0

	for _, a := range amounts {
		sum += a
	}
	return math.Round(sum*100) / 100
}

func (l *Ledger) Balance() float64 { return Total(l.Lines) }
"""


def test_brace_language_split_at_functions() -> None:
    doc = read(GO.encode(), "ledger.go")
    by_heading = {s.headings: s.text for s in doc.sections}
    assert by_heading[("Total",)].startswith("// Total adds the amounts.")
    assert by_heading[("Total",)].endswith("return math.Round(sum*100) / 100\n}")
    assert ("Balance",) in by_heading
    assert by_heading[()] == 'package ledger\n\nimport "math"'


def test_config_files_by_table_and_key() -> None:
    toml = read(b'name = "orchard"\n[server]\nport = 8443\n', "app.toml")
    assert [(s.headings, s.text) for s in toml.sections] == [
        ((), 'name = "orchard"'),
        (("server",), "[server]\nport = 8443"),
    ]
    yaml = read(b"name: orchard\nproxy:\n  host: 127.0.0.1\n  port: 8443\ndebug: false\n", "a.yaml")
    assert [s.headings for s in yaml.sections] == [(), ("proxy",), ()]
    assert "port: 8443" in yaml.sections[1].text
    data = read(b'{"name": "orchard", "proxy": {"port": 8443}}', "a.json")
    assert [(s.headings, s.text) for s in data.sections] == [
        ((), '"name": "orchard"'),
        (("proxy",), '"proxy": {\n  "port": 8443\n}'),
    ]


def test_outlook_msg_message_and_attachments() -> None:
    doc = read(formatfiles.msg_bytes(), "invoice.msg")
    message = doc.sections[0]
    assert message.headings == ("Cider press invoice",) and message.attachment is None
    assert message.text.splitlines()[:4] == [
        "From: Philippa Thornycroft <philippa@example.org>",
        "To: Orchard Committee <committee@example.org>",
        "Date: 2026-03-14 09:30:00+00:00",
        "Subject: Cider press invoice",
    ]
    assert "Due in March." in message.text
    total = where(doc, "Invoice total: 418 pounds")
    assert [(s.attachment, s.page) for s in total] == [("invoice.pdf", 2)]
    # Over 4 KB: stored in the file's big sectors rather than its mini stream.
    assert [s.attachment for s in where(doc, "tie it off at the top")] == ["ladder.txt"]
    assert doc.engine == "extract-msg"


def test_corrupt_outlook_msg_is_one_reason() -> None:
    data = formatfiles.msg_bytes()
    with pytest.raises(UnreadableFile) as info:
        read(data[: len(data) // 3], "cut.msg")
    assert str(info.value).startswith("corrupt Outlook message: ")


def test_learning_the_suffixes_imports_no_parser() -> None:
    """An unchanged re-scan asks the registry which files it reads, and reads none: that
    must not import a single format library (they cost up to a second to import)."""
    import subprocess
    import sys

    heavy = ["pypdf", "pypdfium2", "PIL", "docx", "bs4", "openpyxl", "pptx", "ebooklib", "odf"]
    heavy += ["extract_msg", "charset_normalizer"]
    code = (
        "import sys\nfrom ingest.readers import supported_suffixes\nsupported_suffixes()\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_missing_format_library_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    data = formatfiles.xlsx_bytes()
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # what an absent package looks like
    with pytest.raises(UnreadableFile) as info:
        read(data, "accounts.xlsx")
    assert str(info.value) == (
        "reading this format needs openpyxl: pip install 'local-doc-assistant[formats]'"
    )
