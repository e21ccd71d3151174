"""The MCP catalog: browse and search it (and a registry, when one is configured), install a
server into yours, or add one from pasted JSON, entering the secrets it needs (those it
refers to as ``${secret:NAME}``) in masked fields. Each goes through `ai-config mcp`'s
functions: encrypted, backed up, audited."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, TextArea

from ai_config.mcp import actions
from ai_config.mcp.catalog import McpCatalog
from ai_config.tui.base import attempt, home_of, say

__all__ = ["McpPane"]


class McpPane(Vertical):
    BINDINGS = [Binding("slash", "search", "Search")]

    def __init__(self) -> None:
        super().__init__(id="mcp-pane")
        self.needed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search: words in names, descriptions, commands", id="mcp-search")
        yield DataTable(id="mcp-list", cursor_type="row")
        with Horizontal(classes="buttons"):
            yield Button("Install", id="mcp-install", variant="primary")
            yield Button("Add pasted JSON", id="mcp-add")
        with Horizontal(id="secret-row", classes="hidden"):
            yield Label("", id="secret-name")
            yield Input(password=True, placeholder="value (hidden)", id="secret-value")
            yield Button("Store secret", id="secret-store")
        yield TextArea(
            id="mcp-paste",
            placeholder='Paste a server\'s JSON; write a secret as "${secret:NAME}" to type it'
            " hidden after Add",
        )

    def on_mount(self) -> None:
        self.query_one("#mcp-list", DataTable).add_columns("name", "from", "command", "description")
        self.refresh_servers()

    def _catalog(self) -> McpCatalog:
        return McpCatalog(home_of(self.app))

    def refresh_servers(self) -> None:
        query = self.query_one("#mcp-search", Input).value.strip() or None
        found = attempt(self.app, lambda: actions.available(self._catalog(), query, None))
        table = self.query_one("#mcp-list", DataTable)
        table.clear()
        if found is None:
            return
        servers, notice = found
        for server in servers:
            table.add_row(
                server.name,
                server.origin,
                actions.command_line(server),
                str(server.definition.get("description", "")),
                key=server.name,
            )
        if notice:
            say(self.app, notice)

    def action_search(self) -> None:
        self.query_one("#mcp-search", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "mcp-search":
            self.refresh_servers()

    def _selected(self) -> str | None:
        table = self.query_one("#mcp-list", DataTable)
        if table.row_count == 0:
            return None
        return str(table.get_row_at(table.cursor_row)[0])

    def _install(self) -> None:
        name = self._selected()
        if name is None:
            return
        done = attempt(self.app, lambda: actions.install(self._catalog(), name, None, force=False))
        if done is None:
            return
        server, self.needed = done
        say(
            self.app,
            f"Installed {server.name}."
            + (f" It needs: {', '.join(self.needed)}." if self.needed else ""),
        )
        self._ask_next_secret()
        self.refresh_servers()

    def _ask_next_secret(self) -> None:
        row = self.query_one("#secret-row", Horizontal)
        if not self.needed:
            row.add_class("hidden")
            return
        self.query_one("#secret-name", Label).update(f"Secret {self.needed[0]}:")
        value = self.query_one("#secret-value", Input)
        value.value = ""
        row.remove_class("hidden")
        value.focus()

    def _store_secret(self) -> None:
        if not self.needed:
            return
        key = self.needed[0]
        value = self.query_one("#secret-value", Input).value
        if not value:
            say(self.app, f"Type the value of {key} first.", error=True)
            return

        def store() -> bool:
            actions.set_secret(self._catalog(), key, value)
            return True

        if attempt(self.app, store):
            self.needed.pop(0)
            say(self.app, f"Stored secret {key} (encrypted).")
            self._ask_next_secret()

    def _add(self) -> None:
        text = self.query_one("#mcp-paste", TextArea).text
        added = attempt(
            self.app, lambda: actions.add(self._catalog(), text, None, force=False, public=())
        )
        if added:
            catalog = self._catalog()
            self.needed = sorted({n for s in added for n in catalog.needed_secrets(s.definition)})
            say(self.app, "Added: " + ", ".join(s.name for s in added))
            self._ask_next_secret()
            self.refresh_servers()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "secret-value":
            self._store_secret()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        handlers = {
            "mcp-install": self._install,
            "mcp-add": self._add,
            "secret-store": self._store_secret,
        }
        handler = handlers.get(event.button.id or "")
        if handler is not None:
            handler()
