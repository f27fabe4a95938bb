"""A team index: vectors in a real `chroma run` server on loopback, the catalog local."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port, loopback_server


def _chroma_command() -> list[str]:
    """The `chroma` script beside this interpreter (it is what pip installs with chromadb)."""
    script = Path(sys.executable).with_name("chroma")
    if script.is_file():
        return [str(script)]
    found = shutil.which("chroma")
    if found:
        return [found]
    pytest.skip("the chroma command from the chromadb package is not installed")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a free loopback port, ended by its own PID."""
    root = tmp_path_factory.mktemp("chroma_server")
    port = free_port()
    cmd = [*_chroma_command(), "run", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--path", str(root / "db")]
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with loopback_server(cmd, url + "/api/v2/heartbeat", root / "server.log", "chroma run", env):
        yield url


def _server_collections(url: str) -> dict[str, int]:
    import chromadb

    from ingest.store.vectors import open_client

    client = open_client(url=url)
    assert isinstance(client, chromadb.api.ClientAPI)
    return {c.name: c.count() for c in client.list_collections()}


@pytest.mark.slow
def test_ingest_and_search_against_a_chroma_server(cli, docs, chroma_server, data_dir, embedder):
    result = cli("--chroma-url", chroma_server, "ingest", str(docs), "--json")
    assert result.exit_code == 0, result.stderr
    chunks = json.loads(result.stdout)["chunks_embedded"]
    assert chunks > 0

    # The vectors are on the server, in this catalog's own collection, not in the data dir.
    assert not (data_dir / "chroma").exists()
    collections = _server_collections(chroma_server)
    assert [n for n, c in collections.items() if c == chunks and n.startswith("chunks-")]

    found = cli("--chroma-url", chroma_server, "search", "how many hives", "--json")
    assert found.exit_code == 0, found.stderr
    assert any("beekeeping" in p["path"] for p in json.loads(found.stdout)[:3])

    checks = cli("--chroma-url", chroma_server, "doctor", "--json")
    index = next(c for c in json.loads(checks.stdout)["checks"] if c["name"] == "index")
    assert index["ok"], index
    assert chroma_server in index["detail"]


@pytest.mark.slow
def test_two_catalogs_on_one_server_keep_apart(cli, docs, chroma_server, tmp_path, embedder):
    """Two people's indexes share the server but never a collection: each catalog's
    reconcile would otherwise delete the other's vectors as strays."""
    (docs / "only-a.txt").write_text("The quince tree by the gate was planted in 1998.\n")

    def as_user(name: str, *args: str) -> str:
        """A command of the user whose data dir is `name`, on the shared server."""
        data_dir = str(tmp_path / name)
        result = cli("--data-dir", data_dir, "--chroma-url", chroma_server, *args)
        assert result.exit_code == 0, result.stderr
        return str(result.stdout)

    as_user("a", "ingest", str(docs))
    as_user("b", "ingest", str(docs / "handbook.md"))
    found = as_user("a", "search", "quince tree by the gate", "--json")
    assert json.loads(found)[0]["path"].endswith("only-a.txt")


def test_switching_an_index_to_a_server_is_refused(cli, docs, embedder, monkeypatch):
    """An embedded index opened with --chroma-url would find no vectors and answer from
    nothing; it says how to fix it instead. No server is needed: it fails before connecting."""
    assert cli("ingest", str(docs / "handbook.md")).exit_code == 0
    result = cli("--chroma-url", "http://127.0.0.1:9", "search", "pruning")
    assert result.exit_code == 2
    assert "keeps its vectors in the embedded Chroma" in result.stderr


def test_public_chroma_url_refused_before_connecting(cli, docs, embedder):
    assert cli("ingest", str(docs / "handbook.md")).exit_code == 0
    result = cli("--chroma-url", "http://8.8.8.8:8000", "search", "pruning")
    assert result.exit_code == 5
    assert "refusing to send your documents to 8.8.8.8" in result.stderr
