"""Semantic versions of templates and the ranges that pin them.

The original's templates write ``version: "1.0.0"`` and sometimes ``"1.0"``; both read as
1.0.0. Ranges are the usual ones: ``1.2.3`` or ``=1.2.3`` exactly, ``>=1.0,<2`` (comma or space
separated, all must hold), ``^1.2`` (same major), ``~1.2`` (same minor), ``1.x`` / ``1.*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

__all__ = ["Version", "VersionRange", "parse_range", "parse_version"]

_VERSION = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>0|[1-9]\d*))?(?:\.(?P<patch>0|[1-9]\d*))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_COMPARATOR = re.compile(r"^(?P<op>>=|<=|>|<|==|=|\^|~)?\s*(?P<version>\S+)$")


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str = ""

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        return f"{text}-{self.pre}" if self.pre else text

    def _key(self) -> tuple[int, int, int, int, str]:
        # A pre-release sorts before its release: 1.0.0-rc1 < 1.0.0.
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def bump_patch(self) -> Version:
        return Version(self.major, self.minor, self.patch + 1)


def parse_version(text: str) -> Version:
    """Raises ValueError with what a version looks like."""
    match = _VERSION.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a semantic version (like 1.2.0)")
    return Version(
        int(match["major"]),
        int(match["minor"] or 0),
        int(match["patch"] or 0),
        match["pre"] or "",
    )


@dataclass(frozen=True)
class VersionRange:
    text: str
    comparators: tuple[tuple[str, Version], ...]

    def __str__(self) -> str:
        return self.text

    def allows(self, version: Version) -> bool:
        return all(_holds(op, version, bound) for op, bound in self.comparators)


def _holds(op: str, version: Version, bound: Version) -> bool:
    if op == ">=":
        return version >= bound
    if op == ">":
        return version > bound
    if op == "<=":
        return version <= bound
    if op == "<":
        return version < bound
    return version == bound


def _expand(op: str, text: str) -> list[tuple[str, Version]]:
    parts = text.lstrip("v").split(".")
    wildcard = next((i for i, p in enumerate(parts) if p in ("x", "X", "*")), None)
    if wildcard is not None:
        if op:
            raise ValueError(f"{op}{text}: a wildcard takes no operator")
        fixed = [int(p) for p in parts[:wildcard]]
        if not fixed:
            return []
        padded = [*fixed, 0, 0]
        low = Version(padded[0], padded[1], padded[2])
        high = (
            Version(fixed[0] + 1, 0, 0) if len(fixed) == 1 else Version(fixed[0], fixed[1] + 1, 0)
        )
        return [(">=", low), ("<", high)]
    version = parse_version(text)
    given = len(text.lstrip("v").split("-")[0].split("."))
    if op == "^":
        if version.major > 0 or given == 1:
            high = Version(version.major + 1, 0, 0)
        elif version.minor > 0 or given == 2:
            high = Version(0, version.minor + 1, 0)
        else:
            high = Version(0, 0, version.patch + 1)
        return [(">=", version), ("<", high)]
    if op == "~":
        high = (
            Version(version.major + 1, 0, 0)
            if given == 1
            else Version(version.major, version.minor + 1, 0)
        )
        return [(">=", version), ("<", high)]
    if op in ("", "=", "=="):
        if given < 3:
            return _expand("~" if given == 2 else "^", text)
        return [("==", version)]
    return [(op, version)]


def parse_range(text: str) -> VersionRange:
    """Raises ValueError naming the part that is not a range."""
    comparators: list[tuple[str, Version]] = []
    cleaned = re.sub(r"(>=|<=|>|<|==|=|\^|~)\s+", r"\1", str(text).strip())
    for part in re.split(r"[,\s]+", cleaned):
        if not part:
            continue
        match = _COMPARATOR.match(part)
        if not match:
            raise ValueError(f"{part!r} is not a version range (like >=1.0,<2 or ^1.2)")
        try:
            comparators += _expand(match["op"] or "", match["version"])
        except ValueError as exc:
            raise ValueError(f"{part!r} is not a version range (like >=1.0,<2): {exc}") from None
    return VersionRange(str(text).strip(), tuple(comparators))
