"""PDF reader: one section per page (1-based): pypdf first, then PDFium, then OCR.

pypdf reads most files fastest. Where it gives up on a file (a broken object tree) or
finds (almost) no text on a page, PDFium tries; a page still without text that draws
something (a scan, outlined text) is rendered and recognised by OCR. So a PDF that mixes
typed and scanned pages gets both, each on its own page number.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Document, Section, UnreadableFile
from ingest.layout import Part, part_sections
from ingest.readers import ReadOptions, reader, short_reason
from ingest.tables import KIND_FORM, form_line

if TYPE_CHECKING:
    import pypdfium2
    from pypdf import PageObject, PdfReader

# pypdf is imported inside the functions that use it: the registry imports every reader
# module to learn the suffixes, and a sync that reads no PDF should not pay for pypdf.

log = logging.getLogger(__name__)

# With strict=False pypdf repairs what it can and logs a warning for every broken xref
# entry or stream; on a folder of old scans that floods the user's terminal with lines
# they cannot act on. Our own warning per unreadable page says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# Fewer non-blank characters than this on a page is "almost none": a scan whose text
# layer holds only a page number, a Bates stamp or a scanner's name.
MIN_PAGE_CHARS = 16
# Titles that tools write when the author gave none (reportlab's default).
_PLACEHOLDER_TITLES = frozenset({"(anonymous)", "untitled", "Untitled"})
_NO_TEXT = "no extractable text: the pages are empty"


@reader(".pdf")
def read_pdf(data: bytes, path: Path, options: ReadOptions) -> Document:
    # pypdf tolerates junk before the header, but with no header at all it would report
    # some stream error deep inside the garbage; "not a PDF" is what the user needs to hear.
    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile("corrupt or truncated PDF: no PDF header (not a PDF file?)")
    engines: list[str] = []
    failure: UnreadableFile | None = None
    texts: list[str] | None = None
    metadata: dict[str, str] = {}
    fields: dict[int, list[tuple[str, str]]] = {}
    try:
        texts, metadata, fields = _read_with_pypdf(data, path)
        engines.append("pypdf")
    except UnreadableFile as exc:
        failure = exc
    if texts is not None and all(_has_text(t) for t in texts):
        return _document(texts, metadata, engines, data=data, fields=fields)

    from ingest.readers import _pdfium

    pdf = _pdfium.open_document(data)
    if pdf is None:
        if failure is not None:
            raise failure
        assert texts is not None
        return _document(texts, metadata, engines, missing=_NO_TEXT, data=data, fields=fields)
    try:
        if texts is None:
            texts = [""] * len(pdf)
            metadata = _pdfium.metadata(pdf)
            engines.append("pypdfium2")
            if not texts:
                raise UnreadableFile("corrupt or truncated PDF: no pages found")
        scans = []
        for index, text in enumerate(texts):
            if _has_text(text):
                continue
            found = _pdfium.page_text(pdf, index)
            if len(found.strip()) > len(text.strip()):
                texts[index] = found
                if "pypdfium2" not in engines:
                    engines.append("pypdfium2")
            if not _has_text(texts[index]) and _pdfium.has_marks(pdf, index):
                scans.append(index)
        recognised: dict[int, list[Part]] = {}
        missing = (
            _recognise_scans(pdf, scans, texts, recognised, engines, path, options)
            if scans
            else None
        )
    finally:
        pdf.close()
    return _document(
        texts,
        metadata,
        engines,
        missing=missing or _NO_TEXT,
        data=data,
        fields=fields,
        recognised=recognised,
    )


def _has_text(text: str) -> bool:
    return len("".join(text.split())) >= MIN_PAGE_CHARS


def _document(
    texts: list[str],
    metadata: dict[str, str],
    engines: list[str],
    missing: str = _NO_TEXT,
    data: bytes = b"",
    fields: dict[int, list[tuple[str, str]]] | None = None,
    recognised: dict[int, list[Part]] | None = None,
) -> Document:
    """The pages that have text, their tables and form fields as sections of their own;
    `recognised` holds the parts OCR read on scanned pages; `missing` is the reason when
    no page has text."""
    recognised = recognised or {}
    typed = [i for i, text in enumerate(texts) if text.strip() and i not in recognised]
    found = _tables(data, typed) if data and typed else {}
    # pdfplumber's words are the page's text where it found a table, unless it missed
    # much of what pypdf read (a font it cannot map): then the text wins over the table.
    found = {i: parts for i, parts in found.items() if _keeps_text(parts, texts[i])}
    tables = {**found, **recognised}
    title = metadata.get("title")
    headings = (title,) if title and title not in _PLACEHOLDER_TITLES else ()
    sections: list[Section] = []
    for index, text in enumerate(texts):
        number = index + 1
        page_fields = (fields or {}).get(index, [])
        text = _without_labels(text, [label for label, _ in page_fields])
        parts = tables.get(index) or ([Part("text", text)] if text.strip() else [])
        for part in parts:
            sections.extend(part_sections(part, number, headings))
        if form := "".join(form_line(label, value) for label, value in page_fields):
            sections.append(Section(form, number, headings, kind=KIND_FORM))
    if not sections:
        raise UnreadableFile(missing)
    if found:
        engines = [*engines, "pdfplumber"]
    return Document(sections=sections, metadata=metadata, engine="+".join(engines))


def _without_labels(text: str, labels: list[str]) -> str:
    """The page's text without the printed labels of its form fields: each comes back
    beside its value, and a label alone answers nothing."""
    if not labels:
        return text
    printed = {f"{label}:" for label in labels} | set(labels)
    return "\n".join(line for line in text.split("\n") if line.strip() not in printed)


def _keeps_text(parts: list[Part], text: str) -> bool:
    def letters(value: str) -> int:
        return sum(ch.isalnum() for ch in value)

    return letters("".join(p.text for p in parts)) >= letters(text) / 2


def _tables(data: bytes, pages: list[int]) -> dict[int, list[Part]]:
    """The tables pdfplumber finds on `pages`; none where it cannot open the file (pypdf
    or PDFium could: the text is read all the same)."""
    from ingest.readers._pdftables import page_parts

    try:
        return page_parts(data, pages)
    except Exception as exc:  # pdfminer's own errors on a file the others repaired
        log.debug("pdfplumber cannot read the tables: %s", short_reason(exc))
        return {}


def _recognise_scans(
    pdf: pypdfium2.PdfDocument,
    scans: list[int],
    texts: list[str],
    recognised: dict[int, list[Part]],
    engines: list[str],
    path: Path,
    options: ReadOptions,
) -> str:
    """OCR the pages `scans` (0-based) into `texts` and their parts (text and tables)
    into `recognised`, within the file's page allowance; returns the reason to give if
    the file ends up with no text at all."""
    from ingest.ocr import OcrUnavailable, check_available, recognise_parts
    from ingest.readers import _pdfium

    if not options.ocr.enabled:
        log.warning("%s: %d scanned pages not read: OCR is off", path, len(scans))
        return "no extractable text (scanned? OCR is off: set ocr = true to read it)"
    try:
        check_available(options.ocr)
    except OcrUnavailable as exc:
        log.warning("%s: %d scanned pages not read: %s", path, len(scans), exc)
        return f"no extractable text: {exc}"
    allowed = [i for n, i in enumerate(scans) if options.ocr.allows(n)]
    if len(allowed) < len(scans):
        log.warning(
            "%s: OCR read the first %d of %d scanned pages (ocr_max_pages)",
            path,
            len(allowed),
            len(scans),
        )
    engines.append("tesseract")
    options.progress(0, len(allowed))
    for done, index in enumerate(allowed, start=1):
        try:
            parts = recognise_parts(_pdfium.render(pdf, index, options.ocr.dpi), options.ocr)
        except UnreadableFile as exc:  # one page that OCR fails on costs that page only
            log.warning("%s: page %d: %s", path, index + 1, exc)
            parts = []
        if text := "\n\n".join(part.text for part in parts).strip():
            texts[index] = text
            recognised[index] = parts
        options.progress(done, len(allowed))
    return "no extractable text: no text layer, and OCR recognised none"


def _read_with_pypdf(
    data: bytes, path: Path
) -> tuple[list[str], dict[str, str], dict[int, list[tuple[str, str]]]]:
    """Each page's text (empty where it has none), the metadata and each page's form
    fields, or the reason pypdf cannot open the file."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        pdf = PdfReader(io.BytesIO(data), strict=False)
        _open_encrypted(pdf)
        pages = list(pdf.pages)
    except UnreadableFile:
        raise
    except DependencyError as exc:
        raise UnreadableFile("encrypted PDF (AES needs the `cryptography` package)") from exc
    except FileNotDecryptedError as exc:
        raise UnreadableFile("encrypted PDF (a password is needed)") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableFile(f"corrupt or truncated PDF: {short_reason(exc)}") from exc
    if not pages:
        raise UnreadableFile("corrupt or truncated PDF: no pages found")
    texts = [_page_text(page, number, path) for number, page in enumerate(pages, start=1)]
    fields = {i: found for i, page in enumerate(pages) if (found := _form_fields(page))}
    return texts, _metadata(pdf), fields


def _open_encrypted(pdf: PdfReader) -> None:
    """Many PDFs are 'encrypted' only to restrict printing: the empty password opens them."""
    if not pdf.is_encrypted:
        return
    from pypdf.errors import DependencyError, PdfReadError

    try:
        opened = pdf.decrypt("")
    except DependencyError:
        raise
    except (PdfReadError, NotImplementedError) as exc:
        reason = f"encrypted PDF (unsupported encryption: {short_reason(exc)})"
        raise UnreadableFile(reason) from exc
    if not opened:
        raise UnreadableFile("encrypted PDF (a password is needed)")


def _page_text(page: PageObject, number: int, path: Path) -> str:
    """One bad content stream should cost one page, not the whole document."""
    from pypdf.errors import DependencyError

    try:
        return page.extract_text() or ""
    except DependencyError:
        raise
    except Exception as exc:  # pypdf raises many kinds on malformed page content
        log.warning("%s: page %d: text extraction failed: %s", path, number, short_reason(exc))
        return ""


def _form_fields(page: PageObject) -> list[tuple[str, str]]:
    """The page's AcroForm fields as (label, value), value "" where blank: the label is
    the field's tooltip (what the form shows the person filling it in), else its name.
    A form's text layer holds the labels only; the values live in the fields."""
    try:
        fields = []
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            field = widget if "/T" in widget else widget.get("/Parent", widget).get_object()
            label = field.get("/TU") or field.get("/T")
            if label is None:
                continue
            value = str(field.get("/V", widget.get("/V")) or "").lstrip("/")
            fields.append((str(label).replace("_", " "), "" if value == "Off" else value))
        return fields
    except Exception as exc:  # a broken annotation array costs the fields, not the page
        log.debug("unreadable form fields: %s", exc)
        return []


def _metadata(pdf: PdfReader) -> dict[str, str]:
    """Title and author when the file carries them; a broken info dictionary is not fatal."""
    try:
        info = pdf.metadata
        fields = {"title": info.title, "author": info.author} if info else {}
    except Exception as exc:  # the info dict is parsed lazily and can be garbage
        log.debug("unreadable PDF metadata: %s", exc)
        return {}
    return {
        key: str(value).strip() for key, value in fields.items() if value and str(value).strip()
    }
