"""Tests for the chunker: every chunk fits the model in its own tokenizer, points back into
the extracted text, and keeps its pages and heading path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_questions import SAMPLE_DOCS

from ingest.chunk import CHARS_PER_TOKEN, Chunk, TokenCounter, chunk_document, extracted_text
from ingest.document import Document, Section
from ingest.readers import read_document

REPORT = SAMPLE_DOCS / "annual-report-2025.pdf"


def _counter(embedder) -> TokenCounter:  # type: ignore[no-untyped-def]
    return TokenCounter(embedder.count_tokens, embedder.token_spans)


def chunks_of(doc: Document, embedder, **kwargs: int) -> list[Chunk]:  # type: ignore[no-untyped-def]
    return chunk_document(doc, _counter(embedder), embedder.max_seq_length, **kwargs)


def read(path: Path) -> Document:
    return read_document(path.read_bytes(), path)


def assert_fits(chunks: list[Chunk], embedder) -> None:  # type: ignore[no-untyped-def]
    """Count what the model will really see: the embedding text, special tokens included."""
    counts = embedder.count_tokens([c.embedding_text for c in chunks])
    over = [
        (c.index, n) for c, n in zip(chunks, counts, strict=True) if n > embedder.max_seq_length
    ]
    assert not over, f"chunks over {embedder.max_seq_length} tokens: {over}"


def assert_offsets(doc: Document, chunks: list[Chunk]) -> None:
    full = extracted_text(doc)
    for c in chunks:
        assert full[c.char_start : c.char_end] == c.text, c.index
        assert c.text.strip(), f"chunk {c.index} is blank"


def _words(n: int, seed: int = 0) -> str:
    """Distinct-looking words without punctuation, like a transcript with no full stops."""
    vocab = ["orchard", "ledger", "pruning", "quince", "medlar", "rootstock", "damson", "graft"]
    return " ".join(f"{vocab[(i * 7 + seed) % len(vocab)]}{i % 97}" for i in range(n))


ADVERSARIAL: dict[str, str] = {
    "unpunctuated_paragraph": _words(5000),
    "giant_table_line": " ".join(f"| cell{r}x{c} | {r * c} |" for r in range(60) for c in range(8)),
    "cjk_without_spaces": "果樹園の記録では剪定は七月に行い道具は必ず小屋に戻すこと" * 120,
    "long_urls": " ".join(
        f"https://example.org/archive/{i}/"
        + "/".join(f"segment{j}-{i}" for j in range(40))
        + f"?query={i}&token="
        + "ab12" * 30
        for i in range(12)
    ),
    "mixed_long_sentences": ". ".join(_words(400, seed) for seed in range(6)) + ".",
}


@pytest.mark.parametrize("path", sorted(SAMPLE_DOCS.iterdir()), ids=lambda p: p.name)
def test_sample_doc_chunks_fit_and_point_into_the_text(path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    doc = read(path)
    chunks = chunks_of(doc, embedder)
    assert chunks
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_text_never_exceeds_the_model(name: str, embedder) -> None:  # type: ignore[no-untyped-def]
    text = ADVERSARIAL[name]
    doc = Document(
        sections=[
            Section("A short opening paragraph."),
            Section(text, headings=("Appendix", "Raw data")),
            Section(text, page=None),
        ]
    )
    chunks = chunks_of(doc, embedder)
    # The text is far over one chunk; it must have been split, not dropped or truncated.
    assert len(chunks) > 3
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    # Nothing lost: every non-space character of the source is inside some chunk.
    full = extracted_text(doc)
    covered = bytearray(len(full))
    for c in chunks:
        covered[c.char_start : c.char_end] = b"\x01" * (c.char_end - c.char_start)
    missing = [i for i, ch in enumerate(full) if not ch.isspace() and not covered[i]]
    assert not missing, f"{len(missing)} characters in no chunk, first at {missing[:3]}"


def test_adversarial_markdown_through_the_reader(embedder) -> None:  # type: ignore[no-untyped-def]
    body = "\n\n".join(ADVERSARIAL.values())
    data = f"# Dump\n\n## Everything at once\n\n{body}\n".encode()
    doc = read_document(data, Path("dump.md"))
    chunks = chunks_of(doc, embedder)
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)


def test_a_very_long_heading_path_still_fits(embedder) -> None:  # type: ignore[no-untyped-def]
    """Headings count against the budget because the embedding text starts with them."""
    heading = " ".join(["Extremely", "verbose", "heading"] * 30)  # ~90+ tokens each
    doc = Document(sections=[Section(_words(800), headings=(heading, heading + " two"))])
    chunks = chunks_of(doc, embedder)
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)


def test_pdf_chunks_each_name_the_one_page_their_text_is_on(embedder) -> None:  # type: ignore[no-untyped-def]
    """A passage is cited by its page, so no chunk packs text of two pages together."""
    doc = read(REPORT)
    chunks = chunks_of(doc, embedder)
    assert all(c.page_start is not None and c.page_start == c.page_end for c in chunks)
    # The pages named are the pages the text comes from: find where each page starts.
    starts, offset = [], 0
    for s in doc.sections:
        starts.append((offset, offset + len(s.text), s.page))
        offset += len(s.text) + 2
    for c in chunks:
        pages = {p for a, b, p in starts if a < c.char_end and c.char_start < b}
        assert (min(pages), max(pages)) == (c.page_start, c.page_end), c.index
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 5


def test_heading_paths_are_kept(embedder) -> None:  # type: ignore[no-untyped-def]
    doc = read(SAMPLE_DOCS / "handbook.md")
    chunks = chunks_of(doc, embedder)
    by_text = {c.headings for c in chunks}
    assert ("Marrowbrook Community Orchard Handbook", "Membership", "Fees") in by_text
    fees = next(c for c in chunks if "£24" in c.text)
    assert fees.headings == ("Marrowbrook Community Orchard Handbook", "Membership", "Fees")
    # The embedding text names the path above the chunk, so the topic travels with it.
    assert "Membership" in fees.embedding_text
    # A chunk never mixes two heading paths: its text lies inside one section.
    for c in chunks:
        owners = [s for s in doc.sections if c.text in s.text]
        assert any(s.headings == c.headings for s in owners), c.index


def test_consecutive_chunks_of_one_long_section_overlap(embedder) -> None:  # type: ignore[no-untyped-def]
    sentences = [
        f"Row {i} of the ledger says tool {i % 13} went to bed {i % 7}." for i in range(300)
    ]
    doc = Document(sections=[Section(" ".join(sentences), headings=("Ledger",))])
    chunks = chunks_of(doc, embedder, target_tokens=120, overlap_tokens=32)
    assert len(chunks) > 5
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.char_start < a.char_end, f"no overlap between chunks {a.index} and {b.index}"
        assert b.char_start > a.char_start  # progress, not a repeat
        shared = extracted_text(doc)[b.char_start : a.char_end]
        assert len(embedder.token_spans(shared)) <= 32 + 4
    assert_fits(chunks, embedder)


def test_no_overlap_across_headings(embedder) -> None:  # type: ignore[no-untyped-def]
    doc = Document(
        sections=[
            Section(" ".join(f"Alpha fact {i}." for i in range(200)), headings=("A",)),
            Section(" ".join(f"Beta fact {i}." for i in range(200)), headings=("B",)),
        ]
    )
    chunks = chunks_of(doc, embedder)
    first_b = next(c for c in chunks if c.headings == ("B",))
    last_a = [c for c in chunks if c.headings == ("A",)][-1]
    assert first_b.char_start >= last_a.char_end
    assert "Alpha" not in first_b.text and "Beta" not in last_a.text


def test_small_document_is_one_chunk(embedder) -> None:  # type: ignore[no-untyped-def]
    doc = Document(sections=[Section("The shed key is under the blue pot.")])
    chunks = chunks_of(doc, embedder)
    assert [(c.index, c.text, c.char_start) for c in chunks] == [
        (0, "The shed key is under the blue pot.", 0)
    ]


def test_a_heading_longer_than_the_model_window_is_cut_not_overflowed(embedder) -> None:  # type: ignore[no-untyped-def]
    """A whole paragraph marked up as a heading must not push every chunk over the limit
    (nor shrink the text budget to one token per chunk)."""
    heading = " ".join(["Extremely", "verbose", "heading"] * 100)  # ~300 tokens
    doc = Document(sections=[Section(_words(300), headings=(heading,))])
    chunks = chunks_of(doc, embedder)
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)
    assert len(chunks) <= 10  # ~600 tokens of text in chunks of a sensible size
    assert all(heading.startswith(c.headings[0]) for c in chunks)


def test_a_sentence_longer_than_the_window_is_cut_between_words(embedder) -> None:  # type: ignore[no-untyped-def]
    """400 invoice codes in one sentence: every code is whole in some chunk, so keyword
    search finds each one (cut by tokens, 15 of them were in no chunk whole)."""
    codes = [f"INV-2026-{n:05d}" for n in range(17, 417)]
    doc = Document(sections=[Section("Invoices outstanding: " + ", ".join(codes))])
    chunks = chunks_of(doc, embedder)
    assert len(chunks) > 3
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)
    missing = [code for code in codes if not any(code in c.text for c in chunks)]
    assert not missing, f"{len(missing)} codes in no chunk whole: {missing[:5]}"


def test_text_without_spaces_is_cut_to_a_bounded_chunk_size(embedder) -> None:  # type: ignore[no-untyped-def]
    """A megabyte with no spaces is one [UNK] token to the tokenizer: the chunks are cut by
    characters too, never one chunk of the whole file."""
    text = "x" * (2**20)
    doc = Document(sections=[Section(text)])
    chunks = chunks_of(doc, embedder)
    limit = embedder.max_seq_length * CHARS_PER_TOKEN
    assert max(len(c.text) for c in chunks) <= limit
    assert sum(len(c.text) for c in chunks) == len(text)
    assert_fits(chunks, embedder)
    assert_offsets(doc, chunks)
