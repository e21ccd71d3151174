"""ai-config's configuration file, ``<AI_CONFIG_HOME>/library.lock``: validated and versioned.

The file says which libraries ai-config layers (the base, then each added source in order) and
pins each to a revision. It is JSON::

    {"version": 2, "sources": {"base": {"url": "...", "branch": "main", "revision": "3f2c..."}}}

Format versions:

1. ``{"version": 1, "sources": {NAME: {"url", "revision"}}}`` (a file without ``version`` is
   read as version 1): what ai-config 0.1 wrote before branches were recorded.
2. Each source also records the ``branch`` it follows (``null``: whatever the clone tracks).

Loading an older file migrates it one version at a time through :data:`MIGRATIONS`; the original
is snapshotted into ai-config's backups first (``ai-config backup list``), then the migrated file
replaces it atomically. A file from a newer ai-config is refused, never rewritten.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ai_config import __version__
from ai_config.safety import Safety, tree_hash
from groundwork.errors import ExitCode, ToolError
from groundwork.health import CheckResult, Status
from groundwork.state.atomic import atomic_write_json

__all__ = [
    "CURRENT_VERSION",
    "MIGRATIONS",
    "LibraryConfig",
    "SourcePin",
    "check_config",
    "load_config",
    "migrate",
    "save_config",
]

CURRENT_VERSION = 2

SourceName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]


class SourcePin(BaseModel):
    """Where one library comes from and the revision it is pinned at."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, description="Git URL or path; null for the starter")
    branch: str | None = Field(default=None, description="Branch followed; null: the clone's")
    revision: str = Field(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class LibraryConfig(BaseModel):
    """The current format of ``library.lock``."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[2] = 2  # CURRENT_VERSION; older files are migrated before validation
    sources: dict[SourceName, SourcePin] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# -- migrations ---------------------------------------------------------------------------------

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 records each source's branch; a version 1 file never knew it, so null."""
    sources = data.get("sources")
    if not isinstance(sources, dict):
        return data  # validation names the problem
    return {
        **data,
        "sources": {
            name: {"branch": None, **entry} if isinstance(entry, dict) else entry
            for name, entry in sources.items()
        },
    }


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""``MIGRATIONS[n]`` turns a version ``n`` file into a version ``n + 1`` file."""


def migrate(
    data: dict[str, Any],
    version: int,
    *,
    target: int = CURRENT_VERSION,
    migrations: Mapping[int, Migration] = MIGRATIONS,
) -> dict[str, Any]:
    """Apply each step from ``version`` up to ``target``, in order; each step sees its version."""
    data = {**data, "version": version}
    for step in range(version, target):
        data = {**migrations[step](data), "version": step + 1}
    return data


# -- loading ------------------------------------------------------------------------------------

_SHOULD_BE = {
    "revision": "a full git commit id (40 hex characters); `git -C FOLDER rev-parse HEAD` prints"
    " it",
    "url": "the library's git URL or path, or null",
    "branch": "the branch the library follows, or null for the clone's default",
    "version": f"a whole number; this ai-config writes {CURRENT_VERSION}",
    "sources": 'an object of source name -> {"url": ..., "branch": ..., "revision": ...}',
}


def load_config(path: Path, safety: Safety) -> LibraryConfig:
    """The configuration in ``path`` (empty when there is none), migrated first if it is old."""
    found = _read_current(path)
    if isinstance(found, LibraryConfig):
        return found
    with _exclusive(path):
        # Read again under the lock: another process (or thread) may have migrated it already.
        found = _read_current(path)
        if isinstance(found, LibraryConfig):
            return found
        text, raw, version = found
        config = _validate(path, text, migrate(raw, version))
        reason = f"before migrating {path.name} from version {version} to {CURRENT_VERSION}"
        backup = safety.backups.snapshot(path, reason=reason)
        before = tree_hash(path)
        atomic_write_json(path, config.to_json())
        safety.audit.record(
            "config migrate",
            outcome="done",
            file=str(path),
            from_version=version,
            to_version=CURRENT_VERSION,
            backup=backup.id,
            before={str(path): before},
            after={str(path): tree_hash(path)},
        )
    sys.stderr.write(
        f"ai-config: migrated {path} from version {version} to {CURRENT_VERSION};"
        f" the original is kept as backup {backup.id} (ai-config backup list).\n"
    )
    return config


def _read_current(path: Path) -> LibraryConfig | tuple[str, dict[str, Any], int]:
    """The configuration when the file is missing or current; else what a migration starts from."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LibraryConfig()
    raw, version = _parse(path, text)
    if version == CURRENT_VERSION:
        return _validate(path, text, raw)
    return text, raw, version


def save_config(path: Path, config: LibraryConfig) -> None:
    atomic_write_json(path, config.to_json())


def check_config(path: Path) -> CheckResult:
    """The `doctor` check: the file's version and whether it is valid, without changing it."""
    name = "config"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return CheckResult(name, Status.INFO, f"no {path.name} yet", "ai-config init")
    try:
        raw, version = _parse(path, text)
        _validate(path, text, migrate(raw, version))
    except ToolError as exc:
        return CheckResult(name, Status.ERROR, exc.message, exc.suggestions[0])
    if version < CURRENT_VERSION:
        return CheckResult(
            name,
            Status.INFO,
            f"{path.name} is version {version}; the next ai-config command migrates it to"
            f" {CURRENT_VERSION}, after a backup",
            "Nothing to do (or run: ai-config library status).",
        )
    return CheckResult(name, Status.OK, f"{path.name} is version {version} (current) and valid")


def _parse(path: Path, text: str) -> tuple[dict[str, Any], int]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(
            path,
            exc.lineno,
            None,
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            "fix the JSON syntax there",
        ) from None
    if not isinstance(raw, dict):
        raise _invalid(
            path, 1, None, "the file must hold a JSON object", 'make it {"version": 2, ...}'
        )
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _invalid(
            path,
            _line_of(text, ("version",)),
            "version",
            f"{version!r} is not a format version",
            f"version should be {_SHOULD_BE['version']}",
        )
    if version > CURRENT_VERSION:
        raise ToolError(
            "AI_CONFIG_CONFIG_TOO_NEW",
            f"{path} is format version {version}, written by a newer ai-config; this ai-config"
            f" ({__version__}) reads versions up to {CURRENT_VERSION}. The file was left as it is.",
            suggestions=[
                "Upgrade ai-config (uv tool upgrade ai-config, or pip install --upgrade"
                " ai-config), then run the command again.",
                "To stay on this ai-config, put back a copy it wrote: ai-config backup list,"
                " then ai-config backup restore ID.",
            ],
            context={"file": str(path), "version": version, "supported": CURRENT_VERSION},
            exit_code=ExitCode.CONFLICT,
        )
    return raw, version


def _validate(path: Path, text: str, data: dict[str, Any]) -> LibraryConfig:
    try:
        return LibraryConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(str(part) for part in first["loc"])
        if "[key]" in loc:  # a source name, not a field inside a source
            loc = loc[: loc.index("[key]")]
            field, what = "sources", f"{loc[-1]!r} is not a valid source name"
            fix = "rename it with lowercase letters, digits, '-' and '_'"
        elif first["type"] == "extra_forbidden":
            field, what = ".".join(loc), f"{loc[-1]!r} is not a field ai-config knows"
            fix = f"remove {loc[-1]!r} (a typo?)" + (
                "; a source has url, branch and revision" if len(loc) > 1 else ""
            )
        else:
            field, what = ".".join(loc), first["msg"]
            if first["type"] == "string_pattern_mismatch":
                what = f"{first['input']!r} is not in the form ai-config expects"
            known = next((part for part in reversed(loc) if part in _SHOULD_BE), "sources")
            fix = f"{field} should be {_SHOULD_BE[known]}"
        raise _invalid(path, _line_of(text, loc), field, what, fix) from None


def _invalid(path: Path, line: int | None, field: str | None, what: str, fix: str) -> ToolError:
    where = f"{path}:{line}" if line else str(path)
    return ToolError(
        "AI_CONFIG_CONFIG_INVALID",
        f"{where}: {field + ': ' if field else ''}{what}.",
        suggestions=[
            f"Edit {path}" + (f" at line {line}" if line else "") + f": {fix}.",
            "Or put back the last good copy: ai-config backup list, then ai-config backup"
            " restore ID.",
        ],
        context={"file": str(path), "field": field or "-", "line": line or "-"},
        exit_code=ExitCode.USAGE,
    )


def _line_of(text: str, loc: tuple[str, ...]) -> int | None:
    """The line of the deepest part of ``loc`` found in the file (JSON parses as YAML)."""
    import yaml  # only an invalid file needs these; a valid one is read with json alone

    from groundwork.yamllines import line_of

    try:
        return line_of(yaml.compose(text), loc)
    except yaml.YAMLError:
        return None


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """One migration at a time, across threads and processes; the kernel drops it on a crash."""
    fd = os.open(path.with_name(f".{path.name}.migrating"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
