"""The one-shot commands' work, asked of the owner where one runs, else done here.

Each returns what the command prints, the same either way: the CLI does not know (or
care) which process did the work. What only the local path needs (the index, retrieval,
numpy) is imported there: a search the owner answers imports none of it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.owner.client import Owner
from assistant.owner.protocol import search_request
from assistant.owner.route import Say, asking
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.library import IndexStatus
    from ingest.sync import SyncListener, SyncReport

Started = Callable[[tuple[str, str] | None], None]  # (backend, model), or None: quoting


def search(
    settings: Settings,
    say: Say,
    query: str,
    within: str | None = None,
    types: Sequence[str] = (),
    mode: str = "hybrid",
) -> list[dict[str, Any]]:
    def local() -> list[dict[str, Any]]:
        from assistant import library
        from assistant.retrieve import PathFilter

        retriever = library.open_retriever(settings, read_only=True)
        try:
            return library.search(settings, retriever, query, PathFilter.build(within, types), mode)
        finally:
            retriever.index.close()

    args = search_request(query, settings.k, within, types, mode)
    return asking(settings, "search", say, lambda o: o.call("search", args), local)


def ask(
    settings: Settings,
    say: Say,
    question: str,
    answer_flags: dict[str, Any],
    within: str | None = None,
    types: Sequence[str] = (),
    started: Started | None = None,
    on_token: Callable[[str], None] | None = None,
) -> Answer:
    """The checked answer; `started` hears who writes it before it is written, and
    `on_token` each token a model writes."""

    def local() -> Answer:
        from assistant import library
        from assistant.retrieve import PathFilter

        cfg = settings.replace(**answer_flags)
        retriever = library.open_retriever(cfg, read_only=True)
        try:
            path_filter = PathFilter.build(within, types)
            retriever.check_filter(path_filter)  # before a model loads for nothing
            chosen = library.open_answerer(cfg)
            if started is not None:
                started(None if chosen is None else (chosen.name, chosen.model))
            stream = library.ask(cfg, retriever, chosen, question, path_filter)
            for token in stream:
                if on_token is not None:
                    on_token(token)
            return stream.result or stream.finish()
        finally:
            retriever.index.close()

    def remote(found: Owner) -> Answer:
        args = {
            "question": question,
            "k": settings.k,
            "within": within,
            "types": list(types),
            **answer_flags,
        }
        return answer_from_dict(found.call("ask", args, _writing(started, on_token)))

    return asking(settings, "ask", say, remote, local)


def summarize(
    settings: Settings,
    say: Say,
    path: Path,
    answer_flags: dict[str, Any],
    started: Started | None = None,
) -> tuple[dict[str, Any], str]:
    """The summary of an indexed file as `--json` prints it, and as text; `started`
    hears who writes it before it is written. The owner has the model that embeds its
    sentences loaded; where none runs, this process owns the index for the run."""
    target = Path(os.path.abspath(path))

    def local() -> tuple[dict[str, Any], str]:
        from assistant import library
        from assistant.summary import summary_text

        cfg = settings.replace(**answer_flags)
        chosen = library.open_answerer(cfg)
        if started is not None:
            started(None if chosen is None else (chosen.name, chosen.model))
        result = library.summarize(cfg, target, chosen)
        return result.as_dict(), summary_text(result)

    def remote(found: Owner) -> tuple[dict[str, Any], str]:
        args = {"path": str(target), **answer_flags}
        reply = found.call("summarize", args, _writing(started, None))
        return dict(reply["summary"]), str(reply["text"])

    return asking(settings, "summarize", say, remote, local)


def _writing(
    started: Started | None, on_token: Callable[[str], None] | None
) -> Callable[[str, Any], None]:
    """The owner's events of an answer or a summary: who writes it, then its tokens."""

    def event(name: str, data: Any) -> None:
        if name == "answering" and started is not None:
            started(None if data is None else (data[0], data[1]))
        elif name == "token" and on_token is not None:
            on_token(data)

    return event


def status(settings: Settings, say: Say) -> IndexStatus:
    """From the owner when one runs (warm); else from the catalog, taking no lock."""
    from assistant import library

    return asking(
        settings,
        "status",
        say,
        lambda o: status_from_dict(o.call("status", {})),
        lambda: library.status(settings),
        store=False,
    )


def ingest(
    settings: Settings, say: Say, paths: Sequence[Path], listener: SyncListener
) -> SyncReport:
    """The owner indexes them (its progress streamed to `listener`); where none runs,
    this process does, answering the others on the socket while it works."""
    folders = [os.path.abspath(p) for p in paths]

    def remote(found: Owner) -> SyncReport:
        say(f"the index's owner ({_holder(settings)}) indexes {', '.join(folders)}")
        return report_from_dict(found.call("ingest", {"paths": folders}, _replay(listener)))

    def local() -> SyncReport:
        from assistant.owner.route import answering
        from assistant.serve.service import Service

        service = Service(settings, purpose="ingest")
        with answering(service):
            try:
                return service.ingest_paths(paths, listener)
            finally:
                service.stop()

    return asking(settings, "ingest", say, remote, local, creates=True)


def forget(settings: Settings, say: Say, paths: Sequence[Path]) -> list[str]:
    """The paths of the files that went."""
    from assistant import library

    folders = [os.path.abspath(p) for p in paths]
    return asking(
        settings,
        "forget",
        say,
        lambda o: [str(p) for p in o.call("forget", {"paths": folders})],
        lambda: library.forget(settings, paths),
    )


def _holder(settings: Settings) -> str:
    from ingest.store import owner

    found = owner.holder(settings.data_dir)
    return f"process {found.get('pid', '?')}, {found.get('purpose', 'work')}"


def _replay(listener: SyncListener) -> Callable[[str, Any], None]:
    """The owner's progress events, played into this command's own listener."""

    from ingest.sync import Change

    def event(name: str, data: Any) -> None:
        if name == "planned":
            listener.planned(int(data))
        elif name == "file_done":
            listener.file_done(None if data is None else Change(**data))
        elif name == "chunks_embedded":
            listener.chunks_embedded(int(data))
        elif name == "file_progress":
            listener.file_progress(data[0], int(data[1]), int(data[2]))

    return event


# -- what came over the socket, as the objects the CLI prints --------------------------
def report_from_dict(data: dict[str, Any]) -> SyncReport:
    from ingest.sync import SyncReport

    fields = {f.name for f in dataclasses.fields(SyncReport)}
    report = SyncReport(**{k: v for k, v in data.items() if k in fields and k != "failed"})
    report.failed = [(f["path"], f["reason"]) for f in data.get("failed", [])]
    return report


def status_from_dict(data: dict[str, Any]) -> IndexStatus:
    from assistant import library

    fields = {f.name for f in dataclasses.fields(library.IndexStatus)}
    values = {k: v for k, v in data.items() if k in fields}
    values["failed"] = [library.FailedFile(**f) for f in data.get("failed", [])]
    if data.get("watcher"):
        values["watcher"] = library.WatcherStatus(**data["watcher"])
    return library.IndexStatus(**values)


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """`Answer.as_dict` read back: what `print_answer` shows is all there."""
    from assistant.answer import Answer, Source
    from assistant.evidence.claims import Statement
    from assistant.retrieve import Passage

    sources = [
        Source(
            s["n"],
            Passage(
                path=s["path"],
                doc_id=0,
                first=s["chunk"],
                last=s["chunk"],
                page_start=s["page"],
                page_end=s["page_end"],
                headings=tuple(s["heading"].split(" > ")) if s["heading"] else (),
                text=s["text"],
                char_start=0,
                char_end=len(s["text"]),
                score=s["score"],
                fused=s["score"],
                attachment=s["attachment"],
            ),
            s["cited"],
            list(s["statements"]),
            list(s["quotes"]),
        )
        for s in data["sources"]
    ]
    return Answer(
        question=data["question"],
        text=data["answer"],
        sources=sources,
        backend=data["backend"],
        model=data["model"],
        unknown_citations=list(data["unknown_citations"]),
        timings=dict(data["timings"]),
        mode=data["mode"],
        abstained=data["abstained"],
        statements=[Statement(**s) for s in data["statements"]],
        fallback=data["fallback"],
        draft=data["draft"],
        evidence=list(data["evidence"]),
    )
