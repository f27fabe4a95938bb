"""Answer-quality evaluation on SQuAD 2.0-layout data: loading it, writing its articles as
documents, SQuAD's answer normalisation, and the measures of one run.

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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError


@dataclass(frozen=True)
class QaQuestion:
    qid: str
    article: str  # the article's title: the document it is asked of
    question: str
    answers: tuple[str, ...]  # empty for an unanswerable question
    impossible: bool


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
                    questions.append(
                        QaQuestion(str(qa["id"]), title, str(qa["question"]), answers, impossible)
                    )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not the SQuAD layout (missing {exc})") from None
    if not questions:
        raise ConfigError(f"{path}: holds no questions")
    return QaDataset(articles, questions)


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
    """Whether `text` holds any of `answers` as whole words, both normalised."""
    haystack = f" {normalize_answer(text)} "
    return any((needle := normalize_answer(a)) and f" {needle} " in haystack for a in answers)


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


def summarize(outcomes: Sequence[QaOutcome]) -> dict[str, Any]:
    """The issue's measures over a run. Shares of answerable questions count an abstention
    as a miss; 'cited holds gold' is over the answerable questions that were answered
    (an unanswerable question has no gold answer to hold)."""
    answerable = [o for o in outcomes if not o.impossible]
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
    }
