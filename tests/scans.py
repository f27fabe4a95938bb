"""Scans made the way a scanner makes them, for the OCR tests and bench/bench_ocr.py.

A page of known text is drawn with a known font (reportlab's Bitstream Vera, which every
machine with the dev dependencies has) at 300 dpi, turned a few degrees as paper lies on
a flatbed, and sprinkled with noise; then saved as an image-only PDF or as image files.
Everything is seeded, so a misread word can be reproduced.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
A4_PIXELS = (2480, 3508)  # 210 x 297 mm at 300 dpi
FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
MARGIN = 236  # 20 mm

# Words that occur in no sample document, so a search hit proves OCR read them.
PAGE_TEXTS: list[str] = [
    "Receipt from the Quillfeather Cider Press. Received from the Marrowbrook orchard "
    "committee the sum of 418 pounds for pressing 37 crates of Ribston Pippin apples on "
    "the ninth of October. The press was cleaned and the pomace returned for compost. "
    "Payment was made by bank transfer and no balance remains outstanding.",
    "Tenancy agreement for the lower meadow. The landlord, Mrs Philippa Thornycroft, lets "
    "the meadow to the orchard for a rent of 260 pounds a year, payable each Lady Day. "
    "The tenant keeps the hedges laid and the ditches clear, and may graze no more than "
    "six sheep between November and February.",
    "Letter from the county beekeeping association. Your swarm collection request was "
    "logged as number 5521. A volunteer named Oswin Harcastle will call within two days "
    "with a skep and a white sheet. Please keep children and dogs away from the cluster "
    "until he arrives.",
]


def font(points: float = 12) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), round(points / 72 * DPI))


def render_page(
    text: str,
    *,
    angle: float = 2.0,
    noise: float = 0.02,
    seed: int = 0,
    points: float = 12,
    size: tuple[int, int] = A4_PIXELS,
) -> Image.Image:
    """A grayscale page of `text`, wrapped to the page, turned `angle` degrees, with
    `noise` of the pixels flipped to random grays (dust, toner specks, paper grain)."""
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    face = font(points)
    line_height = round(face.size * 1.45)
    y = MARGIN
    for paragraph in text.split("\n\n"):
        for line in textwrap.wrap(paragraph, width=62):
            draw.text((MARGIN, y), line, font=face, fill=20)
            y += line_height
        y += line_height // 2
    # A scan is slightly soft: the glass, the lens and the paper fibres blur the edges.
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return speckle(page, noise, seed)


def speckle(page: Image.Image, amount: float, seed: int) -> Image.Image:
    """Paper grain on every pixel, and `amount` of them turned to random grays."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pixels = np.asarray(page, dtype=np.int16).copy()
    grain = rng.normal(0, 12, pixels.shape).astype(np.int16)
    specks = rng.random(pixels.shape) < amount
    pixels = pixels + grain
    pixels[specks] = rng.integers(0, 256, int(specks.sum()))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def scanned_pages(
    count: int = 3, seed: int = 0, paragraphs: int = 1
) -> list[tuple[str, Image.Image]]:
    """(text, image) for `count` pages, each turned a different way (-2.5 to +3 degrees);
    `paragraphs` per page (5 fill an A4 page about as densely as a typed letter)."""
    angles = [2.0, -2.5, 3.0, -1.0, 1.5]
    pages = []
    for n in range(count):
        text = "\n\n".join(PAGE_TEXTS[(n + i) % len(PAGE_TEXTS)] for i in range(paragraphs))
        pages.append((text, render_page(text, angle=angles[n % len(angles)], seed=seed + n)))
    return pages


def image_pdf(images: Sequence[Image.Image]) -> bytes:
    """An image-only PDF, one page per image, as a scanner's "scan to PDF" writes it."""
    buffer = io.BytesIO()
    first, *rest = [i.convert("L") for i in images]
    first.save(buffer, "PDF", resolution=DPI, save_all=True, append_images=rest)
    return buffer.getvalue()


def mixed_pdf(text_pages: Sequence[str], scan: Image.Image, scan_at: int) -> bytes:
    """A PDF with a text layer on every page but `scan_at` (1-based), which is a scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    texts = iter(text_pages)
    for page in range(1, len(text_pages) + 2):
        if page == scan_at:
            # Full width, at the scan's own proportions, from the top of the page.
            height = A4[0] * scan.size[1] / scan.size[0]
            pdf.drawImage(ImageReader(scan), 0, A4[1] - height, width=A4[0], height=height)
        else:
            y = 800
            for line in textwrap.wrap(next(texts), width=80):
                pdf.drawString(72, y, line)
                y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def save_image(image: Image.Image, path: Path) -> Path:
    """Saved in the format its suffix names (PNG, JPEG, WebP, BMP, TIFF), at 300 dpi."""
    options: dict[str, object] = {"dpi": (DPI, DPI)}
    if path.suffix.lower() in (".jpg", ".jpeg", ".webp"):
        options["quality"] = 85
    image.save(path, **options)
    return path


def multipage_tiff(images: Sequence[Image.Image], path: Path, fax: bool = False) -> Path:
    """A multi-page TIFF; with `fax`, 1-bit CCITT Group 4 pages as a fax machine sends them."""
    pages = [i.convert("1") if fax else i for i in images]
    first, *rest = pages
    first.save(
        path,
        save_all=True,
        append_images=rest,
        compression="group4" if fax else "tiff_deflate",
        dpi=(DPI, DPI),
    )
    return path


def render_table_page(
    title: str,
    rows: Sequence[Sequence[str]],
    *,
    angle: float = 1.5,
    noise: float = 0.01,
    seed: int = 0,
    points: float = 12,
    ruled: bool = True,
) -> Image.Image:
    """A scanned page with a title line and a table of `rows` (the first its header),
    each column as wide as its longest cell, drawn with or without grid lines."""
    page = Image.new("L", A4_PIXELS, 255)
    draw = ImageDraw.Draw(page)
    face = font(points)
    pad = face.size
    widths = [
        max(round(draw.textlength(row[c], font=face)) for row in rows) + 2 * pad
        for c in range(len(rows[0]))
    ]
    height = round(face.size * 1.9)
    draw.text((MARGIN, MARGIN), title, font=font(points * 1.4), fill=20)
    top = MARGIN + 3 * height
    for r, row in enumerate(rows):
        x = MARGIN
        for c, cell in enumerate(row):
            draw.text((x + pad, top + r * height + face.size // 3), cell, font=face, fill=20)
            x += widths[c]
    if ruled:
        right = MARGIN + sum(widths)
        for r in range(len(rows) + 1):
            y = top + r * height
            draw.line([(MARGIN, y), (right, y)], fill=40, width=3)
        x = MARGIN
        for width in [0, *widths]:
            x += width
            draw.line([(x, top), (x, top + len(rows) * height)], fill=40, width=3)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return speckle(page, noise, seed)
