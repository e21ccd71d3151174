"""Which recorded exports no longer match what an export would write now."""

from __future__ import annotations

from pathlib import Path

from ai_config.exports.names import ExportTarget
from ai_config.exports.writer import ExportedFile, ExportRecords
from groundwork.errors import ToolError

__all__ = ["stale_exports"]


def stale_exports(home: Path) -> list[ExportedFile]:
    """Every exported file that is stale, edited by hand or missing, by path."""
    records = ExportRecords(home)
    recorded = records.load()
    if not recorded:
        return []  # nothing exported yet: no need to load agents, the catalog or its secrets
    from ai_config.exports.service import Exporter

    exporter = Exporter(home)
    stale = []
    for path, record in sorted(recorded.items()):
        agent = str(record["agent"])
        if record["target"] not in set(ExportTarget):
            continue  # written by a newer ai-config, for a target this one cannot render
        target = ExportTarget(record["target"])
        dest = Path(record["dest"]) if record.get("dest") else None
        try:
            outputs = exporter.outputs(agent, target, dest)
        except ToolError:
            # The agent, or a file or secret it needs, is gone: what was exported is out of date.
            stale.append(ExportedFile(agent=agent, target=target, path=path, state="stale"))
            continue
        for output in outputs:
            state = records.check(output) if str(output.path) == path else "unchanged"
            if state != "unchanged":
                stale.append(ExportedFile(agent=agent, target=target, path=path, state=state))
    return stale
