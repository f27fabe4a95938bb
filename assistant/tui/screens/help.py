"""The help screen: every key, and what the chat does with follow-ups and sources."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown, Static

ABOUT = """
Type a question and press **Enter**. A small model's answer is quoted from the documents;
a bigger model's streams in, then every statement is checked against the documents and
cited by the system (`[n]`), and one they do not support is marked **unsupported**. The
**Sources** panel lists the passages behind the selected answer and the sentences cited.
Follow-ups ("and the second one?") are searched together with the earlier question,
and the last few exchanges go into the prompt. Every conversation is saved under the
data dir (owner-only) and can be reopened or deleted with **Ctrl+O**.

In the sources panel, **Enter** shows the whole passage with the question's words
highlighted, and **o** opens the file at its page or line where the program allows
(`$EDITOR`, less, zathura, evince, okular, else the system's opener). **Tab** moves
between the question box, the answers (focusing one shows its sources) and the sources.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in self.keys) + 2
        keys = "\n".join(f"{key:<{width}}{what}" for key, what in self.keys)
        with Vertical(id="help-dialog"):
            yield Label("Keys and commands", id="help-title")
            with VerticalScroll():
                yield Static(keys, id="help-keys", markup=False)
                yield Markdown(ABOUT, id="help-text")
            yield Label("Esc closes", id="help-hint")
