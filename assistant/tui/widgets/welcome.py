"""The first screen: what is indexed, and questions to try drawn from the user's own files."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from assistant.library import IndexStatus
from ingest.words import plural

EMPTY_INDEX = "Nothing is indexed yet: run `assistant ingest PATH` in a terminal, then ask here."
KEYS_HINT = "Ctrl+P: every command · F1: keys · Esc stops an answer"


def index_summary(info: IndexStatus | None) -> str:
    if info is None:
        return "Reading the index …"
    if not info.chunks:
        return EMPTY_INDEX
    folders = ", ".join(info.folders) or "your files"
    return f"Indexed: {plural(info.files, 'file')} ({plural(info.chunks, 'passage')}) in {folders}."


class Welcome(Vertical):
    """Shown while the conversation is empty; choosing an example asks it."""

    class Asked(Message):
        def __init__(self, question: str) -> None:
            super().__init__()
            self.question = question

    def compose(self) -> ComposeResult:
        yield Static(index_summary(None), id="welcome-index", markup=False)
        yield Static("", id="welcome-try", markup=False)
        yield OptionList(id="welcome-examples")
        yield Static(KEYS_HINT, id="welcome-keys", markup=False)

    def show(self, info: IndexStatus | None, examples: list[str]) -> None:
        self.query_one("#welcome-index", Static).update(index_summary(info))
        ready = info is not None and info.chunks > 0 and bool(examples)
        hint = "Ask anything below, or try one of these (Enter asks it):" if ready else ""
        self.query_one("#welcome-try", Static).update(hint)
        listing = self.query_one("#welcome-examples", OptionList)
        listing.clear_options()
        listing.add_options([Option(q) for q in examples] if ready else [])
        listing.display = ready

    @on(OptionList.OptionSelected, "#welcome-examples")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.post_message(self.Asked(str(event.option.prompt)))
