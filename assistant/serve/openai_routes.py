"""OpenAI-compatible `/v1/chat/completions` and `/v1/models`: any OpenAI client or chat UI
gets answers grounded in the index.

The client's messages are a conversation: its last user message is the question, the
earlier pairs are the history, and a follow-up is rewritten for retrieval as the chat
does. The client's own system prompt is not used: the answer layer owns the prompt (it is
what keeps the documents data, not instructions). The sources come twice: as a final
part of the message, for a UI that shows only text, and as a `sources` field (on the
completion, and on the last chunk of a stream), for a client that reads them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.answer import Answer, AnswerStream
from assistant.conversation import Conversation, Exchange, standalone_query
from assistant.serve.api import NO_BUFFERING, ServiceDep
from assistant.serve.errors import user_error_body
from assistant.serve.service import BadRequest
from assistant.serve.streaming import sse, tokens_of
from ingest.errors import UserError

router = APIRouter(prefix="/v1", tags=["openai"])

MODEL_ID = "local-doc-assistant"
SOURCES_HEADING = "\n\n**Sources**\n"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text; newer clients send a list of typed parts."""
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's request; fields this server does not use (top_p, n, user…) are accepted
    and ignored. `k`, `within` and `types` are this server's filters (`extra_body`)."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    stream_options: dict[str, Any] | None = None
    k: int | None = Field(None, ge=1, le=50)
    within: str | None = None
    types: list[str] = Field(default_factory=list)


@router.get("/models", summary="The one model this server offers: your documents")
def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "local"}],
    }


@router.post("/chat/completions", summary="An answer from your documents, OpenAI's format")
def chat_completions(body: ChatRequest, service: ServiceDep) -> Any:
    question, earlier = conversation_of(body.messages)
    query = service.standalone_query(question, earlier)
    stream = service.ask(
        question,
        k=body.k,
        within=body.within,
        types=body.types,
        history=earlier.history(),
        query=query,
        max_tokens=body.max_completion_tokens or body.max_tokens,
        temperature=body.temperature,
    )
    reply = Reply(body.model, query, stream)
    if body.stream:
        usage = bool((body.stream_options or {}).get("include_usage"))
        return StreamingResponse(
            reply.chunks(usage), media_type="text/event-stream", headers=NO_BUFFERING
        )
    for _token in stream:
        pass
    return reply.completion()


def conversation_of(messages: Sequence[ChatMessage]) -> tuple[str, Conversation]:
    """The last user message, and the exchanges before it; earlier questions are rewritten
    by the rule (no model call per old turn), so a chain of follow-ups keeps its topic."""
    if messages[-1].role != "user" or not messages[-1].text().strip():
        raise BadRequest("the last message must be the user's question")
    conversation = Conversation()
    question: str | None = None
    for message in messages[:-1]:
        if message.role == "user":
            question = message.text()
        elif message.role == "assistant" and question is not None:
            query = standalone_query(question, conversation, mode="rule")
            conversation.add(Exchange(question, without_sources(message.text()), query))
            question = None
    return messages[-1].text().strip(), conversation


def without_sources(text: str) -> str:
    """An earlier answer of ours without its sources part, as the chat keeps it."""
    cut = text.rfind(SOURCES_HEADING)
    return text[:cut] if cut >= 0 else text


def sources_part(answer: Answer) -> str:
    """The sources as the message's last part: cited ones, or every passage given when the
    model cited none (so the reader can still check)."""
    if not answer.sources:
        return ""
    lines = []
    for source in answer.sources:
        heading = f" · {source.passage.heading}" if source.passage.headings else ""
        lines.append(f"[{source.n}] {source.passage.location()}{heading}")
    note = "" if any(s.cited for s in answer.sources) else "(passages given; none cited)\n"
    return SOURCES_HEADING + note + "\n".join(lines)


class Reply:
    """One answer in OpenAI's shapes: a whole completion, or its stream of chunks."""

    def __init__(self, model: str, query: str, stream: AnswerStream) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        self.query = query
        self.stream = stream

    def _answer(self) -> Answer:
        return self.stream.result or self.stream.finish()

    def _extras(self, answer: Answer) -> dict[str, Any]:
        return {"sources": answer.as_dict()["sources"], "retrieval_query": self.query}

    def _usage(self, answer: Answer) -> dict[str, int]:
        """The model's tokens; a quoted (extractive) answer or an abstention used none."""
        backend, prompt_sent = self.stream.backend, self.stream.prompt
        if backend is None or prompt_sent is None:
            return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        completion = backend.count_tokens(answer.draft) if answer.draft else 0
        prompt = prompt_sent.tokens
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _finish_reason(self, answer: Answer) -> str:
        used = self._usage(answer)["completion_tokens"]
        return "length" if self.stream.prompt and used >= self.stream.max_tokens else "stop"

    def completion(self) -> dict[str, Any]:
        answer = self._answer()
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.text + sources_part(answer)},
                    "finish_reason": self._finish_reason(answer),
                }
            ],
            "usage": self._usage(answer),
            **self._extras(answer),
        }

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    async def chunks(self, include_usage: bool) -> AsyncIterator[str]:
        """The checked answer, not the model's draft: a chat UI shows whatever content it
        is sent as the answer and cannot take back a statement the documents do not
        support, so the content is sent once the answer has been checked."""
        yield sse(self._chunk({"role": "assistant", "content": ""}))
        try:
            async with aclosing(tokens_of(self.stream)) as tokens:
                async for _draft in tokens:
                    pass
        except UserError as exc:
            yield sse(user_error_body(exc))
            yield sse("[DONE]")
            return
        answer = self._answer()
        yield sse(self._chunk({"content": answer.text}))
        yield sse(self._chunk({"content": sources_part(answer)}))
        last = self._chunk({}, self._finish_reason(answer))
        yield sse({**last, **self._extras(answer)})
        if include_usage:
            yield sse({**self._chunk({}), "choices": [], "usage": self._usage(answer)})
        yield sse("[DONE]")
