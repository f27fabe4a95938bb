"""OCR: the text of a page image, recognised on this machine by Tesseract.

Tesseract was chosen by measurement (bench/bench_ocr.py, figures in bench/RESULTS.md): on
the same generated scans it read 2.4-4x as many pages a second as RapidOCR, and it
keeps the spaces between words, which RapidOCR's models often drop ("sumof418pounds"),
and a word run into its neighbours is a word keyword search cannot find. Its models come
from the system's package manager with the program, so nothing is ever downloaded.

The page goes to `tesseract` through a pipe as an uncompressed PGM, so no copy of a
private page is ever written to the temporary folder (pytesseract writes one per page).
Tesseract is linked with libcurl and fetches an input named by a URL; it is only ever
given "stdin", so it opens no connection.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.document import UnreadableFile
from ingest.layout import Part, layout_parts
from ingest.tables import KIND_TEXT

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install Tesseract: `sudo apt-get install tesseract-ocr tesseract-ocr-eng` "
    "(Debian/Ubuntu) or `brew install tesseract` (macOS)"
)
# A page bigger than this is scaled down before recognition: an A3 sheet at 300 dpi is
# 17 million pixels, and a poster rendered at full resolution would need gigabytes.
MAX_PIXELS = 36_000_000
_SMALLEST = 24  # pixels: a thumbnail or an icon holds no text worth recognising
# A rule is a dark run longer than this many pixels on an A4 page at 300 dpi (25 mm;
# half that down the page), no thicker than _RULE_THICKNESS: no glyph is that long.
_RULE_LENGTH = 300
_RULE_THICKNESS = 12
_RULE_INK = 200  # darker than this (of 255) is ink, for finding rules
A4_WIDTH, A4_HEIGHT = 2480, 3508


class OcrUnavailable(UnreadableFile):
    """Tesseract (or the language asked for) is not installed; the message says how."""


@dataclass(frozen=True)
class OcrOptions:
    """What OCR may do for one file: `max_pages` 0 means every page; `enabled` False
    means no page at all (scanned files then fail with a reason that says so)."""

    enabled: bool = True
    max_pages: int = 0
    languages: str = "eng"  # Tesseract's codes, joined with '+': "eng+deu"
    dpi: int = 300  # what PDF pages are rendered at; Tesseract is trained for ~300
    page_timeout: float = 180.0  # seconds for one page before it is given up

    def allows(self, pages_done: int) -> bool:
        return self.enabled and (self.max_pages == 0 or pages_done < self.max_pages)


@functools.lru_cache(maxsize=1)
def _tesseract() -> str | None:
    return shutil.which("tesseract")


@functools.lru_cache(maxsize=8)
def _installed_languages(program: str) -> frozenset[str]:
    result = subprocess.run(
        [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    # The first line is a header ("List of available languages in ...").
    return frozenset(line.strip() for line in result.stdout.splitlines()[1:] if line.strip())


def tesseract_version(program: str) -> str:
    """'tesseract 5.3.0', as the program says it (for `assistant doctor`)."""
    result = subprocess.run(
        [program, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0].strip() if lines else program


def check_available(options: OcrOptions) -> str:
    """The tesseract program to run, or OcrUnavailable saying what to install."""
    program = _tesseract()
    if program is None:
        raise OcrUnavailable(f"scanned pages need OCR: {INSTALL_HINT}")
    missing = [
        lang for lang in options.languages.split("+") if lang not in _installed_languages(program)
    ]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise OcrUnavailable(
            f"OCR language {'+'.join(missing)} is not installed: "
            f"`sudo apt-get install {packages}` (Debian/Ubuntu) or `brew install tesseract-lang`"
        )
    return program


def recognise(image: Image.Image, options: OcrOptions) -> str:
    """The text Tesseract reads on `image`: lines as lines, paragraphs split by blank
    lines, a table's rows as ingest/tables.py's lines."""
    return "\n\n".join(part.text.strip() for part in recognise_parts(image, options))


def recognise_parts(image: Image.Image, options: OcrOptions) -> list[Part]:
    """The page as parts in reading order: text, and each table found from where the
    words sit (Tesseract's layout analysis reads an unruled table column by column)."""
    program = check_available(options)
    if min(image.size) < _SMALLEST:
        return []
    page = prepare_page(image)
    pgm = io.BytesIO()
    page.save(pgm, "PPM")  # mode L is written as PGM
    # One thread per page unless the environment says otherwise: the ingest workers
    # recognise several files at once, and OpenMP threads would fight over the cores.
    env = {"OMP_THREAD_LIMIT": "1", **os.environ}
    command = [program, "stdin", "stdout", "-l", options.languages, "--psm", "3"]
    command += ["--dpi", str(_effective_dpi(image, page, options.dpi)), "tsv"]
    try:
        result = subprocess.run(
            command,
            input=pgm.getvalue(),
            capture_output=True,
            timeout=options.page_timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableFile(f"OCR gave up on a page after {options.page_timeout:.0f} s") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnreadableFile(f"OCR failed: {message[-1] if message else result.returncode}")
    words = _tsv_words(result.stdout.decode("utf-8", "replace"))
    parts, _carry = layout_parts(words)
    if parts is not None:
        return parts
    text = _tesseract_text(words)
    return [Part(KIND_TEXT, text)] if text else []


def _tsv_words(tsv: str) -> list[dict[str, Any]]:
    """Tesseract's recognised words (TSV level 5) with their boxes, in its reading order."""
    words = []
    for line in tsv.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = (int(v) for v in fields[6:10])
        words.append(
            {
                "x0": left,
                "x1": left + width,
                "top": top,
                "bottom": top + height,
                "size": height,
                "fontname": "",
                "text": fields[11].strip(),
                "block": (int(fields[2]), int(fields[3])),
                "line": int(fields[4]),
            }
        )
    return words


def _tesseract_text(words: list[dict[str, Any]]) -> str:
    """The words as Tesseract's own text output lays them: a line a line, a blank line
    between paragraphs."""
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for word in words:
        if previous is not None:
            if word["block"] != previous["block"]:
                out.append("\n\n")
            elif word["line"] != previous["line"]:
                out.append("\n")
            else:
                out.append(" ")
        out.append(word["text"])
        previous = word
    return "".join(out).strip()


def prepare_page(image: Image.Image) -> Image.Image:
    """What a scan needs before recognition: grayscale (transparency on white), no bigger
    than MAX_PIXELS, specks removed and the page turned straight.

    Measured on the generated scans (turned 1-3 degrees, 2% specks): Tesseract read 90%
    of the characters of the raw pages (the worst 73%, lines out of order where its layout
    analysis took the tilted lines for columns); straightened and despeckled, 100%. The
    two steps cost about 1.3 s of a 3.7 s page.
    """
    from PIL import Image, ImageFilter

    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    page = image.convert("L")
    pixels = page.size[0] * page.size[1]
    if pixels > MAX_PIXELS:
        factor = math.sqrt(MAX_PIXELS / pixels)
        size = (max(1, int(page.size[0] * factor)), max(1, int(page.size[1] * factor)))
        page = page.resize(size, Image.Resampling.LANCZOS)
    page = page.filter(ImageFilter.MedianFilter(3))
    angle = skew_angle(page)
    if angle:
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=True)
    return remove_rules(page)


def remove_rules(page: Image.Image) -> Image.Image:
    """The page without the ruling of its tables and forms: thin straight lines longer
    than any glyph. Tesseract reads a digit beside a cell's border as something else
    ("118.22" as "11822" on the generated ruled scans); rows and columns are found from
    where the words sit, so the lines are not needed."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(page)
    dark = pixels < _RULE_INK  # a scanned line's soft edges too
    across = _rules(dark, _RULE_LENGTH * page.size[0] // A4_WIDTH, axis=1)
    down = _rules(dark, _RULE_LENGTH * page.size[1] // A4_HEIGHT // 2, axis=0)
    if not (across.any() or down.any()):
        return page
    # and the pixel on either side, where the blur of the scan leaves a gray fringe
    rules = across | np.roll(across, 1, axis=0) | np.roll(across, -1, axis=0)
    rules |= down | np.roll(down, 1, axis=1) | np.roll(down, -1, axis=1)
    cleaned = pixels.copy()
    cleaned[rules] = 255
    return Image.fromarray(cleaned, "L")


def _rules(dark: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The pixels of thin dark runs of at least `length` along `axis` (1: across).

    Only rows (columns) with that much ink at all can hold one, so the runs are looked
    for there alone; a band of such rows thicker than _RULE_THICKNESS is a block of ink
    (a logo, a photo, white text on black), not a rule, and is left alone.
    """
    import numpy as np

    other = 1 - axis
    candidates = np.flatnonzero(dark.sum(axis=axis) >= length)
    mask = np.zeros_like(dark)
    if not len(candidates):
        return mask
    found = _runs(np.take(dark, candidates, axis=other), length, axis=axis)
    has_run = found.any(axis=axis)
    lines = candidates[has_run]
    bands = np.split(np.arange(len(lines)), np.flatnonzero(np.diff(lines) > 1) + 1)
    thin = np.concatenate([b for b in bands if len(b) <= _RULE_THICKNESS] or [np.array([], int)])
    runs = np.take(found, np.flatnonzero(has_run)[thin], axis=other)
    if axis == 1:
        mask[lines[thin], :] = runs
    else:
        mask[:, lines[thin]] = runs
    return mask


def _runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The pixels of `mask` that lie in a run of at least `length` along `axis`."""
    import numpy as np

    length = max(2, length)
    moved = np.moveaxis(mask, axis, -1).astype(np.int32)
    total = np.cumsum(moved, axis=-1)
    total = np.concatenate([np.zeros_like(total[..., :1]), total], axis=-1)
    full = (total[..., length:] - total[..., :-length]) == length  # a run starts here
    starts = np.cumsum(full.astype(np.int32), axis=-1)
    starts = np.concatenate([np.zeros_like(starts[..., :1]), starts], axis=-1)
    width = moved.shape[-1]
    index = np.arange(width)
    # pixel i is covered by a run that starts in [i - length + 1, i]
    high = np.minimum(index + 1, full.shape[-1])
    low = np.clip(index - length + 1, 0, full.shape[-1])
    covered = (starts[..., high] - starts[..., low]) > 0
    return np.moveaxis(covered, -1, axis)


def skew_angle(page: Image.Image, limit: float = 5.0) -> float:
    """The turn (degrees) that makes the text lines of `page` horizontal, within +-limit.

    Text lines straight across the page make the ink per pixel row alternate sharply
    between lines and gaps; turned, the rows blur into each other. So the angle whose
    row profile changes most from row to row wins: first in whole degrees, then in
    quarters around the best, on a copy about 1000 pixels high.
    """
    import numpy as np
    from PIL import Image

    factor = 1000 / max(page.size)
    small = page.resize((max(1, int(page.size[0] * factor)), max(1, int(page.size[1] * factor))))
    ink = Image.fromarray(((np.asarray(small) < 128) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR)
        rows = np.asarray(turned, dtype=np.float64).sum(axis=1)
        return float(np.var(np.diff(rows)))

    coarse = max(np.arange(-limit, limit + 0.01, 1.0), key=sharpness)
    fine = max(np.arange(coarse - 0.75, coarse + 0.76, 0.25), key=sharpness)
    return float(round(fine, 2)) if abs(fine) >= 0.25 else 0.0


def _effective_dpi(original: Image.Image, page: Image.Image, dpi: int) -> int:
    """The resolution of what Tesseract gets: it sizes its text-line search by it."""
    return max(70, round(dpi * page.size[0] / original.size[0]))
