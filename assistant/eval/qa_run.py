"""`assistant eval-qa`: index a folder of documents (or a SQuAD 2.0 file's articles) through
the real ingest path and ask every question (or a sample) through the real answer path,
scoring each answer. A follow-up question (`prev`) is asked after the question before it,
in one conversation, as the chat asks it.

Like `assistant eval`, the index lives in a data dir of its own (under the user's data
dir), so a benchmark never mixes into the user's index, and a second run reuses it.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant import library
from assistant.answer import Answer, Turn
from assistant.conversation import Conversation, Exchange, standalone_query
from assistant.errors import ConfigError
from assistant.eval.beir_run import eval_dir, index_eval_corpus
from assistant.eval.qa import (
    QaOutcome,
    QaQuestion,
    load_questions,
    load_squad,
    sample_questions,
    summarize,
    write_articles,
)
from assistant.models.base import Backend
from assistant.retrieve import Passage, PathFilter, Retriever
from assistant.settings import Settings
from ingest.words import plural


def is_questions_file(path: Path) -> bool:
    """A questions file is JSON lines (`.jsonl`); anything else is read as SQuAD 2.0 JSON."""
    return Path(path).suffix.lower() in (".jsonl", ".ndjson")


def prepare_index(
    settings: Settings, questions_file: Path, say: Callable[[str], None], docs: Path | None = None
) -> tuple[Settings, list[QaQuestion]]:
    """The eval's own settings (its data dir) with the documents indexed, and the questions:
    `docs` for a questions file, the articles written out for a SQuAD file."""
    if is_questions_file(questions_file):
        if docs is None:
            raise ConfigError(f"{questions_file}: a questions file needs --docs FOLDER")
        if not docs.is_dir():
            raise ConfigError(f"{docs}: no such folder (give the documents the questions ask of)")
        questions = load_questions(questions_file)
        home = eval_dir(settings, docs)
        library.prepare_data_dir(home)
        say(f"indexing {docs} (only changes after the first run)")
        return index_eval_corpus(settings, home, docs, say), questions
    dataset = load_squad(questions_file)
    home = eval_dir(settings, questions_file)
    library.prepare_data_dir(home)
    corpus = home / "articles"
    write_articles(dataset, corpus)
    say(f"indexing {len(dataset.articles)} articles (only changes after the first run)")
    return index_eval_corpus(settings, home, corpus, say), dataset.questions


def _names(passage: Passage) -> set[str]:
    """The names a citation of this passage answers to: its file's and its attachment's."""
    return {Path(passage.path).name, *([passage.attachment] if passage.attachment else [])}


def _covers(passage: Passage, page: int) -> bool:
    if passage.page_start is None:
        return False
    return passage.page_start <= page <= (passage.page_end or passage.page_start)


def score_answer(
    question: QaQuestion,
    answer: Answer,
    passages: Sequence[Passage],
    latency_ms: float,
    query: str = "",
) -> QaOutcome:
    gold = question.answers
    cited_sources = [s.passage for s in answer.sources if s.cited]
    cited = [p.text for p in cited_sources]
    wanted = set(question.files)
    in_file = [p for p in cited_sources if _names(p) & wanted]
    return QaOutcome(
        qid=question.qid,
        article=question.article,
        question=question.question,
        impossible=question.impossible,
        answer=answer.text,
        abstained=answer.abstained,
        contains_gold=not answer.abstained and question.held_by(answer.text),
        cited_holds_gold=any(question.held_by(t) for t in cited),
        retrieved_holds_gold=any(question.held_by(p.text) for p in passages),
        statements=len(answer.statements),
        unsupported=sum(1 for s in answer.statements if not s.supported),
        fallback=answer.fallback,
        mode=answer.mode,
        latency_ms=latency_ms,
        answer_words=len(answer.text.split()),
        first_token_ms=answer.timings.get("first_token_ms", 0.0),
        draft_contains_gold=question.held_by(answer.draft) if answer.draft and gold else None,
        kind=question.kind,
        cited_right_file=not answer.abstained and bool(in_file),
        cited_right_page=None
        if question.page is None or not gold
        else any(_covers(p, question.page) for p in in_file),
        first_holds_gold=not answer.abstained
        and bool(answer.statements)
        and question.held_by(answer.statements[0].text),
        query=query,
    )


def _answer(
    settings: Settings,
    retriever: Retriever,
    backend: Backend | None,
    question: str,
    path_filter: PathFilter | None,
    conversation: Conversation | None = None,
) -> tuple[Answer, list[Passage], str]:
    """One question through `library.ask`, inside `conversation` as the chat asks it (the
    follow-up rewritten for retrieval, the exchanges before it as history)."""
    query = question
    history: list[Turn] = []
    if conversation is not None and conversation.exchanges:
        query = standalone_query(question, conversation, backend, settings.rewrite)
        history = conversation.history()
    stream = library.ask(
        settings, retriever, backend, question, path_filter, history=history, query=query
    )
    for _token in stream:
        pass
    return stream.result or stream.finish(), stream.passages, query


def ask_one(
    settings: Settings, retriever: Retriever, backend: Backend | None, question: QaQuestion
) -> QaOutcome:
    """One question (after the one before it, for a follow-up), timed as the warm path
    (model and index loaded); only the question itself is timed."""
    path_filter = PathFilter.build(question.within)
    conversation = None
    if question.prev:
        conversation = Conversation()
        before, _passages, _query = _answer(
            settings, retriever, backend, question.prev, path_filter
        )
        conversation.add(Exchange.from_answer(before, question.prev))
    started = time.perf_counter()
    answer, passages, query = _answer(
        settings, retriever, backend, question.question, path_filter, conversation
    )
    latency_ms = (time.perf_counter() - started) * 1000
    return score_answer(
        question, answer, passages, latency_ms, query if query != question.question else ""
    )


def run_eval_qa(
    settings: Settings,
    questions_file: Path,
    backend: Backend | None,
    *,
    docs: Path | None = None,
    sample: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    details: Path | None = None,
) -> dict[str, Any]:
    """The run's measures; with `details`, one JSON line per question is written there.
    A questions file's `in` names a file or folder under `docs` (relative) or anywhere."""
    say = progress or (lambda _msg: None)
    index_settings, questions = prepare_index(settings, questions_file, say, docs)
    if docs is not None:
        questions = [_within_docs(q, docs) for q in questions]
    chosen = sample_questions(questions, sample, seed)
    retriever = library.open_retriever(index_settings)
    outcomes: list[QaOutcome] = []
    out = details.open("w", encoding="utf-8") if details else None
    try:
        for n, question in enumerate(chosen, 1):
            outcome = ask_one(index_settings, retriever, backend, question)
            outcomes.append(outcome)
            if out is not None:
                out.write(json.dumps(outcome.as_dict(), ensure_ascii=False) + "\n")
            if n % 25 == 0 or n == len(chosen):
                say(f"{n}/{plural(len(chosen), 'question')} asked")
    finally:
        retriever.index.close()
        if out is not None:
            out.close()
    report = summarize(outcomes)
    report.update(
        file=str(questions_file),
        docs=str(docs) if docs is not None else None,
        sample=sample,
        seed=seed,
        answer_mode=outcomes[0].mode if outcomes else settings.answer_mode,
        backend=backend.name if backend else None,
        model=backend.model if backend else None,
    )
    return report


def _within_docs(question: QaQuestion, docs: Path) -> QaQuestion:
    if question.within is None or Path(question.within).is_absolute():
        return question
    return dataclasses.replace(question, within=str(docs / question.within))
