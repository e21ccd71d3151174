"""What every pane of the TUI shares: the daemon client, and how an action's outcome (or its
error, with what to do) is shown instead of ending the TUI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from groundwork.errors import ToolError

if TYPE_CHECKING:
    from textual.app import App

    from prism.daemon.client import DaemonClient
    from prism.tui.app import PrismApp

__all__ = ["client_of", "done", "explain", "say"]


def client_of(app: App[Any]) -> DaemonClient:
    return cast("PrismApp", app).client


def done(app: App[Any], action: str) -> None:
    """An action that happened, for the session's record."""
    cast("PrismApp", app).session.actions.append(action)


def explain(exc: ToolError) -> str:
    """The error's message with its first suggestion: what went wrong and what to do."""
    hint = f" {exc.suggestions[0]}" if exc.suggestions else ""
    return f"{exc.message}{hint}"


def say(app: App[Any], text: str, *, error: bool = False) -> None:
    """The message line under the panes, and a notification when it says something new (a
    poll failing every few seconds notifies once)."""
    from textual.widgets import Static

    line = app.query_one("#message", Static)
    if str(line.render()) != text:
        app.notify(text, severity="error" if error else "information")
    line.update(text)
