"""The default install has no model and still answers, by quoting; `doctor` and
`ask --help` say which ways of answering the install has and how to get the others.

"Not installed" is made real for this process: `sys.modules["llama_cpp"] = None` makes
`import llama_cpp` fail and `find_spec` find nothing, as in a venv without the extra.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import free_port

from assistant import library
from assistant.errors import BackendError
from assistant.models.ways import auto_has_no_model, embedded_missing, installed_ways
from assistant.settings import Settings


@pytest.fixture
def no_llama_cpp(monkeypatch: pytest.MonkeyPatch) -> None:
    """llama-cpp-python is not installed, and no Ollama answers."""
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setenv("ASSISTANT_OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")


def test_auto_quotes_when_the_install_has_no_model(no_llama_cpp: None) -> None:
    settings = Settings(ollama_host=f"http://127.0.0.1:{free_port()}")
    assert "llama-cpp-python is not installed" in auto_has_no_model(settings)
    assert library.open_answerer(settings) is None


def test_a_model_asked_for_by_name_still_fails_with_the_fix(no_llama_cpp: None) -> None:
    """Only `auto` falls back to quoting: a backend or a model file chosen on purpose that
    cannot load is an error that says what to install."""
    writing = Settings(answer_mode="generative")
    for settings in (writing.replace(backend="llamacpp"), Settings(model_path="/models/big.gguf")):
        assert auto_has_no_model(settings) == ""
        with pytest.raises(BackendError, match="needs llama-cpp-python|does not exist"):
            library.open_answerer(settings)


def test_the_embedded_model_is_a_way_when_its_library_and_file_are_here(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"\0" * 64)
    settings = Settings(model_path=str(gguf))
    assert embedded_missing(settings) == ""
    [quotes, embedded] = installed_ways(settings)
    assert quotes.here and embedded.here and "model.gguf" in embedded.detail
    missing = Settings(model_path=str(tmp_path / "none.gguf"))
    assert "does not exist" in embedded_missing(missing)


def test_the_first_quick_start_command_answers_without_llama_cpp(
    cli, docs: Path, no_llama_cpp: None
) -> None:  # type: ignore[no-untyped-def]
    """The README's first command on an install without the llamacpp extra: it indexes
    and answers, quoting the price with its page (it exited 4 before: "no model file")."""
    assert cli("ingest", str(docs), "--quiet").exit_code == 0
    result = cli("ask", "How much did the new cider press cost?", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "extractive" and data["backend"] == "none"
    assert "3,275 pounds" in data["answer"]
    plain = cli("ask", "How much did the new cider press cost?")
    assert plain.exit_code == 0 and "quotes from the documents" in plain.stderr


def test_doctor_passes_and_says_how_to_get_a_model(cli, docs: Path, no_llama_cpp: None) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(docs / "handbook.md"), "--quiet").exit_code == 0
    result = cli("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["backend"]["ok"]
    assert "no model on this install, so answers quote" in checks["backend"]["detail"]
    embedded = checks["answer by embedded model"]["detail"]
    assert embedded.startswith("not here: llama-cpp-python is not installed")
    assert "local-doc-assistant[llamacpp]" in embedded
    assert checks["answer by quotes"]["detail"].startswith("here: ")
    assert "ollama pull" in checks["answer by Ollama"]["detail"]
    assert "--backend openai" in checks["answer by OpenAI-compatible server"]["detail"]
    assert "--model-path FILE.gguf" in checks["answer by a GGUF file"]["detail"]
    assert all(c["ok"] for n, c in checks.items() if n.startswith("answer by"))


def test_ask_help_lists_the_ways_of_answering(cli, no_llama_cpp: None) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Ways of answering on this install:" in text
    assert "quotes: yes" in text
    assert "embedded model: no, llama-cpp-python is not installed" in text
    assert "pip install 'local-doc-assistant[llamacpp]'" in text
    assert "Ollama" in text and "--backend openai" in text and "--model-path" in text
