"""The Textual chat face of the assistant (`assistant chat`); imported only by that command."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import Settings


def run(settings: Settings, rewrite: str = "auto") -> None:
    from assistant.tui.app import AssistantApp

    AssistantApp(settings, rewrite=rewrite).run()
