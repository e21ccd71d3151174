"""Durations and amounts as people type them: ``30m``, ``1h``, ``1h30m``, ``90`` (minutes);
``7d`` for ages. Kept free of pydantic: the CLI parses them before it talks to prismd.
"""

from __future__ import annotations

import re

from groundwork.errors import ExitCode, ToolError

__all__ = ["parse_minutes"]

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|min|mins|minutes?|hours?|days?)?", re.IGNORECASE)
_MINUTES = {"d": 1440, "day": 1440, "days": 1440, "h": 60, "hour": 60, "hours": 60}


def parse_minutes(text: str, option: str, *, allow_zero: bool = False) -> int:
    """``"1h30m"`` -> 90. A bare number is minutes."""
    cleaned = text.strip().lower().replace(" ", "")
    total = 0.0
    position = 0
    while position < len(cleaned):
        match = _PART.match(cleaned, position)
        if match is None or match.end() == position:
            break
        unit = (match.group(2) or "m").lower()
        total += float(match.group(1)) * _MINUTES.get(unit, 1)
        position = match.end()
    if not cleaned or position != len(cleaned) or total < 0 or (total == 0 and not allow_zero):
        raise ToolError(
            "PRISM_DURATION_INVALID",
            f"{option} {text!r} is not a duration.",
            suggestions=[
                f"Write it as minutes or hours: {option} 30m, {option} 1h30m, {option} 2h"
            ],
            exit_code=ExitCode.USAGE,
        )
    return round(total)
