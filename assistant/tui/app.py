"""The chat app: keys and actions, and the workers that retrieve, answer and watch.

The app only composes the core (`library`, `conversation`, `models`); every slow call
runs in a thread worker, and every user error becomes a notification with its fix.
"""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Input
from textual.worker import get_current_worker

from assistant import library, models
from assistant.answer import cited_sources
from assistant.conversation import (
    Conversation,
    ConversationStore,
    Exchange,
    SavedSource,
    saved_sources,
    standalone_query,
)
from assistant.library import IndexStatus
from assistant.models.base import Backend, Cancellable
from assistant.owner.client import Owner
from assistant.retrieve import PathFilter, Retriever
from assistant.settings import Settings
from assistant.summary import summary_text
from assistant.tui.commands import AppCommands
from assistant.tui.opener import line_of, open_command
from assistant.tui.screens.conversations import ConversationsScreen
from assistant.tui.screens.folder import FolderScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.model import ModelScreen
from assistant.tui.screens.passage import PassageScreen
from assistant.tui.widgets.conversation import AnswerBox, ConversationView
from assistant.tui.widgets.sources import SourceList, SourcesPanel
from assistant.tui.widgets.status import StatusBar
from assistant.tui.widgets.welcome import Welcome
from ingest.errors import UserError
from ingest.sync import Change, SyncListener
from ingest.watch import Watcher

log = logging.getLogger(__name__)

BackendFactory = Callable[[Settings], Backend | None]  # None: extractive, no model
RetrieverFactory = Callable[[Settings], Retriever]
StatusSource = Callable[[Settings], IndexStatus]
ExamplesSource = Callable[[Settings], list[str]]
SUMMARIZE = "/summarize"  # typed in the question box: summarise a whole file
STATUS_SECONDS = 5.0
WATCH_STOP_GRACE = 4.0


class WatcherEnded(Message):
    """Posted from the watcher's thread (post_message is thread-safe; call_from_thread
    would deadlock while quitting waits for that thread)."""

    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


class _WatchListener(SyncListener):
    """Failed files become notifications; the periodic status refresh shows the rest."""

    def __init__(self, app: AssistantApp) -> None:
        self.app = app

    def file_done(self, change: Change | None) -> None:
        if change is not None and change.kind == "failed":
            self.app.notify(f"{change.path}: {change.detail}", severity="warning", markup=False)


class AssistantApp(App[None]):
    """Chat with your documents. The factories are seams for tests: the defaults are the
    real backend registry, the real index and the real status."""

    TITLE = "assistant"
    SUB_TITLE = "chat with your documents"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    COMMANDS = App.COMMANDS | {AppCommands}
    BINDINGS = [
        Binding("escape", "stop", "Stop", tooltip="Stop the answer being written"),
        Binding("ctrl+n", "new_chat", "New chat"),
        Binding("ctrl+o", "conversations", "Chats"),
        Binding("ctrl+t", "switch_model", "Model"),
        Binding("ctrl+f", "limit_folder", "Folder"),
        Binding("ctrl+g", "toggle_watch", "Watch"),
        Binding("ctrl+y", "copy_answer", "Copy"),
        Binding("ctrl+s", "focus_sources", "Sources"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    HELP_KEYS = [
        ("Enter", "ask the question in the box"),
        ("/summarize FILE", "summarise a whole indexed file, each sentence cited to its page"),
        ("Esc", "stop the answer being written (a new question does too)"),
        ("Ctrl+N", "new chat (the current one stays saved)"),
        ("Ctrl+O", "saved chats: Enter reopens, d deletes"),
        ("Ctrl+T", "switch backend or model (lists Ollama's models when it answers)"),
        ("Ctrl+F", "only answer from one folder or glob; empty for everything"),
        ("Ctrl+G", "start or stop a watcher that keeps the indexed folders current"),
        ("Ctrl+Y", "copy the selected answer (with its sources) to the clipboard"),
        ("Ctrl+S", "go to the sources of the selected answer"),
        ("Ctrl+P", "every command of the app, searchable"),
        ("F1", "this help"),
        ("Ctrl+Q", "quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        rewrite: str = "auto",
        backend_factory: BackendFactory = library.open_answerer,
        retriever_factory: RetrieverFactory = library.open_retriever,
        status_source: StatusSource = library.status,
        examples_source: ExamplesSource = library.example_questions,
        model_lister: Callable[[Settings, str], list[str]] = models.list_models,
        status_interval: float = STATUS_SECONDS,
        cursor_blink: bool = True,
        owner: Owner | None = None,
    ) -> None:
        """`owner`: the process that owns the index when another does (a `watch`, a
        `serve`): the chat retrieves through it and leaves the watching to it."""
        super().__init__()
        self.settings = settings
        self.rewrite = rewrite
        self.backend_factory = backend_factory
        self.owner = owner
        if owner is not None:
            from assistant.owner.remote import RemoteRetriever

            retriever_factory = lambda _settings: RemoteRetriever(owner)  # noqa: E731
        self.retriever_factory = retriever_factory
        self.status_source = status_source
        self.examples_source = examples_source
        self.model_lister = model_lister
        self.status_interval = status_interval
        self.cursor_blink = cursor_blink
        self.store = ConversationStore(settings.data_dir)
        self.conversation = Conversation()
        self.backend: Backend | None = None  # None once ready: quotes, no model
        self.backend_ready = False
        self.retriever: Retriever | None = None
        self.within: str | None = None
        self.path_filter: PathFilter | None = None
        self.selected: AnswerBox | None = None
        self.watcher: Watcher | None = None
        self._watch_thread: threading.Thread | None = None
        # One retriever and one backend per app, opened on whichever worker needs it first
        # (two retrievers would load the embedding model twice).
        self._retriever_lock = threading.Lock()
        self._backend_lock = threading.Lock()

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="?")
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield Welcome(id="welcome")
                yield ConversationView(id="conversation")
                yield Input(placeholder="Ask your documents…  (F1: help)", id="question")
            yield SourcesPanel(id="sources")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        question = self.query_one("#question", Input)
        question.cursor_blink = self.cursor_blink
        question.focus()
        self.query_one(SourcesPanel).show(None)
        self.open_model(self.settings)
        self.prepare_index()
        self.refresh_status()
        if self.status_interval > 0:
            self.set_interval(self.status_interval, self.refresh_status)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def welcome(self) -> Welcome:
        return self.query_one(Welcome)

    def fail(self, exc: BaseException, what: str) -> None:
        """A notification that says what to do; never a traceback on the screen."""
        if isinstance(exc, UserError):
            self.notify(str(exc), title=what, severity="error", markup=False, timeout=10)
        else:
            log.exception("%s failed", what)
            self.notify(
                f"{type(exc).__name__}: {exc} (run with --debug for details)",
                title=what,
                severity="error",
                markup=False,
                timeout=10,
            )

    # -- status ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def refresh_status(self) -> None:
        try:
            info = self.status_source(self.settings)
            examples = self.examples_source(self.settings) if self.welcome.display else []
        except Exception as exc:
            log.warning("status failed: %s", exc)
            return
        self.call_from_thread(self._show_status, info, examples)

    def _show_status(self, info: IndexStatus, examples: list[str]) -> None:
        first = self.status_bar.info is None
        self.status_bar.info = info
        self.status_bar.watcher = self._watcher_state(info)
        if self.welcome.display:
            self.welcome.show(info, examples)
        if first and not info.chunks:
            self.notify(
                "nothing is indexed yet: run `assistant ingest PATH`, then ask",
                title="Empty index",
                severity="warning",
                markup=False,
                timeout=10,
            )

    def _watcher_state(self, info: IndexStatus) -> str:
        if self.watcher is not None:
            pending = self.watcher.pending
            return f"watcher {self.watcher.state}" + (f", {pending} pending" if pending else "")
        if info.watcher is not None:
            return f"watcher pid {info.watcher.pid}"
        return "watcher off"

    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False)
    def prepare_index(self) -> None:
        """Open the index and load the embedding model before the first question, which
        then waits for neither; an empty index is reported by the status instead."""
        try:
            self._current_retriever().warm_up()
        except Exception as exc:
            log.info("index not ready yet: %s", exc)

    def _current_retriever(self) -> Retriever:
        with self._retriever_lock:
            if self.retriever is None:
                self.retriever = self.retriever_factory(self.settings)
            return self.retriever

    # -- the model ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="backend", exit_on_error=False)
    def open_model(self, settings: Settings) -> None:
        """Open a backend for `settings`; on success it replaces the current one."""
        self.call_from_thread(self._set_backend_line, f"{settings.backend}: opening …")
        try:
            with self._backend_lock:
                backend = self.backend_factory(settings)
        except Exception as exc:
            self.call_from_thread(self._backend_failed, exc)
            return
        self.call_from_thread(self._backend_ready, settings, backend)

    def _set_backend_line(self, line: str) -> None:
        self.status_bar.backend = line

    def _backend_ready(self, settings: Settings, backend: Backend | None) -> None:
        changed = self.backend_ready
        self.settings = settings
        self.backend = backend
        self.backend_ready = True
        self.status_bar.backend = self._backend_line()
        if changed:
            self.notify(f"now answering with {self._backend_line()}", markup=False)

    def _backend_line(self) -> str:
        backend = self.backend
        if backend is None:
            return "extractive · quotes, no model"
        return f"{backend.name} · {backend.model}"

    def _backend_failed(self, exc: BaseException) -> None:
        if self.backend_ready:
            self.status_bar.backend = self._backend_line()
        else:
            self.status_bar.backend = "model: not ready"
        self.fail(exc, "Model")

    def _current_backend(self) -> Backend | None:
        """The open backend (None: extractive), or one opened now (in the answer's thread)
        after a failure, so fixing the server and asking again just works."""
        with self._backend_lock:
            if not self.backend_ready:
                backend = self.backend_factory(self.settings)
                self.call_from_thread(self._backend_ready, self.settings, backend)
                return backend
            return self.backend

    def action_switch_model(self) -> None:
        """Starts from what answers now (`auto` resolved), not from what was configured:
        the setting the backend's model choice writes, else the model it answers with."""
        backend = self.backend
        name = backend.name if backend is not None else self.settings.backend
        configured = getattr(self.settings, models.model_setting(name))
        current = configured or (backend.model if backend is not None else None)
        screen = ModelScreen(name, current, lambda chosen: self.model_lister(self.settings, chosen))
        self.push_screen(screen, self._model_chosen)

    def _model_chosen(self, choice: tuple[str, str | None] | None) -> None:
        if choice is None:
            return
        self.open_model(models.with_model(self.settings, *choice))

    # -- asking ------------------------------------------------------------------------
    @on(Input.Submitted, "#question")
    async def ask_question(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.clear()
        self.action_stop()  # the worker is exclusive anyway; this also says so on screen
        command, _, argument = question.partition(" ")
        if command == SUMMARIZE and not argument.strip():
            self.notify(f"usage: {SUMMARIZE} FILE (an indexed file)", severity="warning")
            return
        self.welcome.display = False
        box = await self.query_one(ConversationView).add_question(question)
        self._select(box)
        if command == SUMMARIZE:
            self.summarize(Path(argument.strip()).expanduser(), question, box)
            return
        earlier = Conversation(exchanges=list(self.conversation.exchanges))
        self.answer(question, box, earlier, self.path_filter)

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def summarize(self, path: Path, question: str, box: AnswerBox) -> None:
        """A whole file, section by section, every sentence cited to its page."""
        try:
            backend = self._current_backend()
            self.call_from_thread(box.set_meta, f"summarising {path.name} …")
            embedder = self._current_retriever().embedder  # loaded once, for both
            result = library.summarize(self.settings, path, backend, embedder)
            statements = list(result.statements())
            exchange = Exchange(
                question,
                summary_text(result),
                question,
                saved_sources([s for s in cited_sources(result.passages, statements) if s.cited]),
                result.backend,
                result.model,
                mode=result.mode,
                statements=[s.as_dict() for s in statements],
            )
            self.call_from_thread(self._answered, box, exchange)
        except Exception as exc:
            self._fail_from_thread(box, exc, "summary")

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def answer(
        self,
        question: str,
        box: AnswerBox,
        earlier: Conversation,
        path_filter: PathFilter | None,
    ) -> None:
        """Retrieve and stream one answer. Exclusive: a new question cancels this one, and
        so does Esc; a cancelled answer stops taking tokens from the model at once."""
        worker = get_current_worker()
        try:
            backend = self._current_backend()
            retriever = self._current_retriever()
            query = standalone_query(question, earlier, backend, self.rewrite)
            if query != question:
                self.call_from_thread(box.set_meta, f"searching: {query}")
            stream = library.ask(
                self.settings,
                retriever,
                backend,
                question,
                path_filter,
                history=earlier.history(),
                query=query,
            )
            pending = Exchange.pending(question, query, stream.passages)
            writer = backend.model if backend is not None and stream.mode == "generative" else ""
            self.call_from_thread(self._retrieved, box, pending, writer)
            tokens = iter(stream)
            try:
                # A cancellable backend (see action_stop) ends its stream at once on Esc;
                # any other stops taking tokens at the next one.
                for token in tokens if not worker.is_cancelled else ():
                    if worker.is_cancelled:
                        break
                    self.call_from_thread(box.write, token)
            finally:
                # Closing the generator closes the backend's stream (and frees its lock).
                close = getattr(tokens, "close", None)
                if close is not None:
                    close()
            stopped = worker.is_cancelled
            if stopped and not stream.text.strip():
                # Nothing written yet: show that, with the passages found, rather than
                # checking an empty draft (which quoted the evidence as a "fallback").
                exchange = dataclasses.replace(
                    pending, backend=backend.name if writer and backend else "none",
                    model=writer, mode=stream.mode, stopped=True,
                )  # fmt: skip
            else:
                result = stream.finish() if stopped or stream.result is None else stream.result
                exchange = Exchange.from_answer(result, query, stopped=stopped)
            self.call_from_thread(self._answered, box, exchange)
        except Exception as exc:
            self._fail_from_thread(box, exc, "answer")

    def _fail_from_thread(self, box: AnswerBox, exc: Exception, what: str) -> None:
        """Show a worker's failure in its answer box, unless the app is closing."""
        try:
            self.call_from_thread(self._answer_failed, box, exc)
        except RuntimeError:  # the app is closing
            log.info("%s failed while closing: %s", what, exc)

    @on(Welcome.Asked)
    async def _example_asked(self, event: Welcome.Asked) -> None:
        question = self.query_one("#question", Input)
        question.value = event.question
        await question.action_submit()

    def action_summarize_prompt(self) -> None:
        """From the palette: start the command in the question box, for the file's path."""
        question = self.query_one("#question", Input)
        question.value = SUMMARIZE + " "
        question.cursor_position = len(question.value)
        question.focus()

    def _retrieved(self, box: AnswerBox, pending: Exchange, model: str) -> None:
        box.pending = pending
        box.draft_by = model
        box.set_meta(f"waiting for {model} …" if model else "quoting the evidence …")
        if self.selected is box:
            self.query_one(SourcesPanel).show(pending, answering=True)

    async def _answered(self, box: AnswerBox, exchange: Exchange) -> None:
        await box.finish(exchange)
        self.conversation.add(exchange)
        self.sub_title = self.conversation.title
        if self.selected is box:
            self.query_one(SourcesPanel).show(exchange)
        try:
            self.store.save(self.conversation)
        except OSError as exc:
            self.notify(f"could not save the conversation: {exc}", severity="warning", markup=False)

    async def _answer_failed(self, box: AnswerBox, exc: BaseException) -> None:
        await box.fail(str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}")
        self.fail(exc, "No answer")

    def action_stop(self) -> None:
        """Stop the answer now: the worker is cancelled and a cancellable backend aborts
        the generation itself, even while the model still reads the prompt (on a slow CPU
        that is many seconds, which a stop between tokens waited out)."""
        running = [w for w in self.workers if w.group == "answer" and w.is_running]
        for worker in running:
            worker.cancel()
        if running and isinstance(self.backend, Cancellable):
            self.backend.cancel()
        if running:
            for box in self.query(AnswerBox):
                if box.exchange is None and not box.has_class("-failed"):
                    box.set_meta("stopping …")

    # -- selection and sources ---------------------------------------------------------
    def _select(self, box: AnswerBox) -> None:
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = box
        box.add_class("-selected")
        if box.exchange is None and box.pending is not None:
            self.query_one(SourcesPanel).show(box.pending, answering=True)
        else:
            self.query_one(SourcesPanel).show(box.exchange)

    @on(AnswerBox.Selected)
    def _answer_selected(self, event: AnswerBox.Selected) -> None:
        self._select(event.box)

    @on(SourcesPanel.Chosen)
    def _source_chosen(self, event: SourcesPanel.Chosen) -> None:
        query = f"{event.exchange.question} {event.exchange.query}"
        self.push_screen(PassageScreen(event.source, query))

    @on(SourcesPanel.OpenRequested)
    def _open_requested(self, event: SourcesPanel.OpenRequested) -> None:
        self.open_source(event.source)

    def open_source(self, source: SavedSource) -> None:
        path = Path(source.path)
        if not path.exists():
            self.notify(
                f"{path} is no longer there: it moved or was deleted since it was indexed",
                severity="warning",
                markup=False,
            )
            return
        line = line_of(path, source.text) if path.suffix.lower() != ".pdf" else None
        command = open_command(path, source.page_start, line)
        if command is None:
            self.notify(
                f"nothing here opens {path.name}: set $EDITOR or install xdg-utils",
                severity="warning",
                markup=False,
            )
            return
        try:
            if command.in_terminal:
                with self.suspend():
                    subprocess.run(command.argv, check=False)
            else:
                subprocess.Popen(
                    command.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                self.notify(f"opened {path.name} with {command.argv[0]}", markup=False)
        except Exception as exc:  # SuspendNotSupported in a headless run, a missing program
            self.notify(f"could not open {path.name}: {exc}", severity="warning", markup=False)

    def action_focus_sources(self) -> None:
        self.query_one(SourceList).focus()

    def action_copy_answer(self) -> None:
        box = self.selected
        if box is None or box.exchange is None:
            self.notify("no answer to copy yet", severity="warning")
            return
        exchange = box.exchange
        lines = [exchange.answer, ""]
        lines += [f"[{s.n}] {s.location()}" for s in exchange.sources if s.cited]
        self.copy_to_clipboard("\n".join(lines).strip() + "\n")
        self.notify("answer copied to the clipboard")

    # -- conversations -----------------------------------------------------------------
    async def action_new_chat(self) -> None:
        self.action_stop()
        self.conversation = Conversation()
        self.sub_title = self.SUB_TITLE
        self.selected = None
        await self.query_one(ConversationView).show([])
        self.query_one(SourcesPanel).show(None)
        self.welcome.display = True
        self.refresh_status()
        self.query_one("#question", Input).focus()

    def action_conversations(self) -> None:
        current = self.conversation.id if self.conversation.exchanges else None
        self.push_screen(ConversationsScreen(self.store, current), self._reopen)

    async def _reopen(self, conversation_id: str | None) -> None:
        if not conversation_id:
            return
        try:
            conversation = self.store.load(conversation_id)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.notify(f"cannot open that conversation: {exc}", severity="error", markup=False)
            return
        self.action_stop()
        self.conversation = conversation
        self.sub_title = conversation.title
        last = await self.query_one(ConversationView).show(conversation.exchanges)
        self.welcome.display = not conversation.exchanges
        if last is not None:
            self._select(last)
        else:
            self.query_one(SourcesPanel).show(None)
        self.query_one("#question", Input).focus()

    # -- filters and the watcher -------------------------------------------------------
    def action_limit_folder(self) -> None:
        folders = self._indexed_folders()
        self.push_screen(FolderScreen(self.within, folders), self._folder_chosen)

    def _folder_chosen(self, within: str | None) -> None:
        if within is None:
            return
        self.within = within or None
        self.path_filter = PathFilter.build(self.within)
        self.status_bar.within = self.path_filter.within if self.path_filter else None
        self.notify(
            f"only answering from {self.within}" if self.within else "answering from everything"
        )

    def action_toggle_watch(self) -> None:
        if self.owner is not None:
            from ingest.store import owner

            holder = owner.holder(self.settings.data_dir)
            self.notify(
                f"process {holder.get('pid', '?')} ({holder.get('purpose', 'work')}) owns the "
                "index and keeps it current: stop it to let the chat watch your folders",
                severity="warning",
                markup=False,
            )
            return
        if self.watcher is not None:
            self.watcher.stop()
            self.status_bar.watcher = "watcher stopping …"
            return
        folders = self._indexed_folders()
        if not folders:
            self.notify(
                "no folders are indexed yet: run `assistant ingest PATH` first",
                severity="warning",
                markup=False,
            )
            return
        self._watch_thread = threading.Thread(
            target=self._run_watcher, args=(self.settings, folders), name="watcher", daemon=True
        )
        self._watch_thread.start()
        self.status_bar.watcher = "watcher starting …"

    def _indexed_folders(self) -> list[str]:
        info = self.status_bar.info
        return list(info.folders) if info is not None else []

    def _run_watcher(self, settings: Settings, folders: list[str]) -> None:
        """The in-app watcher, on its own thread, holding the one-writer lock while it runs."""
        try:
            with library.watching(settings, folders, _WatchListener(self)) as watcher:
                self.watcher = watcher
                self.notify(f"watching {', '.join(folders)}", markup=False)
                watcher.run()
        except Exception as exc:
            self.post_message(WatcherEnded(exc))
        else:
            self.post_message(WatcherEnded(None))
        finally:
            self.watcher = None

    @on(WatcherEnded)
    def _watcher_ended(self, event: WatcherEnded) -> None:
        if event.error is not None:
            self.fail(event.error, "Watcher")
        else:
            self.notify("watcher stopped")
        self.status_bar.watcher = "watcher off"
        self.refresh_status()

    def stop_watcher(self) -> None:
        watcher, thread = self.watcher, self._watch_thread
        if watcher is not None:
            watcher.stop()
        if thread is not None:
            thread.join(timeout=WATCH_STOP_GRACE)

    async def action_quit(self) -> None:
        self.action_stop()
        self.stop_watcher()
        self.exit()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.HELP_KEYS))
