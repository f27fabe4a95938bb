"""Conversations: follow-up questions rewritten for retrieval, bounded history, saved chats.

The core of the chat face, kept free of Textual so the rule can be tested (and reused by
another face) without a screen. A conversation file is the user's questions and the
passages of their documents, so it is written 0600 like the index.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Source, Turn
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import ORDINALS
from assistant.evidence.topic import ASKED_FOR, SHAPING_FORMS, topic_words, unsaid
from assistant.evidence.which import move_first
from assistant.models import can_rewrite
from assistant.models.base import Backend, Message
from assistant.retrieve import STOPWORDS, Passage, file_location
from assistant.text import snippet
from ingest.dates import month_number

log = logging.getLogger(__name__)

REWRITE_MODES = ("auto", "rule", "model")
HISTORY_TURNS = 4  # exchanges passed to the prompt; `build_prompt` trims further by tokens
REFERRING_QUESTION_WORDS = 5  # content words at or below which a pronoun points back
MAX_CARRIED_TERMS = 8
TITLE_CHARS = 60  # a saved conversation's title: the start of its first question
REWRITE_MAX_TOKENS = 64  # a search query is one line; a longer reply has run on
MAX_QUERY_CHARS = 300  # a "query" longer than this is the model answering instead

# Words that point back at something said before: their referent is in the last exchange.
_REFERRING = frozenset(
    ["it", "its", "it's", "they", "them", "their", "theirs", "that", "those", "this"]
    + ["these", "he", "she", "him", "her", "his", "hers", "there", "one", "ones", "same"]
    + ["former", "latter", "other", "another", "else"]
)
_CONTINUATIONS = ("and ", "also ", "what about", "how about", "and the", "but ", "or ", "so ")
_WORD = re.compile(r"[\w£$€%-]+", re.UNICODE)
# A question word of its own ("and when is it due?", "which teacher runs it?"), not the
# "what about" that only changes a qualifier.
_ASKS_ITS_OWN = re.compile(
    r"\b(?:when|who|whom|whose|which|where|why|how (?!about\b)\w+|what (?!about\b)\w+)\b",
    re.IGNORECASE,
)
# A follow-up that names its own time ("And what was it at the start of the year?", "What
# about May?") asks of that time, not of the one the last question named ("... as of the
# end of March?"): the last question's months and years are not carried.
_OWN_TIME = re.compile(
    r"\b(?:(?:19|20)\d\d|(?:start|beginning|end|middle) of|(?:last|this|next) (?:year|month"
    r"|quarter|week))\b",
    re.IGNORECASE,
)
# What the last question asked, carried by a follow-up that only changes a qualifier ("What
# about the city's share?" after "How much of our property tax goes to Northside ISD?"
# asks how much again): "much" alone would not say a sum is asked.
_ASKED_PHRASE = re.compile(
    r"\b(?:how (?:much|many|long|often|old|far|big)|when|who|where|what time|(?:what|which) day)\b",
    re.IGNORECASE,
)
# The words of what such a question asked, not of what it was about ("much", "left", "pay").
# An ordinal says which one it was about ("the second half of the property taxes").
_ASKING_WORDS = (ASKED_FOR | SHAPING_FORMS).difference(ORDINALS)
_YEAR = re.compile(r"(?:19|20)\d\d(?:-\d\d)?")

REWRITE_PROMPT = """Rewrite the user's last question as one stand-alone search query that \
names what it refers to, using the earlier questions. Reply with the query only, on one line, \
no quotes, no explanation."""


@dataclass
class SavedSource:
    """A source as the chat shows it; enough to show and open it after a reload, without
    the index (the file may have changed since)."""

    n: int
    path: str
    page_start: int | None
    page_end: int | None
    heading: str
    score: float
    text: str
    cited: bool
    attachment: str | None = None
    statements: list[int] = field(default_factory=list)  # the statements that cite it
    quotes: list[str] = field(default_factory=list)  # its sentences they rest on

    def location(self) -> str:
        return file_location(self.path, self.page_start, self.page_end, self.attachment)


@dataclass
class Exchange:
    """One question, the query retrieval used for it, and the answer with its sources."""

    question: str
    answer: str
    query: str = ""
    sources: list[SavedSource] = field(default_factory=list)
    backend: str = ""
    model: str = ""
    stopped: bool = False  # the user cancelled it; the text is what came before
    mode: str = ""  # extractive or generative ("" in chats saved before answers were checked)
    abstained: bool = False
    fallback: bool = False  # the model's answer did not hold up; the evidence is quoted
    statements: list[dict[str, Any]] = field(default_factory=list)  # Statement.as_dict()

    @classmethod
    def from_answer(cls, answer: Answer, query: str, stopped: bool = False) -> Exchange:
        return cls(
            answer.question,
            answer.text,
            query,
            saved_sources(answer.sources),
            answer.backend,
            answer.model,
            stopped,
            answer.mode,
            answer.abstained,
            answer.fallback,
            [s.as_dict() for s in answer.statements],
        )

    @property
    def unsupported(self) -> list[dict[str, Any]]:
        return [s for s in self.statements if not s.get("supported")]

    @classmethod
    def pending(cls, question: str, query: str, passages: Sequence[Passage]) -> Exchange:
        """The passages found, before the answer: the user can read them while a slow
        model writes."""
        uncited = [Source(n, p, False) for n, p in enumerate(passages, 1)]
        return cls(question, "", query, saved_sources(uncited))


def saved_sources(sources: Sequence[Source]) -> list[SavedSource]:
    return [
        SavedSource(
            s.n,
            s.passage.path,
            s.passage.page_start,
            s.passage.page_end,
            s.passage.heading,
            round(float(s.passage.score), 4),
            s.passage.text,
            s.cited,
            s.passage.attachment,
            list(s.statements),
            list(s.quotes),
        )
        for s in sources
    ]


@dataclass
class Conversation:
    id: str = field(default_factory=lambda: time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6])
    title: str = ""
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    exchanges: list[Exchange] = field(default_factory=list)

    def add(self, exchange: Exchange) -> None:
        if not self.title:
            self.title = snippet(exchange.question, TITLE_CHARS)
        self.exchanges.append(exchange)
        self.updated = time.time()

    def history(self, turns: int = HISTORY_TURNS) -> list[Turn]:
        """The last answered exchanges as prompt history; a stopped answer is half a
        thought, and teaching the model from it makes the next answer worse."""
        done = [e for e in self.exchanges if not e.stopped and e.answer]
        return [Turn(e.question, e.answer) for e in done[-turns:]] if turns > 0 else []

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        exchanges = []
        for raw in data.get("exchanges", []):
            raw = dict(raw)
            raw["sources"] = [SavedSource(**s) for s in raw.get("sources", [])]
            exchanges.append(Exchange(**raw))
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", "")),
            created=float(data.get("created", 0.0)),
            updated=float(data.get("updated", 0.0)),
            exchanges=exchanges,
        )


# -- follow-up rewriting ------------------------------------------------------------------


def content_words(text: str) -> list[str]:
    """The words that carry a question's topic, in order, without repeats."""
    words = [w.strip("-") for w in _WORD.findall(text.lower())]
    kept = [w for w in words if w and w not in STOPWORDS and w not in _REFERRING]
    return list(dict.fromkeys(kept))


def is_follow_up(question: str) -> bool:
    """A question that refers back: it continues the last one ("and the return flight?"),
    points back ("it", "that car", "the other one"), or names no topic at all ("why?").
    A short question that names its own topic ("Who is the landlord of my flat?") stands
    alone: padding it with the last topic searches for the wrong thing."""
    lowered = " ".join(question.lower().split())
    if lowered.startswith(_CONTINUATIONS):
        return True
    topic = len(content_words(question))
    # "does it cost" uses "it" without pointing back: a pronoun only counts in a question
    # too thin to name its own topic.
    if set(_WORD.findall(lowered)) & _REFERRING and topic <= REFERRING_QUESTION_WORDS:
        return True
    return topic == 0


def rewrite_by_rule(question: str, previous_queries: Sequence[str]) -> str:
    """The follow-up plus the key terms of the query before it, for a model too small to
    rewrite: "and the second one?" after "which apple varieties grow here" searches for
    both. The previous *query* (itself rewritten) carries a topic across a chain of
    follow-ups; a question that stands alone is searched as it is."""
    if not previous_queries or not is_follow_up(question):
        return question
    have = set(content_words(question))
    carried = [w for w in content_words(previous_queries[-1]) if w not in have]
    # A month written with a capital ("What about May?"; "and may we..." is no month).
    named_month = any(
        w[:1].isupper() and month_number(w.strip("?.,!")) is not None for w in question.split()
    )
    if _OWN_TIME.search(question) or named_month:
        carried = [w for w in carried if month_number(w) is None and not _YEAR.fullmatch(w)]
    # A follow-up that asks its own thing takes what the last question was about, not what
    # it asked: after "How much is left to pay on the holiday cottage?", "And when does
    # that have to be paid by?" asks a date of the cottage; "much left pay" would search
    # for the balance again. One that only changes a qualifier ("and for children?")
    # asks the last question again, and takes all of it.
    asked = ""
    if _ASKS_ITS_OWN.search(question):
        about = [w for w in carried if len(w) > 1 and w not in _ASKING_WORDS]
        carried = about or carried
    elif found := _ASKED_PHRASE.search(previous_queries[-1]):
        asked = found[0].lower()
        carried = [w for w in carried if w not in asked.split()]
    if not carried:
        return question
    return " ".join([question.strip(), *([asked] if asked else []), *carried[:MAX_CARRIED_TERMS]])


def prefer_own_words(question: str, evidence: Evidence) -> Evidence:
    """Where a follow-up only changes a qualifier ("And her rabies one?" after "When does
    Juniper's Lyme shot run out?", "What about the city's share?"), put first the best of
    the next few units that holds every word the follow-up names itself, under its
    headings: it was searched with the last question's words too, which the unit that
    answered that question holds best (the Lyme row). A follow-up that asks its own thing
    ("And when is it due?") is left as its evidence ranks it. The evidence is changed in
    place and returned."""
    own = topic_words(question)
    if not own or _ASKS_ITS_OWN.search(question) or not evidence.candidates:
        return evidence

    def holds(candidate: Candidate) -> bool:
        return not unsaid(own, evidence.window_under_headings(candidate))

    # Without the date and name checks `prefer_money` adds: they read the search's words
    # as the question's, and the dates and names the last question gave are what the
    # follow-up replaces.
    return evidence if holds(evidence.candidates[0]) else move_first(evidence, holds)


def rewrite_by_model(backend: Backend, question: str, history: Sequence[Turn]) -> str | None:
    """The model's stand-alone query, or None when its reply is not usable as one."""
    earlier = "\n".join(f"- {t.question}" for t in history[-HISTORY_TURNS:])
    messages = [
        Message("system", REWRITE_PROMPT),
        Message("user", f"Earlier questions:\n{earlier}\n\nLast question: {question}"),
    ]
    tokens = backend.stream_chat(messages, max_tokens=REWRITE_MAX_TOKENS, temperature=0.0)
    reply = "".join(tokens).strip()
    line = reply.splitlines()[0].strip().strip('"').strip() if reply else ""
    if not line or len(line) > MAX_QUERY_CHARS or not content_words(line):
        log.info("model rewrite unusable (%r); using the rule", reply[:80])
        return None
    return line


def standalone_query(
    question: str,
    conversation: Conversation,
    backend: Backend | None = None,
    mode: str = "auto",
) -> str:
    """The query to retrieve with for `question`, asked inside `conversation`.

    `mode` is `rule`, `model`, or `auto` (the model when its backend says it rewrites
    well, else the rule). A model rewrite that fails or says nothing usable falls back to the rule.
    """
    previous = [e.query or e.question for e in conversation.exchanges]
    if not previous:
        return question
    use_model = mode == "model" or (mode == "auto" and backend is not None and can_rewrite(backend))
    if use_model and backend is not None and is_follow_up(question):
        try:
            rewritten = rewrite_by_model(backend, question, conversation.history())
        except Exception as exc:  # a rewrite is an optimisation; the answer still matters
            log.info("model rewrite failed: %s", exc)
            rewritten = None
        if rewritten:
            return rewritten
    return rewrite_by_rule(question, previous)


# -- saved conversations ------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    title: str
    updated: float
    exchanges: int


class ConversationStore:
    """Conversations as one JSON file each under `<data dir>/conversations`."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "conversations"

    def _path(self, conversation_id: str) -> Path:
        if not re.fullmatch(r"[\w.-]+", conversation_id) or conversation_id.startswith("."):
            raise ValueError(f"not a conversation id: {conversation_id!r}")
        return self.folder / f"{conversation_id}.json"

    def save(self, conversation: Conversation) -> Path:
        """Write atomically (temp file, then rename) so a crash never leaves half a file."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._path(conversation.id)
        temp = target.with_suffix(".json.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(conversation.as_dict(), out, ensure_ascii=False, indent=1)
        os.chmod(temp, 0o600)  # O_CREAT's mode does not apply to a leftover temp file
        os.replace(temp, target)
        return target

    def load(self, conversation_id: str) -> Conversation:
        data = json.loads(self._path(conversation_id).read_text(encoding="utf-8"))
        return Conversation.from_dict(data)

    def list(self) -> list[ConversationInfo]:
        """Newest first; an unreadable file is skipped (and logged), not fatal."""
        found: list[ConversationInfo] = []
        if not self.folder.is_dir():
            return found
        for path in self.folder.glob("*.json"):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(
                    ConversationInfo(
                        str(data["id"]),
                        str(data.get("title") or "(untitled)"),
                        float(data.get("updated", 0.0)),
                        len(data.get("exchanges", [])),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("%s: not a readable conversation: %s", path, exc)
        return sorted(found, key=lambda c: (-c.updated, c.id))

    def delete(self, conversation_id: str) -> bool:
        try:
            self._path(conversation_id).unlink()
        except FileNotFoundError:
            return False
        return True
