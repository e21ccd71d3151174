"""Reading a pipeline file, and every reason to refuse one, each with the line it is on.

Problems are collected rather than raised one at a time, so a user fixes a file in one pass.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from groundwork.errors import ExitCode, ToolError
from groundwork.yamllines import line_of, syntax_error_line
from phoenix.pipelines import spec
from phoenix.pipelines.results import PipelineValidation, ValidationProblem

# libyaml's parser when PyYAML was built with it: the same nodes and marks, several times faster.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SECRET_KEY = re.compile(r"(pass(word)?|secret|token|api[-_]?key|license[-_]?key|auth)", re.I)
_SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|NRAK-[A-Z0-9]{20,}|eyJ[A-Za-z0-9_-]{10,}\.|Bearer\s+[A-Za-z0-9._-]{12,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|[a-f0-9]{36}NRAL)"
)
_REFERENCE = re.compile(r"^\$\{(env:)?[A-Za-z_][A-Za-z0-9_]*\}$")
_IDENTITY = ("process.executable.name",)


class PipelineInvalid(ToolError):
    """Every problem found, not just the first; the message names the first one's line."""

    def __init__(self, source: str, problems: list[ValidationProblem]) -> None:
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
        root, data = parse(text)
    except yaml.YAMLError as exc:
        problem = ValidationProblem(
            line=syntax_error_line(exc), where="", message=f"not valid YAML: {exc}"
        )
        raise PipelineInvalid(source, [problem]) from None
    if not isinstance(data, dict) or root is None:
        raise PipelineInvalid(
            source,
            [ValidationProblem(line=1, where="", message="a pipeline file is a YAML mapping")],
        )
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


def validation(text: str, source: str) -> PipelineValidation:
    """A validation as a finding rather than an error: `pipeline validate`'s answer."""
    try:
        pipeline = load_text(text, source)
    except PipelineInvalid as exc:
        return PipelineValidation(source=source, valid=False, pipeline=None, problems=exc.problems)
    return PipelineValidation(source=source, valid=True, pipeline=pipeline, problems=[])


def parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, from one parse."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def load_file(path: Path) -> spec.Pipeline:
    return load_text(path.read_text(encoding="utf-8"), str(path))


def _from_pydantic(root: yaml.Node, error: Any) -> ValidationProblem:
    # pydantic puts the processor's type in the path (processors.0.topk.k); the file has none.
    loc = tuple(
        part
        for i, part in enumerate(error["loc"])
        if not (i == 2 and error["loc"][0] == "processors" and part in spec.PROCESSOR_TYPES)
    )
    where = ".".join(str(p) for p in loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown field {loc[-1]!r}"
    return ValidationProblem(line=line_of(root, loc), where=where, message=message)


def _unknown_processors(root: yaml.Node, data: dict[str, Any]) -> list[ValidationProblem]:
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
            ValidationProblem(
                line=line_of(root, ("processors", index, "type")),
                where=f"processors.{index}.type",
                message=f"unknown processor {kind!r}{hint}"
                f" Known: {', '.join(spec.PROCESSOR_TYPES)}",
            )
        )
    return problems


def _secrets(node: yaml.Node, where: str) -> list[ValidationProblem]:
    """Literal credentials in the file: they belong in the environment, as ${env:NAME}."""
    problems: list[ValidationProblem] = []
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
                    ValidationProblem(
                        line=value.start_mark.line + 1,
                        where=path,
                        message="hard-coded secret; write ${env:NAME} and set NAME in the"
                        " environment",
                    )
                )
            else:
                problems += _secrets(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _secrets(item, f"{where}.{index}")
    elif isinstance(node, yaml.ScalarNode) and _SECRET_VALUE.search(str(node.value)):
        problems.append(
            ValidationProblem(
                line=node.start_mark.line + 1,
                where=where,
                message="a value looks like a credential; use ${env:NAME}",
            )
        )
    return problems


def _critical_risks(root: yaml.Node, pipeline: spec.Pipeline) -> list[ValidationProblem]:
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
            ValidationProblem(
                line=line_of(root, ("critical_processes",)),
                where="critical_processes",
                message="the pipeline drops processes but lists no critical processes to protect",
            )
        )
    for index, processor in enumerate(pipeline.processors):
        if isinstance(processor, spec.AttributeDropProcessor):
            for attribute in set(processor.attributes) & set(_IDENTITY):
                problems.append(
                    ValidationProblem(
                        line=line_of(root, ("processors", index, "attributes")),
                        where=f"processors.{index}.attributes",
                        message=f"dropping {attribute} leaves critical processes unidentifiable",
                    )
                )
        if isinstance(processor, spec.FilterProcessor):
            problems += _filter_risks(root, index, processor, pipeline.critical_processes)
    return problems


def _filter_risks(
    root: yaml.Node, index: int, processor: spec.FilterProcessor, critical: spec.NameMatch
) -> list[ValidationProblem]:
    problems = []
    for name in _critical_examples(critical):
        if _filter_drops_name(processor, name):
            problems.append(
                ValidationProblem(
                    line=line_of(root, ("processors", index)),
                    where=f"processors.{index}",
                    message=f"this filter drops {name!r}, which is a critical process",
                )
            )
    if processor.action == "drop" and any(
        c.priority and "critical" in c.priority for c in processor.conditions
    ):
        problems.append(
            ValidationProblem(
                line=line_of(root, ("processors", index, "conditions")),
                where=f"processors.{index}.conditions",
                message="this filter drops processes of priority critical",
            )
        )
    return problems


def _critical_examples(critical: spec.NameMatch) -> list[str]:
    """The critical names, and one name each critical pattern matches."""
    examples = list(critical.names)
    for pattern in critical.patterns:
        example = _example_of(pattern)
        if example is not None and re.fullmatch(pattern, example):
            examples.append(example)
    return examples


_OPTIONAL = re.compile(r"\((?:\?:)?[^()]*\)[?*]|\[[^\]]*\][?*]|\\?.[?*]")


def _example_of(pattern: str) -> str | None:
    """A name the pattern matches, for the usual shapes (`postgres: .*`, `beam(\\.smp)?`):
    optional parts left out, `.+` as one letter, escapes unescaped; None when unsure."""
    text = _OPTIONAL.sub("", pattern)
    text = re.sub(r"\.\+", "x", text)
    text = re.sub(r"\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)\+?", r"\1", text)
    text = re.sub(r"\\(.)", r"\1", text).lstrip("^").rstrip("$")
    return text if re.fullmatch(pattern, text) else None


def _filter_drops_name(processor: spec.FilterProcessor, name: str) -> bool:
    """Whether the filter certainly drops a process of this name, whatever else it tests:
    each condition is true, false, or unknown (it tests something other than the name)."""
    results: list[bool | None] = []
    for c in processor.conditions:
        if c.attribute != "process.executable.name":
            results.append(None)
        elif c.equals is not None:
            results.append(name == c.equals)
        elif c.in_ is not None:
            results.append(name in c.in_)
        else:
            results.append(re.fullmatch(c.matches or "", name) is not None)
    if processor.match == "any":
        matched: bool | None = True if True in results else (None if None in results else False)
    else:
        matched = False if False in results else (None if None in results else True)
    if matched is None:
        return False
    return matched if processor.action == "drop" else not matched
