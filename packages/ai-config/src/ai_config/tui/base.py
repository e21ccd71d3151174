"""What every pane of the TUI shares: the ai-config home, and how an action's outcome (or its
error, with what to do) is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from groundwork.errors import ToolError

if TYPE_CHECKING:
    from textual.app import App

    from ai_config.tui.app import AiConfigApp

__all__ = ["attempt", "home_of", "say"]

T = TypeVar("T")


def home_of(app: App[object]) -> Path:
    return cast("AiConfigApp", app).home


def say(app: App[object], text: str, *, error: bool = False) -> None:
    """The message line under the panes (and a notification): what just happened."""
    from textual.widgets import Static

    app.query_one("#message", Static).update(text)
    app.notify(text, severity="error" if error else "information")


def attempt(app: App[object], action: Callable[[], T]) -> T | None:
    """Run an action; a ToolError is shown with its first suggestion instead of ending the TUI."""
    try:
        return action()
    except ToolError as exc:
        hint = f" {exc.suggestions[0]}" if exc.suggestions else ""
        say(app, f"{exc.message}{hint}", error=True)
        return None
