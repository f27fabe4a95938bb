"""`assistant serve` for real: a subprocess on a free loopback port with the watcher in it,
the real index and embedder, the SDK's own MCP client and the `openai` package, ended by
its PID. Tests that generate (the embedded SmolLM2) are marked slow."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from serving import FAST_ANSWERS, Served, build_index, served, server_env, sse_events

from assistant.evidence.compose import FALLBACK_NOTE


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Iterator[Served]:
    """Watching docs/, and allowed to ingest and forget under extra/."""
    root = tmp_path_factory.mktemp("serve")
    docs = build_index(root, embedder)
    (root / "extra").mkdir()
    args = ["--watch", str(docs), "--folder", str(root / "extra")]
    with served(root, docs, args) as running:
        yield running


@pytest.fixture
def http(server: Served) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def wait_for(check: Any, seconds: float = 90) -> Any:
    """Poll `check` until it returns something truthy (the watcher works in batches)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"not within {seconds} s")


def test_the_openapi_schema_names_every_route(http: httpx.Client) -> None:
    schema = http.get("/v1/openapi.json").json()
    for path in ["/v1/search", "/v1/ask", "/v1/status", "/v1/files", "/v1/passage"]:
        assert path in schema["paths"], path
    for path in ["/v1/ingest", "/v1/forget", "/v1/chat/completions", "/v1/models"]:
        assert path in schema["paths"], path
    assert schema["components"]["schemas"]["SearchRequest"]["properties"]["mode"]


def test_search_returns_what_search_json_prints(http: httpx.Client, server: Served, cli) -> None:  # type: ignore[no-untyped-def]
    served = http.post("/v1/search", json={"query": "varroa treatment", "k": 3}).json()
    printed = cli("--data-dir", str(server.data_dir), "search", "varroa treatment", "--k", "3")
    local = cli(
        "--data-dir", str(server.data_dir), "search", "varroa treatment", "--k", "3", "--json"
    )
    assert local.exit_code == 0, local.stderr
    assert served["results"] == json.loads(local.stdout)
    assert served["results"] and "beekeeping" in printed.stdout


def test_search_takes_the_clis_filters(http: httpx.Client, server: Served) -> None:
    pdf = http.post("/v1/search", json={"query": "orchard income", "types": ["pdf"]}).json()
    assert pdf["results"] and all(r["path"].endswith(".pdf") for r in pdf["results"])
    inside = http.post(
        "/v1/search", json={"query": "apple", "within": str(server.docs / "varieties.md")}
    ).json()
    assert {r["path"] for r in inside["results"]} == {str(server.docs / "varieties.md")}
    words = http.post("/v1/search", json={"query": "Tanner's Lane", "mode": "keyword"}).json()
    assert words["mode"] == "keyword" and "Tanner" in words["results"][0]["text"]
    nowhere = http.post("/v1/search", json={"query": "apple", "within": "/no/such/folder"})
    assert nowhere.status_code == 400
    assert "no indexed file passes the filter" in nowhere.json()["error"]["message"]
    assert http.post("/v1/search", json={"query": "apple", "mode": "fuzzy"}).status_code == 400


def test_status_and_files_show_failures_with_their_reasons(
    http: httpx.Client, server: Served
) -> None:
    status = http.get("/v1/status").json()
    assert status["files"] >= 7 and status["chunks"] > 0
    assert status["server"]["watching"] == [str(server.docs)]
    assert status["watcher"]["pid"]  # this process holds the writer lock, as a watcher
    failed = http.get("/v1/files", params={"state": "failed"}).json()
    assert [f["path"] for f in failed["files"]] == [str(server.docs / "corrupt.pdf")]
    assert failed["files"][0]["reason"]
    every = http.get("/v1/files").json()
    assert every["count"] == len(every["files"]) >= 8
    assert http.get("/v1/files", params={"state": "odd"}).status_code == 400


def test_a_cited_chunk_opens_with_its_neighbours(http: httpx.Client, server: Served) -> None:
    hit = http.post("/v1/search", json={"query": "first inspection", "k": 1}).json()["results"][0]
    opened = http.get("/v1/passage", params={"path": hit["path"], "chunk": hit["chunk"]}).json()
    assert opened["first_chunk"] <= hit["chunk"] <= opened["last_chunk"]
    assert hit["text"][:80] in opened["text"]
    pdf = str(server.docs / "annual-report-2025.pdf")
    page = http.get("/v1/passage", params={"path": pdf, "page": 2, "around": 0}).json()
    assert page["page"] <= 2 <= page["page_end"]
    missing = http.get("/v1/passage", params={"path": str(server.docs / "nope.md")})
    assert missing.status_code == 404 and "not indexed" in missing.json()["error"]["message"]


def test_ingest_and_forget_a_path_under_the_servers_folders(
    http: httpx.Client, server: Served
) -> None:
    note = server.root / "extra" / "greenhouse.md"
    note.write_text("# Greenhouse\n\nThe greenhouse heater is a Quillfeather 3000 model.\n")
    report = http.post("/v1/ingest", json={"path": str(note.parent)}).json()
    assert report["added"] == 1, report
    query = {"query": "Quillfeather", "mode": "keyword"}
    assert http.post("/v1/search", json=query).json()["results"][0]["path"] == str(note)
    forgot = http.post("/v1/forget", json={"path": str(note)}).json()
    assert forgot["removed"] == 1
    assert http.post("/v1/search", json=query).json()["results"] == []
    watched = http.post("/v1/forget", json={"path": str(server.docs / "handbook.md")})
    assert watched.status_code == 403 and "watched" in watched.json()["error"]["message"]


def test_the_watcher_indexes_new_files_while_readers_search(
    http: httpx.Client, server: Served
) -> None:
    """One writer (the watcher, in the server), many readers: searches running while files
    arrive never fail, and never return a file the catalog does not list whole."""
    errors: list[str] = []
    hits: list[dict[str, Any]] = []
    stop = threading.Event()

    def reader() -> None:
        with server.client() as client:
            while not stop.is_set():
                answer = client.post("/v1/search", json={"query": "lantern beetle", "k": 5})
                if answer.status_code != 200:
                    errors.append(answer.text)
                hits.extend(answer.json().get("results", []))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for n in range(5):
            text = f"# Lantern beetle {n}\n\n" + f"Lantern beetle sighting number {n}. " * 60
            (server.docs / f"lantern-{n}.md").write_text(text)
            time.sleep(0.2)
        wait_for(
            lambda: (
                len(
                    http.post(
                        "/v1/search", json={"query": "lantern beetle", "mode": "keyword", "k": 10}
                    ).json()["results"]
                )
                == 5
            )
        )
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert errors == []
    listed = {f["path"]: f for f in http.get("/v1/files").json()["files"]}
    for hit in hits:
        record = listed[hit["path"]]
        assert record["state"] == "indexed" and hit["chunk"] < record["chunks"]


def test_an_mcp_client_uses_the_tools_over_http(server: Served) -> None:
    from mcp import Client

    async def session() -> None:
        async with Client(server.url + "/mcp") as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert tools == {"search_documents", "ask_documents", "read_passage", "index_status"}
            found = await client.call_tool("search_documents", {"query": "queen cells", "k": 2})
            assert not found.is_error
            hit = found.structured_content["results"][0]
            opened = await client.call_tool(
                "read_passage", {"path": hit["path"], "chunk": hit["chunk"]}
            )
            assert hit["text"][:60] in opened.structured_content["text"]
            status = await client.call_tool("index_status", {})
            assert status.structured_content["chunks"] > 0
            wrong = await client.call_tool("read_passage", {"path": "/not/indexed.md"})
            assert wrong.is_error and "not indexed" in wrong.content[0].text

    asyncio.run(session())


def test_an_mcp_client_uses_the_tools_over_stdio(server: Served) -> None:
    """`assistant mcp` started by the SDK's stdio client (which ends it), on the same
    index the server is writing."""
    from mcp import Client, StdioServerParameters

    env = server_env(server.root)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "assistant.cli", "mcp"], env=env
    )

    async def session() -> None:
        async with Client(params) as client:
            found = await client.call_tool("search_documents", {"query": "pruning", "k": 1})
            assert found.structured_content["results"][0]["path"].startswith(str(server.docs))
            status = await client.call_tool("index_status", {})
            assert status.structured_content["files"] >= 7

    asyncio.run(session())


def test_nothing_logged_holds_a_question_or_document_text(
    http: httpx.Client, server: Served
) -> None:
    marker = "zebrafinch quokka marmalade"
    http.post("/v1/search", json={"query": marker})
    hit = http.post("/v1/search", json={"query": "queen cells"}).json()["results"][0]
    http.get("/v1/passage", params={"path": hit["path"], "chunk": hit["chunk"]})
    log = server.log.read_text(errors="replace")
    assert marker not in log
    assert hit["text"][:40] not in log


# -- with generation (the embedded SmolLM2) -------------------------------------------


@pytest.mark.slow
def test_ask_json_is_what_ask_json_prints(
    http: httpx.Client,
    server: Served,
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    question = "When is the first inspection of the year?"
    answer = http.post("/v1/ask", json={"question": question}).json()
    for key, value in FAST_ANSWERS.items():
        monkeypatch.setenv(key, value)
    local = cli("--data-dir", str(server.data_dir), "ask", question, "--json")
    printed = json.loads(local.stdout)
    assert set(answer) == set(printed)
    answer.pop("timings"), printed.pop("timings")
    assert answer == printed  # greedy decoding: the same text, the same sources


@pytest.mark.slow
def test_ask_streams_passages_then_tokens_then_sources(http: httpx.Client) -> None:
    body = {"question": "Which apple varieties grow in the orchard?", "stream": True}
    with http.stream("POST", "/v1/ask", json=body) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        events = sse_events(answer.iter_lines())
    kinds = [e for e, _ in events]
    assert kinds[0] == "passages" and kinds[-2:] == ["sources", "done"]
    assert set(kinds[1:-2]) == {"token"}
    done = events[-1][1]
    streamed = "".join(d["text"] for e, d in events if e == "token").strip()
    assert done["draft"].strip() == streamed, "the tokens are the model's draft"
    if done["fallback"]:  # nothing in the draft held up: the evidence is quoted instead
        assert done["answer"].startswith(FALLBACK_NOTE) and done["sources"]
    else:
        assert any(s["supported"] for s in done["statements"])
    assert done["sources"] == events[-2][1]["sources"]
    given = [p["path"] for p in events[0][1]["passages"]]
    assert {s["path"] for s in done["sources"]} <= set(given)


@pytest.mark.slow
def test_an_openai_client_gets_grounded_answers_with_sources(server: Served) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    assert [m.id for m in client.models.list()] == ["local-doc-assistant"]
    first = "When is the first inspection of the year in the apiary?"
    reply = client.chat.completions.create(
        model="local-doc-assistant", messages=[{"role": "user", "content": first}]
    )
    content = reply.choices[0].message.content or ""
    assert "**Sources**" in content and "beekeeping-notes.txt" in content
    sources = reply.model_extra["sources"]  # type: ignore[index]
    assert any(s["path"].endswith("beekeeping-notes.txt") for s in sources)
    assert reply.usage is not None and reply.usage.prompt_tokens > 0
    follow_up = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": first},
        {"role": "assistant", "content": content},
        {"role": "user", "content": "and in August?"},
    ]
    parts: list[str] = []
    last: Any = None
    for chunk in client.chat.completions.create(
        model="local-doc-assistant", messages=follow_up, stream=True
    ):
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        last = chunk
    assert "**Sources**" in "".join(parts)
    assert last.choices[0].finish_reason in ("stop", "length")
    # The follow-up was searched with the topic of the question before it, as the chat does.
    assert "inspection" in last.model_extra["retrieval_query"]
    assert last.model_extra["sources"]


@pytest.mark.slow
def test_concurrent_questions_share_one_model(server: Served) -> None:
    """Three clients at once on the embedded model (one answer at a time, by its lock)."""
    results: list[int] = []

    def ask(question: str) -> None:
        with server.client() as client:
            results.append(client.post("/v1/ask", json={"question": question}).status_code)

    threads = [
        threading.Thread(target=ask, args=(q,))
        for q in ("What do bees need in March?", "Who waters the trees?", "What is pruned?")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200]


@pytest.mark.slow
def test_mcp_ask_documents_answers_with_sources(server: Served) -> None:
    from mcp import Client

    async def session() -> dict[str, Any]:
        async with Client(server.url + "/mcp") as client:
            answer = await client.call_tool("ask_documents", {"question": "What is Tanner's Lane?"})
            assert not answer.is_error
            return dict(answer.structured_content or {})

    answer = asyncio.run(session())
    assert answer["answer"] and answer["sources"] and "model" in answer


@pytest.mark.slow
def test_a_client_that_leaves_mid_answer_frees_the_model(http: httpx.Client) -> None:
    """The embedded model answers one question at a time: a stream abandoned after its
    first token must close the model's stream, or the next question would wait forever."""
    body = {"question": "What happens in the apiary in June?", "stream": True}
    with http.stream("POST", "/v1/ask", json=body) as answer:
        for line in answer.iter_lines():
            if line == "event: token":
                break
    after = http.post("/v1/ask", json={"question": "Who keeps the bees?"}, timeout=120)
    assert after.status_code == 200 and after.json()["answer"]


def test_mcp_names_a_file_that_is_not_utf8_in_a_form_read_passage_takes_back(
    http: httpx.Client, server: Served
) -> None:
    """The SDK cannot encode such a name (search_documents failed whole): it goes out in
    its stored form, valid Unicode, and read_passage opens the file by it."""
    from mcp import Client

    from ingest.pathnames import stored

    folder = server.root / "extra" / "latin1"
    folder.mkdir()
    odd = os.fsdecode(os.path.join(os.fsencode(folder), b"r\xe9sum\xe9.md"))
    with open(odd, "w", encoding="utf-8") as out:
        out.write("# Wheelwright\n\nThe wheelwright's ledger is kept in the loft.\n")
    assert http.post("/v1/ingest", json={"path": str(folder)}).json()["added"] == 1

    async def session() -> None:
        async with Client(server.url + "/mcp") as client:
            found = await client.call_tool(
                "search_documents", {"query": "wheelwright", "mode": "keyword"}
            )
            assert not found.is_error, found.content
            hit = found.structured_content["results"][0]
            assert hit["path"] == stored(odd)
            opened = await client.call_tool(
                "read_passage", {"path": hit["path"], "chunk": hit["chunk"]}
            )
            assert not opened.is_error, opened.content
            assert "wheelwright's ledger" in opened.structured_content["text"]

    try:
        asyncio.run(session())
    finally:
        http.post("/v1/forget", json={"path": str(folder)})
