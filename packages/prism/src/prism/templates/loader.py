"""Reading template files, keeping line numbers so every problem points at its line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from groundwork.yamllines import line_of, syntax_error_line
from prism.templates.gotemplate import PlaceholderSyntaxError, names_in
from prism.templates.issues import Issue, TemplateInvalid
from prism.templates.model import PLACEHOLDERS, Template, TemplateFile

__all__ = ["describe_error", "load_file", "load_text", "template_paths"]

# Fields of the original format that only describe a template to people: no warning for them.
DESCRIPTIVE = {"prerequisites", "learning_resources", "validation_status", "documentation"}
# Fields of the original format that this prism does not apply: named in a warning.
NOT_APPLIED = {"files", "research_user", "dependencies"}


def template_paths(folder: Path) -> list[Path]:
    """Every template file under a folder, in its subfolders too (the original's collection
    keeps community/, examples/... beside the top level), hidden folders left out.
    """
    found = [
        path
        for pattern in ("*.yml", "*.yaml")
        for path in folder.rglob(pattern)
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    return sorted(found)


def load_file(path: Path, origin: str = "file") -> TemplateFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateInvalid(
            [Issue(str(path), None, "file", "does not exist", "Check the path.")]
        ) from None
    except IsADirectoryError:
        raise TemplateInvalid(
            [Issue(str(path), None, "file", "is a folder", "Give the template files in it.")]
        ) from None
    except UnicodeDecodeError:
        raise TemplateInvalid(
            [Issue(str(path), None, "file", "is not UTF-8 text", "Save it as UTF-8 YAML.")]
        ) from None
    return load_text(text, str(path), origin)


def load_text(text: str, path: str, origin: str = "file") -> TemplateFile:
    try:
        node, data = _parse(text)
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
        template = Template.model_validate(data, context=PLACEHOLDERS)
    except ValidationError as exc:
        raise TemplateInvalid(
            [
                Issue(
                    path,
                    line_of(node, error["loc"]),
                    ".".join(str(p) for p in error["loc"]) or "template",
                    describe_error(error),
                    _fix_for(error),
                )
                for error in exc.errors()
            ]
        ) from None
    syntax = _placeholder_syntax(data, node, path)
    if syntax:
        raise TemplateInvalid(syntax)
    warnings = [
        str(
            Issue(
                path,
                line_of(node, loc),
                ".".join(str(p) for p in loc),
                problem,
                "Check the spelling against the template reference.",
                "warning",
            )
        )
        for loc, problem in _unknown_fields(template)
    ]
    return TemplateFile(template=template, path=path, origin=origin, warnings=warnings)


def _parse(text: str) -> tuple[Any, Any]:
    """The document's node tree (for line numbers) and its data, from one parse (libyaml's
    when PyYAML has it: every command that lists templates reads them all).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def strings_in(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string of a YAML document with where it is."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings_in(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings_in(value, (*loc, index))


def _placeholder_syntax(data: dict[str, Any], node: Any, path: str) -> list[Issue]:
    issues = []
    for loc, text in strings_in(data):
        try:
            names_in(text)
        except PlaceholderSyntaxError as exc:
            line = line_of(node, loc)
            is_block = line is not None and "\n" in text
            issues.append(
                Issue(
                    path,
                    line + exc.line if is_block and line is not None else line,
                    ".".join(str(p) for p in loc),
                    f"placeholder: {exc.message}",
                    'Write placeholders as {{.name}}; to keep braces as they are, write {{"{{"}}.',
                )
            )
    return issues


def describe_error(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "literal_error" or error["type"] == "enum":
        return message.replace("Input should be", "must be")
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:]


def _fix_for(error: Any) -> str:
    field = ".".join(str(p) for p in error["loc"])
    if error["type"] == "missing":
        return f"Add '{field}:' to the template."
    if error["type"] == "string_pattern_mismatch":
        return f"Write {field} in the expected form: {error['ctx']['pattern']}"
    return f"Correct the value of {field}."


def _unknown_fields(
    model: BaseModel, prefix: tuple[Any, ...] = ()
) -> list[tuple[tuple[Any, ...], str]]:
    found: list[tuple[tuple[Any, ...], str]] = []
    for key in model.model_extra or {}:
        if prefix == () and key in DESCRIPTIVE:
            continue
        if prefix == () and key in NOT_APPLIED:
            found.append(((key,), "a field of the original prism that this prism does not apply"))
        else:
            found.append(((*prefix, key), "unknown field, kept but not used"))
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
