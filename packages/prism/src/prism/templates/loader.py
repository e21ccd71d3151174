"""Reading template files, keeping line numbers so every problem points at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from groundwork.yamllines import line_of, syntax_error_line
from prism.templates.issues import Issue, TemplateInvalid
from prism.templates.model import Template, TemplateFile

__all__ = ["load_file", "load_text"]

# Fields of the original format that prism reads past without using: no warning for them.
KNOWN_ELSEWHERE = {
    "prerequisites",
    "learning_resources",
    "validation_status",
    "files",
    "ami_config",
    "research_user",
    "dependencies",
    "documentation",
}


def load_file(path: Path, origin: str = "file") -> TemplateFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateInvalid(
            [Issue(str(path), None, "file", "does not exist", "Check the path.")]
        ) from None
    except UnicodeDecodeError:
        raise TemplateInvalid(
            [Issue(str(path), None, "file", "is not UTF-8 text", "Save it as UTF-8 YAML.")]
        ) from None
    return load_text(text, str(path), origin)


def load_text(text: str, path: str, origin: str = "file") -> TemplateFile:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise TemplateInvalid(
            [
                Issue(
                    path,
                    syntax_error_line(exc),
                    "yaml",
                    f"{exc.problem or 'not valid YAML'}",
                    "Fix the YAML syntax there (indentation, quotes, a missing ':').",
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise TemplateInvalid(
            [Issue(path, 1, "file", "is not a YAML mapping", "A template starts with 'name:'.")]
        )
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        raise TemplateInvalid(
            [
                Issue(
                    path,
                    line_of(node, error["loc"]),
                    ".".join(str(p) for p in error["loc"]) or "template",
                    _describe(error),
                    _fix_for(error),
                )
                for error in exc.errors()
            ]
        ) from None
    warnings = [
        str(
            Issue(
                path,
                line_of(node, loc),
                ".".join(str(p) for p in loc),
                "unknown field, kept but not used",
                "Check the spelling against the template reference.",
                "warning",
            )
        )
        for loc in _unknown_fields(template)
    ]
    return TemplateFile(template=template, path=path, origin=origin, warnings=warnings)


def _describe(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "literal_error":
        return message.replace("Input should be", "must be")
    return message[0].lower() + message[1:]


def _fix_for(error: Any) -> str:
    field = ".".join(str(p) for p in error["loc"])
    if error["type"] == "missing":
        return f"Add '{field}:' to the template."
    if error["type"] == "string_pattern_mismatch":
        return f"Write {field} in the expected form: {error['ctx']['pattern']}"
    return f"Correct the value of {field}."


def _unknown_fields(model: BaseModel, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    for key in model.model_extra or {}:
        if not (prefix == () and key in KNOWN_ELSEWHERE):
            found.append((*prefix, key))
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += _unknown_fields(value, (*prefix, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += _unknown_fields(item, (*prefix, name, i))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    found += _unknown_fields(item, (*prefix, name, key))
    return found
