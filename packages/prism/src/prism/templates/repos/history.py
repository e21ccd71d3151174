"""Every version a user template has had: installed, updated, written by `templates new` or
the browser form, edited by hand, rolled back. Kept in ``<state>/template-history/SLUG/`` (the
file of each version, and ``entries.json``), outside the templates folder so old versions are
never loaded as templates.

Hand edits are caught before prism replaces a file and whenever the history is read: the file
on disk differs from the last version recorded, so it is recorded as an edit first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_json, atomic_write_text
from prism.templates.repos.index import checksum

__all__ = ["TemplateHistoryStore", "version_of"]


def version_of(text: str) -> str | None:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return None if version is None else str(version)


class TemplateHistoryStore:
    def __init__(self, home: Path) -> None:
        self.folder = home / "template-history"

    def _entries_file(self, slug: str) -> Path:
        return self.folder / slug / "entries.json"

    def entries(self, slug: str) -> list[dict[str, str]]:
        try:
            data = json.loads(self._entries_file(slug).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return []
        return data if isinstance(data, list) else []

    def record(self, slug: str, text: str, source: str) -> bool:
        """Keep this text as a version; False when it is the last version already."""
        entries = self.entries(slug)
        digest = checksum(text.encode("utf-8"))
        if entries and entries[-1]["checksum"] == digest:
            return False
        folder = self.folder / slug
        private_dir(folder)
        number = len(entries) + 1
        atomic_write_text(folder / f"{number}.yml", text, private=True)
        entries.append(
            {
                "version": version_of(text) or "",
                "checksum": digest,
                "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "source": source,
                "file": f"{number}.yml",
            }
        )
        atomic_write_json(self._entries_file(slug), entries, private=True)
        return True

    def catch_edits(self, slug: str, path: Path) -> None:
        """Record the file as it is on disk if it changed since the last recorded version."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        source = "edit" if self.entries(slug) else "snapshot"
        self.record(slug, text, source)

    def text_of(self, slug: str, version: str) -> str:
        """The newest recorded text of a version."""
        from prism.templates.semver import parse_version

        try:
            wanted = parse_version(version)
        except ValueError:
            wanted = None
        for entry in reversed(self.entries(slug)):
            recorded = entry.get("version") or ""
            try:
                same = wanted is not None and parse_version(recorded) == wanted
            except ValueError:
                same = recorded == version
            if same:
                return (self.folder / slug / entry["file"]).read_text(encoding="utf-8")
        versions = sorted({e.get("version") or "?" for e in self.entries(slug)})
        raise ToolError(
            "PRISM_TEMPLATE_VERSION_NOT_FOUND",
            f"{slug} has no recorded version {version}.",
            suggestions=[
                f"Its recorded versions: {', '.join(versions) or 'none'}"
                f" (prism templates history {slug})",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )
