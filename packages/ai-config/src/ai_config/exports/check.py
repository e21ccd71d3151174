"""Which recorded exports no longer match what an export would write now."""

from __future__ import annotations

from pathlib import Path

from ai_config.exports.writer import ExportRecords
from groundwork.errors import ToolError

__all__ = ["stale_exports"]


def stale_exports(home: Path) -> list[str]:
    from ai_config.exports.service import Exporter

    exporter = Exporter(home)
    records = ExportRecords(home)
    stale = []
    for path, record in records.load().items():
        try:
            dest = Path(record["dest"]) if record.get("dest") else None
            outputs = exporter.outputs(record["agent"], record["target"], dest)
        except ToolError:
            stale.append(path)
            continue
        for output in outputs:
            if str(output.path) == path and records.check(output) != "unchanged":
                stale.append(path)
    return sorted(stale)
