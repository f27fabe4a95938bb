"""Whole documents: a file summarised section by section, every sentence cited and checked.

Snippets cannot answer "summarise this report", so the file's chunks are read in order and
grouped into sections (a heading path, else a page). Map: each section gets its key
sentences, quoted (extractive: the sentences closest to the section's centre, so no model
is needed), or a model's summary of that section checked against it. Reduce: the section
summaries in order; with a model, an overview written from the checked section summaries
and checked against the whole file. Every sentence cites the page it rests on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer import build_prompt
from assistant.errors import AssistantError
from assistant.evidence.claims import Statement, check_answer
from assistant.evidence.select import Candidate, Embed, Evidence, select_evidence
from assistant.models.base import Backend
from assistant.retrieve import Passage
from assistant.retrieve.passages import passage_of
from ingest.pathnames import shown
from ingest.store import Index, StoredChunk
from ingest.store.catalog import vector_ids

KEY_SENTENCES = 2  # quoted per section in an extractive summary, one more per extra chunk
MAX_KEY_SENTENCES = 4
SECTION_TOKENS = 160  # a model's summary of one section is a few sentences
MAX_SECTIONS = 40  # beyond, neighbouring sections are merged so the summary stays readable
SECTION_PROMPT = "Summarise what these passages say in two or three short sentences."
OVERVIEW_PROMPT = "Write a summary of the whole document in three to five sentences."


class NotIndexed(AssistantError):
    """The file to summarise is not in the index, or the path names nothing at all."""


@dataclass
class Section:
    heading: str
    passages: list[Passage]  # the section's chunks, in order, numbered within the summary
    first: int  # number of its first passage among the summary's sources
    statements: list[Statement] = field(default_factory=list)
    draft: str = ""

    @property
    def pages(self) -> str:
        pages = sorted({p.page_start for p in self.passages if p.page_start is not None})
        if not pages:
            return ""
        return f"page {pages[0]}" if len(pages) == 1 else f"pages {pages[0]}-{pages[-1]}"


@dataclass
class Summary:
    path: str
    mode: str  # extractive or generative
    sections: list[Section]
    overview: list[Statement] = field(default_factory=list)
    backend: str = "none"
    model: str = ""
    seconds: float = 0.0

    @property
    def passages(self) -> list[Passage]:
        return [p for s in self.sections for p in s.passages]

    def statements(self) -> Iterator[Statement]:
        yield from self.overview
        for section in self.sections:
            yield from section.statements

    def as_dict(self) -> dict[str, object]:
        passages = self.passages
        return {
            "path": self.path,
            "mode": self.mode,
            "backend": self.backend,
            "model": self.model,
            "overview": [s.as_dict() for s in self.overview],
            "sections": [
                {
                    "heading": s.heading,
                    "pages": s.pages,
                    "statements": [st.as_dict() for st in s.statements],
                }
                for s in self.sections
            ],
            "sources": [
                {"n": n, "page": p.page_start, "heading": p.heading, "text": p.text}
                for n, p in enumerate(passages, 1)
            ],
            "seconds": round(self.seconds, 2),
        }


def file_chunks(index: Index, path: Path) -> list[StoredChunk]:
    """Every chunk of an indexed file, in reading order."""
    record = index.catalog.file(str(path))
    if record is None and not path.exists():
        raise NotIndexed(f"{path}: no such file, and nothing indexed under that path")
    if record is None or record.doc_id is None or record.chunks == 0:
        raise NotIndexed(
            f"{path} is not in the index: run `assistant ingest {path}` first"
            + (f" (it failed: {record.reason})" if record and record.reason else "")
        )
    found = index.catalog.chunks_by_ids(vector_ids(record.doc_id, record.chunks))
    return sorted(found.values(), key=lambda c: c.index)


def sections_of(chunks: Sequence[StoredChunk]) -> list[Section]:
    """Runs of chunks under one heading path (or, without headings, on one page)."""
    groups: list[list[StoredChunk]] = []
    for chunk in chunks:
        key = _section_key(chunk)
        if groups and _section_key(groups[-1][-1]) == key:
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    while len(groups) > MAX_SECTIONS:  # merge the smallest neighbouring pair
        i = min(range(len(groups) - 1), key=lambda j: len(groups[j]) + len(groups[j + 1]))
        groups[i : i + 2] = [groups[i] + groups[i + 1]]
    sections, number = [], 1
    for group in groups:
        passages = [passage_of(c, 1.0) for c in group]
        heading = group[0].headings[-1] if group[0].headings else _first_line(group[0].text)
        sections.append(Section(heading, passages, number))
        number += len(passages)
    return sections


def summarize(
    index: Index,
    path: Path,
    embed: Embed,
    backend: Backend | None,
    *,
    max_tokens: int = 200,
    temperature: float = 0.1,
) -> Summary:
    """Summarise one indexed file; `backend` None gives the extractive summary."""
    started = time.perf_counter()
    sections = sections_of(file_chunks(index, path))
    for section in sections:
        evidence = _evidence(section, embed)
        if backend is None:
            count = min(KEY_SENTENCES + len(section.passages) - 1, MAX_KEY_SENTENCES)
            section.statements = key_sentences(evidence, section.first, count)
        else:
            section.draft = _ask(backend, SECTION_PROMPT, section.passages, max_tokens, temperature)
            section.statements = _renumbered(check_answer(section.draft, evidence, embed), section)
    summary = Summary(str(path), "extractive" if backend is None else "generative", sections)
    if backend is not None:
        summary.backend, summary.model = backend.name, backend.model
        summary.overview = _overview(summary, embed, backend, max_tokens, temperature)
    summary.seconds = time.perf_counter() - started
    return summary


def key_sentences(evidence: Evidence, first: int, count: int = KEY_SENTENCES) -> list[Statement]:
    """The sentences closest to the centre of their section, in reading order: what the
    section is mostly about, quoted."""
    # Overlapping chunks repeat sentences: each text once, and none too short to say much.
    unique: dict[str, Candidate] = {}
    for candidate in evidence.candidates:
        if len(candidate.text.split()) >= 5:
            unique.setdefault(candidate.text, candidate)
    candidates = list(unique.values())
    if not candidates:
        return []
    matrix = np.stack([evidence.vector(c) for c in candidates])
    centre = matrix.mean(axis=0)
    centrality = matrix @ centre
    top = sorted(
        np.argsort(-centrality)[:count], key=lambda i: (candidates[i].source, candidates[i].index)
    )
    chosen = [candidates[i] for i in top]
    return [Statement(c.text, True, [first + c.source - 1], [], c.text, "quoted") for c in chosen]


def summary_text(summary: Summary) -> str:
    """The summary as plain text (Markdown-friendly): the overview, then each section's
    sentences, each with the page it rests on; a sentence the file does not support is
    marked."""
    passages = summary.passages
    lines = [f"Summary of {shown(Path(summary.path).name)}"]
    if summary.overview:
        lines += ["", *(statement_line(s, passages) for s in summary.overview)]
    for section in summary.sections:
        if not section.statements:
            continue
        where = f" ({section.pages})" if section.pages else ""
        lines += ["", f"{section.heading}{where}"]
        lines += [f"  - {statement_line(s, passages)}" for s in section.statements]
    return "\n".join(lines)


def statement_line(statement: Statement, passages: Sequence[Passage]) -> str:
    """One sentence of a summary with where it rests: a quote with its page, a model's
    sentence with its page, or the mark that the file does not support it."""
    if not statement.supported:
        return f"{statement.text} [unsupported: {statement.reason}]"
    where = ", ".join(dict.fromkeys(_place(passages[n - 1]) for n in statement.citations))
    text = f'"{statement.text}"' if statement.reason == "quoted" else statement.text
    return f"{text} ({where})" if where else text


def _place(passage: Passage) -> str:
    if passage.page_start is not None:
        return f"page {passage.page_start}"
    return passage.heading or Path(passage.path).name


def _overview(
    summary: Summary, embed: Embed, backend: Backend, max_tokens: int, temperature: float
) -> list[Statement]:
    """Reduce: an overview from the checked section summaries, checked against the file."""
    kept = [s for section in summary.sections for s in section.statements if s.supported]
    if len(summary.sections) < 2 or not kept:
        return []
    notes = [
        Passage(summary.path, 0, 0, 0, None, None, (sec.heading,), " ".join(
            s.text for s in sec.statements if s.supported
        ), 0, 0, 1.0, 0.0)
        for sec in summary.sections
        if any(s.supported for s in sec.statements)
    ]  # fmt: skip
    draft = _ask(backend, OVERVIEW_PROMPT, notes, max_tokens, temperature)
    whole = select_evidence(OVERVIEW_PROMPT, summary.passages, embed)
    return check_answer(draft, whole, embed)


def _evidence(section: Section, embed: Embed) -> Evidence:
    return select_evidence(f"What does {section.heading} say?", section.passages, embed)


def _renumbered(statements: list[Statement], section: Section) -> list[Statement]:
    """Citations within a section are its own passage numbers; the summary numbers all."""
    for statement in statements:
        statement.citations = [section.first + n - 1 for n in statement.citations]
    return statements


def _ask(
    backend: Backend, task: str, passages: Sequence[Passage], max_tokens: int, temperature: float
) -> str:
    budget = backend.context_tokens - max_tokens
    prompt = build_prompt(task, passages, backend.count_tokens, budget)
    return "".join(
        backend.stream_chat(prompt.messages, max_tokens=max_tokens, temperature=temperature)
    ).strip()


def _section_key(chunk: StoredChunk) -> tuple[object, ...]:
    return chunk.headings if chunk.headings else (chunk.page_start,)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:60]
