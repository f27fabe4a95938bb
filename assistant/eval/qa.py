"""Answer-quality evaluation: a questions file about a folder of documents (JSON lines, the
layout of the home set) or a SQuAD 2.0 file, SQuAD's answer normalisation, and the
measures of one run, overall and by kind of question.

Nothing here touches the index or a model: `assistant eval-qa` (`qa_run`) composes
these with the real ingest and answer paths, so the arithmetic is tested on hand-made data.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import string
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.eval.beir import read_jsonl


@dataclass(frozen=True)
class QaQuestion:
    qid: str
    article: str  # the article's title (SQuAD) or the file that answers ("" when none)
    question: str
    answers: tuple[str, ...]  # empty for an unanswerable question
    impossible: bool
    kind: str = ""  # the file's own kind (table, follow-up...); else answerable/unanswerable
    page: int | None = None  # the page that answers, where the file has pages
    also: tuple[str, ...] = ()  # other files that answer it as well
    prev: str | None = None  # the question asked just before (a follow-up leans on it)
    within: str | None = None  # asked of this file or folder only, as `ask --in` does
    all_answers: bool = False  # a multi-part answer: it must hold every gold, not one

    @property
    def files(self) -> tuple[str, ...]:
        """The file names a citation may point to for the answer to count as cited."""
        return tuple(f for f in (self.article, *self.also) if f)

    def held_by(self, text: str) -> bool:
        """Whether `text` holds the gold answer (every part of it, for a multi-part one)."""
        if not self.answers:
            return False
        if self.all_answers:
            return all(contains_answer(text, [a]) for a in self.answers)
        return contains_answer(text, self.answers)


@dataclass
class QaDataset:
    articles: dict[str, list[str]]  # title -> paragraphs, in order
    questions: list[QaQuestion]


def load_squad(path: Path) -> QaDataset:
    """Read a SQuAD 2.0 JSON file (`data[].title`, `paragraphs[].context`, `qas[]`), failing
    early on anything missing so a long ingest never starts on a file that cannot be scored."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (give a SQuAD 2.0 JSON file)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable JSON file ({exc})") from None
    data = raw.get("data") if isinstance(raw, dict) else None
    if not isinstance(data, list) or not data:
        raise ConfigError(f"{path}: expected the SQuAD layout, an object with a 'data' list")
    articles: dict[str, list[str]] = {}
    questions: list[QaQuestion] = []
    try:
        for article in data:
            title = str(article["title"])
            if title in articles:
                raise ConfigError(f"{path}: article {title!r} appears twice")
            articles[title] = []
            for paragraph in article["paragraphs"]:
                articles[title].append(str(paragraph["context"]))
                for qa in paragraph["qas"]:
                    impossible = bool(qa.get("is_impossible", False))
                    answers = tuple(dict.fromkeys(str(a["text"]) for a in qa.get("answers", [])))
                    if not impossible and not answers:
                        raise ConfigError(f"{path}: question {qa['id']!r} has no answer")
                    kind = "unanswerable" if impossible else "answerable"
                    questions.append(
                        QaQuestion(
                            str(qa["id"]),
                            title,
                            str(qa["question"]),
                            answers,
                            impossible,
                            kind,
                            # the article is cited as the file it is written to
                            also=() if impossible else (article_file_name(title),),
                        )
                    )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not the SQuAD layout (missing {exc})") from None
    if not questions:
        raise ConfigError(f"{path}: holds no questions")
    return QaDataset(articles, questions)


_QUESTION_KEYS = ("id", "q", "golds")


def load_questions(path: Path) -> list[QaQuestion]:
    """Read a questions file: one JSON object a line, `{"id", "q", "golds"}` and optionally
    `"file"`, `"page"`, `"kind"`, `"also"`, `"prev"`, `"in"`, `"all"` (docs/eval-qa.md).
    A question with no golds is one the documents cannot answer. Fails on the first bad
    line, naming it, so a long ingest never starts on a file that cannot be scored."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file (give a questions file)")
    questions: list[QaQuestion] = []
    seen: set[str] = set()
    for lineno, raw in read_jsonl(path):
        if any(k not in raw for k in _QUESTION_KEYS):
            raise ConfigError(f"{path}:{lineno}: needs the keys id, q and golds")
        golds = raw["golds"]
        if not isinstance(golds, list) or not all(isinstance(g, str) for g in golds):
            raise ConfigError(f"{path}:{lineno}: golds must be a list of strings")
        qid = str(raw["id"])
        if qid in seen:
            raise ConfigError(f"{path}:{lineno}: the id {qid!r} appears twice")
        seen.add(qid)
        page = raw.get("page")
        if page is not None and not isinstance(page, int):
            raise ConfigError(f"{path}:{lineno}: page must be a whole number or null")
        impossible = not golds
        questions.append(
            QaQuestion(
                qid=qid,
                article=str(raw.get("file") or "") if not impossible else "",
                question=str(raw["q"]),
                answers=tuple(dict.fromkeys(golds)),
                impossible=impossible,
                kind=str(raw.get("kind") or ("unanswerable" if impossible else "answerable")),
                page=page,
                also=tuple(str(f) for f in raw.get("also") or ()),
                prev=str(raw["prev"]) if raw.get("prev") else None,
                within=str(raw["in"]) if raw.get("in") else None,
                all_answers=bool(raw.get("all", False)),
            )
        )
    if not questions:
        raise ConfigError(f"{path}: holds no questions")
    return _prev_by_id(questions)


def _prev_by_id(questions: list[QaQuestion]) -> list[QaQuestion]:
    """A `prev` that is the id of a question in the file is that question's words: the
    follow-up is asked after it (a file may give either)."""
    asked = {q.qid: q.question for q in questions}
    return [
        replace(q, prev=asked[q.prev]) if q.prev is not None and q.prev in asked else q
        for q in questions
    ]


def sample_questions(questions: Sequence[QaQuestion], n: int | None, seed: int) -> list[QaQuestion]:
    """`n` questions drawn at random (all when `n` is None or larger), in file order."""
    if n is None or n >= len(questions):
        return list(questions)
    chosen = set(random.Random(seed).sample(range(len(questions)), n))
    return [q for i, q in enumerate(questions) if i in chosen]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def article_file_name(title: str) -> str:
    return (_UNSAFE.sub("_", title).strip("._") or "article") + ".md"


def write_articles(dataset: QaDataset, dest: Path) -> dict[str, str]:
    """Each article as one Markdown file (its title as the heading, one paragraph each),
    so it goes through the real reader and chunker; returns {file name: title}."""
    dest.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for title, paragraphs in dataset.articles.items():
        name = article_file_name(title)
        if name in names:
            raise ConfigError(f"articles {names[name]!r} and {title!r} share a file name")
        names[name] = title
        body = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        text = f"# {title.replace('_', ' ')}\n\n{body}\n"
        target = dest / name
        # Rewriting an unchanged file would make the next ingest hash it again.
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return names


# -- SQuAD's normalisation (the official evaluation script's rules) -----------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces: as SQuAD scores answers."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether `text` holds any of `answers` as whole words, both normalised; an answer
    that normalising empties although it is a mark (`_mark`) is looked for as written."""
    haystack = f" {normalize_answer(text)} "
    return any(
        f" {needle} " in haystack
        if (needle := normalize_answer(a))
        else bool((mark := _mark(a)) and mark.search(text.lower()))
        for a in answers
    )


def _mark(answer: str) -> re.Pattern[str] | None:
    """A grade ("A-", "B+") as a whole token, case folded: SQuAD's rules drop the sign and
    then the article "a", leaving nothing, so such a gold could never be found. Only an
    answer with both a letter or digit and a sign: articles alone, or a lone ".", still
    match nothing."""
    bare = " ".join(answer.lower().split())
    has_sign = any(not ch.isalnum() and not ch.isspace() for ch in bare)
    if not (has_sign and any(ch.isalnum() for ch in bare)):
        return None
    return re.compile(rf"(?<![\w+-]){re.escape(bare)}(?![\w+-])")


# -- one run's measures ----------------------------------------------------------------------


@dataclass
class QaOutcome:
    """What happened to one question; enough to recompute every measure and its curve."""

    qid: str
    article: str
    question: str
    impossible: bool
    answer: str
    abstained: bool
    contains_gold: bool  # the answer text holds a gold answer
    cited_holds_gold: bool  # a cited source's text holds a gold answer
    retrieved_holds_gold: bool  # any retrieved passage does
    statements: int
    unsupported: int
    fallback: bool  # the answer is the quoted evidence, the model's being unsupported
    mode: str
    latency_ms: float
    answer_words: int
    first_token_ms: float = 0.0  # the model's first token (or the quote), from the question
    draft_contains_gold: bool | None = None  # the model's own text, unchecked; None: no model
    kind: str = ""
    cited_right_file: bool = False  # a cited source is the file (or an `also` one) that answers
    cited_right_page: bool | None = None  # ... on the page that answers; None: no page given
    first_holds_gold: bool = False  # the answer's first statement (its first quote) holds it
    query: str = ""  # what retrieval searched for, when a follow-up was rewritten

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _right_and_cited(o: QaOutcome) -> bool:
    return o.contains_gold and o.cited_right_file


def by_kind(outcomes: Sequence[QaOutcome]) -> dict[str, dict[str, Any]]:
    """The main measures for each kind of question, in first-seen order: right, right and
    cited to the right file (and page), declined. For an unanswerable kind only 'declined'
    means anything."""
    kinds: dict[str, list[QaOutcome]] = {}
    for o in outcomes:
        kinds.setdefault(o.kind or ("unanswerable" if o.impossible else "answerable"), []).append(o)
    table: dict[str, dict[str, Any]] = {}
    for kind, group in kinds.items():
        paged = [o for o in group if o.cited_right_page is not None]
        answerable = not group[0].impossible
        table[kind] = {
            "questions": len(group),
            "right": _share(sum(o.contains_gold for o in group), len(group))
            if answerable
            else None,
            "right_cited_file": _share(sum(map(_right_and_cited, group)), len(group))
            if answerable
            else None,
            "right_page": _share(
                sum(_right_and_cited(o) and bool(o.cited_right_page) for o in paged), len(paged)
            ),
            "declined": _share(sum(o.abstained for o in group), len(group)),
            "latency_ms_p50": round(percentile([o.latency_ms for o in group], 50), 1),
        }
    return table


def summarize(outcomes: Sequence[QaOutcome]) -> dict[str, Any]:
    """The issue's measures over a run. Shares of answerable questions count an abstention
    as a miss; 'cited holds gold' is over the answerable questions that were answered
    (an unanswerable question has no gold answer to hold). 'Right and cited' needs the
    answer to hold the gold and a citation to point to the file that answers (and, where
    the questions file names a page, 'right page' that the citation covers it)."""
    answerable = [o for o in outcomes if not o.impossible]
    paged = [o for o in answerable if o.cited_right_page is not None]
    unanswerable = [o for o in outcomes if o.impossible]
    answered = [o for o in answerable if not o.abstained]
    drafted = [o for o in answerable if o.draft_contains_gold is not None]
    statements = sum(o.statements for o in outcomes)
    latencies = [o.latency_ms for o in outcomes]
    first_tokens = [o.first_token_ms for o in outcomes]
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_contains_gold": _share(sum(o.contains_gold for o in answerable), len(answerable)),
        "right_cited_file": _share(sum(map(_right_and_cited, answerable)), len(answerable)),
        "right_page": _share(
            sum(_right_and_cited(o) and bool(o.cited_right_page) for o in paged), len(paged)
        ),
        # An answer of two or three quotes holds the gold if any does; a reader takes the
        # first as the answer.
        "first_holds_gold": _share(sum(o.first_holds_gold for o in answerable), len(answerable)),
        "cited_source_holds_gold": _share(sum(o.cited_holds_gold for o in answered), len(answered)),
        "retrieved_holds_gold": _share(
            sum(o.retrieved_holds_gold for o in answerable), len(answerable)
        ),
        "abstained_unanswerable": _share(sum(o.abstained for o in unanswerable), len(unanswerable)),
        "abstained_answerable": _share(sum(o.abstained for o in answerable), len(answerable)),
        "statements": statements,
        "statements_unsupported": _share(sum(o.unsupported for o in outcomes), statements),
        "fallback_to_quote": _share(sum(o.fallback for o in outcomes), len(outcomes)),
        # Of the answerable questions a model wrote for: what it said, before the checks.
        "draft_contains_gold": _share(
            sum(bool(o.draft_contains_gold) for o in drafted), len(drafted)
        ),
        "answer_words_median": statistics.median([o.answer_words for o in answered] or [0]),
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "first_token_ms_p50": round(percentile(first_tokens, 50), 1),
        "first_token_ms_p95": round(percentile(first_tokens, 95), 1),
        "by_kind": by_kind(outcomes),
    }
