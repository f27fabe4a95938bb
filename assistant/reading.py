"""Reading a file's indexed text around one chunk: what a client opens after a citation.

It reads the catalog, not the disk: the text is the version that was indexed (and
cited), whatever has happened to the file since, and only indexed files can be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.errors import AssistantError
from ingest.store import Catalog, StoredChunk
from ingest.store.catalog import chunk_id

MAX_AROUND = 10  # chunks either side: a passage, not the whole file


class PassageNotFound(AssistantError):
    """The file is not indexed, or has no such chunk or page."""


@dataclass(frozen=True)
class PassageText:
    path: str
    first: int  # chunk indexes covered, of `chunks` in the file
    last: int
    chunks: int
    page_start: int | None
    page_end: int | None
    headings: tuple[str, ...]
    text: str

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "first_chunk": self.first,
            "last_chunk": self.last,
            "chunks": self.chunks,
            "page": self.page_start,
            "page_end": self.page_end,
            "heading": " > ".join(self.headings),
            "text": self.text,
        }


def read_around(
    catalog: Catalog,
    path: str,
    *,
    chunk: int | None = None,
    page: int | None = None,
    around: int = 1,
) -> PassageText:
    """Chunk `chunk` (or every chunk of page `page`; else the file's start) with `around`
    neighbours on each side, joined without repeating their overlaps."""
    record = catalog.file(path)
    if record is None or record.doc_id is None or record.chunks == 0:
        reason = f"failed: {record.reason}" if record and record.reason else "not indexed"
        raise PassageNotFound(f"{path}: {reason}; `status` or /v1/files lists what is indexed")
    around = max(0, min(around, MAX_AROUND))
    if chunk is None and page is not None:
        every = _chunks(catalog, record.doc_id, 0, record.chunks - 1)
        on_page = [c for c in every if _on_page(c, page)]
        if not on_page:
            raise PassageNotFound(f"{path}: no indexed text on page {page}")
        first, last = on_page[0].index, on_page[-1].index
    else:
        first = last = chunk or 0
        if not 0 <= first < record.chunks:
            raise PassageNotFound(
                f"{path}: has chunks 0 to {record.chunks - 1}, not {first} (the file changed "
                "since it was cited? search again)"
            )
    chunks = _chunks(
        catalog, record.doc_id, max(0, first - around), min(record.chunks - 1, last + around)
    )
    pages = [p for c in chunks for p in (c.page_start, c.page_end) if p is not None]
    return PassageText(
        path=path,
        first=chunks[0].index,
        last=chunks[-1].index,
        chunks=record.chunks,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        headings=next((c.headings for c in chunks if c.index == first), chunks[0].headings),
        text=join_chunks(chunks),
    )


def _chunks(catalog: Catalog, doc_id: int, first: int, last: int) -> list[StoredChunk]:
    found = catalog.chunks_by_ids([chunk_id(doc_id, i) for i in range(first, last + 1)])
    return sorted(found.values(), key=lambda c: c.index)


def _on_page(chunk: StoredChunk, page: int) -> bool:
    if chunk.page_start is None:
        return False
    return chunk.page_start <= page <= (chunk.page_end or chunk.page_start)


def join_chunks(chunks: Sequence[StoredChunk]) -> str:
    """Consecutive chunks as one text: each chunk's characters past the previous one's end
    (chunks overlap by design; their offsets say by how much)."""
    text = ""
    end = -1
    for chunk in chunks:
        if end < 0 or chunk.char_start >= end:
            text += ("\n" if text else "") + chunk.text
        else:
            text += chunk.text[end - chunk.char_start :]
        end = max(end, chunk.char_end)
    return text
