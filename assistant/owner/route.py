"""Where a command's work happens: in the owner of the index, or in this process as its
owner for the run.

A one-shot read (`search`, `ask`, `status`, `summarize`, `files`) that finds a live owner
asks it over the socket: warm, no model load, no index open. One that finds none takes the owner
lock for its own run; if a process that does not listen holds it (another one-shot), it
waits for it, saying so in one line. A second writer (`ingest`, `forget`) asks the owner
to do the work, its progress streamed back. Long-lived processes (`watch`, `serve`,
`chat`, `mcp`, and `ingest` while it runs) own the index and answer on the socket.
With the vectors on a Chroma server (`--chroma-url`) none of this applies: that server
is many-process safe, so every command works alone, as before.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.owner.client import Owner, find_owner
from assistant.owner.protocol import OwnerGone, socket_path
from ingest.store import catalog_exists, owner

if TYPE_CHECKING:
    from assistant.owner.server import OwnerServer
    from assistant.serve.service import Service
    from assistant.settings import Settings

Say = Callable[[str], None]

# How long a command waits for another to free the index before it gives up. One-shots
# hold it for seconds; a `repair` or a `forget` of a large folder for longer.
WAIT_SECONDS = float(os.environ.get("ASSISTANT_OWNER_WAIT", "300"))
# How many times a read whose owner stopped under it is asked (of the next owner, or here).
OWNER_GONE_TRIES = 5


class OwnerRunning(AssistantError):
    """A long-lived owner is running where this command wants to be the owner itself."""

    exit_code = 6


def _live(data_dir: Path) -> bool:
    return find_owner(data_dir) is not None


def _waiting(data_dir: Path, purpose: str, say: Say) -> Callable[[dict[str, Any]], None]:
    def tell(holder: dict[str, Any]) -> None:
        say(
            f"waiting for process {holder.get('pid', '?')} ({holder.get('purpose', 'work')}) "
            f"to finish with the index in {data_dir} before this {purpose} …"
        )

    return tell


@contextlib.contextmanager
def reach(
    settings: Settings, purpose: str, say: Say, store: bool = True, creates: bool = False
) -> Iterator[Owner | None]:
    """The owner to ask, or None: do the work here. With `store`, the work opens the
    vector store, so this process holds the owner lock for the block (waiting for a
    one-shot that holds it); without, it reads only the catalog and takes nothing.
    A reader of a data dir with no catalog takes nothing either (it finds nothing
    indexed); a writer that `creates` the index does."""
    data_dir = settings.data_dir
    if settings.chroma_url:
        yield None
        return
    while True:
        found = find_owner(data_dir)
        if found is not None:
            yield found
            return
        if not store or not (creates or catalog_exists(data_dir)):
            yield None  # the catalog alone, or nothing indexed: no store to open
            return
        how = {"wait": WAIT_SECONDS, "waiting": _waiting(data_dir, purpose, say)}
        if owner.claim(data_dir, purpose, ready=lambda: _live(data_dir), **how):
            break
    try:
        with contextlib.suppress(FileNotFoundError):
            socket_path(data_dir).unlink()  # we hold the lock: a socket file is a dead owner's
        yield None
    finally:
        owner.release(data_dir)


def asking(
    settings: Settings,
    purpose: str,
    say: Say,
    remote: Callable[[Owner], Any],
    local: Callable[[], Any],
    store: bool = True,
    creates: bool = False,
) -> Any:
    """`remote(owner)` where an owner answers, else `local()` (as the owner when `store`).
    A read whose owner died mid-answer (killed, or ending with it in its backlog) is
    asked again: reads repeat safely. Again more than once: readers beside a writer
    that ends become owners in turn, and one may end just as the next asks it."""
    for attempt in range(1, OWNER_GONE_TRIES + 1):
        with reach(settings, purpose, say, store, creates) as found:
            if found is None:
                return local()
            try:
                return remote(found)
            except OwnerGone:
                if attempt == OWNER_GONE_TRIES:
                    raise
                if attempt == 1:
                    say("the index's owner stopped while answering; asking again")
        time.sleep(0.1 * attempt)  # an ending owner's socket file goes within moments
    raise AssertionError("unreachable")


@contextlib.contextmanager
def owning(settings: Settings, purpose: str, say: Say) -> Iterator[None]:
    """Own the index for a long-lived process: wait for a one-shot holding it; refuse
    beside another long-lived owner (it answers on the socket, it does not end soon)."""
    data_dir = settings.data_dir
    if settings.chroma_url:
        yield
        return

    def refuse() -> OwnerRunning:
        holder = owner.holder(data_dir)
        return OwnerRunning(
            f"process {holder.get('pid', '?')} ({holder.get('purpose', 'work')}) owns the "
            f"index in {data_dir}: stop it first, or use it (one-shot commands ask it)"
        )

    if _live(data_dir):
        raise refuse()
    from assistant.library import prepare_data_dir

    prepare_data_dir(data_dir)
    how = {"wait": WAIT_SECONDS, "waiting": _waiting(data_dir, purpose, say)}
    if not owner.claim(data_dir, purpose, ready=lambda: _live(data_dir), **how):
        raise refuse()
    try:
        yield
    finally:
        owner.release(data_dir)


@contextlib.contextmanager
def answering(service: Service) -> Iterator[OwnerServer | None]:
    """Answer other processes on the data dir's socket with `service`, while this process
    owns the index (see `owning`): the server (None with a Chroma server, where every
    command works alone)."""
    if service.settings.chroma_url:
        yield None
        return
    from assistant.owner.ops import service_ops
    from assistant.owner.server import listening

    with listening(service.settings.data_dir, service_ops(service)) as server:
        yield server
