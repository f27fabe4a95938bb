"""What every client of the server reaches: one index read by many and written by one,
one model backend shared by every request, and the folders it may write.

Requests run on many threads at once. Each search borrows a Retriever of its own (its own
SQLite connection; Chroma's client is one per process and safe to share), so a reader
never waits on another, and SQLite's WAL shows it only committed files, never half of
one. Writes (the watcher's batches, the ingest and forget routes) take one lock in turn
on the one writer's index. The embedded model takes one answer at a time (its own lock);
a server backend takes them as it can.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant import library
from assistant.answer import AnswerStream, Turn
from assistant.conversation import Conversation, standalone_query
from assistant.models.base import Backend
from assistant.retrieve import MODES, PathFilter, RetrievalResult, Retriever
from assistant.serve.security import PathRefused, WritableRoots
from assistant.settings import Settings
from assistant.summary import Summary
from ingest.errors import UserError
from ingest.scan import is_under
from ingest.store import Index
from ingest.sync import Change, SyncListener, SyncReport
from ingest.watch import Watcher

log = logging.getLogger(__name__)

FILE_STATES = ("indexed", "failed", "empty")


class BadRequest(UserError):
    """A value a client sent that no route can use."""


class WatchLog(SyncListener):
    """The in-process watcher's changes, as log lines (file names only, never their text)."""

    def file_done(self, change: Change | None) -> None:
        if change is None:
            return
        if change.kind == "failed":
            log.warning("failed   %s: %s", change.path, change.detail)
        else:
            log.info("%-8s %s", change.kind, change.path)


class Service:
    def __init__(
        self,
        settings: Settings,
        folders: Sequence[Path] = (),
        watch: Sequence[Path] = (),
        poll: bool = False,
        backend: Backend | None = None,
        purpose: str = "serve",
    ) -> None:
        """`backend` is opened from the settings at the first question unless given;
        `purpose` is what this process says it owns the index for (docs/owner.md)."""
        self.settings = settings
        self.purpose = purpose
        self.watched = [Path(os.path.abspath(p)) for p in watch]
        self.roots = WritableRoots([*folders, *watch])
        self.poll = poll
        self.write_lock = threading.Lock()
        self._idle: queue.SimpleQueue[Retriever] = queue.SimpleQueue()
        self._backend = backend
        self._backend_opened = backend is not None
        self._backend_lock = threading.Lock()
        self._answerers: dict[tuple[tuple[str, Any], ...], Backend | None] = {}
        self._stack = contextlib.ExitStack()
        self._index: Index | None = None  # the writer's, while this process watches
        self.watcher: Watcher | None = None
        self._thread: threading.Thread | None = None
        self.watch_error: str | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Own the index (answering other processes on its socket), take the writer lock
        and start the watcher when there are folders to watch; load the embedding model
        now, not at the first search."""
        from assistant.owner.route import answering, owning

        self._stack.enter_context(owning(self.settings, self.purpose, log.warning))
        self._stack.enter_context(answering(self))
        self.warm_up()
        if not self.watched:
            return
        for path in self.watched:
            if not path.exists():
                raise UserError(f"{path}: no such file or folder")
        self.watcher = self._stack.enter_context(
            library.watching(
                self.settings, self.watched, WatchLog(), poll=self.poll, fence=self.roots.folders
            )
        )
        # Every write in this process goes through the watcher's index, in turn with it.
        self._index = self.watcher.index
        self.write_lock = self.watcher.write_lock
        self._thread = threading.Thread(target=self._watch, name="watcher", daemon=True)
        self._thread.start()

    def adopt(self, watcher: Watcher) -> None:
        """Write through a watcher this process runs itself (`assistant watch`): in turn
        with its batches, on its index."""
        self.watcher = watcher
        self._index = watcher.index
        self.write_lock = watcher.write_lock

    def warm_up(self) -> None:
        try:
            with self.retriever() as retriever:
                retriever.warm_up()
        except UserError:  # nothing indexed yet: the watcher or the first ingest loads it
            pass

    def _watch(self) -> None:
        assert self.watcher is not None
        try:
            self.watcher.run()
        except Exception as exc:  # the server goes on answering from what is indexed
            self.watch_error = str(exc)
            log.error("the watcher stopped: %s", exc)

    def stop(self, grace: float = 4.0) -> None:
        """Stop the watcher at its next file; one stuck in an embedding call is left to the
        process exit, and the next start's reconcile drops what it half wrote."""
        if self.watcher is not None and self._thread is not None:
            self.watcher.stop()
            self._thread.join(grace)
            if self._thread.is_alive():
                log.warning("the watcher is inside a batch; the next start catches up")
                return
        self._stack.close()
        while True:
            try:
                self._idle.get_nowait().index.close()
            except queue.Empty:
                break

    # -- reading -----------------------------------------------------------------------
    @contextlib.contextmanager
    def retriever(self) -> Iterator[Retriever]:
        """A Retriever no other request is using, opened on first need."""
        try:
            retriever = self._idle.get_nowait()
        except queue.Empty:
            retriever = library.open_retriever(self.settings)
        try:
            yield retriever
        finally:
            self._idle.put(retriever)

    def vector_count(self) -> int:
        """How many vectors the store holds (doctor compares it with the catalog)."""
        if self._index is not None:
            return self._index.vectors.count()
        index = library.open_index(self.settings, must_exist=True)
        try:
            return index.vectors.count()
        finally:
            index.close()

    @property
    def backend(self) -> Backend | None:
        """The one backend every answer uses, opened at the first question; None when
        answers quote the evidence (extractive), which needs no model."""
        with self._backend_lock:
            if not self._backend_opened:
                self._backend = library.open_answerer(self.settings)
                self._backend_opened = True
            return self._backend

    def answerer(self, answer: dict[str, Any]) -> Backend | None:
        """The backend for answers made as `answer` says (a client's --backend, --model,
        --answer), opened once per combination; the server's own when it says nothing."""
        if not answer:
            return self.backend
        key = tuple(sorted(answer.items()))
        with self._backend_lock:
            if key not in self._answerers:
                self._answerers[key] = library.open_answerer(self.settings.replace(**answer))
            return self._answerers[key]

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        within: str | None = None,
        types: Sequence[str] = (),
        mode: str = "hybrid",
    ) -> list[dict[str, Any]]:
        found = self.retrieve(query, k=k, within=within, types=types, mode=mode)
        return library.passage_dicts(found.passages)

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        within: str | None = None,
        types: Sequence[str] = (),
        mode: str = "hybrid",
    ) -> RetrievalResult:
        """The passages as a Retriever finds them (a chat beside this owner asks for them
        and picks its evidence from them itself)."""
        if mode not in MODES:
            raise BadRequest(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        path_filter = PathFilter.build(within, types)
        with self.retriever() as retriever:
            return retriever.search(query, k or self.settings.k, path_filter, mode=mode)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of `texts` by the index's model, loaded here once (a chat beside this
        owner checks its answers' sentences with them)."""
        with self.retriever() as retriever:
            return retriever.embedder.embed(texts)

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        within: str | None = None,
        types: Sequence[str] = (),
        history: Sequence[Turn] = (),
        query: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        answer: dict[str, Any] | None = None,
        started: Callable[[Backend | None], None] | None = None,
    ) -> AnswerStream:
        """Retrieve now and return the answer's stream; the retriever is free again
        before the first token, so a slow model holds no reader. `answer` overrides how
        it is made (see `answerer`); `started` hears which backend writes it."""
        limit = self.settings.max_answer_tokens
        settings = self.settings.replace(
            k=k,
            max_answer_tokens=None if max_tokens is None else max(1, min(max_tokens, limit)),
            temperature=temperature,
            **(answer or {}),
        )
        path_filter = PathFilter.build(within, types)
        with self.retriever() as retriever:
            retriever.check_filter(path_filter)  # before a model loads for nothing
            backend = self.answerer(answer or {})
            if started is not None:
                started(backend)
            return library.ask(
                settings, retriever, backend, question, path_filter, history=history, query=query
            )

    def answer(
        self,
        question: str,
        *,
        k: int | None = None,
        within: str | None = None,
        types: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The whole checked answer at once, as `ask --json` prints it (an MCP tool's)."""
        stream = self.ask(question, k=k, within=within, types=types)
        for _token in stream:
            pass
        return (stream.result or stream.finish()).as_dict()

    def summarize(
        self,
        path: Path,
        answer: dict[str, Any] | None = None,
        started: Callable[[Backend | None], None] | None = None,
    ) -> Summary:
        """A whole file's summary (`assistant summarize` asking this owner): the sentences
        embedded by the model loaded here; `answer` and `started` as for `ask`."""
        settings = self.settings.replace(**(answer or {}))
        backend = self.answerer(answer or {})
        if started is not None:
            started(backend)
        with self.retriever() as retriever:
            return library.summarize(settings, path, backend, retriever.embedder)

    def standalone_query(self, question: str, conversation: Conversation) -> str:
        """The follow-up rewritten for retrieval, as the chat does it."""
        return standalone_query(question, conversation, self.backend, self.settings.rewrite)

    def status(self) -> dict[str, Any]:
        info = library.status(self.settings).as_dict()
        watcher = self.watcher
        info["server"] = {
            "folders": [str(f) for f in self.roots.folders],
            "watching": [str(p) for p in self.watched],
            "watcher": None
            if watcher is None
            else {
                "state": watcher.state,
                "pending": watcher.pending,
                "polling": list(watcher.polled_roots),
                "error": self.watch_error,
            },
        }
        return info

    def files(self, under: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        if state is not None and state not in FILE_STATES:
            raise BadRequest(f"unknown state {state!r}: use one of {', '.join(FILE_STATES)}")
        if under is not None:
            under = os.path.abspath(os.path.expanduser(under))
        return library.files(self.settings, under, state)

    def read_passage(
        self, path: str, chunk: int | None = None, page: int | None = None, around: int = 1
    ) -> dict[str, Any]:
        return library.read_passage(self.settings, path, chunk, page, around).as_dict()

    # -- writing -----------------------------------------------------------------------
    def ingest(self, raw_path: str) -> dict[str, Any]:
        """Index a file or folder under the server's folders; the report when it is done."""
        path = self.roots.check(raw_path)
        if not path.exists():
            raise BadRequest(f"{path}: no such file or folder on the server")
        # The walk stays inside the server's folders: a symlink in one must not lead a
        # client to /etc.
        report = self.ingest_paths([path], WatchLog(), fence=self.roots.folders)
        return {"path": str(path), **report.as_dict()}

    def ingest_paths(
        self, paths: Sequence[Path], listener: SyncListener, fence: Sequence[Path] = ()
    ) -> SyncReport:
        """Index these paths in turn with every other write of this process: the owner
        doing another command's ingest (any path: its socket reaches only this user), or
        a server's client's (`fence`: its folders)."""
        with self.write_lock:
            if self._index is not None:
                return library.syncer(self.settings, self._index, listener, fence).sync(paths)
            return library.ingest(self.settings, paths, listener, fence)

    def forget(self, raw_path: str) -> dict[str, Any]:
        """Drop a file or folder from the index (not from the disk)."""
        path = self.roots.check(raw_path)
        real = os.path.realpath(path)
        watched = [w for w in self.watched if is_under(real, os.path.realpath(w))]
        if watched:
            raise PathRefused(
                f"{path} is watched ({watched[0]}): the watcher would index it again at its "
                "next change; move it out of the folder or list it in an .assistantignore"
            )
        return {"path": str(path), "removed": len(self.forget_paths([path]))}

    def forget_paths(self, paths: Sequence[Path]) -> list[str]:
        """Drop these paths from the index in turn with every other write of this process;
        the paths of the files that went."""
        with self.write_lock:
            if self._index is not None:
                return library.remove_paths(self._index, paths)
            return library.forget(self.settings, paths)
