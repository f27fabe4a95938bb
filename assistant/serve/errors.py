"""The server's one error shape, for every route and every failure: OpenAI's.

`{"error": {"message", "type", "param", "code"}}`: what the `openai` package parses into
its exceptions (`.message`, `.type`, `.param`, `.code`), so a client of the OpenAI routes
and a client of /v1's own routes read the same four fields. `type` is the kind of failure
(as OpenAI names them), `code` the specific reason a script can branch on, `param` the
request field at fault, when there is one. Validation errors are 400 here, not FastAPI's
422 with its `{"detail": [...]}`: the contract is one shape, not one per library.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from assistant.errors import BackendError, ConfigError, EgressRefused, NothingIndexed
from assistant.reading import PassageNotFound
from assistant.retrieve import FilterMatchesNothing
from assistant.serve.error_shape import error_body
from ingest.errors import IndexBusy, UserError

log = logging.getLogger(__name__)

# Most specific first: the first class in an error's MRO that is listed decides. The
# server's own errors (PathRefused, BadRequest) carry theirs as `http_status`.
STATUS_FOR: dict[type[Exception], int] = {
    FilterMatchesNothing: 400,
    PassageNotFound: 404,
    NothingIndexed: 409,
    IndexBusy: 409,
    EgressRefused: 503,
    BackendError: 503,
    ConfigError: 500,
    UserError: 400,
}


def status_for(exc: Exception) -> int:
    own = getattr(exc, "http_status", None)
    if isinstance(own, int):
        return own
    return next((STATUS_FOR[c] for c in type(exc).__mro__ if c in STATUS_FOR), 500)


def code_of(exc: Exception) -> str:
    """A user error's class name in snake case: PathRefused -> path_refused."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def user_error_body(exc: Exception) -> dict[str, dict[str, Any]]:
    """A user error (a bad value, a refused path, a model that cannot answer) as the body
    of a response or of a stream's error event."""
    return error_body(str(exc), status_for(exc), code_of(exc))


async def user_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(user_error_body(exc), status_code=status_for(exc))


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """A request FastAPI could not parse into its model: one line naming each bad field."""
    problems = getattr(exc, "errors", list)()
    params = [_param(p.get("loc", ())) for p in problems]
    message = "; ".join(
        f"{param}: {p.get('msg', 'invalid')}" if param else str(p.get("msg", "invalid"))
        for param, p in zip(params, problems, strict=True)
    )
    return JSONResponse(
        error_body(
            message or "invalid request", 400, "invalid_value", params[0] if params else None
        ),
        status_code=400,
    )


def _param(loc: Any) -> str | None:
    """`("body", "messages", 0, "role")` -> `messages.0.role`; None for the body as a whole."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own failures: no such route (404), a method the route lacks (405)."""
    assert isinstance(exc, HTTPException)
    code = {404: "no_such_route", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = {
        404: f"no route {request.url.path}: GET /v1/openapi.json lists them",
        405: f"{request.method} is not allowed on {request.url.path}",
    }.get(exc.status_code, str(exc.detail))
    return JSONResponse(
        error_body(message, exc.status_code, code),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    """Our bug: the same shape, no internals (the traceback goes to the log)."""
    log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse(
        error_body("internal server error (run with --debug for the traceback)", 500, "internal"),
        status_code=500,
    )
