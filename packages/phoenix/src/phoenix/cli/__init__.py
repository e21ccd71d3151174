"""The `phoenix` command line.

Each command group lives in its own module, imported when the command line names it, so
`phoenix --version` loads no command and `phoenix pipeline list` loads only the pipeline
commands: their result models (pydantic), the engine and the service base are what start-up
time goes on. `--help` and shell completion still see every command.
"""

from collections.abc import Iterator, Mapping, MutableMapping
from importlib import import_module
from typing import Any

import typer
from typer._click import Command
from typer.core import TyperGroup

from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry
from phoenix import __version__
from phoenix.home import ENV_VAR

_MODULES = {
    "pipeline": "phoenix.cli.pipeline",
    "experiment": "phoenix.cli.experiment",
    "loadsim": "phoenix.cli.loadsim",
    "agent": "phoenix.cli.agent",
    "server": "phoenix.cli.server",
}
"""Command name -> the module whose `app` (a Typer) implements it."""


class _Commands(MutableMapping[str, Command]):
    """The root's commands: the names known up front, each module imported on first lookup."""

    def __init__(self, loaded: Mapping[str, Command]) -> None:
        self._loaded = dict(loaded)

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded and name in _MODULES:
            command = typer.main.get_command(import_module(_MODULES[name]).app)
            command.name = name
            self._loaded[name] = command
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in _MODULES or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*_MODULES, *self._loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*_MODULES, *self._loaded]))

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]


class _LazyGroup(TyperGroup):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Commands(self.commands)


def _checks() -> HealthRegistry:
    from phoenix.doctor import checks

    return checks()


app = make_app(
    "phoenix",
    __version__,
    "Cut the cost of host process metrics: pipelines, A/B experiments and a load simulator."
    "\n\nExamples:"
    "\n\n  phoenix loadsim start --profile high-cardinality"
    "\n\n  phoenix experiment create trial --candidate process-topk-v1 --duration 2m"
    "\n\n  phoenix experiment compare trial -o html --out report.html"
    "\n\n  phoenix pipeline render process-topk-v1 --format k8s",
)
app.info.cls = _LazyGroup
add_doctor_command(app, "phoenix", _checks)


def main() -> None:
    run(app, tool="phoenix", home_env=ENV_VAR)
