"""Limit answers to one folder (or a glob such as *.pdf); empty means everything."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class FolderScreen(ModalScreen[str | None]):
    """Dismisses with the folder or glob, "" for no limit, or None to keep the current one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, current: str | None, folders: list[str]) -> None:
        super().__init__()
        self.current = current
        self.folders = folders

    def compose(self) -> ComposeResult:
        with Vertical(id="folder-dialog"):
            yield Label("Only answer from (empty: everything)", id="folder-title")
            yield Input(
                self.current or "", placeholder="a folder, a file or a glob", id="folder-input"
            )
            yield Label("Indexed folders:", id="folder-known")
            yield OptionList(*[Option(f, id=f) for f in self.folders], id="folder-list")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option_id))
