"""The requests an owner answers, each a call on its Service (the one `serve` uses)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import library
from assistant.owner.protocol import OwnerStopped
from assistant.owner.server import Emit, Op
from assistant.summary import summary_text
from ingest.sync import Change, SyncListener

if TYPE_CHECKING:
    from assistant.models.base import Backend
    from assistant.serve.service import Service

# What `ask` may override per request: how the answer is made, not where the index is.
ANSWER_FLAGS = ("backend", "model", "model_path", "answer_mode")


class Forward(SyncListener):
    """An ingest's progress, sent to the client that asked for it as events; once the
    owner is being stopped, the ingest stops at the next file (those done stay done), so
    the owner keeps its promise to stop within seconds."""

    def __init__(self, emit: Emit, stopping: Callable[[], str | None]) -> None:
        self.emit = emit
        self.stopping = stopping

    def planned(self, files: int) -> None:
        self.emit("planned", files)

    def file_done(self, change: Change | None) -> None:
        self.emit("file_done", None if change is None else dataclasses.asdict(change))
        self.check()

    def check(self) -> None:
        owner = self.stopping()
        if owner is not None:
            raise OwnerStopped(owner)

    def chunks_embedded(self, count: int) -> None:
        self.emit("chunks_embedded", count)

    def file_progress(self, path: str, done: int, total: int) -> None:
        self.emit("file_progress", [path, done, total])


def _answer_flags(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args[k] for k in ANSWER_FLAGS if args.get(k) is not None}


def _announce(emit: Emit) -> Callable[[Backend | None], None]:
    """Tell the client which backend writes, before it writes (`ask` and `summarize`
    print it first)."""
    return lambda backend: emit(
        "answering", None if backend is None else [backend.name, backend.model]
    )


def _search_options(args: dict[str, Any]) -> dict[str, Any]:
    """A search request's options (protocol.search_request) as the Service takes them."""
    return {
        "k": args.get("k"),
        "within": args.get("within"),
        "types": args.get("types") or (),
        "mode": args.get("mode", "hybrid"),
    }


def service_ops(service: Service) -> dict[str, Op]:
    def search(args: dict[str, Any], _emit: Emit) -> Any:
        return service.search(args["query"], **_search_options(args))

    def retrieve(args: dict[str, Any], _emit: Emit) -> Any:
        found = service.retrieve(args["query"], **_search_options(args))
        return {
            "passages": [dataclasses.asdict(p) for p in found.passages],
            "below_floor": found.below_floor,
        }

    def embed(args: dict[str, Any], _emit: Emit) -> Any:
        return service.embed(list(args["texts"]))

    def ask(args: dict[str, Any], emit: Emit) -> Any:
        stream = service.ask(
            args["question"],
            k=args.get("k"),
            within=args.get("within"),
            types=args.get("types") or (),
            answer=_answer_flags(args),
            started=_announce(emit),
        )
        for token in stream:
            emit("token", token)
        return (stream.result or stream.finish()).as_dict()

    def summarize(args: dict[str, Any], emit: Emit) -> Any:
        result = service.summarize(Path(args["path"]), _answer_flags(args), _announce(emit))
        return {"summary": result.as_dict(), "text": summary_text(result)}

    def status(_args: dict[str, Any], _emit: Emit) -> Any:
        return library.status(service.settings).as_dict()

    def files(args: dict[str, Any], _emit: Emit) -> Any:
        return service.files(args.get("under"), args.get("state"))

    def read_passage(args: dict[str, Any], _emit: Emit) -> Any:
        return service.read_passage(
            args["path"], args.get("chunk"), args.get("page"), args.get("around", 1)
        )

    def vectors(_args: dict[str, Any], _emit: Emit) -> Any:
        return service.vector_count()

    def stopping() -> str | None:
        """Who is stopping, when this owner's watcher has been told to stop."""
        watcher = service.watcher
        if watcher is None or not watcher.stopping:
            return None
        return f"process {os.getpid()}, {service.purpose}"

    def ingest(args: dict[str, Any], emit: Emit) -> Any:
        paths = [Path(p) for p in args["paths"]]
        forward = Forward(emit, stopping)
        forward.check()  # asked of an owner already stopping
        return service.ingest_paths(paths, forward).as_dict()

    def forget(args: dict[str, Any], _emit: Emit) -> Any:
        return service.forget_paths([Path(p) for p in args["paths"]])

    return {
        "search": search,
        "retrieve": retrieve,
        "embed": embed,
        "ask": ask,
        "summarize": summarize,
        "status": status,
        "files": files,
        "read_passage": read_passage,
        "vectors": vectors,
        "ingest": ingest,
        "forget": forget,
    }
