"""Passages: ranked chunks folded into what the model and the user read (a source is named
by assistant.text.file_location)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.text import file_location
from ingest.store import StoredChunk

MAX_MERGED_CHUNKS = 3  # a passage grows to at most this many chunks, to stay citable


@dataclass
class Passage:
    """One or more neighbouring chunks of a file, as shown to the model and the user."""

    path: str
    doc_id: int
    first: int  # chunk indexes covered
    last: int
    page_start: int | None
    page_end: int | None
    headings: tuple[str, ...]
    text: str
    char_start: int
    char_end: int
    score: float  # cosine similarity of the best chunk to the question
    fused: float  # the fusion score that ranked it
    chunk_ids: list[str] = field(default_factory=list)
    attachment: str | None = None  # the file inside the file (an e-mail's attachment)

    @property
    def heading(self) -> str:
        return " > ".join(self.headings)

    def location(self) -> str:
        return file_location(self.path, self.page_start, self.page_end, self.attachment)


def merge_neighbours(chunks: Sequence[tuple[StoredChunk, float, float]], k: int) -> list[Passage]:
    """Fold ranked chunks into at most `k` passages: a chunk next to (or overlapping) one
    already taken from the same file and page extends that passage instead of repeating it.

    Scanning stops once `k` passages exist, so low-ranked neighbours cannot swell them.
    """
    passages: list[Passage] = []
    for chunk, fused, similarity in chunks:
        neighbour = next(
            (
                p
                for p in passages
                if p.doc_id == chunk.doc_id
                and p.first - 1 <= chunk.index <= p.last + 1
                and _same_pages(p, chunk)
            ),
            None,
        )
        if neighbour is not None:
            if chunk.chunk_id not in neighbour.chunk_ids and (
                len(neighbour.chunk_ids) < MAX_MERGED_CHUNKS
            ):
                _extend(neighbour, chunk, similarity)
            continue
        if len(passages) >= k:
            break
        passages.append(passage_of(chunk, similarity, fused))
    return passages


def passage_of(chunk: StoredChunk, score: float, fused: float = 0.0) -> Passage:
    """One chunk as a passage of its own."""
    return Passage(
        path=chunk.path,
        doc_id=chunk.doc_id,
        first=chunk.index,
        last=chunk.index,
        page_start=chunk.page_start,
        page_end=chunk.page_end,
        headings=chunk.headings,
        text=chunk.text,
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        score=score,
        fused=fused,
        chunk_ids=[chunk.chunk_id],
        attachment=chunk.attachment,
    )


def _same_pages(passage: Passage, chunk: StoredChunk) -> bool:
    """Neighbours merge only on a shared page of one file (an attachment is a file of its
    own), so a citation still names one page."""
    if passage.attachment != chunk.attachment:
        return False
    if passage.page_start is None or chunk.page_start is None:
        return True
    return chunk.page_start <= (passage.page_end or passage.page_start) and passage.page_start <= (
        chunk.page_end or chunk.page_start
    )


def _extend(passage: Passage, chunk: StoredChunk, similarity: float) -> None:
    """Join the chunk's text on the correct side, without repeating the overlap."""
    if chunk.char_start >= passage.char_start:
        overlap = max(0, passage.char_end - chunk.char_start)
        tail = chunk.text[overlap:] if overlap < len(chunk.text) else ""
        if chunk.char_end > passage.char_end:
            passage.text += ("" if overlap else "\n") + tail
            passage.char_end = chunk.char_end
    else:
        overlap = max(0, chunk.char_end - passage.char_start)
        head = chunk.text[: len(chunk.text) - overlap] if overlap else chunk.text + "\n"
        passage.text = head + passage.text
        passage.char_start = chunk.char_start
    passage.first = min(passage.first, chunk.index)
    passage.last = max(passage.last, chunk.index)
    pages = [
        p
        for p in (passage.page_start, passage.page_end, chunk.page_start, chunk.page_end)
        if p is not None
    ]
    if pages:
        passage.page_start, passage.page_end = min(pages), max(pages)
    passage.score = max(passage.score, similarity)
    passage.chunk_ids.append(chunk.chunk_id)
