"""The Textual chat face of the assistant (`assistant chat`); imported only by that command."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import Settings


def run(settings: Settings, rewrite: str = "auto") -> None:
    """The chat owns the index while it runs and answers the other commands (see
    assistant/owner): its searches, its watcher and theirs share one open store."""
    import sys

    from assistant.owner.route import answering, owning
    from assistant.serve.service import Service
    from assistant.tui.app import AssistantApp

    service = Service(settings, purpose="chat")
    say = lambda line: sys.stderr.write(line + "\n")  # noqa: E731
    with owning(settings, "chat", say), answering(service):
        try:
            AssistantApp(settings, rewrite=rewrite).run()
        finally:
            service.stop()
