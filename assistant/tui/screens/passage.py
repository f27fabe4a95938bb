"""The whole passage behind a source, with the query's words highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from assistant.conversation import SavedSource, content_words


def match_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where the words occur in `text`, whole words, any case; a word may end in a plural."""
    terms = sorted({w for w in words if len(w) > 1}, key=len, reverse=True)
    if not terms:
        return []
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")(?:s|es)?\b", re.IGNORECASE
    )
    return [m.span() for m in pattern.finditer(text)]


class PassageText(Static):
    """The passage; matches take the `passage--match` style from app.tcss."""

    COMPONENT_CLASSES = {"passage--match"}

    def __init__(self, text: str, words: list[str]) -> None:
        super().__init__(id="passage-text")
        self.text = text
        self.words = words

    def on_mount(self) -> None:
        content = Content(self.text)
        style = self.get_visual_style("passage--match")
        for start, end in match_spans(self.text, self.words):
            content = content.stylize(style, start, end)
        self.update(content)


class PassageScreen(ModalScreen[None]):
    """Shown when a source is chosen; `o` opens the file at its page or line."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Back"),
        Binding("o", "open_file", "Open file"),
    ]

    def __init__(self, source: SavedSource, query: str) -> None:
        super().__init__()
        self.source = source
        self.words = content_words(query)

    def compose(self) -> ComposeResult:
        with Vertical(id="passage-dialog"):
            yield Label(
                f"[{self.source.n}] {self.source.location()}", id="passage-title", markup=False
            )
            yield Label(
                f"{self.source.path}  ·  score {self.source.score:.2f}",
                id="passage-path",
                markup=False,
            )
            if self.source.heading:
                yield Label(self.source.heading, id="passage-heading", markup=False)
            with VerticalScroll(id="passage-scroll"):
                yield PassageText(self.source.text, self.words)
        yield Footer()

    def action_open_file(self) -> None:
        from assistant.tui.widgets.sources import SourcesPanel

        self.app.post_message(SourcesPanel.OpenRequested(self.source))
