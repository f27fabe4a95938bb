"""The ASGI app: the API, the OpenAI routes and MCP on one port, behind one guard; and
`serve`, which runs it with uvicorn beside the watcher."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.serve import api, errors, openai_routes
from assistant.serve.docs_page import docs_page
from assistant.serve.mcp_tools import build_mcp
from assistant.serve.security import Guard, allowed_hosts
from assistant.serve.service import Service
from ingest.errors import UserError
from ingest.pathnames import json_text

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
DEFAULT_MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    debug: bool = False


def build_app(service: Service, options: ServeOptions) -> Any:
    """The guarded app; `service` is started and stopped by the caller, not the app."""
    from mcp.server.transport_security import TransportSecuritySettings

    mcp = build_mcp(service, options.debug)
    # The guard checks Host and Origin for every route, MCP's included.
    mcp_http = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        max_request_body_size=options.max_body,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield

    app = FastAPI(
        title="local-doc-assistant",
        summary="Your indexed documents: search, cited answers, an OpenAI-compatible chat "
        "endpoint and an MCP server at /mcp.",
        version=_version(),
        lifespan=lifespan,
        openapi_url="/v1/openapi.json",
        # FastAPI's pages load their scripts from a CDN: ours loads nothing from elsewhere.
        docs_url=None,
        redoc_url=None,
        default_response_class=NameSafeJSON,
    )
    app.state.service = service
    app.include_router(api.router, tags=["documents"])
    app.include_router(openai_routes.router)
    app.add_api_route("/v1/docs", docs_page, methods=["GET"], include_in_schema=False)
    # One error shape for every failure (see errors.py), FastAPI's and Starlette's included.
    app.add_exception_handler(UserError, errors.user_error)
    app.add_exception_handler(RequestValidationError, errors.validation_error)
    app.add_exception_handler(HTTPException, errors.http_error)
    app.add_exception_handler(Exception, errors.server_error)
    app.router.routes.extend(mcp_http.routes)
    guarded: Any = Guard(
        app,
        token=options.token,
        hosts=allowed_hosts(options.host, options.port),
        origins=options.cors_origins,
        max_body=options.max_body,
    )
    if options.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        guarded = CORSMiddleware(
            guarded,
            allow_origins=list(options.cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["authorization", "content-type", "mcp-protocol-version"],
        )
    return guarded


class NameSafeJSON(JSONResponse):
    """A result naming a file whose name is not UTF-8 is sent with that byte escaped (the
    default response failed to encode it: a 500 for the whole search)."""

    def render(self, content: Any) -> bytes:
        return json_text(content, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("local-doc-assistant")
    except PackageNotFoundError:  # run from a source tree
        return "0"


def serve(service: Service, options: ServeOptions) -> None:
    """Start the watcher (if any), serve until SIGINT/SIGTERM, then stop the watcher."""
    import uvicorn

    service.start()
    try:
        config = uvicorn.Config(
            build_app(service, options),
            host=options.host,
            port=options.port,
            log_level="debug" if options.debug else "warning",
            # Request lines carry file paths in query strings: only with --debug.
            access_log=options.debug,
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        uvicorn.Server(config).run()
    finally:
        service.stop()
