"""Profiles: named pairs of credentials and region, one of them active.

A fresh machine has one profile, ``sandbox``, so the first launch needs no AWS account. AWS
profiles name a profile of ``~/.aws`` (its credentials stay there; prism never copies them).
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_json

__all__ = ["SANDBOX", "Profile", "ProfileKind", "ProfileStore"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class ProfileKind(StrEnum):
    SANDBOX = "sandbox"
    AWS = "aws"


class Profile(BaseModel):
    name: str
    kind: ProfileKind
    region: str = "us-east-1"
    aws_profile: str | None = Field(default=None, description="A profile of ~/.aws/config")
    image_parameter_prefix: str | None = Field(
        default=None,
        description="An SSM path under which the organisation publishes its approved images"
        " (<prefix>/<base>/<architecture>); the vendors' public images when unset",
    )

    @property
    def simulated(self) -> bool:
        return self.kind is ProfileKind.SANDBOX


SANDBOX = Profile(name="sandbox", kind=ProfileKind.SANDBOX, region="us-east-1")


class _File(BaseModel):
    version: int = 1
    active: str = SANDBOX.name
    profiles: list[Profile] = Field(default_factory=lambda: [SANDBOX])


class ProfileStore:
    def __init__(self, home: Path) -> None:
        self.path = home / "profiles.json"

    def _load(self) -> _File:
        if not self.path.exists():
            return _File()
        try:
            return _File.model_validate(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, ValidationError) as exc:
            raise ToolError(
                "PRISM_PROFILES_INVALID",
                f"The profiles file {self.path} is not valid: {exc}.",
                suggestions=[f"Fix or remove {self.path}; removing it leaves only 'sandbox'."],
                exit_code=ExitCode.USAGE,
            ) from exc

    def _save(self, data: _File) -> None:
        private_dir(self.path.parent)  # the state folder
        atomic_write_json(self.path, data.model_dump(mode="json"), private=True)

    def list(self) -> list[Profile]:
        return self._load().profiles

    def active(self) -> Profile:
        data = self._load()
        return self.get(data.active)

    def get(self, name: str) -> Profile:
        for profile in self._load().profiles:
            if profile.name == name:
                return profile
        raise ToolError(
            "PRISM_PROFILE_NOT_FOUND",
            f"No profile named {name!r}.",
            suggestions=["See them with: prism profiles list", "Add one: prism profiles add NAME"],
            exit_code=ExitCode.NOT_FOUND,
        )

    def add(self, profile: Profile) -> None:
        if not _NAME.match(profile.name):
            raise ToolError(
                "PRISM_PROFILE_NAME_INVALID",
                f"{profile.name!r} is not a valid profile name.",
                suggestions=["Use lowercase letters, digits, '.', '_' and '-', like 'lab-east'."],
                exit_code=ExitCode.USAGE,
            )
        data = self._load()
        if any(p.name == profile.name for p in data.profiles):
            raise ToolError(
                "PRISM_PROFILE_EXISTS",
                f"A profile named {profile.name!r} exists already.",
                suggestions=[f"Remove it first (prism profiles remove {profile.name})."],
                exit_code=ExitCode.CONFLICT,
            )
        data.profiles.append(profile)
        self._save(data)

    def use(self, name: str) -> Profile:
        profile = self.get(name)
        data = self._load()
        data.active = profile.name
        self._save(data)
        return profile

    def remove(self, name: str) -> None:
        if name == SANDBOX.name:
            raise ToolError(
                "PRISM_PROFILE_BUILTIN",
                "The sandbox profile is built in and cannot be removed.",
                suggestions=["Switch to another profile with: prism profiles use NAME"],
                exit_code=ExitCode.USAGE,
            )
        self.get(name)
        data = self._load()
        data.profiles = [p for p in data.profiles if p.name != name]
        if data.active == name:
            data.active = SANDBOX.name
        self._save(data)
