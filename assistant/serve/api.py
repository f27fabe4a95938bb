"""The server's own HTTP API, versioned under /v1: search, ask, status, files, passages,
ingest and forget. Each route is a line or two over `Service`; the JSON it returns is what
the CLI prints with --json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from assistant import library
from assistant.answer import AnswerStream
from assistant.serve.errors import user_error_body
from assistant.serve.service import Service
from assistant.serve.streaming import sse, tokens_of
from ingest.errors import UserError

router = APIRouter(prefix="/v1")


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
Mode = Literal["hybrid", "vector", "keyword"]


class Filters(BaseModel):
    k: int | None = Field(None, ge=1, le=50, description="How many passages (default: k).")
    within: str | None = Field(
        None, description="Only this folder or file on the server, or a glob such as '*.pdf'."
    )
    types: list[str] = Field(default_factory=list, description="Only these file types: pdf, md…")


class SearchRequest(Filters):
    query: str = Field(min_length=1, max_length=8000)
    mode: Mode = "hybrid"


class AskRequest(Filters):
    question: str = Field(min_length=1, max_length=8000)
    stream: bool = Field(
        False, description="Server-sent events: passages, then tokens, then sources and done."
    )


class PathRequest(BaseModel):
    path: str = Field(description="A file or folder on the server, under its --folder/--watch.")


@router.get("/health", summary="The server answers (and the token, if any, is right)")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/search", summary="Ranked passages, no model (`search --json`)")
def search(body: SearchRequest, service: ServiceDep) -> dict[str, Any]:
    results = service.search(
        body.query, k=body.k, within=body.within, types=body.types, mode=body.mode
    )
    return {"query": body.query, "mode": body.mode, "results": results}


@router.post(
    "/ask",
    summary="An answer with its sources (`ask --json`), or its events as they come",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask(body: AskRequest, service: ServiceDep) -> Any:
    stream = service.ask(body.question, k=body.k, within=body.within, types=body.types)
    if body.stream:
        return StreamingResponse(
            ask_events(stream), media_type="text/event-stream", headers=NO_BUFFERING
        )
    for _token in stream:
        pass
    return (stream.result or stream.finish()).as_dict()


NO_BUFFERING = {"cache-control": "no-cache", "x-accel-buffering": "no"}


async def ask_events(stream: AnswerStream) -> AsyncIterator[str]:
    """`passages` (the evidence was picked from), `token`s (the model's draft, or the
    quote), `sources`, then `done` with the checked answer as `ask --json` prints it;
    `error` instead, if the model fails."""
    yield sse({"passages": library.passage_dicts(stream.passages)}, "passages")
    try:
        async with aclosing(tokens_of(stream)) as tokens:
            async for token in tokens:
                yield sse({"text": token}, "token")
    except UserError as exc:
        yield sse(user_error_body(exc), "error")
        return
    answer = (stream.result or stream.finish()).as_dict()
    yield sse({"sources": answer["sources"]}, "sources")
    yield sse(answer, "done")


@router.get("/status", summary="What is indexed, and what this server watches (`status --json`)")
def status(service: ServiceDep) -> dict[str, Any]:
    return service.status()


@router.get("/files", summary="Indexed and failed files, with each failure's reason")
def files(
    service: ServiceDep,
    state: Annotated[str | None, Query(description="indexed or failed")] = None,
    under: Annotated[str | None, Query(description="Only files under this folder")] = None,
) -> dict[str, Any]:
    found = service.files(under, state)
    return {"files": found, "count": len(found)}


@router.get("/passage", summary="A file's indexed text around a cited chunk (or a page)")
def passage(
    service: ServiceDep,
    path: str,
    chunk: Annotated[int | None, Query(ge=0, description="A source's `chunk`")] = None,
    page: Annotated[int | None, Query(ge=1)] = None,
    around: Annotated[int, Query(ge=0, le=10, description="Chunks either side")] = 1,
) -> dict[str, Any]:
    return service.read_passage(path, chunk, page, around)


@router.post("/ingest", summary="Index a file or folder under the server's folders")
def ingest(body: PathRequest, service: ServiceDep) -> dict[str, Any]:
    return service.ingest(body.path)


@router.post("/forget", summary="Drop a file or folder from the index (the disk is untouched)")
def forget(body: PathRequest, service: ServiceDep) -> dict[str, Any]:
    return service.forget(body.path)
