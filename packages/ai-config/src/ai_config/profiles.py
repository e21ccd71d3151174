"""Named profiles (work, home, a client): which library sources layer and where agents export.

``<AI_CONFIG_HOME>/profiles.json`` (this machine's)::

    {"active": "work", "profiles": {"work": {"sources": ["team"], "targets": ["q-cli"],
                                              "dest": null}}}

With a profile in use, only the sources it names layer over the base (the base always does;
naming none keeps them all), and `agent export` without ``--target`` exports to its targets
(into its ``dest`` project when it has one and ``--dest`` is not given).
"""

from __future__ import annotations

import builtins
import json
import re
from pathlib import Path
from typing import Any

from pydantic import Field

from ai_config.exports.names import ExportTarget
from ai_config.results import Result
from ai_config.safety import Safety
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json

__all__ = ["Profile", "ProfileStore"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class Profile(Result):
    name: str
    sources: list[str] = Field(
        default_factory=list, description="Added sources that layer over the base; [] = all"
    )
    targets: list[ExportTarget] = Field(
        default_factory=list, description="Where `agent export` goes without --target"
    )
    dest: Path | None = Field(default=None, description="The project exports go into, if any")
    active: bool = False


class ProfileStore:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.file = home / "profiles.json"

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"active": None, "profiles": {}}
        except ValueError:
            raise ToolError(
                "AI_CONFIG_PROFILES_INVALID",
                f"{self.file} is not valid JSON.",
                suggestions=[
                    "Put back the last good copy: ai-config backup list, then ai-config backup"
                    " restore ID",
                ],
                exit_code=ExitCode.USAGE,
            ) from None
        return data if isinstance(data, dict) else {"active": None, "profiles": {}}

    def list(self) -> builtins.list[Profile]:
        data = self._load()
        return [
            Profile(name=name, active=name == data.get("active"), **entry)
            for name, entry in sorted(data.get("profiles", {}).items())
        ]

    def active(self) -> Profile | None:
        return next((p for p in self.list() if p.active), None)

    def get(self, name: str) -> Profile:
        found = next((p for p in self.list() if p.name == name), None)
        if found is None:
            known = ", ".join(p.name for p in self.list()) or "none yet"
            raise ToolError(
                "AI_CONFIG_PROFILE_NOT_FOUND",
                f"No profile named {name!r} (profiles: {known}).",
                suggestions=["Make one: ai-config profile add NAME --target q-cli"],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def _save(self, data: dict[str, Any], action: str, **details: Any) -> None:
        with Safety(self.home).change(action, [self.file], **details):
            atomic_write_json(self.file, data)

    def add(self, profile: Profile, known_sources: builtins.list[str], *, force: bool) -> Profile:
        if not _NAME.match(profile.name):
            raise ToolError(
                "AI_CONFIG_PROFILE_NAME_INVALID",
                f"{profile.name!r} is not a valid profile name.",
                suggestions=["Use lowercase letters, digits, '-' and '_', like client-acme."],
                exit_code=ExitCode.USAGE,
            )
        unknown = [s for s in profile.sources if s not in known_sources]
        if unknown:
            raise ToolError(
                "AI_CONFIG_SOURCE_NOT_FOUND",
                f"No source named {unknown[0]!r} (sources: {', '.join(known_sources) or 'none'}).",
                suggestions=["Add it first: ai-config library source add NAME URL"],
                exit_code=ExitCode.NOT_FOUND,
            )
        if profile.dest is not None and profile.dest.exists() and not profile.dest.is_dir():
            raise ToolError(
                "AI_CONFIG_DEST_NOT_A_FOLDER",
                f"{profile.dest} is a file; a profile's --dest is the project folder its exports"
                " go into.",
                suggestions=[f"Name its folder: --dest {profile.dest.parent}"],
                context={"dest": str(profile.dest)},
                exit_code=ExitCode.USAGE,
            )
        data = self._load()
        profiles = data.setdefault("profiles", {})
        if profile.name in profiles and not force:
            raise ToolError(
                "AI_CONFIG_PROFILE_EXISTS",
                f"A profile named {profile.name!r} exists already.",
                suggestions=[f"Replace it: ai-config profile add {profile.name} ... --force"],
                exit_code=ExitCode.CONFLICT,
            )
        profiles[profile.name] = profile.model_dump(
            mode="json", include={"sources", "targets", "dest"}
        )
        self._save(data, "profile add", profile=profile.name)
        return self.get(profile.name)

    def use(self, name: str | None) -> Profile | None:
        """Make ``name`` the profile in use (None: none)."""
        chosen = self.get(name) if name is not None else None
        data = self._load()
        data["active"] = name
        self._save(data, "profile use", profile=name)
        return chosen.model_copy(update={"active": True}) if chosen else None

    def remove(self, name: str) -> Profile:
        removed = self.get(name)
        data = self._load()
        del data["profiles"][name]
        if data.get("active") == name:
            data["active"] = None
        self._save(data, "profile remove", profile=name)
        return removed
