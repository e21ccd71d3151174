"""Planning and writing exports, chezmoi-style, for files agents share.

An export run plans every agent's part of every file first (a shared file sees the parts planned
before it), refuses if any file was edited by hand since ai-config wrote its part (unless
``force``) or if two agents define a server of the same name differently, and only then writes:
after backing up each file it changes, recording the backups so `agent export --revert` can put
them back, and writing one audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ai_config.exports.models import ExportedFile, ExportState
from ai_config.exports.names import ExportTarget
from ai_config.exports.parts import (
    Output,
    all_servers,
    part_on_disk,
    read_text,
    with_section,
    with_servers,
    without_section,
)
from ai_config.exports.records import ExportRecord, ExportRecords, sha
from ai_config.exports.runs import ExportRuns, RunFile
from ai_config.safety import Safety
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_text

__all__ = ["ExportPlan", "ExportState", "ExportedFile"]


@dataclass(frozen=True)
class _Made:
    """How one agent's outputs were made: for their records."""

    agent: str
    target: ExportTarget
    dest: Path | None
    secrets: Literal["inline", "reference"]
    inputs: list[str]
    inputs_sha: str


@dataclass
class _Edited:
    path: Path
    agent: str


class ExportPlan:
    """One run's changes, planned before any is written."""

    def __init__(self, home: Path, safety: Safety) -> None:
        self.safety = safety
        self.store = ExportRecords(home)
        self.runs = ExportRuns(home)
        self.records = self.store.load()
        self.before = list(self.records)
        self.texts: dict[Path, str | None] = {}
        self.original: dict[Path, str | None] = {}
        self.private: dict[Path, bool] = {}
        self.edited: list[_Edited] = []
        self.results: list[ExportedFile] = []

    def _text(self, path: Path) -> str | None:
        if path not in self.texts:
            self.texts[path] = self.original[path] = read_text(path)
        return self.texts[path]

    def _record(self, agent: str, path: Path) -> ExportRecord | None:
        return next((r for r in self.records if r.agent == agent and r.path == str(path)), None)

    def _owners(self, path: Path, key: str, besides: str) -> list[str]:
        return [
            r.agent
            for r in self.records
            if r.path == str(path) and key in r.keys and r.agent != besides
        ]

    def add(
        self,
        outputs: list[Output],
        *,
        agent: str,
        target: ExportTarget,
        dest: Path | None,
        secrets: Literal["inline", "reference"],
        inputs: list[str] | None = None,
        inputs_sha: str = "",
    ) -> None:
        made = _Made(agent, target, dest, secrets, inputs or [], inputs_sha)
        for output in outputs:
            self._add(output, made)
        self._retire_missing(outputs, agent, target, dest)

    def _add(self, output: Output, made: _Made) -> None:
        agent, target = made.agent, made.target
        text = self._text(output.path)
        record = self._record(agent, output.path)
        clashes = False
        if output.part == "keys" and text is not None:
            current = all_servers(text, str(output.path))
            mine = set(record.keys) if record is not None else set()
            for key, value in output.servers.items():
                others = self._owners(output.path, key, agent)
                if key in current and current[key] != value and not others and key not in mine:
                    clashes = True  # a server of that name the user wrote there by hand
                if key in current and current[key] != value and others:
                    raise ToolError(
                        "AI_CONFIG_EXPORT_SERVER_CONFLICT",
                        f"Agents {others[0]!r} and {agent!r} both export an MCP server named"
                        f" {key!r} to {output.path}, defined differently; one file can hold"
                        " only one.",
                        suggestions=[
                            f"Give them the same definition (the catalog's: use {key!r} by"
                            " name in both agents), or rename one of the servers.",
                            "Or export the two agents into different projects.",
                        ],
                        context={
                            "file": str(output.path),
                            "server": key,
                            "agents": [others[0], agent],
                        },
                        exit_code=ExitCode.CONFLICT,
                    )
        on_disk = part_on_disk(output, agent, text)
        state: ExportState = "unchanged"
        if on_disk != output.text:
            state = "written"
            hand_made = on_disk is not None and (record is None or sha(on_disk) != record.sha256)
            if hand_made or clashes:
                self.edited.append(_Edited(output.path, agent))
            self.texts[output.path] = self._merged(output, agent, text or "", record)
            self.private[output.path] = self.private.get(output.path, False) or output.private
        self.records = [
            r for r in self.records if not (r.agent == agent and r.path == str(output.path))
        ]
        self.records.append(
            ExportRecord(
                agent=agent,
                target=str(target),
                dest=str(made.dest) if made.dest else None,
                path=str(output.path),
                part=output.part,
                sha256=sha(output.text),
                at=datetime.now(UTC).isoformat(timespec="seconds"),
                keys=sorted(output.servers),
                secrets=made.secrets,
                inputs=made.inputs,
                inputs_sha=made.inputs_sha,
            )
        )
        self.results.append(
            ExportedFile(
                agent=agent,
                target=target,
                path=str(output.path),
                state=state,
                warnings=list(output.warnings),
            )
        )

    def _merged(self, output: Output, agent: str, text: str, record: ExportRecord | None) -> str:
        if output.part == "file":
            return output.text
        if output.part == "section":
            return with_section(text, agent, output.text)
        previous = set(record.keys) if record is not None else set()
        drop = {
            k for k in previous - set(output.servers) if not self._owners(output.path, k, agent)
        }
        return with_servers(text, str(output.path), output.servers, drop)

    def _retire_missing(
        self, outputs: list[Output], agent: str, target: ExportTarget, dest: Path | None
    ) -> None:
        """A part this agent exported before to a file it no longer writes (its last MCP server
        removed, say) is taken out of that file."""
        kept = {str(o.path) for o in outputs}
        for record in [
            r
            for r in self.records
            if r.agent == agent
            and r.target == str(target)
            and r.dest == (str(dest) if dest else None)
            and r.path not in kept
        ]:
            self.retire(record)

    def retire(self, record: ExportRecord) -> None:
        """Take one agent's part out of a file (the whole file, when it owns all of it)."""
        path = Path(record.path)
        text = self._text(path)
        self.records = [r for r in self.records if r != record]
        if text is None:
            return
        if record.part == "file":
            self.texts[path] = None
        elif record.part == "section":
            rest = without_section(text, record.agent)
            self.texts[path] = rest if rest.strip() else None
        else:
            drop = [k for k in record.keys if not self._owners(path, k, record.agent)]
            rest = with_servers(text, str(path), {}, drop)
            left = all_servers(rest, str(path))
            self.texts[path] = rest if left or set(_json_keys(rest)) - {"mcpServers"} else None
        self.results.append(
            ExportedFile(
                agent=record.agent,
                target=ExportTarget(record.target),
                path=record.path,
                state="written",
            )
        )

    def changed(self) -> list[Path]:
        return [p for p, text in self.texts.items() if text != self.original[p]]

    def check_edited(self) -> None:
        if self.edited:
            first = self.edited[0]
            raise ToolError(
                "AI_CONFIG_EXPORT_EDITED",
                f"{first.path} was changed by hand since ai-config wrote {first.agent}'s part"
                " of it.",
                suggestions=[
                    "Keep your edits: move them into the agent or its library files.",
                    "Or overwrite: run the export again with --force (the file is backed up"
                    " first; ai-config agent export --revert puts it back).",
                ],
                context={"files": sorted({str(e.path) for e in self.edited})},
                exit_code=ExitCode.CONFLICT,
            )

    def preview(self, *, force: bool) -> list[ExportedFile]:
        """The results of a dry run: what would be written, with a diff per changed file (a
        part edited by hand shows as ``edited``: without ``force`` the export would refuse)."""
        changed = set(self.changed())
        refused = set() if force else {(str(e.path), e.agent) for e in self.edited}
        previews = []
        shown: set[Path] = set()
        for result in self.results:
            path = Path(result.path)
            if path not in changed:
                previews.append(result.model_copy(update={"state": "unchanged"}))
                continue
            diff = None
            if path not in shown:
                import difflib  # a dry run's alone

                shown.add(path)
                diff = "".join(
                    difflib.unified_diff(
                        (self.original[path] or "").splitlines(keepends=True),
                        (self.texts[path] or "").splitlines(keepends=True),
                        fromfile=f"{path} (now)",
                        tofile=f"{path} (after export)",
                    )
                )
            state = "edited" if (result.path, result.agent) in refused else "would-write"
            previews.append(result.model_copy(update={"state": state, "diff": diff}))
        return previews

    def commit(self, action: str) -> list[ExportedFile]:
        """Back up what changes, write it, save the records; remember the run for --revert."""
        changed = self.changed()
        touched = [*changed, self.store.file]
        agents = sorted({r.agent for r in self.results})
        with self.safety.change(action, touched, agents=agents) as backups:
            for path in changed:
                text = self.texts[path]
                if text is None:
                    path.unlink(missing_ok=True)
                    continue
                # No fsyncs: an export is made again from the library in one command and what
                # it replaced is in the backups; two fsyncs per file were most of its time.
                atomic_write_text(path, text, private=self.private.get(path, False), durable=False)
            self.store.save(self.records)
        if changed:
            self.runs.push(
                [
                    RunFile(
                        path=str(path),
                        backup=backups.get(str(path)),
                        existed=self.original[path] is not None,
                        records=[r for r in self.before if r.path == str(path)],
                    )
                    for path in changed
                ]
            )
        return self.results


def _json_keys(text: str) -> list[str]:
    import json

    data = json.loads(text)
    return list(data) if isinstance(data, dict) else []
