"""The sources panel: file, page, score and snippet of each passage behind an answer."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assistant.conversation import Exchange, SavedSource
from assistant.text import snippet

SNIPPET_CHARS = 140
HEADING_CHARS = 80


class SourceList(OptionList):
    """The passages of one answer; Enter shows one whole, `o` opens its file."""

    BINDINGS = [
        Binding("o", "open_source", "Open file"),
    ]

    def action_open_source(self) -> None:
        panel = self.screen.query_one(SourcesPanel)
        source = panel.highlighted_source
        if source is not None:
            self.post_message(SourcesPanel.OpenRequested(source))


class SourcesPanel(Vertical):
    """Follows the selected answer; choosing a source asks the app to show its passage."""

    class Chosen(Message):
        def __init__(self, source: SavedSource, exchange: Exchange) -> None:
            super().__init__()
            self.source = source
            self.exchange = exchange

    class OpenRequested(Message):
        def __init__(self, source: SavedSource) -> None:
            super().__init__()
            self.source = source

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.exchange: Exchange | None = None

    def compose(self) -> ComposeResult:
        yield Label("Sources", id="sources-title")
        yield SourceList(id="source-list")
        yield Label("Ask a question: its sources appear here.", id="sources-empty")

    def show(self, exchange: Exchange | None, answering: bool = False) -> None:
        """List the exchange's sources; `answering` while its answer is still written."""
        self.exchange = exchange
        listing = self.query_one(SourceList)
        listing.clear_options()
        sources = exchange.sources if exchange else []
        title = self.query_one("#sources-title", Label)
        empty = self.query_one("#sources-empty", Label)
        if not sources:
            title.update("Sources")
            empty.update(
                "No passages matched this question."
                if exchange
                else "Ask a question: its sources appear here."
            )
            self.set_class(True, "-empty")
            return
        self.set_class(False, "-empty")
        cited = any(s.cited for s in sources)
        if answering:
            title.update("Passages found (answer in progress)")
        else:
            title.update("Sources" if cited else "Passages given (none cited)")
        listing.add_options([Option(self._prompt(s), id=str(i)) for i, s in enumerate(sources)])
        listing.highlighted = 0

    @staticmethod
    def _prompt(source: SavedSource) -> Content:
        lines = [f"[{source.n}] {source.location()}  ·  score {source.score:.2f}"]
        if source.heading:
            lines.append(snippet(source.heading, HEADING_CHARS))
        if source.quotes:
            lines += [f"\u201c{snippet(q, SNIPPET_CHARS)}\u201d" for q in source.quotes]
        else:
            lines.append(snippet(source.text, SNIPPET_CHARS))
        # A blank last line keeps sources apart; the list's dividers and option padding
        # did not render in Textual 8.2.
        return Content("\n".join(lines) + "\n ")

    @property
    def highlighted_source(self) -> SavedSource | None:
        listing = self.query_one(SourceList)
        if self.exchange is None or listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.exchange.sources[int(option.id or 0)]

    @on(OptionList.OptionSelected, "#source-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.exchange is not None:
            source = self.exchange.sources[int(event.option.id or 0)]
            self.post_message(self.Chosen(source, self.exchange))
