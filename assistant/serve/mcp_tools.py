"""The MCP server: the documents as tools a local agent can call, with citations.

The same four tools over stdio (`assistant mcp`) and over streamable HTTP (`/mcp` under
`assistant serve`, behind the same token). Each returns the JSON the HTTP API returns, so
an agent's citation (`path`, `page`, `chunk`) opens with `read_passage`. A file name
that is not UTF-8 goes out in its stored form (ingest/pathnames.py), which the SDK can
encode, and `read_passage` takes it back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from assistant.owner.remote import OwnerService
from assistant.serve.service import Service
from ingest.errors import UserError
from ingest.pathnames import encodable, from_stored

INSTRUCTIONS = """Tools over the user's own indexed documents (files on their machine).
search_documents finds passages (no model); ask_documents answers with cited sources;
read_passage opens a cited file's text around a source's `chunk` (or a `page`);
index_status says what is indexed. Cite sources by file and page."""


def build_mcp(service: Service | OwnerService, debug: bool = False) -> MCPServer:
    """The tools over `service`: this process's own, or the index's owner's in another
    process (`assistant mcp` beside a running `watch` or `serve`)."""
    mcp: MCPServer = MCPServer(
        "local-doc-assistant", instructions=INSTRUCTIONS, log_level="DEBUG" if debug else "WARNING"
    )

    @mcp.tool()
    def search_documents(
        query: str,
        k: int | None = None,
        within: str | None = None,
        types: list[str] | None = None,
        mode: str = "hybrid",
    ) -> dict[str, Any]:
        """Ranked passages of the user's documents for `query` (hybrid, vector or keyword),
        each with its file, page, `chunk` and text; `within` a folder or glob, `types` such
        as ["pdf", "md"]."""
        with _as_tool_error():
            results = service.search(query, k=k, within=within, types=types or (), mode=mode)
        return encodable({"query": query, "results": results})

    @mcp.tool()
    def ask_documents(
        question: str,
        k: int | None = None,
        within: str | None = None,
        types: list[str] | None = None,
    ) -> dict[str, Any]:
        """An answer from the user's documents by the local model, with the passages it
        cites (`sources`, each `cited` or not); as `assistant ask --json` prints it."""
        with _as_tool_error():
            return encodable(service.answer(question, k=k, within=within, types=types or ()))

    @mcp.tool()
    def read_passage(
        path: str, chunk: int | None = None, page: int | None = None, around: int = 1
    ) -> dict[str, Any]:
        """The indexed text of `path` around a source's `chunk` (or all of a `page`), with
        `around` neighbouring chunks on each side (at most 10)."""
        with _as_tool_error():
            return encodable(service.read_passage(from_stored(path), chunk, page, around))

    @mcp.tool()
    def index_status() -> dict[str, Any]:
        """What is indexed: folders, file and chunk counts, failures, model, watcher."""
        with _as_tool_error():
            return encodable(service.status())

    return mcp


@contextlib.contextmanager
def _as_tool_error() -> Iterator[None]:
    """A user error becomes the tool's error result (its one-line message, for the agent
    to read), not a server error."""
    try:
        yield
    except UserError as exc:
        raise ToolError(str(exc)) from exc
