"""Saved conversations: reopen one with Enter, delete one with `d`."""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from assistant.conversation import ConversationInfo, ConversationStore
from ingest.words import plural


class ConversationsScreen(ModalScreen[str | None]):
    """Dismisses with the chosen conversation's id, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self, store: ConversationStore, current: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.current = current
        self.infos: list[ConversationInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations-dialog"):
            yield Label("Saved conversations", id="conversations-title")
            yield OptionList(id="conversation-list")
            yield Label("", id="conversations-empty")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        self.infos = self.store.list()
        listing = self.query_one(OptionList)
        listing.clear_options()
        for info in self.infos:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.updated))
            mark = "  (open)" if info.id == self.current else ""
            label = f"{when}  {info.title}  · {plural(info.exchanges, 'question')}{mark}"
            listing.add_option(Option(label, id=info.id))
        self.query_one("#conversations-empty", Label).update(
            "" if self.infos else "No saved conversations yet."
        )
        if self.infos:
            listing.highlighted = 0
        listing.focus()

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_delete(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not self.infos:
            return
        info = self.infos[listing.highlighted]
        self.store.delete(info.id)
        self.notify(f"deleted “{info.title}”", markup=False)
        self._fill()
