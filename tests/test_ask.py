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
    assert "(rank score 0." in result.stdout


def test_unrelated_question_is_answered_without_a_model(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    """Below the relevance floor no passage goes to the model, so no backend is loaded
    for its answer; a bad model path proves it is never used."""
    data = ask_json(cli, "What is the boiling point of liquid nitrogen?", "--backend", "llamacpp")
    assert data["answer"].startswith("The documents do not say")
    assert data["sources"] == []


def test_extractive_answers_quote_and_cite_without_loading_a_model(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    """A model file that does not exist proves no model is even opened."""
    result = cli(
        "ask", "When is Apple Day?", "--answer", "extractive", "--model-path", "/nonexistent.gguf",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "extractive" and data["backend"] == "none" and not data["abstained"]
    assert "11 October 2026" in data["answer"]
    assert data["statements"] and all(s["supported"] for s in data["statements"])
    cited = [s for s in data["sources"] if s["cited"]]
    assert cited and cited[0]["path"].endswith("meeting-minutes-2026-03.docx")
    assert any("11 October 2026" in q for q in cited[0]["quotes"])
    assert data["statements"][0]["citations"] == [cited[0]["n"]]
    plain = cli("ask", "When is Apple Day?", "--answer", "extractive")
    assert plain.exit_code == 0
    assert "answering with quotes from the documents (extractive: no model)" in plain.stderr
    assert "Sources:\n  [" in plain.stdout and "11 October 2026" in plain.stdout


def test_an_unknown_answer_mode_is_refused(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", "When is Apple Day?", "--answer", "poetic")
    assert result.exit_code == 2
    assert "answer_mode must be one of auto, extractive, generative" in result.stderr


def test_a_question_in_other_words_than_the_documents_is_answered_under_its_heading(
    cli, indexed: Path
) -> None:  # type: ignore[no-untyped-def]
    """ "Membership cost" is in neither the sentence nor its passage's text: the passage's
    headings ("Membership > Fees") say what "The yearly subscription is £24" is about."""
    result = cli("ask", "How much does membership cost?", "--answer", "extractive", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert not data["abstained"] and "£24" in data["answer"]
    assert data["sources"][0]["path"].endswith("handbook.md") and data["sources"][0]["cited"]


@pytest.mark.slow
def test_the_quick_start_question_answers_with_the_price_and_its_page(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    """The README's question on the default install (auto: the bundled SmolLM2 is judged
    too small to write, so the evidence is quoted): 3,275 pounds, page 4 cited."""
    result = cli("ask", "How much did the new cider press cost?", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "3,275 pounds" in data["answer"]
    page4 = [
        s for s in data["sources"]
        if s["cited"] and s["path"].endswith("annual-report-2025.pdf") and s["page"] == 4
    ]  # fmt: skip
    assert page4 and any("3,275 pounds" in q for q in page4[0]["quotes"])
    assert not data["abstained"]


@pytest.mark.slow
def test_the_quick_start_question_with_the_embedded_model_writing(
    cli, indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The same question with SmolLM2 made to write (greedy): whatever it makes of the
    evidence, the answer shown holds the price with page 4 cited, and nothing it made up
    is shown as supported."""
    monkeypatch.setenv("ASSISTANT_TEMPERATURE", "0")
    data = ask_json(
        cli, "How much did the new cider press cost?", "--answer", "generative",
        "--backend", "llamacpp",
    )  # fmt: skip
    assert data["mode"] == "generative" and data["draft"].strip()
    assert_checked(data)
    assert "3,275 pounds" in data["answer"]
    page4 = [s for s in data["sources"] if s["cited"] and s["page"] == 4]
    assert page4 and page4[0]["path"].endswith("annual-report-2025.pdf")
    for statement in data["statements"]:
        if "3,275" in statement["text"] and statement["supported"]:
            [n] = statement["citations"]
            assert n == page4[0]["n"]


def assert_checked(data: dict) -> None:  # type: ignore[type-arg]
    """A generative answer as the checker must leave it: every statement judged, each
    supported one cited by the system with its figures in the cited passage, each other
    one with its reason; an answer with nothing supported is the quoted evidence."""
    from assistant.evidence.text import numbers

    assert data["statements"]
    by_n = {s["n"]: s for s in data["sources"]}
    for statement in data["statements"]:
        if statement["supported"]:
            [n] = statement["citations"]
            assert numbers(statement["text"]) <= numbers(by_n[n]["text"])
            assert by_n[n]["cited"]
        else:
            assert statement["reason"] and not statement["citations"]
    if not any(s["supported"] for s in data["statements"] if s["reason"] != "quoted"):
        assert data["fallback"]
        assert data["answer"].startswith("The model's answer is not supported")


@pytest.mark.slow
def test_ask_with_the_embedded_model_is_checked_and_cited(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    """SmolLM2 writes (generative); whatever it says, every statement shown as supported
    carries the system's citation, and its figures are in the passage it cites."""
    result = cli(
        "ask", "What is the yearly subscription for an adult?", "--json",
        "--backend", "llamacpp", "--answer", "generative",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["backend"] == "llamacpp" and data["model"].endswith(".gguf")
    assert data["mode"] == "generative" and data["draft"].strip()
    assert_checked(data)
    assert any(s["path"].endswith("handbook.md") for s in data["sources"])
    timings = data["timings"]
    assert 0 < timings["first_token_ms"] <= timings["total_ms"]


@pytest.mark.slow
def test_ask_prints_the_checked_answer_then_its_sources(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "ask", "When is Apple Day?", "--backend", "llamacpp", "--answer", "generative", "--k", "2"
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "answering with llamacpp" in result.stderr and "every statement is checked" in result.stderr
    )
    body, _, rest = result.stdout.partition("\n\n")
    assert body.strip()
    assert "Sources:" in rest and "meeting-minutes-2026-03.docx" in rest


@pytest.mark.slow
def test_ask_through_a_real_openai_compatible_server(
    cli, indexed: Path, llama_server: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """`--backend openai` against llama.cpp's own server, started on 127.0.0.1 by the fixture."""
    monkeypatch.setenv("ASSISTANT_OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("ASSISTANT_CONTEXT_TOKENS", "2048")
    result = cli(
        "ask", "How much honey did the bees make last season?", "--json",
        "--backend", "openai", "--answer", "generative", "--k", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["backend"] == "openai" and data["draft"].strip()
    assert_checked(data)
    assert any(s["path"].endswith("beekeeping-notes.txt") for s in data["sources"])


def test_summarize_quotes_each_section_with_its_page(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    report = indexed / "annual-report-2025.pdf"
    result = cli("summarize", str(report), "--answer", "extractive", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "extractive" and data["path"] == str(report)
    pages = [s["pages"] for s in data["sections"]]
    assert "page 3" in pages and "page 4" in pages and "page 5" in pages
    sources = {s["n"]: s for s in data["sources"]}
    for section in data["sections"]:
        for statement in section["statements"]:
            assert statement["supported"]
            [n] = statement["citations"]
            assert statement["text"] in " ".join(sources[n]["text"].split())
    for section in data["sections"]:  # overlapping chunks repeat a sentence: quoted once
        texts = [s["text"] for s in section["statements"]]
        assert len(texts) == len(set(texts))
    plain = cli("summarize", str(report), "--answer", "extractive")
    assert plain.stdout.startswith("Summary of annual-report-2025.pdf")
    assert '" (page 4)' in plain.stdout


def test_summarize_a_file_that_is_not_indexed_says_so(cli, indexed: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stray = tmp_path / "stray.md"
    stray.write_text("# Stray\n\nNot indexed.\n")
    result = cli("summarize", str(stray), "--answer", "extractive")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        f"error: {stray} is not in the index: run `assistant ingest {stray}` first"
    )


def test_summarize_a_missing_path_says_no_such_file(cli, indexed: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A mistyped path is not an ingest the user forgot: saying "run ingest" would send
    them the wrong way."""
    missing = tmp_path / "no-such-report.pdf"
    result = cli("summarize", str(missing), "--answer", "extractive")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        f"error: {missing}: no such file, and nothing indexed under that path"
    )


@pytest.mark.slow
def test_summarize_with_the_embedded_model_checks_every_sentence(cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    report = indexed / "annual-report-2025.pdf"
    result = cli(
        "summarize", str(report), "--backend", "llamacpp", "--answer", "generative", "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "generative" and data["backend"] == "llamacpp"
    sources = {s["n"]: s for s in data["sources"]}
    statements = [st for sec in data["sections"] for st in sec["statements"]] + data["overview"]
    assert statements
    for statement in statements:
        assert statement["supported"] in (True, False)
        if statement["supported"]:
            assert all(sources[n]["page"] for n in statement["citations"])


def test_ask_with_ollama_down_says_how_to_fix(cli, indexed: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import free_port

    monkeypatch.setenv("ASSISTANT_OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    result = cli("ask", "When is Apple Day?", "--backend", "ollama")
    assert result.exit_code == 4
    assert "Ollama is not running at http://127.0.0.1:" in result.stderr
    assert "ollama serve" in result.stderr and "Traceback" not in result.stderr
