"""Line numbers for errors in YAML files people write by hand (templates, pipelines, agents).

A validation error names a field by its path (``services.0.port``); people need the line. The
file is composed once into PyYAML's node tree, whose marks know where each key and item starts.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

__all__ = ["line_of", "syntax_error_line"]


def line_of(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the deepest part of ``loc`` the file has: a mapping entry's key, a
    sequence's item. A path that leaves the file partway points at where it left.
    """
    if root is None:
        return None
    node = root
    line = int(root.start_mark.line) + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next((kv for kv in node.value if str(kv[0].value) == str(part)), None)
            if entry is None:
                return line
            line, node = int(entry[0].start_mark.line) + 1, entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            return line
    return line


def syntax_error_line(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a syntax error points at, when PyYAML knows it."""
    mark = getattr(exc, "problem_mark", None)
    return int(mark.line) + 1 if mark is not None else None
