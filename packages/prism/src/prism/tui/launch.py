"""Launching from the TUI: a template and a name, then the launch's progress bar, fed by the
same progress stream (and the same reconnecting follower) as `prism launch`."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar

from groundwork.errors import ToolError
from prism.tui.base import client_of, done, explain

if TYPE_CHECKING:
    from prism.workstations.results import LaunchResult, ProgressUpdate

__all__ = ["LaunchScreen"]


class LaunchScreen(ModalScreen[str | None]):
    """Dismissed with the launched workstation's name, or None when closed before a launch."""

    DEFAULT_CSS = """
    LaunchScreen { align: center middle; }
    LaunchScreen > Vertical { width: 80; height: auto; border: thick $accent; padding: 1 2; }
    LaunchScreen Horizontal { height: auto; margin-top: 1; }
    LaunchScreen ProgressBar { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.launched: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Launch a workstation (templates: prism templates list)")
            yield Input(placeholder="template, e.g. ubuntu-server", id="template")
            yield Input(placeholder="name of the new workstation", id="name")
            yield Input(placeholder="size (optional): XS S M L XL", id="size")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Label("", id="stage")
            with Horizontal():
                yield Button("Launch", variant="primary", id="launch")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#template", Input).focus()

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

    def start(self) -> None:
        template = self.query_one("#template", Input).value.strip()
        name = self.query_one("#name", Input).value.strip()
        size = self.query_one("#size", Input).value.strip().upper() or None
        if not (template and name):
            self.stage("A template and a name are both needed.", error=True)
            return
        self.query_one("#launch", Button).disabled = True
        self.stage(f"Launching {name} from {template}...")
        self.follow(template, name, size)

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
        self.stage(f"Launched {ws.name}: {ws.state.value}. {result.notice or ''}".strip())

    def failed(self, text: str) -> None:
        self.query_one("#launch", Button).disabled = False
        self.stage(text, error=True)

    @work(thread=True, exclusive=True, group="launch")
    def follow(self, template: str, name: str, size: str | None) -> None:
        from prism.cli.launch import template_path
        from prism.daemon.follow import follow_launch
        from prism.workstations.results import LaunchResult

        client = client_of(self.app)
        body: dict[str, object] = {
            "template": template,
            "name": name,
            "size": size,
            "params": {},
            "wait": True,
            "template_dirs": template_path(),
        }

        def progressed(update: ProgressUpdate) -> None:
            self.app.call_from_thread(self.progressed, update)

        def reconnecting(reason: str, attempt: int) -> None:
            self.app.call_from_thread(self.stage, f"Lost the progress ({reason}); reconnecting")

        try:
            client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
            result = follow_launch(client, name, on_progress=progressed, on_reconnect=reconnecting)
        except ToolError as exc:
            self.app.call_from_thread(self.failed, explain(exc))
            return
        self.app.call_from_thread(self.ended, result)
