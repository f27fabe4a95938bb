"""OCR benchmark: pages/s and accuracy on generated scans, for the engines we weighed.

Run by hand, never in the tests (timings on a shared 2-core machine are not assertions):

    python bench/bench_ocr.py [--pages 6] [--engine tesseract|rapidocr] [--threads N]
    python bench/bench_ocr.py --pdf [--pages 6]     # the whole reader: render + OCR

The pages are tests/scans.py's: A4 at 300 dpi, Vera 12 pt, five paragraphs, turned
-2.5 to +3 degrees, with grain and specks. Accuracy is 1 - (edit distance / length) on
whitespace-normalised text ("character accuracy"), and word recall is the share of the
page's words found among the recognised words (what keyword search needs). `tesseract`
runs through ingest/ocr.py as ingest does; `rapidocr` (rapidocr-onnxruntime, not a
dependency: install it, or put it on PYTHONPATH, to compare) through its own API, on the
same prepared page.
Prints a JSON result on its last line; bench/RESULTS.md holds the numbers we got.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scans import image_pdf, scanned_pages  # noqa: E402

from ingest.ocr import OcrOptions, prepare_page, recognise  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalised(text: str) -> str:
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def score(reference: str, recognised: str) -> tuple[float, float]:
    """(character accuracy, word recall) of `recognised` against `reference`."""
    ref, hyp = normalised(reference), normalised(recognised)
    accuracy = max(0.0, 1 - edit_distance(ref, hyp) / len(ref))
    found = set(words(recognised))
    wanted = words(reference)
    return accuracy, sum(w in found for w in wanted) / len(wanted)


def tesseract_engine(threads: int | None) -> Callable[[Any], str]:
    options = OcrOptions()
    if threads is not None:
        # ingest/ocr.py pins one OpenMP thread per page; this measures the alternative.
        os.environ["OMP_THREAD_LIMIT"] = str(threads)
    return lambda image: recognise(image, options)


def rapidocr_engine(threads: int | None) -> Callable[[Any], str]:
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR

    kwargs = {} if threads is None else {"intra_op_num_threads": threads}
    engine = RapidOCR(**kwargs)

    def run(image: Any) -> str:
        # The same straightened, despeckled page that ingest/ocr.py gives Tesseract.
        result, _ = engine(np.asarray(prepare_page(image).convert("RGB")))
        return "\n".join(line[1] for line in result or [])

    return run


ENGINES = {"tesseract": tesseract_engine, "rapidocr": rapidocr_engine}


def bench_images(engine: str, pages: int, threads: int | None) -> dict[str, Any]:
    scans = scanned_pages(pages, paragraphs=5)
    recognise_page = ENGINES[engine](threads)
    recognise_page(scans[0][1])  # warm-up: model load, page cache
    started = time.perf_counter()
    outputs = [recognise_page(image) for _, image in scans]
    seconds = time.perf_counter() - started
    scores = [score(text, out) for (text, _), out in zip(scans, outputs, strict=True)]
    accuracies = [a for a, _ in scores]
    recalls = [r for _, r in scores]
    return {
        "engine": engine,
        "threads": threads,
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 3),
        "char_accuracy_mean": round(sum(accuracies) / pages, 4),
        "char_accuracy_min": round(min(accuracies), 4),
        "word_recall_mean": round(sum(recalls) / pages, 4),
    }


def bench_pdf(pages: int) -> dict[str, Any]:
    """The PDF reader end to end: pypdf finds no text, pdfium renders, Tesseract reads."""
    from ingest.readers import read_document

    scans = scanned_pages(pages, paragraphs=5)
    data = image_pdf([image for _, image in scans])
    started = time.perf_counter()
    document = read_document(data, Path("scan.pdf"))
    seconds = time.perf_counter() - started
    by_page = {s.page: s.text for s in document.sections}
    results = [score(text, by_page.get(n, "")) for n, (text, _) in enumerate(scans, 1)]
    return {
        "engine": document.engine,
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 3),
        "char_accuracy_mean": round(sum(a for a, _ in results) / pages, 4),
        "word_recall_mean": round(sum(r for _, r in results) / pages, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--engine", choices=sorted(ENGINES), default="tesseract")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--pdf", action="store_true", help="time the PDF reader end to end")
    args = parser.parse_args()
    load = os.getloadavg()
    if args.pdf:
        result = bench_pdf(args.pages)
    else:
        result = bench_images(args.engine, args.pages, args.threads)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in load],
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
