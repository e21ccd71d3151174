"""Reading a pipeline file, and every reason to refuse one, each with the line it is on.

Problems are collected rather than raised one at a time, so a user fixes a file in one pass.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from groundwork.errors import ExitCode, ToolError
from groundwork.yamllines import line_of, syntax_error_line
from phoenix.pipelines import spec
from phoenix.pipelines.processors import name_matcher

_SECRET_KEY = re.compile(r"(pass(word)?|secret|token|api[-_]?key|license[-_]?key|auth)", re.I)
_SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|NRAK-[A-Z0-9]{20,}|eyJ[A-Za-z0-9_-]{10,}\.|Bearer\s+[A-Za-z0-9._-]{12,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|[a-f0-9]{36}NRAL)"
)
_REFERENCE = re.compile(r"^\$\{(env:)?[A-Za-z_][A-Za-z0-9_]*\}$")
_IDENTITY = ("process.executable.name",)


@dataclass(frozen=True)
class Problem:
    line: int | None
    where: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "where": self.where, "message": self.message}

    def __str__(self) -> str:
        at = f"line {self.line}" if self.line else "file"
        return f"{at} ({self.where}): {self.message}" if self.where else f"{at}: {self.message}"


class PipelineInvalid(ToolError):
    """Every problem found, not just the first; the message names the first one's line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            "PHOENIX_PIPELINE_INVALID",
            f"{source}: {problems[0]}{more}",
            suggestions=[
                "Fix the lines listed, then check again: phoenix pipeline validate FILE",
            ],
            context={"problems": [str(p) for p in problems]},
            exit_code=ExitCode.USAGE,
        )
        self.source = source
        self.problems = problems


def load_text(text: str, source: str) -> spec.Pipeline:
    """Parse and validate a pipeline; raise PipelineInvalid listing every problem found."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = Problem(syntax_error_line(exc), "", f"not valid YAML: {exc}")
        raise PipelineInvalid(source, [problem]) from None
    if not isinstance(data, dict) or root is None:
        raise PipelineInvalid(source, [Problem(1, "", "a pipeline file is a YAML mapping")])
    problems = _secrets(root, "") + _unknown_processors(root, data)
    pipeline: spec.Pipeline | None = None
    if not problems:
        try:
            pipeline = spec.Pipeline.model_validate(data)
        except ValidationError as exc:
            problems += [_from_pydantic(root, error) for error in exc.errors()]
    if pipeline is not None:
        problems += _critical_risks(root, pipeline)
    if problems or pipeline is None:
        raise PipelineInvalid(source, problems)
    return pipeline


def load_file(path: Path) -> spec.Pipeline:
    return load_text(path.read_text(encoding="utf-8"), str(path))


def _from_pydantic(root: yaml.Node, error: Any) -> Problem:
    loc = tuple(error["loc"])
    where = ".".join(str(p) for p in loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown field {loc[-1]!r}"
    return Problem(line_of(root, loc), where, message)


def _unknown_processors(root: yaml.Node, data: dict[str, Any]) -> list[Problem]:
    processors = data.get("processors")
    if not isinstance(processors, list):
        return []
    problems = []
    for index, entry in enumerate(processors):
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind is None or kind in spec.PROCESSOR_TYPES:
            continue
        close = difflib.get_close_matches(str(kind), spec.PROCESSOR_TYPES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(
            Problem(
                line_of(root, ("processors", index, "type")),
                f"processors.{index}.type",
                f"unknown processor {kind!r}{hint} Known: {', '.join(spec.PROCESSOR_TYPES)}",
            )
        )
    return problems


def _secrets(node: yaml.Node, where: str) -> list[Problem]:
    """Literal credentials in the file: they belong in the environment, as ${env:NAME}."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{where}.{key.value}" if where else str(key.value)
            if (
                isinstance(value, yaml.ScalarNode)
                and _SECRET_KEY.search(str(key.value))
                and value.value
                and not _REFERENCE.match(value.value)
            ):
                problems.append(
                    Problem(
                        value.start_mark.line + 1,
                        path,
                        "hard-coded secret; write ${env:NAME} and set NAME in the environment",
                    )
                )
            else:
                problems += _secrets(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _secrets(item, f"{where}.{index}")
    elif isinstance(node, yaml.ScalarNode) and _SECRET_VALUE.search(str(node.value)):
        problems.append(
            Problem(
                node.start_mark.line + 1, where, "a value looks like a credential; use ${env:NAME}"
            )
        )
    return problems


def _critical_risks(root: yaml.Node, pipeline: spec.Pipeline) -> list[Problem]:
    """Pipelines whose author plainly meant to drop, or could not identify, a critical process.

    The engine keeps critical processes whatever a processor does, so these are refused because
    the file says something the engine will not do, and the reader deserves to know.
    """
    problems = []
    drops = [
        i
        for i, p in enumerate(pipeline.processors)
        if not isinstance(
            p, spec.PriorityProcessor | spec.AttributeDropProcessor | spec.RollupProcessor
        )
    ]
    if drops and pipeline.critical_processes.empty:
        problems.append(
            Problem(
                line_of(root, ("critical_processes",)),
                "critical_processes",
                "the pipeline drops processes but lists no critical processes to protect",
            )
        )
    is_critical = name_matcher(pipeline.critical_processes)
    for index, processor in enumerate(pipeline.processors):
        if isinstance(processor, spec.AttributeDropProcessor):
            for attribute in set(processor.attributes) & set(_IDENTITY):
                problems.append(
                    Problem(
                        line_of(root, ("processors", index, "attributes")),
                        f"processors.{index}.attributes",
                        f"dropping {attribute} leaves critical processes unidentifiable",
                    )
                )
        if isinstance(processor, spec.FilterProcessor):
            problems += _filter_risks(root, index, processor, is_critical)
    return problems


def _filter_risks(
    root: yaml.Node, index: int, processor: spec.FilterProcessor, is_critical: Any
) -> list[Problem]:
    problems = []
    for n, condition in enumerate(processor.conditions):
        named = condition.in_ or ([condition.equals] if condition.equals else [])
        if condition.attribute != "process.executable.name" or processor.action != "drop":
            continue
        for name in named:
            if is_critical(name):
                problems.append(
                    Problem(
                        line_of(root, ("processors", index, "conditions", n)),
                        f"processors.{index}.conditions.{n}",
                        f"this filter drops {name!r}, which is a critical process",
                    )
                )
    if processor.action == "drop" and any(
        c.priority and "critical" in c.priority for c in processor.conditions
    ):
        problems.append(
            Problem(
                line_of(root, ("processors", index, "conditions")),
                f"processors.{index}.conditions",
                "this filter drops processes of priority critical",
            )
        )
    return problems
