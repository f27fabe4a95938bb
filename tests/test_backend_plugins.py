"""A backend is one file: a throwaway one (tests/echo_backend.py), registered here, answers
through the real CLI (`ask --backend echo`), is checked by the real `doctor`, and is listed
and opened by the chat's model screen, with no line of the project naming it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import echo_backend
import pytest
from textual.widgets import Select

from assistant import models
from assistant.models import REGISTERED, backend_names, backend_plugin
from assistant.settings import load_settings
from assistant.tui.app import AssistantApp
from assistant.tui.screens.model import ModelScreen

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(REGISTERED, "echo", echo_backend)
    yield


@pytest.fixture
def handbook(cli, docs: Path) -> Path:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(docs / "handbook.md"), "--quiet")
    assert result.exit_code == 0, result.stderr
    return docs / "handbook.md"


def test_the_registry_finds_every_backend_module_by_its_file_name() -> None:
    modules = (ROOT / "assistant" / "models").glob("*_backend.py")
    found = sorted(p.stem.removesuffix("_backend") for p in modules)
    assert sorted(backend_names()) == found == ["llamacpp", "ollama", "openai"]
    for name in found:
        plugin = backend_plugin(name)
        assert plugin.MODEL_SETTING in ("model", "model_path")
        assert callable(plugin.from_settings) and callable(plugin.list_models)
        assert callable(plugin.model_file)


def test_ask_answers_with_a_registered_backend(cli, echo, handbook: Path) -> None:  # type: ignore[no-untyped-def]
    assert "echo" in backend_names()
    result = cli("ask", "How much does membership cost?", "--backend", "echo", "--json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["backend"], answer["model"]) == ("echo", "echo-1")
    assert answer["draft"].startswith("The documents say: ") and not answer["fallback"]
    statements = answer["statements"]
    assert statements and all(s["supported"] for s in statements), "it quotes its evidence"
    cited = [s for s in answer["sources"] if s["cited"]]
    assert cited and all(s["path"] == str(handbook) for s in cited)


def test_an_unregistered_name_is_refused_with_the_names_there_are(cli, handbook: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", "How much does membership cost?", "--backend", "echo")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown backend 'echo': use one of auto, ")


def test_doctor_checks_a_registered_backend(cli, echo, handbook: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_BACKEND", "echo")
    checks = {c["name"]: c for c in json.loads(cli("doctor", "--json").stdout)["checks"]}
    assert checks["backend"] == {
        "name": "backend",
        "ok": True,
        "detail": "echo: model echo-1 answers in the test",
        "fix": "",
    }


async def test_the_model_screen_lists_and_opens_a_registered_backend(echo) -> None:  # type: ignore[no-untyped-def]
    """The real registry behind the screen and the real factory behind the app."""
    settings = load_settings().replace(backend="echo")
    app = AssistantApp(settings, status_interval=0, cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        assert app.backend is not None and (app.backend.name, app.backend.model) == (
            "echo",
            "echo-1",
        )
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ModelScreen)
        assert screen.query_one("#backend-select", Select).value == "echo"
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one("#model-list").option_count == len(echo_backend.MODELS)
        screen.query_one("#model-input").value = "echo-2"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.backend is not None and (app.backend.name, app.backend.model) == (
            "echo",
            "echo-2",
        )
        assert app.settings.model == "echo-2"
        assert not models.can_rewrite(app.backend)
