"""PDFium (pypdfium2), the second PDF engine: text where pypdf finds none, and page images.

PDFium is the engine Chrome uses. It opens files whose object tree pypdf cannot repair,
AES-encrypted files without extra packages, and some text layers that pypdf extracts as
nothing; and it renders a page to pixels, which is what OCR needs. The leading underscore
keeps the registry from taking this module for a reader.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from ingest.ocr import MAX_PIXELS

if TYPE_CHECKING:
    import pypdfium2
    from PIL import Image

log = logging.getLogger(__name__)


def open_document(data: bytes) -> pypdfium2.PdfDocument | None:
    """The document, or None where PDFium cannot open it either (the caller has pypdf's
    reason, which names the problem better: a password, a truncated file)."""
    import pypdfium2

    try:
        # The empty password opens files that are encrypted only to restrict printing.
        return pypdfium2.PdfDocument(data, password="")
    except pypdfium2.PdfiumError as exc:
        log.debug("PDFium cannot open the file either: %s", exc)
        return None


def page_text(pdf: pypdfium2.PdfDocument, index: int) -> str:
    try:
        page = pdf[index]
        return str(page.get_textpage().get_text_bounded())
    except Exception as exc:  # one broken page costs that page only
        log.debug("PDFium: page %d: no text: %s", index + 1, exc)
        return ""


def has_marks(pdf: pypdfium2.PdfDocument, index: int) -> bool:
    """Whether the page draws anything (an image, paths): only such a page can hold a scan
    or outlined text worth OCR; a blank separator page is skipped."""
    try:
        return next(iter(pdf[index].get_objects(max_depth=1)), None) is not None
    except Exception as exc:
        log.debug("PDFium: page %d: objects unreadable: %s", index + 1, exc)
        return False


def render(pdf: pypdfium2.PdfDocument, index: int, dpi: int) -> Image.Image:
    """The page in grayscale at `dpi`, or smaller where that would exceed MAX_PIXELS."""
    page = pdf[index]
    width, height = page.get_size()  # in points, 1/72 inch
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / (width * height))
    return page.render(scale=scale, grayscale=True).to_pil()


def metadata(pdf: pypdfium2.PdfDocument) -> dict[str, str]:
    try:
        info = pdf.get_metadata_dict()
    except Exception as exc:
        log.debug("PDFium: unreadable metadata: %s", exc)
        return {}
    fields = {"title": info.get("Title", ""), "author": info.get("Author", "")}
    return {key: value.strip() for key, value in fields.items() if value and value.strip()}
