"""The conversation pane: each question, and its answer streamed in as Markdown."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static
from textual.widgets._markdown import MarkdownStream

from assistant.conversation import Exchange
from assistant.evidence.compose import UNSUPPORTED_MARK
from ingest.words import plural


def answer_markdown(exchange: Exchange) -> str:
    """The checked answer, an unsupported statement's mark made to stand out, and what
    did not hold up listed under it with the reason."""
    if not exchange.answer:
        return "*(stopped before any answer)*"
    text = exchange.answer.replace(UNSUPPORTED_MARK, "**⚠ unsupported**")
    if exchange.fallback and exchange.unsupported:
        text += "\n\n*The model wrote (not supported by the documents):* " + " ".join(
            s["text"] for s in exchange.unsupported
        )
    return text


class QuestionBox(Static):
    """The user's question, as typed."""

    def __init__(self, question: str) -> None:
        super().__init__(question, markup=False)


class AnswerBox(Vertical, can_focus=True):
    """One answer: Markdown that grows as tokens arrive, and a line saying where it stands.

    Focusing it (click or Tab) selects it, so the sources panel follows the answer the
    user is reading rather than always the newest.
    """

    class Selected(Message):
        def __init__(self, box: AnswerBox) -> None:
            super().__init__()
            self.box = box

    def __init__(self, exchange: Exchange | None = None) -> None:
        super().__init__()
        self.exchange = exchange
        self.pending: Exchange | None = None  # its passages, while the answer is written
        self.draft_by = ""  # the model whose unchecked draft streams in, if one writes
        self.text = exchange.answer if exchange else ""
        self._stream: MarkdownStream | None = None

    def compose(self) -> ComposeResult:
        shown = answer_markdown(self.exchange) if self.exchange else self.text
        yield Markdown(shown, classes="answer-text")
        yield Static(self._done_line() if self.exchange else "searching …", classes="answer-meta")

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    def set_meta(self, line: str) -> None:
        self.query_one(".answer-meta", Static).update(line)

    async def write(self, fragment: str) -> None:
        """Append a fragment; the stream batches fragments that arrive faster than they render."""
        if self._stream is None:
            self._stream = Markdown.get_stream(self.markdown)
            if self.draft_by:  # shown as it is written, then replaced by the checked answer
                self.set_meta(f"{self.draft_by} is writing a draft, checked once done (Esc stops)")
        self.text += fragment
        await self._stream.write(fragment)

    async def finish(self, exchange: Exchange) -> None:
        """Show the final text (the answer layer strips it) and what it is built on."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        self.exchange = exchange
        self.text = exchange.answer
        if exchange.stopped:
            self.add_class("-stopped")
        await self.markdown.update(answer_markdown(exchange))
        self.set_meta(self._done_line())

    async def fail(self, message: str) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        self.add_class("-failed")
        self.set_meta(f"no answer: {message}")

    def _done_line(self) -> str:
        exchange = self.exchange
        if exchange is None:
            return ""
        cited = sum(1 for s in exchange.sources if s.cited)
        parts = [f"{exchange.backend} · {exchange.model}"] if exchange.model else []
        if exchange.mode == "extractive" and not exchange.abstained:
            parts.append("quoted from the documents")
        elif exchange.statements:
            checked = len(exchange.statements) - len(exchange.unsupported)
            parts.append(f"{checked} of {plural(len(exchange.statements), 'statement')} supported")
        if exchange.fallback:
            parts.append("the model's answer did not hold up: quoting the evidence")
        if exchange.abstained:
            parts.append("no evidence answers this")
        if exchange.sources:
            parts.append(
                f"{cited} of {plural(len(exchange.sources), 'passage')} cited"
                if cited
                else f"{plural(len(exchange.sources), 'passage')}, none cited"
            )
        if exchange.query and exchange.query != exchange.question:
            parts.append(f"searched: {exchange.query}")
        if exchange.stopped:
            parts.append(
                "stopped part-way: what was written is checked above"
                if exchange.answer
                else "stopped before the model wrote anything: the passages found are listed"
            )
        return " · ".join(parts)

    def on_focus(self, _event: events.Focus) -> None:
        self.post_message(self.Selected(self))


class ConversationView(VerticalScroll):
    """The questions and answers of one conversation, newest at the bottom.

    Anchored: a streaming answer stays in view until the user scrolls up to read.
    """

    def on_mount(self) -> None:
        self.anchor()

    async def add_question(self, question: str) -> AnswerBox:
        box = AnswerBox()
        await self.mount_all([QuestionBox(question), box])
        self.anchor()
        self.scroll_end(animate=False)
        return box

    async def show(self, exchanges: list[Exchange]) -> AnswerBox | None:
        """Replace the pane with a saved conversation; returns its last answer."""
        await self.remove_children()
        widgets: list[Static | AnswerBox] = []
        last: AnswerBox | None = None
        for exchange in exchanges:
            last = AnswerBox(exchange)
            if exchange.stopped:
                last.add_class("-stopped")
            widgets += [QuestionBox(exchange.question), last]
        if widgets:
            await self.mount_all(widgets)
        self.scroll_end(animate=False)
        return last

    def answers(self) -> list[AnswerBox]:
        return list(self.query(AnswerBox))
