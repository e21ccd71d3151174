"""Command groups imported when they are used, so `<tool> --version` or one read command does
not pay for every other command (their result models, their libraries).

Typer turns every registered command into a click command up front, evaluating each signature
and so importing each result model; a group listed here stays a module name until the command
line names it (or `--help` or shell completion lists it).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, ClassVar

import typer
from typer._click import Command  # the command type typer's own groups hold
from typer.core import TyperGroup

__all__ = ["lazy_group"]


class _Commands(MutableMapping[str, Command]):
    """A group's commands: those built already, and modules to build the others from."""

    def __init__(self, built: MutableMapping[str, Command], lazy: Mapping[str, str]) -> None:
        self._built = dict(built)
        self._lazy = {name: module for name, module in lazy.items() if name not in built}
        self._order = [*self._lazy, *self._built]  # as help lists them: the lazy ones first

    def __getitem__(self, name: str) -> Command:
        if name not in self._built and name in self._lazy:
            module, _, attribute = self._lazy.pop(name).partition(":")
            app: typer.Typer = getattr(importlib.import_module(module), attribute or "app")
            command = typer.main.get_command(app)
            command.name = name
            self._built[name] = command
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._lazy.pop(name, None)
        self._built[name] = command
        if name not in self._order:
            self._order.append(name)

    def __delitem__(self, name: str) -> None:
        if self._lazy.pop(name, None) is None:
            del self._built[name]
        self._order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._built) + len(self._lazy)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._lazy


class LazyGroup(TyperGroup):
    """A Typer group some of whose commands come from modules (``module`` or ``module:app``)."""

    lazy_commands: ClassVar[Mapping[str, str]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands, self.lazy_commands)


def lazy_group(commands: Mapping[str, str]) -> type[LazyGroup]:
    """A group class whose ``commands`` (name -> module) are imported on first use."""
    return type("LazyCommandsGroup", (LazyGroup,), {"lazy_commands": dict(commands)})
