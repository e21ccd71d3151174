"""This machine's settings, ``<AI_CONFIG_HOME>/settings.json``: never in a synced folder.

Today one setting: where the personal library is when it is not in ai-config's own folder (a
folder Syncthing, Nextcloud, Dropbox or a network share syncs, chosen with `ai-config sync use`).
The path is this machine's: another machine syncing the same folder may see it elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from groundwork.state.atomic import atomic_write_json

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    personal_dir: Path | None = None
    """The personal library's folder; None: ``<home>/library/personal``."""

    @staticmethod
    def file(home: Path) -> Path:
        return home / "settings.json"

    @classmethod
    def load(cls, home: Path) -> Settings:
        try:
            data = json.loads(cls.file(home).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return cls()
        folder = data.get("personal_dir") if isinstance(data, dict) else None
        return cls(Path(folder) if isinstance(folder, str) and folder else None)

    def save(self, home: Path) -> None:
        atomic_write_json(
            self.file(home),
            {"personal_dir": str(self.personal_dir) if self.personal_dir else None},
            private=True,
        )
