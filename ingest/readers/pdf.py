"""PDF reader: one section per page (1-based), via pypdf, with clear reasons for bad files."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import reader

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

# pypdf is imported inside the functions that use it: the registry imports every reader
# module to learn the suffixes, and a sync that reads no PDF should not pay for pypdf.

log = logging.getLogger(__name__)

# With strict=False pypdf repairs what it can and logs a warning for every broken xref
# entry or stream; on a folder of old scans that floods the user's terminal with lines
# they cannot act on. Our own warning per unreadable page says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

NO_TEXT_REASON = "no extractable text (scanned? OCR is not available)"


@reader(".pdf")
def read_pdf(data: bytes, path: Path) -> Document:
    # pypdf tolerates junk before the header, but with no header at all it would report
    # some stream error deep inside the garbage; "not a PDF" is what the user needs to hear.
    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile("corrupt or truncated PDF: no PDF header (not a PDF file?)")
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
        raise UnreadableFile(f"corrupt or truncated PDF: {_short(exc)}") from exc
    if not pages:
        raise UnreadableFile("corrupt or truncated PDF: no pages found")

    sections = [
        Section(text=text, page=number)
        for number, page in enumerate(pages, start=1)
        if (text := _page_text(page, number, path)).strip()
    ]
    if not sections:
        raise UnreadableFile(NO_TEXT_REASON)
    return Document(sections=sections, metadata=_metadata(pdf))


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
        raise UnreadableFile(f"encrypted PDF (unsupported encryption: {_short(exc)})") from exc
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
        log.warning("%s: page %d: text extraction failed: %s", path, number, _short(exc))
        return ""


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


def _short(exc: Exception) -> str:
    """The user sees this on one line: the first line of pypdf's message, not a dump."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return message[:120]
