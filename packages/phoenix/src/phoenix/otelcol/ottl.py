"""OTTL text: string literals, anchored name patterns and the conditions of a pipeline file.

Regular expressions run on Go's RE2 in the collector, so a pattern Python accepts may not
compile there (look-arounds, backreferences); the collector's own `validate` catches those.
"""

from __future__ import annotations

import re

from phoenix.pipelines import spec

__all__ = [
    "CRITICAL",
    "DROPPED",
    "METRIC_ATTRIBUTE",
    "NAME",
    "PRIORITY",
    "attr",
    "condition",
    "literal",
    "name_regex",
    "not_set",
]


def literal(text: str) -> str:
    """A double-quoted OTTL string: backslashes and quotes escaped, as its lexer expects."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attr(key: str) -> str:
    return f"resource.attributes[{literal(key)}]"


NAME = attr("process.executable.name")
PRIORITY = attr("phoenix.priority")
CRITICAL = attr("phoenix.critical")
DROPPED = attr("phoenix.dropped")

METRIC_ATTRIBUTE = {
    "process.cpu.utilization": "phoenix.cpu",
    "process.memory.usage": "phoenix.rss",
    "process.memory.virtual": "phoenix.vms",
    "process.disk.io": "phoenix.disk",
    "process.threads": "phoenix.threads",
    "process.open_file_descriptors": "phoenix.fds",
}
"""Where a metric's value is copied on its process (a resource attribute), so a condition on it
can decide for the whole process. CPU is in percent of one core, as in pipeline files."""


def not_set(path: str) -> str:
    return f"{path} == nil"


def name_regex(match: spec.NameMatch) -> str | None:
    """One anchored pattern for the names and patterns of a match, or None when it is empty."""
    parts = [re.escape(n) for n in match.names] + [f"(?:{p})" for p in match.patterns]
    return "^(?:" + "|".join(parts) + ")$" if parts else None


def matches(path: str, regex: str) -> str:
    return f"IsMatch({path}, {literal(regex)})"


def condition(c: spec.Condition) -> str:
    """A pipeline condition as an OTTL boolean on the process (resource context)."""
    if c.priority is not None:
        return matches(PRIORITY, "^(?:" + "|".join(c.priority) + ")$")
    if c.attribute is not None:
        path = attr(c.attribute)
        if c.equals is not None:
            return matches(path, f"^{re.escape(c.equals)}$")
        if c.in_ is not None:
            return matches(path, "^(?:" + "|".join(map(re.escape, c.in_)) + ")$")
        return matches(path, f"^(?:{c.matches})$")
    path = attr(METRIC_ATTRIBUTE[c.metric or ""])
    tests = []
    if c.above is not None:
        tests.append(f"{path} > {c.above!r}")
    if c.below is not None:
        tests.append(f"{path} < {c.below!r}")
    return " and ".join(tests)
