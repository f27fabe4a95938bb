"""Writers of the bad files the ingester must survive, one function per case, for any test.

Each function writes one file into the given directory and returns its path; the file is
the same on every run (seeded bytes, fixed PDF metadata), so a failure can be reproduced.
`EXPECTED_REASON_FRAGMENT` says what the user should read about each case.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def _text_pdf(lines: list[str], pages: int = 2) -> bytes:
    """A small real PDF with a text layer, so a broken copy of it is broken for real."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in range(1, pages + 1):
        y = 800
        for line in lines:
            pdf.drawString(72, y, f"Page {page}: {line}")
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


_LINES = [
    f"The orchard ledger line {n} records a tool going out and coming back." for n in range(30)
]


def truncated_pdf(directory: Path) -> Path:
    """The first half of a valid PDF, as a copy interrupted mid-transfer leaves it."""
    data = _text_pdf(_LINES)
    path = directory / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_pdf(directory: Path) -> Path:
    """Seeded random bytes under a .pdf name: no header, no xref, nothing to repair."""
    rng = random.Random(20260314)
    path = directory / "corrupt.pdf"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    return path


def encrypted_pdf(directory: Path) -> Path:
    """RC4-128 with a user password: pypdf opens RC4 without extras, but "" is not it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_text_pdf(_LINES[:3], pages=1))))
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = directory / "encrypted.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def textless_pdf(directory: Path) -> Path:
    """A page with only a drawn rectangle: no text layer, and nothing for OCR to read."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.rect(100, 400, 300, 200, stroke=1, fill=1)
    pdf.showPage()
    pdf.save()
    path = directory / "scanned.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def binary_txt(directory: Path) -> Path:
    """Seeded random bytes with NULs, named .txt, as a misnamed download would be."""
    rng = random.Random(7)
    data = bytearray(rng.randrange(256) for _ in range(4096))
    data[::64] = bytes(len(data[::64]))  # make sure NULs are there whatever the seed gives
    path = directory / "notes.txt"
    path.write_bytes(bytes(data))
    return path


def empty_md(directory: Path) -> Path:
    """Zero bytes: an editor that crashed before saving, or `touch`. Not in BAD_FILES:
    an empty file is skipped, not failed."""
    path = directory / "empty.md"
    path.write_bytes(b"")
    return path


def corrupt_docx(directory: Path) -> Path:
    """A zip signature followed by garbage: the start of a .docx, the rest lost."""
    rng = random.Random(11)
    path = directory / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(2048)))
    return path


def _truncated(data: bytes, directory: Path, name: str) -> Path:
    """The first half of a real file: a download or a copy interrupted mid-way."""
    path = directory / name
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_epub(directory: Path) -> Path:
    from formatfiles import epub_bytes

    return _truncated(epub_bytes(), directory, "half-a-book.epub")


def corrupt_pptx(directory: Path) -> Path:
    from formatfiles import pptx_bytes

    return _truncated(pptx_bytes(), directory, "half-a-deck.pptx")


def corrupt_xlsx(directory: Path) -> Path:
    """A whole, valid zip whose sheet XML stops mid-element: a spreadsheet a crashed
    program saved halfway (the zip directory is fine, the content is not)."""
    import zipfile

    from formatfiles import xlsx_bytes

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            broken.writestr(info, data)
    path = directory / "broken-sheet.xlsx"
    path.write_bytes(out.getvalue())
    return path


def corrupt_eml(directory: Path) -> Path:
    """Seeded random bytes named .eml: an attachment saved with the wrong name."""
    rng = random.Random(5)
    path = directory / "garbage.eml"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(2048)))
    return path


BAD_FILES: dict[str, Callable[[Path], Path]] = {
    "truncated_pdf": truncated_pdf,
    "corrupt_pdf": corrupt_pdf,
    "encrypted_pdf": encrypted_pdf,
    "textless_pdf": textless_pdf,
    "binary_txt": binary_txt,
    "corrupt_docx": corrupt_docx,
    "corrupt_epub": corrupt_epub,
    "corrupt_pptx": corrupt_pptx,
    "corrupt_xlsx": corrupt_xlsx,
    "corrupt_eml": corrupt_eml,
}

EXPECTED_REASON_FRAGMENT: dict[str, str] = {
    "truncated_pdf": "corrupt or truncated PDF",
    "corrupt_pdf": "corrupt or truncated PDF",
    "encrypted_pdf": "encrypted PDF (a password is needed)",
    "textless_pdf": "no extractable text",
    "binary_txt": "binary data, not text",
    "corrupt_docx": "corrupt DOCX",
    "corrupt_epub": "corrupt EPUB",
    "corrupt_pptx": "corrupt PPTX",
    "corrupt_xlsx": "corrupt XLSX",
    "corrupt_eml": "not an e-mail message",
}
