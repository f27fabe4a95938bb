"""The server's contract and privacy, in-process over the real app: one error shape for
every route and every failure (OpenAI's, read by the real `openai` package), no page that
makes the browser fetch anything from another host, and the server's own page allowed to
call it. The index, the retriever and the embedder are real; the model backend is a real
Ollama client pointed at a loopback port where nothing listens, so "the model cannot
answer" is a real connection refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port
from serving import build_index

BASE = "http://127.0.0.1:8765"
SERVER_DOC = (Path(__file__).resolve().parent.parent / "docs" / "server.md").read_text()
TOKEN = "contract-token-0123456789"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Path:
    root = tmp_path_factory.mktemp("contract")
    build_index(root, embedder)
    return root / "data"


def make_client(data_dir: Path, **options: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from assistant.serve.app import ServeOptions, build_app
    from assistant.serve.service import Service
    from assistant.settings import Settings

    settings = Settings(
        data_dir=data_dir,
        backend="ollama",
        ollama_host=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        model="absent",
        answer_mode="generative",
    )
    service = Service(settings)
    app = build_app(service, ServeOptions(**options))
    # raise_server_exceptions=False: a 500 must be a response in the shape, as a client sees it.
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        yield client
    service.stop()


@pytest.fixture(scope="module")
def client(indexed: Path) -> Iterator[Any]:
    yield from make_client(indexed, max_body=4096)


def assert_error(answer: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one shape: {"error": {"message", "type", "param", "code"}}, strings but param."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert "\n" not in error["message"]
    assert isinstance(error["type"], str) and isinstance(error["code"], str)
    assert error["param"] is None or isinstance(error["param"], str)
    if code is not None:
        assert error["code"] == code, error
    # The server's page documents every code and type it sends.
    assert f"`{error['code']}`" in SERVER_DOC and f"`{error['type']}`" in SERVER_DOC, error
    return error


# Every route, each failure it can meet: (method, path, body or query, status, code).
FAILURES = [
    ("POST", "/v1/search", {}, 400, "invalid_value"),
    ("POST", "/v1/search", {"query": ""}, 400, "invalid_value"),
    ("POST", "/v1/search", {"query": "apple", "mode": "psychic"}, 400, "invalid_value"),
    ("POST", "/v1/search", {"query": "apple", "k": 0}, 400, "invalid_value"),
    ("POST", "/v1/search", {"query": "apple", "within": "/no/such"}, 400, "filter_matches_nothing"),
    ("POST", "/v1/ask", {}, 400, "invalid_value"),
    ("POST", "/v1/ask", {"question": "How much did the new cider press cost?"}, 503, None),
    ("POST", "/v1/ask", {"question": "What did the press cost?", "stream": True}, 503, None),
    ("GET", "/v1/files", {"state": "lost"}, 400, "bad_request"),
    ("GET", "/v1/passage", {}, 400, "invalid_value"),
    ("GET", "/v1/passage", {"path": "/no/such.md"}, 404, "passage_not_found"),
    ("GET", "/v1/passage", {"path": "/x.md", "around": 99}, 400, "invalid_value"),
    ("POST", "/v1/ingest", {}, 400, "invalid_value"),
    ("POST", "/v1/ingest", {"path": "/etc"}, 403, "path_refused"),
    ("POST", "/v1/forget", {"path": "/etc"}, 403, "path_refused"),
    ("POST", "/v1/chat/completions", {}, 400, "invalid_value"),
    ("POST", "/v1/chat/completions", {"messages": []}, 400, "invalid_value"),
    (
        "POST",
        "/v1/chat/completions",
        {"messages": [{"role": "assistant", "content": "hi"}]},
        400,
        "bad_request",
    ),
    ("POST", "/v1/models", {}, 405, "method_not_allowed"),
    ("GET", "/v1/search", {}, 405, "method_not_allowed"),
    ("GET", "/v1/nothing-here", {}, 404, "no_such_route"),
    ("GET", "/nothing-here", {}, 404, "no_such_route"),
]


@pytest.mark.parametrize(("method", "path", "sent", "status", "code"), FAILURES)
def test_every_failure_has_the_one_error_shape(
    client: Any, method: str, path: str, sent: dict[str, Any], status: int, code: str | None
) -> None:
    if method == "GET":
        answer = client.get(path, params=sent)
    else:
        answer = client.request(method, path, json=sent)
    assert_error(answer, status, code)


def test_a_stream_that_breaks_midway_sends_the_same_shape() -> None:
    """A model that fails after the stream began (200 sent) ends it with this body as an
    `error` event (/v1/ask) or an error chunk (OpenAI's, which the client raises)."""
    from assistant.errors import BackendError
    from assistant.serve.errors import user_error_body

    error = user_error_body(BackendError("the model server went away"))["error"]
    assert error == {
        "message": "the model server went away",
        "type": "service_unavailable_error",
        "param": None,
        "code": "backend_error",
    }


def test_a_validation_error_names_the_field(client: Any) -> None:
    error = assert_error(client.post("/v1/search", json={"query": "apple", "k": 0}), 400)
    assert error["param"] == "k" and error["message"].startswith("k: ")
    error = assert_error(client.post("/v1/search", content=b"{not json"), 400)
    assert error["type"] == "invalid_request_error"


def test_the_guards_refusals_have_the_shape_too(indexed: Path) -> None:
    for client in make_client(indexed, token=TOKEN, max_body=64):
        assert_error(client.get("/v1/status"), 401, "bad_token")
        ok = {"authorization": f"Bearer {TOKEN}"}
        wrong_host = client.get("/v1/status", headers={**ok, "host": "evil.example"})
        assert_error(wrong_host, 421, "host_refused")
        web_page = client.get("/v1/status", headers={**ok, "origin": "http://evil.example"})
        assert_error(web_page, 403, "origin_refused")
        too_big = client.post("/v1/search", json={"query": "apple " * 50}, headers=ok)
        assert_error(too_big, 413, "body_too_large")


def test_the_openai_client_reads_our_errors(client: Any) -> None:
    """What the `openai` package makes of each failure of the OpenAI routes: its own
    exception class for the status, with our message, code and param parsed."""
    import openai

    sdk = openai.OpenAI(base_url=BASE + "/v1", api_key="x", http_client=client, max_retries=0)
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.chat.completions.create(model="local-doc-assistant", messages=[])
    assert bad.value.code == "invalid_value" and bad.value.param == "messages"
    assert bad.value.type == "invalid_request_error"
    assert isinstance(bad.value.body, dict) and bad.value.body["message"].startswith("messages: ")
    with pytest.raises(openai.BadRequestError) as last:
        sdk.chat.completions.create(
            model="local-doc-assistant", messages=[{"role": "assistant", "content": "hi"}]
        )
    assert last.value.body["message"] == "the last message must be the user's question"  # type: ignore[index]
    question = [{"role": "user", "content": "How much did the new cider press cost?"}]
    for stream in (False, True):
        with pytest.raises(openai.InternalServerError) as down:
            sdk.chat.completions.create(
                model="local-doc-assistant", messages=question, stream=stream
            )
        assert down.value.status_code == 503 and down.value.type == "service_unavailable_error"
        assert down.value.code == "backend_error"
        assert down.value.body["message"].startswith("Ollama is not running")  # type: ignore[index]
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.embeddings.create(model="local-doc-assistant", input="apple")
    assert missing.value.code == "no_such_route"


# A reference to another host: what makes a browser fetch from it (src, href, url(), or a
# script building one). The server itself, under the names it answers to, is not another.
URL = re.compile(r"https?://([^/\s\"'<>)\\]+)", re.IGNORECASE)
OWN_HOSTS = {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"}


def get_routes(client: Any) -> list[str]:
    """Every GET route the app serves: the schema's, and the app's own routes left out of
    it (the docs page, the schema itself, MCP)."""
    schema = client.get("/v1/openapi.json").json()
    paths = [p for p, ops in schema["paths"].items() if "get" in ops]
    for route in client.app.app.routes:  # the Guard wraps FastAPI's app
        methods = getattr(route, "methods", None) or {"GET"}
        if hasattr(route, "path") and "GET" in methods:
            paths.append(route.path)
    return paths


def test_no_page_refers_to_another_host(client: Any) -> None:
    """The docs page used to pull Swagger UI from cdn.jsdelivr.net and a favicon from
    fastapi.tiangolo.com: every GET route's response, and a 404, must name no host but
    this server."""
    paths = get_routes(client)
    assert {"/v1/docs", "/v1/openapi.json", "/v1/status", "/v1/models"} <= set(paths)
    for path in [*paths, "/v1/no-such-page"]:
        # As a page or a JSON body: /mcp would otherwise open its never-ending event stream.
        answer = client.get(path, headers={"accept": "text/html, application/json"})
        kind = answer.headers.get("content-type", "")
        assert "html" in kind or "json" in kind, (path, kind)
        foreign = set(URL.findall(answer.text)) - OWN_HOSTS
        assert not foreign, (path, foreign)
    page = client.get("/v1/docs")
    assert page.status_code == 200 and "/v1/openapi.json" in page.text
    # The browser is told so too: nothing may load from anywhere but this server.
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


def test_the_servers_own_page_may_call_it(client: Any) -> None:
    """The docs page, served from 127.0.0.1:PORT (or localhost:PORT), sends its Origin:
    that is this server, not a web page elsewhere. Any other origin, and `null` (a sandboxed
    frame or a file), is still refused."""
    query = {"query": "apple"}
    for origin, host in [(BASE, "127.0.0.1:8765"), ("http://localhost:8765", "localhost:8765")]:
        answer = client.post("/v1/search", json=query, headers={"origin": origin, "host": host})
        assert answer.status_code == 200, (origin, answer.text)
    for origin in [
        "http://evil.example",
        "null",
        "http://127.0.0.1:9999",
        "https://127.0.0.1:8765",
    ]:
        answer = client.post("/v1/search", json=query, headers={"origin": origin})
        assert_error(answer, 403, "origin_refused")
    # The page on localhost calling 127.0.0.1 is another origin, as the browser sees it.
    cross = client.post(
        "/v1/search",
        json=query,
        headers={"origin": "http://localhost:8765", "host": "127.0.0.1:8765"},
    )
    assert_error(cross, 403, "origin_refused")
