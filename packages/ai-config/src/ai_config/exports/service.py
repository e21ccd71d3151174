"""Exporting agents: resolve, render for a target, write with the edit check."""

from __future__ import annotations

from pathlib import Path

from ai_config.agents.store import AgentStore
from ai_config.exports.names import ExportTarget
from ai_config.exports.targets import render
from ai_config.exports.writer import ExportedFile, ExportRecords, Output
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog

__all__ = ["Exporter"]


class Exporter:
    """Exports many agents over one scan of the library and one catalog."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.catalog = McpCatalog(home)
        self.store = AgentStore(Library(home))
        self.records = ExportRecords(home)

    def outputs(self, agent_name: str, target: ExportTarget, dest: Path | None) -> list[Output]:
        resolved = self.store.resolve(self.store.get(agent_name), self.catalog)
        mcp = {name: self.catalog.resolve(entry) for name, entry in resolved.mcp.items()}
        return render(target, resolved, mcp, dest)

    def export(
        self, agent_name: str, target: ExportTarget, dest: Path | None, *, force: bool
    ) -> list[ExportedFile]:
        outputs = self.outputs(agent_name, target, dest)
        return self.records.write(outputs, agent=agent_name, target=target, dest=dest, force=force)
