"""Exporting agents: resolve, render for a target, write with the edit check."""

from __future__ import annotations

from pathlib import Path

from ai_config.agents.store import AgentStore
from ai_config.exports.targets import TARGETS, Output, render
from ai_config.exports.writer import ExportRecords, WriteResult
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog
from groundwork.errors import ExitCode, ToolError

__all__ = ["Exporter", "export_agent", "planned_outputs"]


def _check_target(target: str) -> None:
    if target not in TARGETS:
        raise ToolError(
            "AI_CONFIG_TARGET_UNKNOWN",
            f"{target!r} is not an export target.",
            suggestions=[f"Use one of: {', '.join(TARGETS)}"],
            exit_code=ExitCode.USAGE,
        )


class Exporter:
    """Exports many agents over one scan of the library and one catalog."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.catalog = McpCatalog(home)
        self.store = AgentStore(Library(home))
        self.records = ExportRecords(home)

    def outputs(self, agent_name: str, target: str, dest: Path | None) -> list[Output]:
        _check_target(target)
        resolved = self.store.resolve(self.store.get(agent_name), self.catalog)
        mcp = {name: self.catalog.resolve(entry) for name, entry in resolved.mcp.items()}
        return render(target, resolved, mcp, dest)

    def export(
        self, agent_name: str, target: str, dest: Path | None, *, force: bool
    ) -> list[WriteResult]:
        outputs = self.outputs(agent_name, target, dest)
        return self.records.write(outputs, agent=agent_name, target=target, dest=dest, force=force)


def planned_outputs(home: Path, agent_name: str, target: str, dest: Path | None) -> list[Output]:
    return Exporter(home).outputs(agent_name, target, dest)


def export_agent(
    home: Path, agent_name: str, target: str, dest: Path | None, *, force: bool
) -> list[WriteResult]:
    return Exporter(home).export(agent_name, target, dest, force=force)
