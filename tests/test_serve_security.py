"""The server's security model, enforced: the token on every route (MCP and the docs
included), loopback Host names, refused web origins unless listed, the body limit, and
ingest/forget paths that cannot leave the server's folders. A real token-protected server
(subprocess on loopback, ended by its PID) and the rules' own units."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving import Served, build_index, served

from assistant.errors import ConfigError
from assistant.serve.security import PathRefused, WritableRoots, is_loopback, load_token

TOKEN = "test-token-0123456789abcdef"
GOOD_ORIGIN = "http://notes.example"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("guarded")
    docs = build_index(root, embedder)
    token_file = root / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    (root / "extra").mkdir()
    args = ["--token-file", str(token_file), "--folder", str(root / "extra")]
    args += ["--cors-origin", GOOD_ORIGIN, "--max-body-kb", "4"]
    with served(root, docs, args, token=TOKEN) as running:
        yield running


def every_route(served: Served) -> list[tuple[str, str]]:
    with served.client() as client:
        schema = client.get("/v1/openapi.json").json()
    routes = [(m.upper(), p) for p, ops in schema["paths"].items() for m in ops]
    return [*routes, ("GET", "/v1/openapi.json"), ("GET", "/v1/docs"), ("POST", "/mcp")]


def test_every_route_needs_the_token(guarded: Served) -> None:
    routes = every_route(guarded)
    assert len(routes) >= 12
    with httpx.Client(base_url=guarded.url, trust_env=False) as bare:
        for method, path in routes:
            for headers in ({}, {"authorization": "Bearer wrong-token-0123456789"}):
                answer = bare.request(method, path, headers=headers, json={})
                assert answer.status_code == 401, (method, path, headers)
                assert answer.headers["www-authenticate"].startswith("Bearer")
        # The token without its scheme is not enough either.
        assert bare.get("/v1/status", headers={"authorization": TOKEN}).status_code == 401
    with guarded.client() as client:
        assert client.get("/v1/status").status_code == 200


def test_mcp_needs_the_token_too(guarded: Served) -> None:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def status(headers: dict[str, str]) -> int:
        http = httpx2.AsyncClient(headers=headers, trust_env=False)
        async with (
            http,
            Client(streamable_http_client(guarded.url + "/mcp", http_client=http)) as client,
        ):
            result = await client.call_tool("index_status", {})
            return int(result.structured_content["chunks"])

    assert asyncio.run(status(guarded.headers)) > 0
    with pytest.raises(Exception):  # noqa: B017 - the SDK's error type for a 401 varies
        asyncio.run(status({}))


def test_a_host_that_is_not_loopback_is_refused(guarded: Served) -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 still says its name."""
    with guarded.client() as client:
        answer = client.get("/v1/status", headers={"host": "evil.example:80"})
        assert answer.status_code == 421
        assert client.get("/v1/status", headers={"host": "localhost"}).status_code == 200


def raw_request(url: str, host_lines: list[str]) -> tuple[int, bytes]:
    """GET /v1/health with exactly these Host header lines, over a bare socket: httpx
    would not send two."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(url)
    head = "GET /v1/health HTTP/1.1\r\n" + "".join(f"Host: {h}\r\n" for h in host_lines)
    with socket.create_connection((where.hostname, where.port), timeout=30) as conn:
        conn.sendall((head + "Connection: close\r\n\r\n").encode())
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    return status, reply.split(b"\r\n\r\n", 1)[1]


@pytest.fixture(scope="module")
def on_127_0_0_2(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Iterator[Served]:
    """`serve --host 127.0.0.2`: loopback (all of 127.0.0.0/8 is, on Linux), not 127.0.0.1."""
    root = tmp_path_factory.mktemp("other-loopback")
    docs = build_index(root, embedder)
    with served(root, docs, [], host="127.0.0.2") as running:
        yield running


def test_a_server_answers_to_the_address_it_was_bound_to(on_127_0_0_2: Served) -> None:
    """It answered 421 to every request, its own address included ("answers only to
    127.0.0.1 or localhost"); a DNS name is still refused."""
    netloc = on_127_0_0_2.url.split("//", 1)[1]
    with on_127_0_0_2.client() as client:
        assert client.get("/v1/status").status_code == 200
        assert client.get("/v1/status", headers={"host": "evil.example"}).status_code == 421
    status, _ = raw_request(on_127_0_0_2.url, [netloc])
    assert status == 200


def test_a_request_with_two_host_headers_is_refused(on_127_0_0_2: Served) -> None:
    """Which of two Host headers counts is up to each parser (the last won here): the guard
    checks one, so a request must have one."""
    netloc = on_127_0_0_2.url.split("//", 1)[1]
    for hosts in ([netloc, netloc], ["evil.example", netloc], [netloc, "evil.example"]):
        status, body = raw_request(on_127_0_0_2.url, hosts)
        assert status == 400, (hosts, body)
        assert b"one Host header" in body


def test_web_origins_are_refused_unless_listed(guarded: Served) -> None:
    with guarded.client() as client:
        evil = client.post(
            "/v1/search", json={"query": "apple"}, headers={"origin": "http://evil.example"}
        )
        assert evil.status_code == 403
        good = client.post("/v1/search", json={"query": "apple"}, headers={"origin": GOOD_ORIGIN})
        assert good.status_code == 200
        assert good.headers["access-control-allow-origin"] == GOOD_ORIGIN
        preflight = client.options(
            "/v1/search",
            headers={"origin": GOOD_ORIGIN, "access-control-request-method": "POST"},
        )
        assert preflight.status_code == 200


def test_bodies_over_the_limit_are_refused(guarded: Served) -> None:
    big = {"query": "apple " * 2000}
    with guarded.client() as client:
        assert client.post("/v1/search", json=big).status_code == 413

        def chunked() -> Iterator[bytes]:
            yield b'{"query": "'
            for _ in range(100):
                yield b"apple " * 20
            yield b'"}'

        answer = client.post(
            "/v1/search", content=chunked(), headers={"content-type": "application/json"}
        )
        assert answer.status_code == 413
        small = client.post(
            "/v1/search",
            content=iter([b'{"query": ', b'"apple"}']),
            headers={"content-type": "application/json"},
        )
        assert small.status_code == 200 and small.json()["query"] == "apple"


def test_ingest_and_forget_stay_under_the_servers_folders(guarded: Served) -> None:
    extra = guarded.root / "extra"
    outside = guarded.root / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nThe vault code is 0451.\n")
    (extra / "link").symlink_to(outside, target_is_directory=True)
    with guarded.client() as client:
        for path in [
            str(extra / ".." / "outside"),
            str(extra / "link"),
            str(extra / "link" / "secret.md"),
            str(guarded.docs),
            "/etc",
        ]:
            for route in ("/v1/ingest", "/v1/forget"):
                answer = client.post(route, json={"path": path})
                assert answer.status_code == 403, (route, path)
                assert "not under the server's folders" in answer.json()["error"]["message"]
        found = client.post("/v1/search", json={"query": "vault 0451", "mode": "keyword"})
        assert all("secret" not in r["path"] for r in found.json()["results"])


def test_the_egress_policy_covers_the_servers_model_calls(tmp_path: Path, embedder: object) -> None:
    """A model server off this machine is refused before any byte goes out, with the
    policy's own message (the app in-process: this is about the route, not the wire)."""
    from fastapi.testclient import TestClient

    from assistant.serve.app import ServeOptions, build_app
    from assistant.serve.service import Service
    from assistant.settings import Settings

    build_index(tmp_path, embedder)
    settings = Settings(
        data_dir=tmp_path / "data", backend="openai", openai_base_url="http://203.0.113.9:8080/v1"
    )
    app = build_app(Service(settings), ServeOptions())
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        answer = client.post("/v1/ask", json={"question": "When do bees swarm?"})
    assert answer.status_code == 503
    assert "refusing to send your documents to 203.0.113.9" in answer.json()["error"]["message"]


# -- the rules ------------------------------------------------------------------------


def test_loopback_needs_no_token_and_any_other_address_gets_one(tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert load_token("127.0.0.1", None, tmp_path) is None
    made = load_token("0.0.0.0", None, tmp_path)
    assert made is not None and made.created and len(made.value) >= 32
    assert stat.S_IMODE(os.stat(made.path).st_mode) == 0o600
    again = load_token("0.0.0.0", None, tmp_path)
    assert again is not None and again.value == made.value and not again.created


def test_a_token_file_others_can_read_or_too_short_is_refused(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.write_text(TOKEN)
    loose.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_token("127.0.0.1", loose, tmp_path)
    short = tmp_path / "short"
    short.write_text("abc")
    short.chmod(0o600)
    with pytest.raises(ConfigError, match="at least"):
        load_token("10.0.0.2", short, tmp_path)


def test_writable_roots_resolve_dots_and_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "out").symlink_to(tmp_path / "elsewhere")
    roots = WritableRoots([root])
    assert roots.check(str(root / "sub" / "a.md")) == root / "sub" / "a.md"
    assert roots.check(str(root / "sub" / ".." / "b.md")) == root / "b.md"
    for bad in [root / ".." / "elsewhere", root / "out", root / "out" / "x.md", tmp_path]:
        with pytest.raises(PathRefused):
            roots.check(str(bad))
    with pytest.raises(PathRefused, match="started without folders"):
        WritableRoots([]).check(str(root))


def test_a_symlink_inside_a_served_folder_cannot_lead_out(guarded: Served) -> None:
    """The request path was checked, then the walk followed a link in the folder to
    /etc/passwd, which was indexed and served by /v1/passage and MCP read_passage."""
    extra = guarded.root / "extra"
    (guarded.root / "private").mkdir()
    secret = guarded.root / "private" / "passwd.txt"
    secret.write_text("root:x:0:0:the keeper of the quernstone:/root:/bin/sh\n")
    (extra / "passwd.txt").symlink_to(secret)
    (extra / "own.md").write_text("# Own\n\nThe mill pond is drained in March.\n")
    with guarded.client() as client:
        report = client.post("/v1/ingest", json={"path": str(extra)}).json()
        # (the folder link an earlier test made in extra/ is named too)
        assert {"path": str(extra / "passwd.txt"), "target": str(secret)} in report["outside"]
        assert report["added"] == 1
        opened = client.get("/v1/passage", params={"path": str(extra / "passwd.txt")})
        assert opened.status_code == 404
        found = client.post("/v1/search", json={"query": "quernstone", "mode": "keyword"})
        assert found.json()["results"] == []


def test_a_server_keeps_to_its_folders_even_when_links_out_are_followed(
    tmp_path: Path, embedder: object
) -> None:
    """follow_symlinks_outside is for the folders a user gives the CLI; a server's
    folders are a security boundary (the real Service, ingesting in this process)."""
    from assistant.serve.service import Service
    from assistant.settings import Settings

    served_folder, private = tmp_path / "served", tmp_path / "private"
    served_folder.mkdir()
    private.mkdir()
    (private / "passwd.txt").write_text("root:x:0:0:the quernstone keeper:/root:/bin/sh\n")
    (served_folder / "passwd.txt").symlink_to(private / "passwd.txt")
    (served_folder / "own.md").write_text("# Own\n\nThe mill pond is drained in March.\n")
    settings = Settings(data_dir=tmp_path / "data", follow_symlinks_outside=True)
    report = Service(settings, folders=[served_folder]).ingest(str(served_folder))
    assert (report["added"], len(report["outside"])) == (1, 1)


def test_a_file_name_that_is_not_utf8_is_served_as_json_that_reads_back(guarded: Served) -> None:
    """Its search result was a 500: the JSON response could not encode the name."""
    folder = guarded.root / "extra" / "latin1"
    folder.mkdir()
    odd = os.fsdecode(os.path.join(os.fsencode(folder), b"r\xe9sum\xe9.txt"))
    with open(odd, "w", encoding="utf-8") as out:
        out.write("The wheelwright's ledger is kept in the loft.\n")
    with guarded.client() as client:
        report = client.post("/v1/ingest", json={"path": str(folder)})
        assert report.status_code == 200 and report.json()["added"] == 1
        found = client.post("/v1/search", json={"query": "wheelwright", "mode": "keyword"})
        assert found.status_code == 200
        assert [r["path"] for r in found.json()["results"]] == [odd]
