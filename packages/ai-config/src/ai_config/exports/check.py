"""Which exported parts no longer match what an export would write now, and which project files
hold a secret's value.

Each record (one agent's part of one file) is checked on its own, so one agent's section of a
shared AGENTS.md going stale, or deleted by hand, is seen even while the others are current.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ai_config.exports.inputs import Inputs, place_of
from ai_config.exports.models import ExportedFile, ExportState
from ai_config.exports.names import ExportTarget
from ai_config.exports.parts import Output, part_on_disk, read_text
from ai_config.exports.records import ExportRecord, ExportRecords, sha
from groundwork.errors import ToolError

if TYPE_CHECKING:
    from ai_config.exports.service import Exporter
    from ai_config.library.index import Scan
    from ai_config.library.store import Effective

__all__ = ["stale_exports"]


def stale_exports(home: Path, scans: dict[Path, Scan] | None = None) -> list[ExportedFile]:
    """Every exported part that is stale, edited by hand, missing, or (in a project) holds a
    secret in clear; ``scans`` of the library, when the caller has them already."""
    records = ExportRecords(home).load()
    if not records:
        return []  # nothing exported yet: no need to load agents, the catalog or its secrets
    from ai_config.library.store import Library

    effective = Library(home).effective(scans)
    inputs = Inputs(effective.sha, home)
    renderer = _Renderer(home, effective)
    groups: dict[tuple[str, str, str | None, str], list[ExportRecord]] = {}
    for record in records:
        if record.target not in set(ExportTarget):
            continue  # written by a newer ai-config, for a target this one cannot render
        key = (record.agent, record.target, record.dest, record.secrets)
        groups.setdefault(key, []).append(record)
    found: list[ExportedFile] = []
    for (agent, target, dest, secrets), group in sorted(groups.items(), key=lambda g: g[0][:2]):
        place = place_of(target, dest, secrets)
        if all(r.inputs_sha and inputs.sha(r.inputs, place) == r.inputs_sha for r in group):
            # Nothing the export read has changed: what it wrote is still what it would write,
            # so only the files on disk need looking at.
            found += [_finding(r, s) for r in group if (s := _on_disk(r)) != "unchanged"]
            continue
        try:
            outputs = {
                str(o.path): o
                for o in renderer.exporter.outputs(
                    agent,
                    ExportTarget(target),
                    Path(dest) if dest else None,
                    inline=secrets == "inline",
                )
            }
        except ToolError:
            # The agent, or a file or secret it needs, is gone: what was exported is out of date.
            outputs = {}
        for record in group:
            state = _state(record, outputs)
            if state != "unchanged":
                found.append(_finding(record, state))
    found += _secrets_in_projects(home, records, {(f.agent, f.path) for f in found})
    return sorted(found, key=lambda f: (f.path, f.agent))


class _Renderer:
    """The exporter, made only when some export has to be rendered again (it loads agents,
    YAML and the catalog, which a check of unchanged exports never needs)."""

    def __init__(self, home: Path, effective: Effective) -> None:
        self.home = home
        self.effective = effective

    @functools.cached_property
    def exporter(self) -> Exporter:
        from ai_config.exports.service import Exporter

        exporter = Exporter(self.home)
        exporter.store.use(self.effective)
        return exporter


def _on_disk(record: ExportRecord) -> ExportState:
    """How a part stands on disk against what was recorded as written."""
    text = read_text(Path(record.path))
    part = Output(Path(record.path), "", record.part, dict.fromkeys(record.keys))
    on_disk = part_on_disk(part, record.agent, text)
    if on_disk is None:
        return "missing"
    return "unchanged" if sha(on_disk) == record.sha256 else "edited"


def _state(record: ExportRecord, outputs: dict[str, Output]) -> ExportState:
    output = outputs.get(record.path)
    text = read_text(Path(record.path))
    if output is None:
        return "stale" if text is not None else "missing"
    on_disk = part_on_disk(output, record.agent, text)
    if on_disk is None:
        return "missing"
    if on_disk == output.text:
        return "unchanged"
    return "stale" if sha(on_disk) == record.sha256 else "edited"


def _finding(record: ExportRecord, state: ExportState) -> ExportedFile:
    return ExportedFile(
        agent=record.agent, target=ExportTarget(record.target), path=record.path, state=state
    )


def _secrets_in_projects(
    home: Path, records: list[ExportRecord], reported: set[tuple[str, str]]
) -> list[ExportedFile]:
    """Project files (which people commit) that hold a stored secret's value."""
    from ai_config.mcp.secrets import SecretStore

    in_projects = [r for r in records if r.dest is not None and Path(r.path).is_file()]
    secrets = SecretStore(home)
    if not in_projects or not secrets.names():
        return []
    values = [v for v in secrets.values() if len(v) >= 4]
    found = []
    for record in in_projects:
        text = read_text(Path(record.path)) or ""
        if any(value in text for value in values) and (record.agent, record.path) not in reported:
            found.append(_finding(record, "holds-secret"))
    return found
