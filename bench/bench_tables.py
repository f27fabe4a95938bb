"""Do tables survive reading? Row lines measured on the household papers and TAT-QA.

    python bench/bench_tables.py home [--docs DIR]
        every reader, this checkout: how many of the home set's `table` golds (and all
        answerable golds) appear in a table or form line of their file (on their page);
    python bench/bench_tables.py pdf --engine pdfplumber|camelot [--contexts 40]
        the PDF table engine alone, for choosing it: TAT-QA report extracts rendered as
        ruled PDFs (the table as a drawn grid, then its paragraphs): of the table's value
        cells, how many come back on one line with their row label (and their column's
        header; and how many row lines name a column "Column N", its header not found);
        and the home set's PDF `table` golds in a row line on their page.
        camelot (lattice, MIT) is not a dependency: run this in an environment that has
        it, with PYTHONPATH at this checkout (only ingest/tables.py is imported then).

Run by hand, never in the tests. The last line is a JSON summary; bench/RESULTS.md has
the figures we got.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.tables import parse_line, render_table  # noqa: E402

HOME_SET = Path("/work/shared/data/home")
TATQA = Path("/work/shared/data/tatqa/tatqa_dataset_dev.json")

# page (1-based, None: no pages) -> the file's table and form lines on it
Lines = dict[int | None, list[str]]


def norm(text: str) -> str:
    return " ".join(text.split()).lower()


def questions() -> list[dict]:
    lines = (HOME_SET / "questions.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def make_docs(target: Path) -> Path:
    command = [sys.executable, str(HOME_SET / "make_docs.py"), str(target)]
    subprocess.run(command, check=True, capture_output=True)
    return target


def reader_lines(path: Path) -> Lines:
    """Our readers: every table and form section's lines, by page."""
    from ingest.readers import read_document

    doc = read_document(path.read_bytes(), path)
    out: Lines = {}
    for section in doc.sections:
        if section.kind in ("table", "form"):
            out.setdefault(section.page, []).extend(section.text.splitlines())
    return out


def camelot_lines(path: Path) -> Lines:
    """camelot's lattice tables (drawn grids), rendered to the same line format."""
    import camelot

    out: Lines = {}
    for table in camelot.read_pdf(str(path), pages="all", flavor="lattice"):
        grid = table.df.values.tolist()
        rendered = render_table(grid)
        if rendered is not None:
            out.setdefault(int(table.page), []).extend(rendered.text.splitlines())
    return out


def gold_in_lines(question: dict, lines: Lines) -> bool:
    page = question.get("page")
    pool = lines.get(page, []) if page is not None else [x for ls in lines.values() for x in ls]
    if page is not None and None in lines:  # a format without pages
        pool = pool + lines[None]
    return any(norm(gold) in norm(line) for gold in question["golds"] for line in pool)


def home(docs: Path) -> dict:
    qs = [q for q in questions() if q["golds"] and q.get("file")]
    files = sorted({q["file"] for q in qs})
    lines = {f: reader_lines(docs / f) for f in files}
    by_kind: Counter[str] = Counter()
    found: Counter[str] = Counter()
    by_format: Counter[str] = Counter()
    found_format: Counter[str] = Counter()
    missed = []
    for q in qs:
        hit = gold_in_lines(q, lines[q["file"]])
        by_kind[q["kind"]] += 1
        found[q["kind"]] += hit
        if q["kind"] == "table":
            suffix = Path(q["file"]).suffix
            by_format[suffix] += 1
            found_format[suffix] += hit
            if not hit:
                missed.append(f"{q['id']} {q['file']} p{q.get('page')}: {q['golds'][0]}")
    for line in missed:
        print("table gold not in a row line:", line)
    for suffix in sorted(by_format):
        print(f"  {suffix}: {found_format[suffix]}/{by_format[suffix]}")
    return {
        "table_golds_in_row_lines": f"{found['table']}/{by_kind['table']}",
        "answerable_golds_in_table_or_form_lines": f"{sum(found.values())}/{sum(by_kind.values())}",
        "by_kind": {k: f"{found[k]}/{n}" for k, n in sorted(by_kind.items())},
    }


def tatqa_pdf(context: dict) -> bytes:
    """A report extract as a person's PDF: its table as a ruled grid, then its text."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=9.5)
    rows = context["table"]["table"]
    width = max(len(r) for r in rows)
    widths = [200] + [(A4[0] - 144 - 200) / max(1, width - 1)] * (width - 1)
    grid = [[Paragraph(_escape(c), cell) for c in r + [""] * (width - len(r))] for r in rows]
    table = Table(grid, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story = [Paragraph("Annual report extract", styles["Heading1"]), table, Spacer(1, 12)]
    for paragraph in sorted(context["paragraphs"], key=lambda p: p["order"]):
        story.append(Paragraph(_escape(paragraph["text"]), styles["BodyText"]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def expected_cells(rows: list[list[str]]) -> list[tuple[str, str, str]]:
    """(row label, column header, value) of each value cell under the header rows (the
    leading rows whose first cell is blank or that hold years); the header is the
    nearest one above."""
    top = 0
    while top < len(rows) - 1 and (not rows[top][0].strip() or _years(rows[top][1:])):
        top += 1
    cells = []
    for row in rows[top:]:
        label = norm(row[0])
        for c, value in enumerate(row[1:], start=1):
            if not label or not value.strip():
                continue
            header = next(
                (norm(r[c]) for r in reversed(rows[:top]) if c < len(r) and r[c].strip()), ""
            )
            cells.append((label, header, norm(value)))
    return cells


# "Column 3: 57,768": a value whose header the reader did not find.
_UNNAMED = re.compile(r"\bColumn \d+: ")


def _years(cells: list[str]) -> bool:
    return any(re.fullmatch(r"(?:19|20)\d\d", c.strip()) for c in cells)


def cell_found(cell: tuple[str, str, str], lines: list[str]) -> tuple[bool, bool]:
    """(on its row's line, and under its column's header there)."""
    label, header, value = cell
    on_row = with_header = False
    for line in lines:
        row = parse_line(line)
        if norm(row.label) != label:
            continue
        for name, found in row.cells:
            if norm(found) == value:
                on_row = True
                with_header = with_header or (header in norm(name) if header else True)
    return on_row, with_header


def pdf(engine: str, contexts: int) -> dict:
    read: Callable[[Path], Lines] = camelot_lines if engine == "camelot" else reader_lines
    data = json.loads(TATQA.read_text())[:contexts]
    cells = on_row = with_header = unnamed_lines = unnamed_tables = 0
    seconds = 0.0
    pages = 0
    with tempfile.TemporaryDirectory(prefix="tatqa-pdf-") as tmp:
        for n, context in enumerate(data):
            path = Path(tmp) / f"report-{n}.pdf"
            path.write_bytes(tatqa_pdf(context))
            start = time.perf_counter()
            lines = read(path)
            seconds += time.perf_counter() - start
            pages += max((p or 1 for p in lines), default=1)
            flat = [x for ls in lines.values() for x in ls]
            nameless = sum(bool(_UNNAMED.search(x)) for x in flat)
            unnamed_lines += nameless
            unnamed_tables += nameless > 0
            for cell in expected_cells(context["table"]["table"]):
                row_hit, header_hit = cell_found(cell, flat)
                cells += 1
                on_row += row_hit
                with_header += header_hit
        docs = make_docs(Path(tmp) / "home")
        table_qs = [q for q in questions() if q["kind"] == "table" and q["file"].endswith(".pdf")]
        files = sorted({q["file"] for q in table_qs})
        start = time.perf_counter()
        home_lines = {f: read(docs / f) for f in files}
        home_seconds = time.perf_counter() - start
        home_hits = sum(gold_in_lines(q, home_lines[q["file"]]) for q in table_qs)
    return {
        "engine": engine,
        "tatqa_contexts": len(data),
        "tatqa_cells_on_their_row": f"{on_row}/{cells} ({on_row / cells:.1%})",
        "tatqa_cells_with_row_and_header": f"{with_header}/{cells} ({with_header / cells:.1%})",
        "tatqa_reports_with_a_column_named_by_number": f"{unnamed_tables}/{len(data)}",
        "tatqa_row_lines_with_a_column_named_by_number": unnamed_lines,
        "tatqa_seconds": round(seconds, 2),
        "home_pdf_table_golds_in_row_lines": f"{home_hits}/{len(table_qs)}",
        "home_pdf_seconds": round(home_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    home_cmd = sub.add_parser("home")
    home_cmd.add_argument("--docs", type=Path, help="generated home docs (else made now)")
    pdf_cmd = sub.add_parser("pdf")
    pdf_cmd.add_argument("--engine", choices=["pdfplumber", "camelot"], default="pdfplumber")
    pdf_cmd.add_argument("--contexts", type=int, default=40)
    args = parser.parse_args()
    if args.command == "home":
        if args.docs:
            result = home(args.docs)
        else:
            with tempfile.TemporaryDirectory(prefix="home-docs-") as tmp:
                result = home(make_docs(Path(tmp)))
    else:
        result = pdf(args.engine, args.contexts)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
