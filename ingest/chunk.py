"""The chunker: cuts a Document into passages that fit the embedding model, structure first.

Sections (a heading's text, a PDF page) split into paragraphs, paragraphs into sentences,
and only a sentence longer than the budget is cut, between words (a word is cut only when
it alone is longer than the budget), so every word is whole in some chunk. Pieces are
then packed greedily up to the target size, with a small overlap of whole sentences, and
never across a change of heading path (a chunk about two headings retrieves badly).
Every chunk is counted with the model's tokenizer, so none exceeds `max_seq_length`
(sentence-transformers would silently truncate it), and none is longer than
`CHARS_PER_TOKEN` characters a token of the window: a tokenizer makes one [UNK] token of a
"word" of any length, so a 30 MB text without spaces was one 31-million-character chunk.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.document import Document

SECTION_SEPARATOR = "\n\n"
# The most of the model's window a heading path may take, so text always has room beside it.
MAX_HEADING_SHARE = 0.5
# Tokens per heading, when a heading path is cut to fit, for the " > " joining it to the
# next and its share of the special tokens.
HEADING_JOIN_TOKENS = 2
# A word cut mid-way where a sentence is split by tokens can re-tokenize a little longer.
RETOKENIZE_SLACK = 2
# The most characters a chunk holds, per token of the model's window: prose runs 4 to 6
# characters a token, so only text the tokenizer cannot read (one [UNK] for a megabyte
# without spaces) reaches this.
CHARS_PER_TOKEN = 16

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_LINE_BREAK = re.compile(r"\n+")  # between the rows of a table or the fields of a form
# A sentence ends at . ! ? (or their CJK forms) followed by space, or at a line break
# inside a paragraph that looks like a list item or a table row.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"')\]]*\s+|\n(?=\s*(?:[-*+•|]|\d+[.)])\s)")


@dataclass(frozen=True)
class Chunk:
    """One passage as indexed: where it sits in the file's extracted text and on which pages."""

    index: int
    text: str
    char_start: int  # offsets into Document text joined with SECTION_SEPARATOR
    char_end: int
    page_start: int | None
    page_end: int | None
    headings: tuple[str, ...]
    attachment: str | None = None  # the file inside the file it comes from (Section)

    @property
    def embedding_text(self) -> str:
        """What the model embeds: the heading path first, so a passage deep in a section
        still carries the topic its heading names."""
        return embedding_text(self.text, self.headings)


def embedding_text(text: str, headings: Sequence[str]) -> str:
    if not headings:
        return text
    # Markdown sections start with their own heading line: add only the path above it.
    own_heading = text.lstrip("#= ").startswith(headings[-1])
    path = headings[:-1] if own_heading else headings
    return f"{' > '.join(path)}\n{text}" if path else text


class TokenCounter:
    """What the chunker needs from the model's tokenizer: counts (special tokens
    included), token spans (without them), and how many special tokens it adds to every
    input ([CLS] and [SEP] for BERT models), counted once."""

    def __init__(
        self,
        count: Callable[[Sequence[str]], list[int]],
        spans: Callable[[str], list[tuple[int, int]]],
    ) -> None:
        self.count = count
        self.spans = spans
        self.special = count([""])[0]


@dataclass(frozen=True)
class _Piece:
    start: int  # absolute offsets
    end: int
    tokens: int
    page: int | None
    paragraph_start: bool


def extracted_text(doc: Document) -> str:
    """The text that chunk offsets point into."""
    return SECTION_SEPARATOR.join(s.text for s in doc.sections)


def chunk_document(
    doc: Document,
    tokens: TokenCounter,
    max_tokens: int,
    target_tokens: int = 200,
    overlap_tokens: int = 32,
) -> list[Chunk]:
    """Split `doc` into chunks whose embedding text is at most `max_tokens` model tokens.

    `target_tokens` is the size chunks are packed up to; `overlap_tokens` how much of the
    end of one chunk (in whole sentences) starts the next within a section.
    """
    target = min(target_tokens, max_tokens)
    max_chars = max_tokens * CHARS_PER_TOKEN
    full = extracted_text(doc)
    # Runs of consecutive sections under one heading path on one page of one file (an
    # e-mail and each of its attachments are files of their own); chunks never span two
    # runs, so every passage is cited by exactly the page its text is on.
    # A table is a run of its own too, cut only between rows and with no overlap (every
    # row carries its headers); a form's fields are cut only between lines, but pack
    # with the prose around them.
    runs: list[tuple[tuple[str, ...], str | None, int | None, str, list[_Piece]]] = []
    offset = 0
    for section in doc.sections:
        heading_limit = int(max_tokens * MAX_HEADING_SHARE)
        headings = _bounded_headings(section.headings, tokens, heading_limit)
        kind = "table" if section.kind == "table" else "text"
        key = (headings, section.attachment, section.page, kind)
        if not runs or runs[-1][:4] != key:
            runs.append((*key, []))
        limit = min(target, max_tokens - _heading_cost(headings, tokens))
        separator = _PARAGRAPH_BREAK if section.kind == "text" else _LINE_BREAK
        runs[-1][4].extend(
            _pieces(section.text, offset, section.page, tokens, limit, max_chars, separator)
        )
        offset += len(section.text) + len(SECTION_SEPARATOR)
    chunks: list[Chunk] = []
    for headings, attachment, _page, kind, pieces in runs:
        if pieces:
            overlap = overlap_tokens if kind == "text" else 0
            limits = _Limits(max_tokens, target, overlap, max_chars)
            packed = _pack(pieces, full, headings, tokens, limits, len(chunks))
            if attachment is not None:
                packed = [dataclasses.replace(c, attachment=attachment) for c in packed]
            chunks.extend(packed)
    return chunks


def _bounded_headings(
    headings: tuple[str, ...], tokens: TokenCounter, limit: int
) -> tuple[str, ...]:
    """The heading path cut to `limit` tokens, so text always has room beside it.

    A "heading" that long is a paragraph marked up as one (a whole HTML page in an <h1>);
    without the cut, the text budget goes to zero or below and every chunk overflows.
    """
    if _heading_cost(headings, tokens) <= limit:
        return headings
    share = max(1, limit // len(headings) - HEADING_JOIN_TOKENS)
    cut = []
    for heading in headings:
        spans = tokens.spans(heading)
        cut.append(heading[: spans[share - 1][1]] if len(spans) > share else heading)
    return tuple(cut)


def _heading_cost(headings: tuple[str, ...], tokens: TokenCounter) -> int:
    if not headings:
        return 0
    return tokens.count([" > ".join(headings) + "\n"])[0]


def _pieces(
    text: str,
    base: int,
    page: int | None,
    tokens: TokenCounter,
    limit: int,
    max_chars: int,
    separator: re.Pattern[str] = _PARAGRAPH_BREAK,
) -> list[_Piece]:
    """Paragraphs (a table's rows) that fit the limits, else their sentences, else windows
    of whole words."""
    paragraphs = _spans(text, separator)
    counts = tokens.count([text[s:e] for s, e in paragraphs]) if paragraphs else []
    out: list[_Piece] = []
    for (start, end), count in zip(paragraphs, counts, strict=True):
        if count <= limit and end - start <= max_chars:
            out.append(_Piece(base + start, base + end, count, page, True))
            continue
        sentences = [(start + s, start + e) for s, e in _spans(text[start:end], _SENTENCE_END)]
        sentence_counts = tokens.count([text[s:e] for s, e in sentences])
        first = True
        for (s, e), n in zip(sentences, sentence_counts, strict=True):
            fits = n <= limit and e - s <= max_chars
            windows = [(s, e, n)] if fits else _word_windows(text, s, e, tokens, limit, max_chars)
            for ws, we, wn in windows:
                out.append(_Piece(base + ws, base + we, wn, page, first))
                first = False
    return out


def _spans(text: str, separator: re.Pattern[str]) -> list[tuple[int, int]]:
    """Non-blank stretches of `text` between separator matches, trimmed of whitespace."""
    spans = []
    start = 0
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            spans.append((start + lead, end - trail))
        if match:
            start = match.end()
    return spans


def _word_windows(
    text: str, start: int, end: int, tokens: TokenCounter, limit: int, max_chars: int
) -> list[tuple[int, int, int]]:
    """Cut one over-long sentence (a table, a list of codes, a URL dump) into windows that
    end where a word ends: a cut inside a word left it whole in no chunk, so keyword search
    could not find it. A word longer than a window is cut by tokens, a token longer than
    `max_chars` by characters."""
    spans = tokens.spans(text[start:end])
    usable = max(1, limit - tokens.special - RETOKENIZE_SLACK)
    windows: list[tuple[int, int, int]] = []
    i = 0
    while i < len(spans):
        j = min(len(spans), i + usable)  # the window is spans[i:j]
        while j > i + 1 and spans[j - 1][1] - spans[i][0] > max_chars:
            j -= 1
        # A token ends a word where whitespace (or the sentence's end) follows it.
        word_end = j
        while i < word_end < len(spans) and spans[word_end][0] == spans[word_end - 1][1]:
            word_end -= 1
        j = word_end if word_end > i else j
        window_start, window_end = start + spans[i][0], start + spans[j - 1][1]
        if window_end - window_start <= max_chars:
            windows.append((window_start, window_end, j - i + tokens.special))
        else:
            windows.extend(_char_windows(text, window_start, window_end, tokens, max_chars))
        i = j
    return windows


def _char_windows(
    text: str, start: int, end: int, tokens: TokenCounter, max_chars: int
) -> list[tuple[int, int, int]]:
    """One token longer than `max_chars` (an [UNK] for a run of unreadable characters),
    cut into `max_chars` pieces: nothing in it can be searched as a word anyway."""
    cuts = [(s, min(s + max_chars, end)) for s in range(start, end, max_chars)]
    counts = tokens.count([text[s:e] for s, e in cuts])
    return [(s, e, n) for (s, e), n in zip(cuts, counts, strict=True)]


@dataclass(frozen=True)
class _Limits:
    max_tokens: int  # the model's window
    target: int  # tokens a chunk is packed up to
    overlap: int  # tokens of whole sentences repeated from one chunk to the next
    max_chars: int  # characters a chunk may hold


def _pack(
    pieces: list[_Piece],
    full: str,
    headings: tuple[str, ...],
    tokens: TokenCounter,
    limits: _Limits,
    first_index: int,
) -> list[Chunk]:
    """Greedily join pieces up to the target, then verify each chunk with the tokenizer."""
    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    size = 0
    special = tokens.special
    for piece in pieces:
        # Joining pieces costs about their sum minus the special tokens counted in each.
        cost = piece.tokens - special if current else piece.tokens
        if current and (
            size + cost > limits.target or piece.end - current[0].start > limits.max_chars
        ):
            groups.append(current)
            current = _overlap_tail(current, limits.overlap, special)
            if current and piece.end - current[0].start > limits.max_chars:
                current = []
            size = sum(p.tokens - special for p in current) + (special if current else 0)
            cost = piece.tokens - special if current else piece.tokens
        current.append(piece)
        size += cost
    if current:
        groups.append(current)

    chunks: list[Chunk] = []
    for group in groups:
        for part in _fit(group, full, headings, tokens, limits.max_tokens):
            chunks.append(_make_chunk(part, full, headings, first_index + len(chunks)))
    return chunks


def _overlap_tail(group: list[_Piece], overlap: int, special: int) -> list[_Piece]:
    """The trailing whole pieces of `group` that fit in `overlap` tokens, within a paragraph
    run, so a fact split across a chunk boundary is found whole in one of the two."""
    tail: list[_Piece] = []
    total = 0
    for piece in reversed(group[1:]):
        total += piece.tokens - special
        if total > overlap:
            break
        tail.insert(0, piece)
    return tail


def _fit(
    group: list[_Piece],
    full: str,
    headings: tuple[str, ...],
    tokens: TokenCounter,
    max_tokens: int,
) -> list[list[_Piece]]:
    """Estimates can be off by a few tokens where pieces join; split until each chunk truly fits."""
    text = full[group[0].start : group[-1].end]
    if tokens.count([embedding_text(text, headings)])[0] <= max_tokens or len(group) == 1:
        return [group]
    middle = len(group) // 2
    return _fit(group[:middle], full, headings, tokens, max_tokens) + _fit(
        group[middle:], full, headings, tokens, max_tokens
    )


def _make_chunk(group: list[_Piece], full: str, headings: tuple[str, ...], index: int) -> Chunk:
    pages = [p.page for p in group if p.page is not None]
    start, end = group[0].start, group[-1].end
    return Chunk(
        index=index,
        text=full[start:end],
        char_start=start,
        char_end=end,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        headings=headings,
    )
