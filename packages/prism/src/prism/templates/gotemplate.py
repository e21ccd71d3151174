"""Placeholders in the original's syntax: the part of Go's text/template its templates use.

``{{.name}}`` (and ``{{name}}``, which the original also filled), ``{{if COND}} .. {{else if
COND}} .. {{else}} .. {{end}}`` with ``eq ne lt le gt ge not and or``, string literals
(``{{"{{.Names}}"}}`` writes ``{{.Names}}`` literally, as in Go), ``{{/* comments */}}`` and the
``{{-``/``-}}`` whitespace trims. Anything else (range, with, pipes) is a clear error rather than
text passed through: a script half-filled is worse than one refused.

Unlike the original, which printed ``<no value>`` for a name it did not know, a name that is
neither a parameter, a variable nor a built-in is an error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PlaceholderSyntaxError", "UnknownNames", "names_in", "render"]

_UNSUPPORTED = {"range", "with", "define", "template", "block", "break", "continue"}
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<raw>`[^`]*`)
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<var>\.[A-Za-z_][A-Za-z0-9_]*)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<paren>[()])
    | (?P<pipe>\|)
    | (?P<other>\S)
    )""",
    re.VERBOSE,
)


class PlaceholderSyntaxError(Exception):
    """A ``{{ }}`` action prism cannot read; ``line`` counts from 1 within the text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class UnknownNames(Exception):
    """Placeholders that name no parameter, variable or built-in."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


@dataclass
class _Var:
    name: str


@dataclass
class _Literal:
    value: Any


@dataclass
class _Call:
    function: str
    args: list[Expr]


Expr = _Var | _Literal | _Call


@dataclass
class _Output:
    expr: Expr


@dataclass
class _If:
    branches: list[tuple[Expr, list[Node]]] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


Node = str | _Output | _If


def _actions(text: str) -> Iterator[tuple[str, str, int]]:
    """(text before, action body, line of the action); the last item has an empty body."""
    position = 0
    pending_trim = False
    while True:
        start = text.find("{{", position)
        if start < 0:
            rest = text[position:]
            yield (rest.lstrip() if pending_trim else rest), "", 0
            return
        line = text.count("\n", 0, start) + 1
        end = _action_end(text, start + 2, line)
        body = text[start + 2 : end]
        before = text[position:start]
        if pending_trim:
            before = before.lstrip()
        if body.startswith("- ") or body == "-":
            before = before.rstrip()
            body = body[1:]
        pending_trim = body.endswith(" -") or body == "-"
        if pending_trim:
            body = body[:-1]
        yield before, body.strip(), line
        position = end + 2


def _action_end(text: str, index: int, line: int) -> int:
    quote: str | None = None
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in '"`':
            quote = char
        elif text.startswith("}}", index):
            return index
        index += 1
    raise PlaceholderSyntaxError("a '{{' is never closed by '}}'", line)


def _tokens(body: str, line: int) -> list[tuple[str, str]]:
    found = []
    for match in _TOKEN.finditer(body):
        kind = match.lastgroup or "other"
        value = match.group(kind)
        if kind in ("pipe", "other"):
            raise PlaceholderSyntaxError(f"'{{{{{body}}}}}': {value!r} is not supported here", line)
        found.append((kind, value))
    return found


def _parse_expr(tokens: list[tuple[str, str]], line: int, body: str) -> Expr:
    expr, rest = _parse_call(tokens, line, body)
    if rest:
        raise PlaceholderSyntaxError(f"'{{{{{body}}}}}': unexpected {rest[0][1]!r}", line)
    return expr


_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _parse_call(
    tokens: list[tuple[str, str]], line: int, body: str
) -> tuple[Expr, list[tuple[str, str]]]:
    if not tokens:
        raise PlaceholderSyntaxError(f"'{{{{{body}}}}}' is empty", line)
    kind, value = tokens[0]
    if kind == "ident" and value in _FUNCTIONS:
        args: list[Expr] = []
        rest = tokens[1:]
        while rest and rest[0] != ("paren", ")"):
            arg, rest = _parse_term(rest, line, body)
            args.append(arg)
        if not args:
            raise PlaceholderSyntaxError(f"'{{{{{body}}}}}': {value} needs arguments", line)
        return _Call(value, args), rest
    return _parse_term(tokens, line, body)


def _parse_term(
    tokens: list[tuple[str, str]], line: int, body: str
) -> tuple[Expr, list[tuple[str, str]]]:
    kind, value = tokens[0]
    rest = tokens[1:]
    if kind == "paren" and value == "(":
        inner, rest = _parse_call(rest, line, body)
        if not rest or rest[0] != ("paren", ")"):
            raise PlaceholderSyntaxError(f"'{{{{{body}}}}}': a '(' is not closed", line)
        return inner, rest[1:]
    if kind == "var":
        return _Var(value[1:]), rest
    if kind == "ident":
        if value in ("true", "false"):
            return _Literal(value == "true"), rest
        return _Var(value), rest
    if kind == "str":
        return _Literal(bytes(value[1:-1], "utf-8").decode("unicode_escape")), rest
    if kind == "raw":
        return _Literal(value[1:-1]), rest
    if kind == "num":
        return _Literal(float(value) if "." in value else int(value)), rest
    raise PlaceholderSyntaxError(f"'{{{{{body}}}}}': unexpected {value!r}", line)


def _parse(text: str) -> list[Node]:
    root: list[Node] = []
    stack: list[tuple[_If, list[Node]]] = []
    current = root
    for before, body, line in _actions(text):
        if before:
            current.append(before)
        if not body:
            continue
        if body.startswith("/*"):
            continue
        tokens = _tokens(body, line)
        head = tokens[0][1] if tokens[0][0] == "ident" else ""
        if head in _UNSUPPORTED:
            raise PlaceholderSyntaxError(
                f"'{{{{{body}}}}}': {head} is not supported (only if/else/end and names)", line
            )
        if head == "if":
            block = _If()
            condition = _parse_expr(tokens[1:], line, body)
            block.branches.append((condition, []))
            current.append(block)
            stack.append((block, current))
            current = block.branches[-1][1]
        elif head == "else":
            if not stack:
                raise PlaceholderSyntaxError("'{{else}}' without an '{{if}}'", line)
            block = stack[-1][0]
            if len(tokens) > 1 and tokens[1] == ("ident", "if"):
                block.branches.append((_parse_expr(tokens[2:], line, body), []))
                current = block.branches[-1][1]
            else:
                current = block.otherwise
        elif head == "end":
            if not stack:
                raise PlaceholderSyntaxError("'{{end}}' without an '{{if}}'", line)
            current = stack.pop()[1]
        else:
            current.append(_Output(_parse_expr(tokens, line, body)))
    if stack:
        raise PlaceholderSyntaxError("an '{{if}}' is never closed by '{{end}}'", text.count("\n"))
    return root


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool:
    return bool(value) and value != "false"


def _compare(a: Any, b: Any) -> tuple[Any, Any]:
    try:
        return float(_text(a)), float(_text(b))
    except ValueError:
        return _text(a), _text(b)


def _eq(a: Any, *others: Any) -> bool:
    return any(x == y for x, y in (_compare(a, o) for o in others))


_FUNCTIONS.update(
    {
        "eq": _eq,
        "ne": lambda a, b: not _eq(a, b),
        "lt": lambda a, b: (lambda x, y: x < y)(*_compare(a, b)),
        "le": lambda a, b: (lambda x, y: x <= y)(*_compare(a, b)),
        "gt": lambda a, b: (lambda x, y: x > y)(*_compare(a, b)),
        "ge": lambda a, b: (lambda x, y: x >= y)(*_compare(a, b)),
        "not": lambda a: not _truthy(a),
        "and": lambda *args: all(_truthy(a) for a in args),
        "or": lambda *args: any(_truthy(a) for a in args),
    }
)


class _Evaluator:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.unknown: list[str] = []

    def expr(self, expr: Expr) -> Any:
        if isinstance(expr, _Literal):
            return expr.value
        if isinstance(expr, _Var):
            if expr.name not in self.values:
                if expr.name not in self.unknown:
                    self.unknown.append(expr.name)
                return ""
            return self.values[expr.name]
        return _FUNCTIONS[expr.function](*(self.expr(a) for a in expr.args))

    def nodes(self, nodes: list[Node]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif isinstance(node, _Output):
                out.append(_text(self.expr(node.expr)))
            else:
                out.append(self._if(node))
        return "".join(out)

    def _if(self, block: _If) -> str:
        for condition, body in block.branches:
            if _truthy(self.expr(condition)):
                return self.nodes(body)
        return self.nodes(block.otherwise)


def render(text: str, values: Mapping[str, Any]) -> str:
    """The text with its placeholders filled; every name must be in ``values``.

    Names in branches not taken are checked too: a typo must not wait for the day its
    branch is chosen.
    """
    if "{{" not in text:
        return text
    nodes = _parse(text)
    evaluator = _Evaluator(values)
    result = evaluator.nodes(nodes)
    _collect(nodes, evaluator)
    if evaluator.unknown:
        raise UnknownNames(evaluator.unknown)
    return result


def names_in(text: str) -> list[str]:
    """Every name the text's placeholders use, in order (raises on a syntax error)."""
    if "{{" not in text:
        return []
    evaluator = _Evaluator({})
    _collect(_parse(text), evaluator)
    return evaluator.unknown


def _collect(nodes: list[Node], evaluator: _Evaluator) -> None:
    for node in nodes:
        if isinstance(node, _Output):
            evaluator.expr(node.expr)
        elif isinstance(node, _If):
            for condition, body in node.branches:
                evaluator.expr(condition)
                _collect(body, evaluator)
            _collect(node.otherwise, evaluator)
