"""Retrieval over a real index of sample_docs/: the right file and page in the top three,
hostile keyword queries, filters, fusion and merging on hand-made rankings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_questions import SAMPLE_QUESTIONS, SampleQuestion

from assistant import library
from assistant.retrieve import (
    FilterMatchesNothing,
    PathFilter,
    Retriever,
    affordable_terms,
    fts_expression,
    keyword_terms,
    merge_neighbours,
    reciprocal_rank_fusion,
)
from assistant.settings import load_settings
from ingest.store.catalog import StoredChunk

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Retriever]:  # type: ignore[no-untyped-def]
    """One index of sample_docs/ for the whole module (ingesting takes seconds)."""
    data = tmp_path_factory.mktemp("index")
    settings = load_settings(config_file=data / "none.toml", environ={}, data_dir=data)
    library.ingest(settings, [ROOT / "sample_docs"])
    found = library.open_retriever(settings)
    yield found
    found.index.close()


def _hit(question: SampleQuestion, retriever: Retriever) -> bool:
    for passage in retriever.search(question.question, k=3).passages:
        if Path(passage.path).name != question.path:
            continue
        if question.page is not None and not (
            passage.page_start <= question.page <= (passage.page_end or passage.page_start)
        ):
            continue
        if question.must_contain in passage.text:
            return True
    return False


@pytest.mark.parametrize("question", SAMPLE_QUESTIONS, ids=lambda q: q.question[:40])
def test_sample_question_finds_its_file_and_page_in_top_three(
    question: SampleQuestion, retriever: Retriever
) -> None:
    assert _hit(question, retriever), [
        (p.location(), round(p.score, 2)) for p in retriever.search(question.question, 3).passages
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "AND OR NOT",
        "(((",
        "prune*",
        "-cherry",
        "title: NEAR(a b)",
        "^caret {braces} [brackets]",
        "果樹園の剪定はいつですか",
        "яблоки сидр",
        "'; DROP TABLE chunks; --",
        "",
        "   ",
        "?!.,",
    ],
)
def test_any_user_text_is_a_valid_query(query: str, retriever: Retriever) -> None:
    for mode in ("hybrid", "keyword", "vector"):
        result = retriever.search(query, k=3, mode=mode)
        assert isinstance(result.passages, list)


def fts_query(text: str) -> str | None:
    """The keyword side's expression for any user text, as the retriever builds it."""
    return fts_expression(keyword_terms(text))


def test_fts_query_quotes_every_word_and_drops_stopwords() -> None:
    assert fts_query('what is "the" cider-press AND (cost)*') == ('"cider" OR "press" OR "cost"')
    assert fts_query("the of") == '"the" OR "of"'  # nothing but stopwords: keep them
    assert fts_query("?!") is None


def test_unrelated_question_is_below_the_relevance_floor(retriever: Retriever) -> None:
    result = retriever.search("What is the boiling point of liquid nitrogen in kelvin?", k=5)
    assert result.passages == []
    assert result.below_floor


def test_keyword_side_finds_a_rare_exact_token(retriever: Retriever) -> None:
    passages = retriever.search("Priya Castellane", k=3, mode="keyword").passages
    assert passages and "Priya Castellane" in passages[0].text


@pytest.mark.parametrize("query", ["Priya Castellane", "Castellane", "7,820"])
def test_a_passage_holding_every_searched_word_passes_the_floor(
    query: str, retriever: Retriever
) -> None:
    """A name or a figure scores low by cosine (0.05-0.12 here, under the 0.2 floor); the
    passage that holds all of it must still be found by the default, hybrid search."""
    passages = retriever.search(query, k=3).passages
    assert passages, "dropped by the relevance floor"
    assert passages[0].score < retriever.config.relevance_floor  # what makes this case
    assert all(word in passages[0].text for word in query.split())
    # Only passages holding every word are let through below the floor.
    assert all(
        p.score >= retriever.config.relevance_floor or all(w in p.text for w in query.split())
        for p in passages
    )


def test_folder_and_type_filters(retriever: Retriever, tmp_path: Path) -> None:
    only_pdf = PathFilter.build(None, ["pdf"])
    passages = retriever.search("apples and honey", k=5, path_filter=only_pdf).passages
    assert passages and all(p.path.endswith(".pdf") for p in passages)

    glob = PathFilter.build("*.md", [])
    passages = retriever.search("membership fee", k=5, path_filter=glob).passages
    assert passages and all(p.path.endswith(".md") for p in passages)

    # A filter that leaves no indexed file says so, instead of "nothing relevant".
    folder = PathFilter.build(str(tmp_path), ["pdf"])
    with pytest.raises(FilterMatchesNothing) as nothing:
        retriever.search("membership fee", k=5, path_filter=folder)
    assert f"no indexed file passes the filter (in {tmp_path}, of type pdf)" in str(nothing.value)
    with pytest.raises(FilterMatchesNothing, match=r"\(matching \*\.xyz\)"):
        retriever.search("membership fee", k=5, path_filter=PathFilter.build("*.xyz", []))


@pytest.mark.parametrize("overfetch_limit", [10**6, 0], ids=["over-fetch", "chroma-where"])
def test_filter_on_a_large_set_stays_correct(retriever: Retriever, overfetch_limit: int) -> None:
    """Above exact_filter_limit a filter either over-fetches (a large share passes) or uses
    Chroma's own `where` (a small share); both must return only passing chunks."""
    from dataclasses import replace

    original = retriever.config
    retriever.config = replace(original, exact_filter_limit=0, overfetch_limit=overfetch_limit)
    try:
        only_md = PathFilter.build("*.md", [])
        passages = retriever.search("pruning plums", k=3, path_filter=only_md).passages
        assert passages and all(p.path.endswith(".md") for p in passages)
    finally:
        retriever.config = original


def test_reciprocal_rank_fusion_by_hand() -> None:
    # a: 1/(60+1) + 1/(60+3) = 0.016393 + 0.015873 = 0.032266
    # b: 1/(60+2) + 1/(60+1) = 0.016129 + 0.016393 = 0.032522
    # c: 1/(60+3) = 0.015873 ; d: 1/(60+2) = 0.016129
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d", "a"]], k=60)
    assert [i for i, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    weighted = reciprocal_rank_fusion([["a"], ["b"]], k=60, weights=[1.0, 2.0])
    assert [i for i, _ in weighted] == ["b", "a"]


def _chunk(doc: int, idx: int, start: int, end: int, text: str, page: int | None = None):  # type: ignore[no-untyped-def]
    return StoredChunk(
        chunk_id=f"{doc}:{idx}",
        path=f"/docs/{doc}.md",
        doc_id=doc,
        index=idx,
        page_start=page,
        page_end=page,
        headings=(),
        char_start=start,
        char_end=end,
        text=text,
    )


def test_overlapping_neighbours_merge_without_repeating_text() -> None:
    full = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota."
    first = _chunk(1, 0, 0, 36, full[0:36])  # "Alpha ... zeta."
    second = _chunk(1, 1, 18, 53, full[18:53])  # overlaps "Delta epsilon zeta."
    other = _chunk(2, 0, 0, 5, "Other")
    passages = merge_neighbours([(second, 0.3, 0.8), (other, 0.2, 0.5), (first, 0.1, 0.6)], k=5)
    assert len(passages) == 2
    merged = passages[0]
    assert merged.text == full
    assert (merged.first, merged.last, merged.score) == (0, 1, 0.8)
    assert merged.text.count("Delta") == 1


def test_neighbours_on_different_pages_stay_separate_and_k_is_respected() -> None:
    a = _chunk(1, 0, 0, 10, "page one..", page=1)
    b = _chunk(1, 1, 12, 22, "page two..", page=2)
    c = _chunk(3, 0, 0, 4, "more")
    passages = merge_neighbours([(a, 0.3, 0.9), (b, 0.2, 0.8), (c, 0.1, 0.7)], k=2)
    assert [(p.doc_id, p.page_start) for p in passages] == [(1, 1), (1, 2)]


def test_affordable_terms_keep_the_rarest_within_the_budget_by_hand() -> None:
    postings = {"orchard": 900, "press": 300, "cider": 200, "castellane": 1}
    terms = ["orchard", "cider", "press", "castellane"]
    # Rarest first: castellane 1, cider 201, press 501; orchard would make 1401 > 1000.
    assert affordable_terms(terms, postings, 1000) == ["cider", "press", "castellane"]
    # Over budget from the start: the two rarest stay anyway, in the question's order.
    assert affordable_terms(terms, postings, 0) == ["cider", "castellane"]
    assert affordable_terms(terms, postings, 0, keep=1) == ["castellane"]
    assert affordable_terms(terms, postings, 10_000) == terms
    assert affordable_terms([], {}, 10) == []


def test_term_postings_are_counted_after_the_index_own_stemming(retriever: Retriever) -> None:
    keywords = retriever.index.keywords
    postings = keywords.term_postings(["pruned", "pruning", "orchard", "defibrillator", "zzqx"])
    # "pruned" and "pruning" both stem to "prune": the same postings.
    assert postings["pruned"] == postings["pruning"] > 0
    # "orchard" is in most sample passages, "defibrillator" in one, "zzqx" in none.
    assert postings["orchard"] > postings["defibrillator"] > postings["zzqx"] == 0
    # A term the tokenizer splits costs the postings of every piece.
    split = keywords.term_postings(["pruning_orchard"])["pruning_orchard"]
    assert split == postings["pruning"] + postings["orchard"]
    repeated = keywords.term_postings(["_", "orchard", "orchard"])
    assert repeated == {"_": 0, "orchard": postings["orchard"]}


def test_a_small_keyword_budget_drops_common_words_from_the_query(retriever: Retriever) -> None:
    """With a budget of one posting, only the two rarest words are matched: the passage
    naming the rare pair still comes first, and no common word is searched for."""
    from dataclasses import replace

    original = retriever.config
    retriever.config = replace(original, keyword_postings=1)
    try:
        passages = retriever.search("orchard Priya Castellane", k=3, mode="keyword").passages
    finally:
        retriever.config = original
    assert passages and "Priya Castellane" in passages[0].text
    assert all("Castellane" in p.text or "Priya" in p.text for p in passages)


def test_overfetch_size_when_no_chunk_passes_the_filter() -> None:
    """bench_retrieval's filter table at 1M chunks ended in ZeroDivisionError here: a
    filter that no chunk passes needs no neighbours at all."""
    from assistant.retrieve import overfetch_size

    assert overfetch_size(40, 0, 1_000_000) == 0
    assert overfetch_size(40, 0, 0) == 0
    assert overfetch_size(40, 500, 1000) == 40 * 2 * 2 + 40
