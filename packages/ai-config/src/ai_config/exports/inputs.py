"""What an export's output depends on, as one hash, so `--check` (and `status`, `doctor`) can
tell an export is current without loading agents and rendering them again.

The hash covers: this ai-config's version (how it renders), the set of paths in the effective
library (a new file can match an agent's glob), the content of every library file the export
read (agent, prompt, resources, MCP definitions), the user's MCP catalog and secrets, and where
and how the export went. When any of these moved, the check renders the export again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ai_config import __version__

__all__ = ["Inputs", "place_of"]


class Inputs:
    """The state inputs are measured against, taken once per check or export run."""

    def __init__(self, contents: dict[str, str], home: Path) -> None:
        self.contents = contents
        paths = hashlib.sha256("\n".join(sorted(contents)).encode()).hexdigest()
        catalog = hashlib.sha256()
        for name in ("mcp.json", "secrets.json"):
            try:
                catalog.update((home / name).read_bytes())
            except FileNotFoundError:
                catalog.update(b"-")
        self.base = f"{__version__}\n{paths}\n{catalog.hexdigest()}"

    def sha(self, files: list[str], place: str) -> str:
        digest = hashlib.sha256(f"{self.base}\n{place}".encode())
        for rel in files:
            digest.update(f"\n{rel}:{self.contents.get(rel, '-')}".encode())
        return digest.hexdigest()


def place_of(target: str, dest: Path | str | None, secrets: str) -> str:
    """Where and how an export went, as its inputs hash takes it."""
    return f"{target}|{dest or ''}|{secrets}"
