"""Tests for the document readers: real sample files, tricky encodings, and every bad input."""

from __future__ import annotations

import importlib.util
import io
import logging
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
from badfiles import BAD_FILES, EXPECTED_REASON_FRAGMENT
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError
from sample_questions import SAMPLE_DOCS, SAMPLE_QUESTIONS, SampleQuestion

from ingest.document import Document, Section, UnreadableFile
from ingest.ocr import OcrOptions
from ingest.readers import ReadOptions, read_document, supported_suffixes

REPORT = SAMPLE_DOCS / "annual-report-2025.pdf"
MINUTES = SAMPLE_DOCS / "meeting-minutes-2026-03.docx"


def read(path: Path) -> Document:
    return read_document(path.read_bytes(), path)


def read_bytes(data: bytes, name: str) -> Document:
    return read_document(data, Path(name))


def sections_containing(doc: Document, needle: str) -> list[Section]:
    return [s for s in doc.sections if needle in s.text]


def all_text(doc: Document) -> str:
    return "\n".join(s.text for s in doc.sections)


def test_every_format_has_a_reader() -> None:
    expected = {".pdf", ".md", ".markdown", ".txt", ".text", ".rst", ".log", ".org", ".adoc"}
    expected |= {".docx", ".html", ".htm"}
    assert expected <= supported_suffixes()


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_has_one_section_per_page_numbered_from_one() -> None:
    doc = read(REPORT)
    assert [s.page for s in doc.sections] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("fact", "page"),
    [("143", 1), ("6.8 tonnes", 2), ("5,000 pounds", 3), ("3,275 pounds", 4), ("30 new trees", 5)],
)
def test_pdf_fact_comes_back_on_its_page(fact: str, page: int) -> None:
    doc = read(REPORT)
    assert [s.page for s in sections_containing(doc, fact)] == [page]


def test_pdf_metadata_title_and_author() -> None:
    assert read(REPORT).metadata == {
        "title": "Annual Report 2025",
        "author": "Marrowbrook Community Orchard Committee",
    }


def _pypdf_fails_on_page_3(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PageObject

    original = PageObject.extract_text

    def flaky(self: PageObject, *args: object, **kwargs: object) -> str:
        text = original(self, *args, **kwargs)
        if "Accounts for the year" in text:
            raise ValueError("bad content stream")
        return text

    monkeypatch.setattr(PageObject, "extract_text", flaky)


def test_pdf_page_pypdf_cannot_extract_is_read_by_pdfium(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _pypdf_fails_on_page_3(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="ingest.readers.pdf"):
        doc = read(REPORT)
    assert [s.page for s in doc.sections] == [1, 2, 3, 4, 5]
    assert [s.page for s in sections_containing(doc, "5,000 pounds")] == [3]
    assert doc.engine == "pypdf+pypdfium2"
    assert "page 3" in caplog.text and "bad content stream" in caplog.text


def test_pdf_page_no_engine_can_read_costs_only_that_page(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ingest.readers import _pdfium

    _pypdf_fails_on_page_3(monkeypatch)
    monkeypatch.setattr(_pdfium, "page_text", lambda pdf, index: "")
    no_ocr = ReadOptions(ocr=OcrOptions(enabled=False))
    with caplog.at_level(logging.WARNING, logger="ingest.readers.pdf"):
        doc = read_document(REPORT.read_bytes(), REPORT, no_ocr)
    assert [s.page for s in doc.sections] == [1, 2, 4, 5]
    assert "1 scanned pages not read: OCR is off" in caplog.text


def test_pdf_pypdf_cannot_open_is_read_by_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf.errors import PdfReadError

    def broken(*args: object, **kwargs: object) -> None:
        raise PdfReadError("Could not read malformed PDF file")

    monkeypatch.setattr("pypdf.PdfReader.__init__", broken)
    doc = read(REPORT)
    assert doc.engine == "pypdfium2"
    assert [s.page for s in sections_containing(doc, "3,275 pounds")] == [4]
    assert doc.metadata["title"] == "Annual Report 2025"


def _encrypt(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_encrypted_with_empty_user_password_is_read() -> None:
    data = _encrypt(REPORT.read_bytes(), user_password="")
    assert PdfReader(io.BytesIO(data)).is_encrypted
    doc = read_bytes(data, "restricted.pdf")
    assert [s.page for s in sections_containing(doc, "3,275 pounds")] == [4]


def test_pdf_aes_without_cryptography_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # AES files cannot be written here without `cryptography` either, so pypdf's refusal
    # is simulated at the point where it happens: opening the file with a password.
    def needs_crypto(self: PdfReader, password: str) -> None:
        raise DependencyError("cryptography is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", needs_crypto)
    data = _encrypt(REPORT.read_bytes(), user_password="secret")
    with pytest.raises(UnreadableFile) as info:
        read_bytes(data, "aes.pdf")
    assert str(info.value) == "encrypted PDF (AES needs the `cryptography` package)"


def test_pdf_without_text_layer_and_ocr_off_says_how_to_turn_it_on(tmp_path: Path) -> None:
    path = BAD_FILES["textless_pdf"](tmp_path)
    with pytest.raises(UnreadableFile) as info:
        read_document(path.read_bytes(), path, ReadOptions(ocr=OcrOptions(enabled=False)))
    assert str(info.value) == "no extractable text (scanned? OCR is off: set ocr = true to read it)"


def test_pdf_without_text_layer_and_no_tesseract_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.ocr._tesseract", lambda: None)
    path = BAD_FILES["textless_pdf"](tmp_path)
    with pytest.raises(UnreadableFile) as info:
        read(path)
    reason = str(info.value)
    assert reason.startswith("no extractable text: scanned pages need OCR: install Tesseract")
    assert "apt-get install tesseract-ocr" in reason and "brew install tesseract" in reason


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_front_matter_goes_to_metadata_not_text() -> None:
    doc = read(SAMPLE_DOCS / "handbook.md")
    assert doc.metadata["title"] == "Marrowbrook Community Orchard Handbook"
    assert doc.metadata["updated"] == "2026-01-18"
    assert doc.metadata["version"] == "4.2"  # quotes stripped
    text = all_text(doc)
    assert "2026-01-18" not in text and "author:" not in text


def test_markdown_nested_heading_path() -> None:
    doc = read(SAMPLE_DOCS / "handbook.md")
    [section] = sections_containing(doc, "silver leaf")
    assert section.headings == ("Marrowbrook Community Orchard Handbook", "Pruning", "Stone fruit")
    [fees] = sections_containing(doc, "£24")
    assert fees.headings == ("Marrowbrook Community Orchard Handbook", "Membership", "Fees")


def test_markdown_hash_inside_code_fence_is_not_a_heading() -> None:
    md = (
        "# Top\n\nIntro.\n\n```sh\n# not a heading\necho hi\n```\n\n"
        "~~~\n## also not a heading\n```\n# still inside the tilde fence\n~~~\n\n"
        "After the fences.\n\n## Real\n\nReal text.\n"
    )
    doc = read_bytes(md.encode(), "fence.md")
    assert [s.headings for s in doc.sections] == [("Top",), ("Top", "Real")]
    top = doc.sections[0].text
    assert "# not a heading" in top and "# still inside the tilde fence" in top
    assert "After the fences." in top


def test_markdown_setext_headings_and_thematic_break() -> None:
    md = "Orchard\n=======\n\nIntro.\n\nPruning\n-------\n\nCut.\n\n---\n\nStill pruning.\n"
    doc = read_bytes(md.encode(), "setext.md")
    assert [s.headings for s in doc.sections] == [("Orchard",), ("Orchard", "Pruning")]
    assert "Still pruning." in doc.sections[1].text


def test_markdown_atx_levels_pop_back_to_the_right_parent() -> None:
    md = "# A\n\n## B\n\n### C\n\nc text\n\n## D ##\n\nd text\n\n#hashtag is text\n"
    doc = read_bytes(md.encode(), "levels.md")
    by_text = {s.text.splitlines()[-1]: s.headings for s in doc.sections}
    assert by_text["c text"] == ("A", "B", "C")
    assert by_text["#hashtag is text"] == ("A", "D")


def test_markdown_unclosed_front_matter_is_ordinary_text() -> None:
    doc = read_bytes(b"---\ntitle: Not front matter\n\nBody.\n", "open.md")
    assert doc.metadata == {}
    assert "title: Not front matter" in all_text(doc)


def test_markdown_table_rows_keep_their_headers() -> None:
    doc = read(SAMPLE_DOCS / "varieties.md")
    [table] = sections_containing(doc, "Ashmead's Kernel")
    assert (table.kind, table.headings) == ("table", ("Fruit varieties at Marrowbrook", "Apples"))
    assert (
        "Ashmead's Kernel | Use: dessert | Pollination group: D | Rootstock: MM106 | Trees: 6"
        " | Picked: October" in table.text.splitlines()
    )


def test_markdown_in_legacy_encoding_is_decoded() -> None:
    md = "# Café notes\n\nThe “Bramley” is a cooking apple, naïve as that sounds.\n"
    doc = read_bytes(md.encode("cp1252"), "legacy.md")
    assert doc.sections[0].headings == ("Café notes",)
    assert "“Bramley”" in doc.sections[0].text


# --- Plain text --------------------------------------------------------------------------

LATIN = "The orchard’s “Bramley” was pruned by Zoë in février; the café opens at 9 — naïve."
JAPANESE = "マローブルック果樹園の剪定は二月に行います。リンゴの木は三十本あります。"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (LATIN.encode("utf-8"), LATIN),
        (b"\xef\xbb\xbf" + LATIN.encode("utf-8"), LATIN),
        (b"\xff\xfe" + LATIN.encode("utf-16-le"), LATIN),
        (b"\xfe\xff" + LATIN.encode("utf-16-be"), LATIN),
        (b"\xff\xfe\x00\x00" + LATIN.encode("utf-32-le"), LATIN),
        (LATIN.encode("cp1252"), LATIN),
        (JAPANESE.encode("shift_jis"), JAPANESE),
        (LATIN.encode("utf-16-le"), LATIN),  # no BOM, as some Windows tools write it
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf32le-bom",
        "cp1252",
        "sjis",
        "utf16le",
    ],
)
def test_text_encodings(data: bytes, expected: str) -> None:
    doc = read_bytes(data, "note.txt")
    assert [s.text for s in doc.sections] == [expected]


def test_text_cyrillic_legacy_encoding() -> None:
    text = "Яблоки в саду созрели рано. Сбор урожая начнётся в субботу утром у ворот."
    assert all_text(read_bytes(text.encode("cp1251"), "note.txt")) == text


def test_text_of_nul_bytes_is_binary_even_though_it_is_valid_utf8() -> None:
    with pytest.raises(UnreadableFile, match="binary data, not text"):
        read_bytes(bytes(4096), "zeroed.txt")


def test_sample_text_file_is_prose_with_its_label_value_lines_as_a_form() -> None:
    doc = read(SAMPLE_DOCS / "beekeeping-notes.txt")
    [harvest] = sections_containing(doc, "41 kg")
    [calendar] = sections_containing(doc, "June: the lime trees")
    assert (harvest.kind, calendar.kind) == ("text", "form")
    assert "August: take off the honey supers and extract.\n" in calendar.text


def test_rst_underlined_titles_become_heading_paths() -> None:
    rst = (
        "=========\nHandbook\n=========\n\nIntro.\n\nTools\n=====\n\nShed.\n\n"
        "Saws\n----\n\nSharp.\n\nSafety\n======\n\nLadders.\n"
    )
    doc = read_bytes(rst.encode(), "guide.rst")
    by_last_line = {s.text.splitlines()[-1]: s.headings for s in doc.sections}
    assert by_last_line == {
        "Intro.": ("Handbook",),
        "Shed.": ("Handbook", "Tools"),
        "Sharp.": ("Handbook", "Tools", "Saws"),
        "Ladders.": ("Handbook", "Safety"),
    }


# --- DOCX --------------------------------------------------------------------------------

MINUTES_TITLE = "Marrowbrook Community Orchard: General Meeting Minutes, March 2026"


def test_docx_heading_path_from_title_and_heading_styles() -> None:
    doc = read(MINUTES)
    [decision] = sections_containing(doc, "welded wire mesh")
    assert decision.headings == (MINUTES_TITLE, "3. Rabbit damage", "Decision")
    [apple_day] = sections_containing(doc, "11 October 2026")
    assert apple_day.headings == (MINUTES_TITLE, "4. Apple Day 2026")
    assert doc.metadata == {"title": MINUTES_TITLE, "author": "Gwen Farraday"}


def test_docx_table_rows_in_document_order() -> None:
    doc = read(MINUTES)
    [actions] = sections_containing(doc, "Priya Castellane")
    assert (actions.kind, actions.headings) == ("table", (MINUTES_TITLE, "Actions"))
    row = (
        "Replace 60 spiral rabbit guards with wire mesh guards | Owner: Priya Castellane"
        " | Due: 30 April 2026"
    )
    assert actions.text.splitlines()[0] == row
    after = doc.sections[doc.sections.index(actions) + 1]
    assert "next general meeting" in after.text and after.headings == actions.headings


def test_docx_table_between_paragraphs_stays_between_them() -> None:
    document = docx.Document()
    document.add_heading("Harvest", level=1)
    document.add_paragraph("Before the table.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("Variety", "Kg", "Trees"), ("Discovery", "310", "4")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("After the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_bytes(buffer.getvalue(), "harvest.docx")
    assert [(s.kind, s.text) for s in doc.sections] == [
        ("text", "Harvest\n\nBefore the table."),
        ("table", "Discovery | Kg: 310 | Trees: 4\n"),
        ("text", "After the table."),
    ]
    assert {s.headings for s in doc.sections} == {("Harvest",)}


def test_docx_list_paragraphs_keep_a_bullet() -> None:
    """Word draws a list's bullets and numbers; the text keeps a marker, so an item reads
    as one fact of a list, not as a short title line."""
    document = docx.Document()
    document.add_heading("What to bring", level=2)
    document.add_paragraph("A packed lunch", style="List Bullet")
    document.add_paragraph("At least 750 ml of water", style="List Number")
    document.add_paragraph("Coats are kept in class.")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_bytes(buffer.getvalue(), "trip.docx")
    assert [s.text for s in doc.sections] == [
        "What to bring\n\n- A packed lunch\n\n- At least 750 ml of water"
        "\n\nCoats are kept in class."
    ]


# --- HTML --------------------------------------------------------------------------------


def test_html_drops_script_style_and_noscript() -> None:
    text = all_text(read(SAMPLE_DOCS / "pest-guide.html"))
    hidden_words = ("xylophone-tracking-script", "zanzibar-purple", "noscript-only-words")
    hidden_words += ("quokka-inline-style", "pangolin-counter-script", "narwhal-template")
    for hidden in hidden_words:
        assert hidden not in text
    assert "font-family" not in text and "addEventListener" not in text
    assert "pheromone trap" in text


def test_html_headings_and_title() -> None:
    doc = read(SAMPLE_DOCS / "pest-guide.html")
    assert doc.metadata["title"] == "Pests and diseases at Marrowbrook Community Orchard"
    [rot] = sections_containing(doc, "mummies")
    assert rot.headings == ("Pests and diseases", "Diseases", "Brown rot")
    [table] = sections_containing(doc, "Grease bands: October to March")
    assert table.headings == ("Pests and diseases", "Diseases", "Canker", "When to check")


def test_html_meta_charset_and_hidden_elements() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<title>Caf\xe9</title></head><body><h2>Caf\xe9 hours</h2>"
        "<p>Open at 9 \x96 \x93daily\x94.</p><div hidden>secret-hidden</div>"
        '<p style="display: none">secret-none</p></body></html>'
    ).encode("latin-1")
    doc = read_bytes(html, "page.htm")
    assert doc.metadata["title"] == "Café"
    assert [s.headings for s in doc.sections] == [("Café hours",)]
    assert doc.sections[0].text == "Café hours\n\nOpen at 9 – “daily”."


def test_html_valid_utf8_wins_over_a_stale_latin1_meta_tag() -> None:
    html = '<meta charset="iso-8859-1"><p>café “quoted”</p>'.encode()
    assert all_text(read_bytes(html, "resaved.html")) == "café “quoted”"


def test_html_latin1_label_is_read_as_cp1252_like_browsers_do() -> None:
    html = b'<meta charset="iso-8859-1"><p>caf\xe9 \x93quoted\x94</p>'
    assert all_text(read_bytes(html, "old.html")) == "café “quoted”"


def test_docx_that_is_a_zip_but_not_a_word_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    with pytest.raises(UnreadableFile, match="^corrupt DOCX: "):
        read_bytes(buffer.getvalue(), "renamed.docx")


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_input_is_unreadable_with_its_reason(case: str, tmp_path: Path) -> None:
    path = BAD_FILES[case](tmp_path)
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert EXPECTED_REASON_FRAGMENT[case] in str(info.value)
    assert "\n" not in str(info.value)


def test_every_bad_case_has_an_expected_reason() -> None:
    assert set(BAD_FILES) == set(EXPECTED_REASON_FRAGMENT)


# --- The sample corpus itself ------------------------------------------------------------


def test_sample_questions_cover_every_sample_file() -> None:
    assert {q.path for q in SAMPLE_QUESTIONS} == {p.name for p in SAMPLE_DOCS.iterdir()}
    assert len({q.page for q in SAMPLE_QUESTIONS if q.path.endswith(".pdf")}) >= 3


@pytest.mark.parametrize("question", SAMPLE_QUESTIONS, ids=lambda q: q.question[:40])
def test_sample_answer_is_in_exactly_its_file_and_page(question: SampleQuestion) -> None:
    """A fact in two files would make 'found the right file' a coin toss for retrieval."""
    found = {
        (path.name, section.page)
        for path in sorted(SAMPLE_DOCS.iterdir())
        for section in read(path).sections
        if question.must_contain in section.text
    }
    assert found == {(question.path, question.page)}


def _load_generator() -> ModuleType:
    path = Path(__file__).parent / "fixtures" / "make_sample_docs.py"
    spec = importlib.util.spec_from_file_location("make_sample_docs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pdf_and_docx_match_their_generator(tmp_path: Path) -> None:
    generator = _load_generator()
    assert generator.make_report(tmp_path).read_bytes() == REPORT.read_bytes()
    assert generator.make_minutes(tmp_path).read_bytes() == MINUTES.read_bytes()
