"""The owner's Service seen from another process: what `assistant mcp` serves its tools
with when a `watch`, `serve` or chat already owns the index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.owner.client import Owner
from assistant.owner.protocol import search_request


class OwnerService:
    """The read side of `Service` (search, answer, read_passage, status), each call a
    request to the owner."""

    def __init__(self, owner: Owner) -> None:
        self.owner = owner

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        within: str | None = None,
        types: Sequence[str] = (),
        mode: str = "hybrid",
    ) -> list[dict[str, Any]]:
        return list(self.owner.call("search", search_request(query, k, within, types, mode)))

    def answer(
        self,
        question: str,
        *,
        k: int | None = None,
        within: str | None = None,
        types: Sequence[str] = (),
    ) -> dict[str, Any]:
        args = {"question": question, "k": k, "within": within, "types": list(types)}
        return dict(self.owner.call("ask", args))

    def read_passage(
        self, path: str, chunk: int | None = None, page: int | None = None, around: int = 1
    ) -> dict[str, Any]:
        args = {"path": path, "chunk": chunk, "page": page, "around": around}
        return dict(self.owner.call("read_passage", args))

    def status(self) -> dict[str, Any]:
        return dict(self.owner.call("status", {}))
