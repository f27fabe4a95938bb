"""The app's own actions in the command palette (Ctrl+P), beside Textual's built-ins."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, action, what it does): the palette's words for the app's keys.
APP_COMMANDS = [
    ("New chat", "new_chat", "Ctrl+N · start a new chat; the current one stays saved"),
    ("Open saved chats", "conversations", "Ctrl+O · reopen or delete a saved chat"),
    ("Switch model", "switch_model", "Ctrl+T · choose the backend and the model that answer"),
    ("Folder filter", "limit_folder", "Ctrl+F · only answer from one folder or glob"),
    ("Watch the indexed folders", "toggle_watch", "Ctrl+G · start or stop the watcher"),
    ("Copy answer", "copy_answer", "Ctrl+Y · copy the selected answer and its sources"),
    ("Sources", "focus_sources", "Ctrl+S · go to the sources of the selected answer"),
    ("Summarize a file", "summarize_prompt", "type /summarize FILE: a whole file, cited"),
    ("Stop the answer", "stop", "Esc · stop the answer being written"),
    ("Keys", "help", "F1 · every key and command"),
]


class AppCommands(Provider):
    """Lists APP_COMMANDS when the palette opens, and fuzzy-matches them as one types."""

    async def discover(self) -> Hits:
        for title, action, help_text in APP_COMMANDS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in APP_COMMANDS:
            score = matcher.match(title)
            if score > 0:
                command = partial(self.app.run_action, action)
                yield Hit(score, matcher.highlight(title), command, help=help_text)
