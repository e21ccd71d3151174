"""Where installed templates came from, read without the repository machinery: `templates
list` shows it for every template and should not pay for git, indexes and their models.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["INSTALLS_FILE", "installed_from"]

INSTALLS_FILE = "template-installs.json"


def installed_from(home: Path) -> dict[str, str]:
    """slug -> ``REPOSITORY/NAME@VERSION`` of each template installed from a repository."""
    try:
        data = json.loads((home / INSTALLS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        slug: f"{r['repository']}/{r['name']}@{r['version']}"
        for slug, r in data.items()
        if isinstance(r, dict) and {"repository", "name", "version"} <= r.keys()
    }
