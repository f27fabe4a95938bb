"""Tokens of an answer for an asyncio server, and server-sent events to carry them.

The model blocks, so each token is pulled on a worker thread. A stream that ends early
(the client went away) closes the model's own stream at once: the embedded model holds a
lock while it generates, and the next question must not wait for an answer nobody reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio

from assistant.answer import AnswerStream
from ingest.pathnames import json_text

_END = object()


async def tokens_of(stream: AnswerStream) -> AsyncIterator[str]:
    tokens: Iterator[str] = iter(stream)
    try:
        while True:
            token = await anyio.to_thread.run_sync(next, tokens, _END)
            if token is _END:
                return
            yield str(token)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_close, tokens)


def _close(tokens: Iterator[str]) -> None:
    close = getattr(tokens, "close", None)
    if close is not None:
        close()


def sse(data: Any, event: str | None = None) -> str:
    """One server-sent event: `data` as JSON (or as it is, when a string)."""
    payload = data if isinstance(data, str) else json_text(data)
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"
