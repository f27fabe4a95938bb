"""The Textual chat face of the assistant (`assistant chat`); imported only by that command."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import Settings


def run(settings: Settings, rewrite: str = "auto") -> None:
    """The chat owns the index while it runs and answers the other commands (see
    assistant/owner): its searches, its watcher and theirs share one open store. Beside
    a running owner (`watch`, `serve`) it asks that one instead: its searches and the
    sentences it checks go to the owner, its model stays here."""
    import sys

    from assistant.owner.client import find_owner
    from assistant.owner.route import answering, owning
    from assistant.serve.service import Service
    from assistant.tui.app import AssistantApp

    found = None if settings.chroma_url else find_owner(settings.data_dir)
    if found is not None:
        AssistantApp(settings, rewrite=rewrite, owner=found).run()
        return
    service = Service(settings, purpose="chat")
    say = lambda line: sys.stderr.write(line + "\n")  # noqa: E731
    with owning(settings, "chat", say), answering(service):
        try:
            AssistantApp(settings, rewrite=rewrite).run()
        finally:
            service.stop()
