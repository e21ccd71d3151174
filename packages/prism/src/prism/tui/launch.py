"""Launching from the TUI: a template picked from prismd's list, its parameters as a form, a
name, a size and an architecture, then the launch's progress bar, fed by the same progress
stream (and the same reconnecting follower) as `prism launch`."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Select

from groundwork.errors import ToolError
from prism.choices import Arch, Size
from prism.tui.base import client_of, done, explain
from prism.tui.parameters import ParameterForm

if TYPE_CHECKING:
    from prism.templates.offered import TemplateSummary
    from prism.workstations.results import LaunchResult, ProgressUpdate

__all__ = ["TEMPLATES_PATH", "LaunchScreen"]

TEMPLATES_PATH = "/api/v1/dashboard/templates"
"""prismd's templates with their parameters (the dashboard's launch form reads it too)."""


class LaunchScreen(ModalScreen[str | None]):
    """Dismissed with the launched workstation's name, or None when closed before a launch."""

    DEFAULT_CSS = """
    LaunchScreen { align: center middle; }
    LaunchScreen > VerticalScroll { width: 90; height: auto; max-height: 90%;
        border: thick $accent; padding: 1 2; }
    LaunchScreen Horizontal { height: auto; margin-top: 1; }
    LaunchScreen ProgressBar { margin-top: 1; }
    LaunchScreen #about { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.launched: str | None = None
        self.templates: dict[str, TemplateSummary] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Launch a workstation")
            yield Select[str]([], prompt="loading templates from prismd...", id="template")
            yield Label("", id="about")
            yield Vertical(id="parameters")
            yield Input(placeholder="name of the new workstation", id="name")
            with Horizontal():
                yield Select(
                    [(s.value, s.value) for s in Size],
                    prompt="size: the template's default",
                    id="size",
                )
                yield Select(
                    [(a.value, a.value) for a in Arch],
                    prompt="arch: the template's own",
                    id="arch",
                )
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Label("", id="stage")
            with Horizontal():
                yield Button("Launch", variant="primary", id="launch")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#template", Select).focus()
        self.load_templates()

    @work(thread=True, group="templates")
    def load_templates(self) -> None:
        from prism.templates.offered import TemplateSummaryList

        try:
            offered = client_of(self.app).call("GET", TEMPLATES_PATH, TemplateSummaryList)
        except ToolError as exc:
            self.app.call_from_thread(self.stage, explain(exc), error=True)
            return
        self.app.call_from_thread(self.offer, offered.templates)

    def offer(self, templates: list[TemplateSummary]) -> None:
        self.templates = {t.slug: t for t in templates}
        picker = self.query_one("#template", Select)
        picker.set_options((f"{t.name} ({t.slug})", t.slug) for t in templates)
        picker.prompt = "template"

    @on(Select.Changed, "#template")
    async def picked(self, event: Select.Changed) -> None:
        """The picked template's description and its parameters, each with its default."""
        chosen = self.templates.get(str(event.value))
        holder = self.query_one("#parameters", Vertical)
        await holder.remove_children()
        self.query_one("#about", Label).update(chosen.description if chosen else "")
        if chosen is not None:
            await holder.mount(ParameterForm(chosen.parameters, id="parameter-form"))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "launch":
            self.start()
        else:
            self.action_close()

    def action_close(self) -> None:
        """Closing stops watching, never the launch: it goes on in prismd."""
        self.dismiss(self.launched)

    def chosen(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL else str(value)

    def start(self) -> None:
        template = self.chosen("#template")
        name = self.query_one("#name", Input).value.strip()
        if not (template and name):
            self.stage("Pick a template and give a name.", error=True)
            return
        forms = self.query(ParameterForm)
        params = forms.first().values() if forms else {}
        self.query_one("#launch", Button).disabled = True
        self.stage(f"Launching {name} from {template}...")
        body: dict[str, object] = {
            "template": template,
            "name": name,
            "size": self.chosen("#size"),
            "arch": self.chosen("#arch"),
            "params": params,
            "wait": True,
        }
        self.follow(body)

    def stage(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#stage", Label)
        label.update(text)
        label.set_class(error, "error")

    def progressed(self, update: ProgressUpdate) -> None:
        self.query_one("#progress", ProgressBar).update(progress=update.percent)
        eta = update.eta_seconds
        left = f", ~{eta:.0f}s left" if eta and not update.finished else ""
        self.stage(f"{update.current or ('done' if update.finished else '')}{left}")

    def ended(self, result: LaunchResult) -> None:
        ws = result.workstation
        self.launched = ws.name
        done(self.app, f"launch {ws.name}")
        self.query_one("#progress", ProgressBar).update(progress=100)
        self.stage(
            f"Launched {ws.name}: {ws.state.value} ({ws.instance_type}, {ws.architecture})."
            f" {result.notice or ''}".strip()
        )

    def failed(self, text: str) -> None:
        self.query_one("#launch", Button).disabled = False
        self.stage(text, error=True)

    @work(thread=True, exclusive=True, group="launch")
    def follow(self, body: dict[str, object]) -> None:
        from prism.cli.launch import template_path
        from prism.daemon.follow import follow_launch
        from prism.workstations.results import LaunchResult

        client = client_of(self.app)
        name = str(body["name"])

        def progressed(update: ProgressUpdate) -> None:
            self.app.call_from_thread(self.progressed, update)

        def reconnecting(reason: str, attempt: int) -> None:
            self.app.call_from_thread(self.stage, f"Lost the progress ({reason}); reconnecting")

        try:
            sent = {**body, "template_dirs": template_path()}
            client.call("POST", "/api/v1/workstations", LaunchResult, body=sent)
            result = follow_launch(client, name, on_progress=progressed, on_reconnect=reconnecting)
        except ToolError as exc:
            self.app.call_from_thread(self.failed, explain(exc))
            return
        self.app.call_from_thread(self.ended, result)
