"""`assistant eval-qa`: index a SQuAD 2.0 file's articles through the real ingest path and
ask every question (or a sample) through the real answer path, scoring each answer.

Like `assistant eval`, the articles and their index live in a data dir of their own
(under the user's data dir), so a benchmark never mixes into the user's index, and a
second run reuses both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant import library
from assistant.answer import Answer
from assistant.eval_run import eval_dir, index_eval_corpus
from assistant.models.base import Backend
from assistant.qa_eval import (
    QaOutcome,
    QaQuestion,
    contains_answer,
    load_squad,
    sample_questions,
    summarize,
    write_articles,
)
from assistant.retrieve import Passage, Retriever
from assistant.settings import Settings
from ingest.words import plural


def prepare_index(
    settings: Settings, squad_file: Path, say: Callable[[str], None]
) -> tuple[Settings, list[QaQuestion]]:
    """The eval's own settings (its data dir) with the articles indexed, and the questions."""
    dataset = load_squad(squad_file)
    home = eval_dir(settings, squad_file)
    library.prepare_data_dir(home)
    corpus = home / "articles"
    write_articles(dataset, corpus)
    say(f"indexing {plural(len(dataset.articles), 'article')} (only changes after the first run)")
    return index_eval_corpus(settings, home, corpus, say), dataset.questions


def score_answer(
    question: QaQuestion, answer: Answer, passages: Sequence[Passage], latency_ms: float
) -> QaOutcome:
    gold = question.answers
    cited = [s.passage.text for s in answer.sources if s.cited]
    return QaOutcome(
        qid=question.qid,
        article=question.article,
        question=question.question,
        impossible=question.impossible,
        answer=answer.text,
        abstained=answer.abstained,
        contains_gold=bool(gold) and not answer.abstained and contains_answer(answer.text, gold),
        cited_holds_gold=bool(gold) and any(contains_answer(t, gold) for t in cited),
        retrieved_holds_gold=bool(gold) and any(contains_answer(p.text, gold) for p in passages),
        statements=len(answer.statements),
        unsupported=sum(1 for s in answer.statements if not s.supported),
        fallback=answer.fallback,
        mode=answer.mode,
        latency_ms=latency_ms,
        answer_words=len(answer.text.split()),
        first_token_ms=answer.timings.get("first_token_ms", 0.0),
        draft_contains_gold=contains_answer(answer.draft, gold) if answer.draft else None,
    )


def ask_one(
    settings: Settings, retriever: Retriever, backend: Backend | None, question: QaQuestion
) -> QaOutcome:
    """One question through `library.ask`, timed as the warm path (model and index loaded)."""
    started = time.perf_counter()
    stream = library.ask(settings, retriever, backend, question.question)
    for _token in stream:
        pass
    answer = stream.result or stream.finish()
    latency_ms = (time.perf_counter() - started) * 1000
    return score_answer(question, answer, stream.passages, latency_ms)


def run_eval_qa(
    settings: Settings,
    squad_file: Path,
    backend: Backend | None,
    *,
    sample: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    details: Path | None = None,
) -> dict[str, Any]:
    """The run's measures; with `details`, one JSON line per question is written there."""
    say = progress or (lambda _msg: None)
    index_settings, questions = prepare_index(settings, squad_file, say)
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
        file=str(squad_file),
        sample=sample,
        seed=seed,
        answer_mode=outcomes[0].mode if outcomes else settings.answer_mode,
        backend=backend.name if backend else None,
        model=backend.model if backend else None,
    )
    return report
