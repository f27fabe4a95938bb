"""Image reader: scans and photos of text, recognised by OCR; a multi-page TIFF page by page.

Every frame of the file is one page, numbered from 1, so a fax or a scanner's multi-page
TIFF is cited like a PDF. Pillow (a dependency of the embedding stack) decodes the image;
ingest/ocr.py reads it.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from ingest.document import Document, UnreadableFile
from ingest.layout import part_sections
from ingest.ocr import check_available, recognise_parts
from ingest.readers import ReadOptions, reader, short_reason

log = logging.getLogger(__name__)


@reader(".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp")
def read_image(data: bytes, path: Path, options: ReadOptions) -> Document:
    if not options.ocr.enabled:
        raise UnreadableFile("an image needs OCR, which is off (set ocr = true to read it)")
    check_available(options.ocr)  # before decoding: a missing engine is the one reason
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise UnreadableFile(f"corrupt or unsupported image: {short_reason(exc)}") from exc
    allowed = frames if options.ocr.max_pages == 0 else min(frames, options.ocr.max_pages)
    if allowed < frames:
        log.warning("%s: OCR read the first %d of %d pages (ocr_max_pages)", path, allowed, frames)
    sections = []
    options.progress(0, allowed)
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > allowed:
                break
            # A phone photo is stored sideways with an EXIF note saying which way is up.
            upright = ImageOps.exif_transpose(frame) if frames == 1 else frame
            for part in recognise_parts(upright, options.ocr):
                sections.extend(part_sections(part, page=number))
            options.progress(number, allowed)
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        if not sections:
            raise UnreadableFile(f"corrupt or truncated image: {short_reason(exc)}") from exc
        log.warning("%s: pages after %d unreadable: %s", path, len(sections), short_reason(exc))
    if not sections:
        raise UnreadableFile("no text recognised in the image (a photo?)")
    return Document(sections=sections, engine="tesseract")
