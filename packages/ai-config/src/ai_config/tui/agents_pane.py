"""Agents: the list, a form to create or edit one (prompt file, resources with a live count of
the library files they match, MCP servers checked against the catalog), export to chosen
targets with the dry run's diff shown first, and the exports to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, SelectionList, Static, TextArea

from ai_config.agents.model import Agent, new_agent
from ai_config.agents.names import agent_name
from ai_config.agents.store import AgentStore
from ai_config.exports.names import ExportTarget
from ai_config.exports.writer import ExportPlan
from ai_config.library.store import Effective, Library
from ai_config.mcp.catalog import McpCatalog
from ai_config.tui.base import attempt, home_of, say

__all__ = ["AgentsPane", "split"]


def split(text: str) -> list[str]:
    """Comma-separated entries as typed in the form."""
    return [part.strip() for part in text.split(",") if part.strip()]


class AgentsPane(Horizontal):
    def __init__(self) -> None:
        super().__init__(id="agents-pane")
        self.plan: ExportPlan | None = None
        self._effective: Effective | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="agents-left"):
            yield DataTable(id="agent-list", cursor_type="row")
            yield Label("Exports to look at", classes="heading")
            yield Static(id="stale-exports")
        with VerticalScroll(id="agent-form"):
            yield Input(placeholder="name", id="agent-name")
            yield Input(placeholder="description", id="agent-description")
            yield Input(placeholder="prompt: text, or a library .md path", id="agent-prompt")
            yield Input(placeholder="resources: globs, comma-separated", id="agent-resources")
            yield Label("", id="agent-matches")
            yield Input(placeholder="MCP servers, comma-separated", id="agent-mcp")
            yield Label("", id="agent-mcp-check")
            yield Button("Save agent", id="agent-save")
            yield SelectionList[str](*((t.value, t.value) for t in ExportTarget), id="targets")
            yield Input(placeholder="project folder (empty: each tool's global place)", id="dest")
            with Horizontal(classes="buttons"):
                yield Button("Dry run", id="export-dry-run")
                yield Button("Export", id="export-run", variant="primary", disabled=True)
            yield TextArea(id="export-preview", read_only=True)

    def on_mount(self) -> None:
        self.query_one("#agent-list", DataTable).add_columns("name", "description", "resources")
        self.refresh_agents()

    def _store(self) -> AgentStore:
        return AgentStore(Library(home_of(self.app)))

    def refresh_agents(self) -> None:
        table = self.query_one("#agent-list", DataTable)
        table.clear()
        lib = Library(home_of(self.app))
        if not lib.initialised:
            return
        for agent in attempt(self.app, lambda: self._store().list()) or []:
            table.add_row(agent.name, agent.description or "", str(len(agent.resources)))
        self._refresh_stale()

    def _refresh_stale(self) -> None:
        from ai_config.exports.check import stale_exports

        stale = attempt(self.app, lambda: stale_exports(home_of(self.app))) or []
        lines = [f"{e.state}: {e.path} ({e.agent})" for e in stale]
        self.query_one("#stale-exports", Static).update("\n".join(lines) or "none")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        name = str(event.data_table.get_row_at(event.cursor_row)[0])
        agent = attempt(self.app, lambda: self._store().get(name))
        if agent is None:
            return
        fields = {
            "#agent-name": agent.name,
            "#agent-description": agent.description or "",
            "#agent-prompt": agent.prompt or "",
            "#agent-resources": ", ".join(agent.resources),
            "#agent-mcp": ", ".join(s for s in agent.mcp_servers if isinstance(s, str)),
        }
        for selector, value in fields.items():
            self.query_one(selector, Input).value = value

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "agent-resources":
            self._count_matches()
        elif event.input.id == "agent-mcp":
            self._check_servers()
        if event.input.id in ("agent-name", "dest"):
            self._drop_plan()

    def _count_matches(self) -> None:
        label = self.query_one("#agent-matches", Label)
        patterns = [p for p in split(self._value("#agent-resources")) if "://" not in p]
        if not patterns:
            label.update("")
            return
        lib = Library(home_of(self.app))
        if self._effective is None:
            self._effective = attempt(self.app, lib.effective)
        if self._effective is None:
            return
        matched = {rel for p in patterns for rel in self._effective.matching(p)}
        empty = [p for p in patterns if not self._effective.matching(p)]
        note = f"; nothing matches {', '.join(empty)}" if empty else ""
        files = (
            "1 library file matches" if len(matched) == 1 else f"{len(matched)} library files match"
        )
        label.update(f"{files}{note}")

    def _check_servers(self) -> None:
        catalog = McpCatalog(home_of(self.app))
        names = {s.name for s in catalog.servers()}
        wanted = split(self._value("#agent-mcp"))
        unknown = [n for n in wanted if n not in names]
        self.query_one("#agent-mcp-check", Label).update(
            f"not in the catalog: {', '.join(unknown)}" if unknown else ""
        )

    def _agent(self) -> Agent | None:
        name = attempt(self.app, lambda: agent_name(self._value("#agent-name")))
        if name is None:
            return None
        changes: dict[str, Any] = {
            "description": self._value("#agent-description") or None,
            "prompt": self._value("#agent-prompt") or None,
            "resources": split(self._value("#agent-resources")),
            "mcpServers": split(self._value("#agent-mcp")),
        }
        existing = next((a for a in self._store().list() if a.name == name), None)
        if existing is None:
            return new_agent(
                name,
                description=changes["description"] or "",
                prompt=changes["prompt"] or "",
                resources=changes["resources"],
                mcp_servers=changes["mcpServers"],
            )
        kept = existing.model_dump(by_alias=True, exclude_unset=True)
        return Agent.model_validate({**kept, **changes})

    def _save(self) -> None:
        agent = self._agent()
        if agent is None:
            return
        store = self._store()
        is_new = not any(a.name == agent.name for a in store.list())

        def save() -> Path:
            store.resolve(agent, McpCatalog(home_of(self.app)))  # as agent create checks it
            if not is_new:
                file = store.file(agent.name)
                if file.origin == "base":
                    # As `agent edit` does: your copy records the base revision it came from,
                    # so updates merge into it.
                    store.library.edit(file.path, open_editor=False)
            return store.save(agent, new=is_new)

        if attempt(self.app, save) is not None:
            say(self.app, f"{'Created' if is_new else 'Saved'} agent {agent.name}.")
            self._effective = None
            self.refresh_agents()

    def _targets(self) -> list[ExportTarget]:
        chosen = self.query_one("#targets", SelectionList).selected
        return [ExportTarget(t) for t in chosen]

    def _drop_plan(self) -> None:
        self.plan = None
        self.query_one("#export-run", Button).disabled = True

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self._drop_plan()

    def _dry_run(self) -> None:
        from ai_config.exports.service import Exporter

        name = self._value("#agent-name")
        dest = Path(self._value("#dest")).expanduser() if self._value("#dest") else None
        exporter = Exporter(home_of(self.app))
        plan = attempt(
            self.app, lambda: exporter.plan_agents([agent_name(name)], self._targets(), dest)
        )
        if plan is None:
            return
        previews = plan.preview(force=False)
        text = "\n".join(
            f"{p.state:>11}  {p.path} ({p.agent} -> {p.target})\n{p.diff or ''}" for p in previews
        )
        self.query_one("#export-preview", TextArea).load_text(text)
        edited = [p.path for p in previews if p.state == "edited"]
        if edited:
            say(self.app, f"Edited by hand since the last export: {', '.join(edited)}.", error=True)
            return
        self.plan = plan
        self.query_one("#export-run", Button).disabled = False
        say(self.app, "The dry run's diff is shown; Export writes it.")

    def _export(self) -> None:
        plan = self.plan
        if plan is None:
            return

        def commit() -> list[Any]:
            plan.check_edited()
            return plan.commit("agent export")

        written = attempt(self.app, commit)
        self._drop_plan()
        if written is not None:
            states = ", ".join(f"{e.state} {e.path}" for e in written)
            say(self.app, f"Exported: {states}. Undo: ai-config agent export --revert")
            self._refresh_stale()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "agent-save": self._save,
            "export-dry-run": self._dry_run,
            "export-run": self._export,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()
