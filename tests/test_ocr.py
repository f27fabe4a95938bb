"""OCR on real scans the tests make (tests/scans.py): PDFs without a text layer, PDFs that
mix typed and scanned pages, image files, multi-page and fax TIFFs, and the sample report
printed and scanned back. Tesseract runs for real; each page takes a few seconds, so the
pages here are as few and as small as each behaviour allows.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from scans import (
    PAGE_TEXTS,
    image_pdf,
    mixed_pdf,
    multipage_tiff,
    render_page,
    save_image,
)

from ingest.document import Document, UnreadableFile
from ingest.ocr import OcrOptions, skew_angle
from ingest.readers import ReadOptions, read_document

# Where Tesseract is missing a developer may skip these; CI installs it, so there they fail.
pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)

RECEIPT, TENANCY, SWARM = PAGE_TEXTS
# A strip of a page (the top 9 cm): the words of one paragraph at 300 dpi, a third of the
# pixels of a whole A4 page to recognise.
STRIP = (2480, 1100)


def strip(text: str, angle: float = 2.0, seed: int = 0) -> Image.Image:
    return render_page(text, angle=angle, seed=seed, size=STRIP)


def read(path: Path, options: ReadOptions | None = None) -> Document:
    return read_document(path.read_bytes(), path, options)


def page_of(doc: Document, words: str) -> list[int | None]:
    return [s.page for s in doc.sections if words in " ".join(s.text.split())]


def test_skew_of_a_turned_page_is_measured_to_a_quarter_degree() -> None:
    for angle in (-3.0, -1.5, 2.5):
        page = strip(RECEIPT, angle=angle)
        assert abs(skew_angle(page) + angle) <= 0.25


def test_image_only_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([strip(RECEIPT), strip(TENANCY, angle=-2.5, seed=1)]))
    progress: list[tuple[int, int]] = []
    doc = read(path, ReadOptions(on_progress=lambda done, total: progress.append((done, total))))
    assert page_of(doc, "Quillfeather Cider Press") == [1]
    assert page_of(doc, "Philippa Thornycroft") == [2]
    assert page_of(doc, "418 pounds") == [1]
    assert doc.engine == "pypdf+tesseract"
    assert progress == [(0, 2), (1, 2), (2, 2)]


def test_pdf_mixing_typed_and_scanned_pages_gets_both(tmp_path: Path) -> None:
    typed = ["Typed page one: the orchard gate is painted green.", "Typed page three: end."]
    path = tmp_path / "mixed.pdf"
    path.write_bytes(mixed_pdf(typed, strip(SWARM, angle=-1.0), scan_at=2))
    doc = read(path)
    assert page_of(doc, "painted green") == [1]
    assert page_of(doc, "Oswin Harcastle") == [2]
    assert page_of(doc, "Typed page three") == [3]
    assert doc.engine == "pypdf+tesseract"


def test_ocr_page_limit_reads_the_first_pages_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([strip(RECEIPT), strip(TENANCY, seed=1)]))
    with caplog.at_level(logging.WARNING):
        doc = read(path, ReadOptions(ocr=OcrOptions(max_pages=1)))
    assert [s.page for s in doc.sections] == [1]
    assert "OCR read the first 1 of 2 scanned pages (ocr_max_pages)" in caplog.text


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".bmp", ".tif"])
def test_image_file_is_recognised(tmp_path: Path, suffix: str) -> None:
    path = save_image(strip(TENANCY, angle=-2.0), tmp_path / f"letter{suffix}")
    doc = read(path)
    assert page_of(doc, "Philippa Thornycroft") == [1]
    assert page_of(doc, "260 pounds a year") == [1]
    assert doc.engine == "tesseract"


def test_colour_image_with_transparency_is_read(tmp_path: Path) -> None:
    gray = strip(SWARM)
    rgba = Image.merge("RGBA", [gray, gray, gray, Image.new("L", gray.size, 255)])
    doc = read(save_image(rgba, tmp_path / "note.png"))
    assert page_of(doc, "Oswin Harcastle") == [1]


@pytest.mark.parametrize("fax", [False, True], ids=["deflate", "fax-group4"])
def test_multipage_tiff_pages_keep_their_numbers(tmp_path: Path, fax: bool) -> None:
    path = multipage_tiff(
        [strip(RECEIPT), strip(SWARM, angle=-1.5, seed=2)], tmp_path / "fax.tif", fax=fax
    )
    doc = read(path)
    assert page_of(doc, "Quillfeather") == [1]
    assert page_of(doc, "skep and a white sheet") == [2]


def test_image_with_ocr_off_says_how_to_turn_it_on(tmp_path: Path) -> None:
    path = save_image(Image.new("L", (200, 200), 255), tmp_path / "blank.png")
    with pytest.raises(UnreadableFile) as info:
        read(path, ReadOptions(ocr=OcrOptions(enabled=False)))
    assert str(info.value) == "an image needs OCR, which is off (set ocr = true to read it)"


def test_image_without_tesseract_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.ocr._tesseract", lambda: None)
    path = save_image(strip(RECEIPT), tmp_path / "receipt.png")
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert str(info.value).startswith("scanned pages need OCR: install Tesseract: `sudo apt-get")
    assert "brew install tesseract" in str(info.value)


def test_missing_ocr_language_names_its_package(tmp_path: Path) -> None:
    path = save_image(strip(RECEIPT), tmp_path / "receipt.png")
    with pytest.raises(UnreadableFile) as info:
        read(path, ReadOptions(ocr=OcrOptions(languages="eng+xyz")))
    assert "OCR language xyz is not installed" in str(info.value)
    assert "apt-get install tesseract-ocr-xyz" in str(info.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "corrupt or"),
        (b"just some text named .png", "corrupt or unsupported image"),
    ],
)
def test_broken_image_is_one_clear_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert str(info.value).startswith(reason)


def test_photo_without_text_fails_with_a_reason(tmp_path: Path) -> None:
    path = save_image(Image.new("RGB", (640, 480), (90, 140, 60)), tmp_path / "lawn.jpg")
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert str(info.value) == "no text recognised in the image (a photo?)"


def test_sample_report_printed_and_scanned_keeps_its_facts_on_their_pages(
    tmp_path: Path,
) -> None:
    """The sample annual report rendered to paper and scanned back (turned, speckled): the
    facts the sample questions ask about come back by OCR on the pages they are on."""
    import pypdfium2
    from scans import DPI, speckle

    report = Path(__file__).resolve().parent.parent / "sample_docs" / "annual-report-2025.pdf"
    pdf = pypdfium2.PdfDocument(report.read_bytes())
    pages = []
    for n in range(len(pdf)):
        page = pdf[n].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
        turned = page.rotate(1.5 if n % 2 else -2.0, fillcolor=255)
        pages.append(speckle(turned, 0.01, seed=n))
    pdf.close()
    scanned = tmp_path / "report-scan.pdf"
    scanned.write_bytes(image_pdf(pages))
    doc = read(scanned)
    assert doc.engine == "pypdf+tesseract"
    for fact, page in [("143", 1), ("6.8 tonnes", 2), ("5,000", 3), ("3,275", 4)]:
        assert page in page_of(doc, fact), fact
    assert page_of(doc, "30 new trees") == [5]


def test_scans_are_found_by_search_and_cited_by_page(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "receipt-and-lease.pdf").write_bytes(
        image_pdf([strip(RECEIPT), strip(TENANCY, angle=-2.5, seed=1)])
    )
    save_image(strip(SWARM, angle=1.5), folder / "swarm-letter.png")
    result = cli("ingest", "--json", str(folder))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["failed"] == []

    # Each recognised page is cited by its own number.
    for query, words, page in [
        ("Philippa Thornycroft meadow rent", "Philippa Thornycroft", 2),
        ("Quillfeather cider press receipt", "Quillfeather Cider Press", 1),
    ]:
        top = json.loads(cli("search", "--json", query).stdout)[0]
        assert Path(top["path"]).name == "receipt-and-lease.pdf"
        assert (top["page"], top["page_end"]) == (page, page)
        assert words in " ".join(top["text"].split())
    found = json.loads(cli("search", "--json", "Oswin Harcastle swarm").stdout)
    assert (Path(found[0]["path"]).name, found[0]["page"]) == ("swarm-letter.png", 1)
    shown = cli("search", "Oswin Harcastle swarm").stdout
    assert "[1] swarm-letter.png, page 1" in shown

    status = json.loads(cli("status", "--json").stdout)
    assert status["engines"] == {"pypdf+tesseract": 1, "tesseract": 1}


def test_ingest_shows_ocr_progress_keeps_the_page_limit_and_records_the_engine(
    tmp_path: Path,
) -> None:
    from assistant import library
    from assistant.settings import Settings
    from ingest.store import Index
    from ingest.store.catalog import vector_ids
    from ingest.sync import SyncListener

    class Pages(SyncListener):
        def __init__(self) -> None:
            self.seen: list[tuple[str, int, int]] = []

        def file_progress(self, path: str, done: int, total: int) -> None:
            self.seen.append((Path(path).name, done, total))

    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "two-pages.pdf").write_bytes(image_pdf([strip(RECEIPT), strip(TENANCY, seed=1)]))
    settings = Settings(data_dir=tmp_path / "data", ocr_max_pages=1)
    listener = Pages()
    report = library.ingest(settings, [folder], listener)
    assert (report.added, report.failed) == (1, [])
    assert listener.seen == [("two-pages.pdf", 0, 1), ("two-pages.pdf", 1, 1)]
    index = Index(settings.data_dir)
    try:
        record = index.catalog.file(str(folder / "two-pages.pdf"))
        assert record is not None and record.engine == "pypdf+tesseract"
        chunks = index.catalog.chunks_by_ids(vector_ids(record.doc_id or 0, record.chunks))
        texts = " ".join(c.text for c in chunks.values())
        assert "Quillfeather" in texts and "Thornycroft" not in texts
    finally:
        index.close()
