"""Switch the backend or the model: lists what the chosen backend serves, when it answers."""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from assistant.models import AUTO, backend_names
from ingest.errors import UserError
from ingest.words import plural

ModelLister = Callable[[str], list[str]]


class ModelScreen(ModalScreen[tuple[str, str | None] | None]):
    """Dismisses with (backend, model or None for the backend's default), or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, backend: str, model: str | None, list_models: ModelLister) -> None:
        super().__init__()
        self.choices = [AUTO, *backend_names()]
        self.backend = backend if backend in self.choices else AUTO
        self.model = model
        self.list_models = list_models

    def compose(self) -> ComposeResult:
        with Vertical(id="model-dialog"):
            yield Label("Backend and model", id="model-title")
            yield Select(
                [(name, name) for name in self.choices],
                value=self.backend,
                allow_blank=False,
                id="backend-select",
            )
            yield Label("", id="model-hint")
            yield OptionList(id="model-list")
            yield Input(
                self.model or "",
                placeholder="model name (or file, for a backend that loads one); empty: default",
                id="model-input",
            )
            with Horizontal(id="model-buttons"):
                yield Button("Use", variant="primary", id="model-use")
                yield Button("Cancel", id="model-cancel")

    def on_mount(self) -> None:
        self.query_one("#model-input", Input).focus()
        self._load(self.backend)

    @on(Select.Changed, "#backend-select")
    def _backend_changed(self, event: Select.Changed) -> None:
        self.backend = str(event.value)
        self._load(self.backend)

    @work(thread=True, exclusive=True, group="models", exit_on_error=False)
    def _load(self, backend: str) -> None:
        """Asking a server for its models can take a moment; the dialog stays usable."""
        self.app.call_from_thread(self._show_models, [], "asking for models …")
        try:
            models = self.list_models(backend)
            hint = plural(len(models), "model") if models else "no models listed: type a name"
        except UserError as exc:
            models, hint = [], str(exc)
        except Exception as exc:  # a listing is a convenience; never take the app down
            models, hint = [], f"could not list models: {exc}"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_models, models, hint)

    def _show_models(self, models: list[str], hint: str) -> None:
        self.query_one("#model-hint", Label).update(hint)
        listing = self.query_one("#model-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(m, id=m) for m in models])

    @on(OptionList.OptionSelected, "#model-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#model-input", Input).value = str(event.option_id)
        self._use()

    @on(Input.Submitted, "#model-input")
    @on(Button.Pressed, "#model-use")
    def _use(self) -> None:
        model = self.query_one("#model-input", Input).value.strip() or None
        self.dismiss((self.backend, model))

    @on(Button.Pressed, "#model-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
