"""A template's parameters as a form in the launch screen: a list to pick from for a choice,
a field for anything else, each filled with its default, so a launch from the TUI can set what
`prism launch --param KEY=VALUE` sets."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from prism.templates.offered import ParameterChoice

__all__ = ["ParameterForm"]


class ParameterForm(Vertical):
    DEFAULT_CSS = """
    ParameterForm { height: auto; }
    ParameterForm Label { margin-top: 1; }
    """

    def __init__(self, parameters: list[ParameterChoice], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parameters = parameters

    def compose(self) -> ComposeResult:
        if not self.parameters:
            yield Label("This template has no parameters.", classes="none")
        for p in self.parameters:
            about = f": {p.description}" if p.description else ""
            required = " (required)" if p.required else ""
            yield Label(f"{p.label}{required}{about}")
            if p.choices:
                yield Select(
                    [(c, c) for c in p.choices],
                    value=p.default if p.default in p.choices else Select.NULL,
                    allow_blank=not p.required or p.default not in p.choices,
                    id=f"param-{p.name}",
                )
            else:
                yield Input(
                    value=p.default or "", placeholder=p.type, id=f"param-{p.name}", name=p.name
                )

    def values(self) -> dict[str, str]:
        """What is set: an emptied optional field leaves the template's default to prismd."""
        found = {}
        for p in self.parameters:
            widget = self.query_one(f"#param-{p.name}")
            if isinstance(widget, Select):
                value = "" if widget.value is Select.NULL else str(widget.value)
            else:
                value = widget.value.strip() if isinstance(widget, Input) else ""
            if value:
                found[p.name] = value
        return found
