"""The owner's Service seen from another process: what `assistant mcp` serves its tools
with, and what `assistant chat` retrieves with, when a `watch`, `serve` or chat already
owns the index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.owner.client import Owner
from assistant.owner.protocol import search_request
from assistant.retrieve import Passage, PathFilter, RetrievalResult


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


class RemoteEmbedder:
    """The index's embedding model, in the owner: vectors of sentences, asked for (the
    chat beside an owner checks its answers with them and loads no model of its own)."""

    def __init__(self, owner: Owner) -> None:
        self.owner = owner

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return list(self.owner.call("embed", {"texts": list(texts)}))


class RemoteRetriever:
    """What the chat uses of a Retriever (search, embedder, warm_up), the index read by
    its owner: the chat beside a `watch` or `serve` retrieves through it, while the model
    that writes the answer stays in the chat's process."""

    def __init__(self, owner: Owner) -> None:
        self.owner = owner
        self.embedder = RemoteEmbedder(owner)

    def warm_up(self) -> None:
        """Nothing to do: the owner has the store open and the model loaded."""

    def search(
        self, query: str, k: int = 5, path_filter: PathFilter | None = None, mode: str = "hybrid"
    ) -> RetrievalResult:
        within, types = (
            (None, ()) if path_filter is None else (path_filter.within, path_filter.types)
        )
        found = self.owner.call("retrieve", search_request(query, k, within, types, mode))
        passages = [Passage(**{**p, "headings": tuple(p["headings"])}) for p in found["passages"]]
        return RetrievalResult(passages, bool(found["below_floor"]))
