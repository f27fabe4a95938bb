"""`assistant ask` and `assistant search` end to end: a real index, real retrieval, and real
generation by the embedded model and by a llama.cpp server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliResult


@pytest.fixture
def indexed(cli, docs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    # Short answers: these tests check the path end to end, not the model's prose.
    monkeypatch.setenv("ASSISTANT_MAX_ANSWER_TOKENS", "48")
    result: CliResult = cli("ingest", str(docs), "--quiet")
    assert result.exit_code == 0, result.stderr
    return docs


def ask_json(cli, question: str, *flags: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """`assistant ask QUESTION --json FLAGS...`, which must succeed: its answer."""
    result: CliResult = cli("ask", question, "--json", *flags)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_nothing_indexed_says_what_to_do(cli) -> None:  # type: ignore[no-untyped-def]
    for command in (["ask", "anything?"], ["search", "anything"]):
        result = cli(*command)
        assert result.exit_code == 3
        assert result.stderr.strip() == "error: nothing is indexed yet: run `assistant ingest PATH`"


def test_search_json_lists_ranked_sources(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "who made the hydraulic cider press", "--json", "--k", "3")
    assert result.exit_code == 0, result.stderr
    sources = json.loads(result.stdout)
    assert 1 <= len(sources) <= 3
    assert set(sources[0]) >= {"n", "path", "page", "heading", "score", "text"}
    assert [s["n"] for s in sources] == list(range(1, len(sources) + 1))
    pdf = [s for s in sources if s["path"].endswith("annual-report-2025.pdf")]
    assert pdf and any(s["page"] == 4 for s in pdf)


def test_search_in_folder_and_type_filters(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "apples", "--json", "--type", "md")
    assert all(s["path"].endswith(".md") for s in json.loads(result.stdout))
    result = cli("search", "apples", "--json", "--in", str(indexed / "handbook.md"))
    paths = {s["path"] for s in json.loads(result.stdout)}
    assert paths == {str(indexed / "handbook.md")}


def test_a_filter_that_leaves_no_file_is_one_error_line(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    """Not "nothing relevant": the user mistyped a folder or a type, and is told so."""
    missing = indexed / "no-such-folder"
    for command in (["search"], ["ask", "--backend", "llamacpp"]):
        result = cli(*command, "apples", "--in", str(missing))
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"error: no indexed file passes the filter (in {missing}): "
            "`assistant status` lists what is indexed"
        )
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "bogus"], "Invalid value for --mode: use one of hybrid, vector, keyword"),
        (["--k", "0"], "error: k must be at least 1, not 0"),
    ],
)
def test_search_refuses_a_mode_or_k_that_finds_nothing(cli, indexed: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "apples", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_search_plain_output_names_file_page_and_score(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "district council grant", "--k", "2")
    assert result.exit_code == 0
    assert "annual-report-2025.pdf, page 3" in result.stdout
    assert "(score 0." in result.stdout


def test_unrelated_question_is_answered_without_a_model(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    """Below the relevance floor no passage goes to the model, so no backend is loaded
    for its answer; a bad model path proves it is never used."""
    data = ask_json(cli, "What is the boiling point of liquid nitrogen?", "--backend", "llamacpp")
    assert data["answer"].startswith("The documents do not say")
    assert data["sources"] == []


@pytest.mark.slow
def test_ask_with_the_embedded_model(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How much does it cost an adult to join the orchard?"
    data = ask_json(cli, question, "--backend", "llamacpp")
    assert set(data) >= {"question", "answer", "sources", "backend", "model", "timings"}
    assert data["backend"] == "llamacpp" and data["model"].endswith(".gguf")
    assert data["answer"].strip()
    assert data["sources"], "the passages given to the model are listed"
    assert any(s["path"].endswith("handbook.md") for s in data["sources"])
    timings = data["timings"]
    assert 0 < timings["first_token_ms"] <= timings["total_ms"]


@pytest.mark.slow
def test_ask_streams_to_stdout_then_lists_sources(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", "When is Apple Day?", "--backend", "llamacpp", "--k", "2")
    assert result.exit_code == 0, result.stderr
    assert "answering with llamacpp" in result.stderr
    body, _, sources = result.stdout.partition("\n\n")
    assert body.strip()
    assert "meeting-minutes-2026-03.docx" in result.stdout.split("Sources:")[-1] or (
        "meeting-minutes-2026-03.docx" in sources
    )


@pytest.mark.slow
def test_ask_through_a_real_openai_compatible_server(
    cli, indexed: Path, llama_server: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """`--backend openai` against llama.cpp's own server, started on 127.0.0.1 by the fixture."""
    monkeypatch.setenv("ASSISTANT_OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("ASSISTANT_CONTEXT_TOKENS", "2048")
    question = "How much honey did the bees make last season?"
    data = ask_json(cli, question, "--backend", "openai", "--k", "3")
    assert data["backend"] == "openai"
    assert data["answer"].strip()
    assert any(s["path"].endswith("beekeeping-notes.txt") for s in data["sources"])


def test_ask_with_ollama_down_says_how_to_fix(cli, indexed: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import free_port

    monkeypatch.setenv("ASSISTANT_OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    result = cli("ask", "When is Apple Day?", "--backend", "ollama")
    assert result.exit_code == 4
    assert "Ollama is not running at http://127.0.0.1:" in result.stderr
    assert "ollama serve" in result.stderr and "Traceback" not in result.stderr
