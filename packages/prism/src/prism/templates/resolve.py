"""Inheritance and parameters: from a template as written to the one a launch uses.

Merge rules are the original's: packages, users, services and post_install are appended parent
first; package_manager and other scalars are overridden by the child; ports are de-duplicated;
with several parents, later parents win. Parents are named by display name or slug, optionally
pinned to a version range (``"Rocky Linux 9 Base@^1.0"``).

Placeholders are filled in every field (user and service names too), and only then is the
template validated strictly: ``{{.user_name}}`` passes as a user name while it is a
placeholder, and the name it becomes must be a valid one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from groundwork.errors import ExitCode, ToolError
from prism.templates.gotemplate import UnknownNames, render
from prism.templates.issues import Issue, TemplateInvalid
from prism.templates.loader import describe_error, strings_in
from prism.templates.model import (
    PLACEHOLDERS,
    IdleDetection,
    InstanceDefaults,
    Packages,
    Parameter,
    Template,
    TemplateFile,
)
from prism.templates.semver import parse_range, parse_version

__all__ = [
    "apply_parameters",
    "builtin_values",
    "check_parameters",
    "parent_reference",
    "resolve_inheritance",
]

Lookup = Callable[[str], TemplateFile | None]
_NOT_FILLED = {"parameters", "variables"}


def builtin_values(template: Template) -> dict[str, Any]:
    """Names the original filled without a parameter: the address web services bind to (the
    workstation's loopback: prism reaches them through an SSH tunnel) and the idle settings.
    """
    idle = template.idle_detection or IdleDetection()
    return {
        "WebInterfaceBindIP": "127.0.0.1",
        "IDLE_THRESHOLD_MINUTES": idle.idle_threshold_minutes,
        "HIBERNATE_THRESHOLD_MINUTES": idle.hibernate_threshold_minutes,
        "CHECK_INTERVAL_MINUTES": idle.check_interval_minutes,
    }


def parent_reference(entry: str) -> tuple[str, str | None]:
    """``"Name@range"`` as (name, range); a name without a valid range after '@' is whole."""
    name, sep, pinned = entry.rpartition("@")
    if sep and name.strip():
        try:
            parse_range(pinned)
        except ValueError:
            return entry, None
        return name.strip(), pinned.strip()
    return entry, None


def resolve_inheritance(file: TemplateFile, lookup: Lookup) -> Template:
    return _resolve(file, lookup, [])


def _resolve(file: TemplateFile, lookup: Lookup, chain: list[str]) -> Template:
    template = file.template
    if template.key in chain:
        cycle = " -> ".join([*chain[chain.index(template.key) :], template.key])
        raise TemplateInvalid(
            [
                Issue(
                    file.path,
                    None,
                    "inherits",
                    f"inheritance cycle: {cycle}",
                    "Remove one of the 'inherits' entries so the chain ends.",
                )
            ]
        )
    merged: Template | None = None
    for entry in template.inherits:
        parent_name, pinned = parent_reference(entry)
        parent_file = lookup(parent_name)
        if parent_file is None:
            raise TemplateInvalid(
                [
                    Issue(
                        file.path,
                        None,
                        "inherits",
                        f"parent template {parent_name!r} was not found",
                        "Name a template listed by `prism templates list` (name or slug).",
                    )
                ]
            )
        if pinned is not None:
            _check_pin(file, parent_file, parent_name, pinned)
        parent = _resolve(parent_file, lookup, [*chain, template.key])
        merged = parent if merged is None else _merge(merged, parent)
    if merged is None:
        return template
    return _merge(merged, template)


def _check_pin(file: TemplateFile, parent: TemplateFile, name: str, pinned: str) -> None:
    wanted = parse_range(pinned)
    written = parent.template.version
    if written is not None and wanted.allows(parse_version(written)):
        return
    have = f"is version {written}" if written else "has no version"
    raise TemplateInvalid(
        [
            Issue(
                file.path,
                None,
                "inherits",
                f"parent template {name!r} {have}; this template needs {pinned}",
                f"Install a version of {parent.template.key} in that range"
                f" (prism templates install REPO/{parent.template.key}@VERSION),"
                " or widen the range after '@'.",
            )
        ]
    )


def _unique(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _by_name(parent: list[Any], child: list[Any]) -> list[Any]:
    """Appended parent first; an entry of the same name in the child replaces the parent's."""
    result = {item.name: item for item in parent}
    for item in child:
        result[item.name] = item
    return list(result.values())


def _merge(parent: Template, child: Template) -> Template:
    written = child.model_fields_set
    data = parent.model_dump()
    for name in written:
        data[name] = getattr(child, name)
    packages = Packages(
        **{
            kind: _unique(getattr(parent.packages, kind) + getattr(child.packages, kind))
            for kind in ("system", "conda", "spack", "pip")
        }
    )
    defaults = InstanceDefaults(
        type=child.instance_defaults.type or parent.instance_defaults.type,
        instance_type_preference=child.instance_defaults.instance_type_preference
        or parent.instance_defaults.instance_type_preference,
        ports=_unique(parent.instance_defaults.ports + child.instance_defaults.ports),
        root_volume_gb=child.instance_defaults.root_volume_gb
        or parent.instance_defaults.root_volume_gb,
        estimated_cost_per_hour={
            **parent.instance_defaults.estimated_cost_per_hour,
            **child.instance_defaults.estimated_cost_per_hour,
        },
    )
    scripts = [s for s in (parent.post_install, child.post_install) if s]
    data.update(
        packages=packages,
        users=_by_name(parent.users, child.users),
        services=_by_name(parent.services, child.services),
        containers=_by_name(parent.containers, child.containers),
        ports=_unique(parent.ports + child.ports),
        post_install="\n".join(s.rstrip("\n") for s in scripts) + "\n" if scripts else None,
        instance_defaults=defaults,
        parameters={**parent.parameters, **child.parameters},
        variables={**parent.variables, **child.variables},
        tags={**parent.tags, **child.tags},
        inherits=[],
        name=child.name,
        slug=child.slug,
    )
    return Template.model_validate(data, context=PLACEHOLDERS)


def _param_error(name: str, problem: str, fix: str) -> ToolError:
    return ToolError(
        "PRISM_PARAM_INVALID",
        f"Parameter {name!r} {problem}.",
        suggestions=[fix],
        context={"parameter": name},
        exit_code=ExitCode.USAGE,
    )


def _convert(name: str, spec: Parameter, raw: Any) -> Any:
    kind = spec.type
    text = str(raw)
    if kind in ("int", "integer"):
        try:
            value: Any = int(text)
        except ValueError:
            raise _param_error(
                name, f"must be a whole number, not {text!r}", f"e.g. --param {name}=4"
            ) from None
    elif kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise _param_error(
                name, f"must be a number, not {text!r}", f"e.g. --param {name}=0.5"
            ) from None
    elif kind in ("bool", "boolean"):
        lowered = text.lower()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            raise _param_error(name, f"must be true or false, not {text!r}", f"--param {name}=true")
        value = lowered in ("true", "yes", "1")
    else:
        value = text
    if spec.choices and value not in spec.choices and text not in map(str, spec.choices):
        options = ", ".join(map(str, spec.choices))
        raise _param_error(
            name, f"must be one of {options}, not {text!r}", f"--param {name}={spec.choices[0]}"
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.min is not None and value < spec.min:
            raise _param_error(
                name, f"must be at least {spec.min:g}", f"--param {name}={spec.min:g}"
            )
        if spec.max is not None and value > spec.max:
            raise _param_error(
                name, f"must be at most {spec.max:g}", f"--param {name}={spec.max:g}"
            )
    if spec.pattern and isinstance(value, str) and not re.fullmatch(spec.pattern, value):
        raise _param_error(name, f"must match {spec.pattern}", "Give a value of that form.")
    return value


def check_parameters(template: Template, given: Mapping[str, str]) -> dict[str, Any]:
    """Typed values for every parameter: the given ones checked, defaults for the rest."""
    unknown = sorted(set(given) - set(template.parameters))
    if unknown:
        known = ", ".join(sorted(template.parameters)) or "none"
        raise ToolError(
            "PRISM_PARAM_UNKNOWN",
            f"{template.name} has no parameter {unknown[0]!r}.",
            suggestions=[f"Its parameters: {known}. See: prism templates info {template.key}"],
            exit_code=ExitCode.USAGE,
        )
    values: dict[str, Any] = {}
    for name, spec in template.parameters.items():
        if name in given:
            values[name] = _convert(name, spec, given[name])
        elif spec.default is not None:
            values[name] = _convert(name, spec, spec.default)
        elif spec.required:
            raise _param_error(name, "is required", f"Add --param {name}=VALUE")
    return values


def apply_parameters(
    template: Template, given: Mapping[str, str], path: str = "template"
) -> tuple[Template, dict[str, Any]]:
    """The template with every placeholder filled, validated strictly, and the values used."""
    values = {**builtin_values(template), **template.variables}
    values.update(check_parameters(template, given))
    data = template.model_dump(exclude=_NOT_FILLED)
    issues = []
    for loc, text in list(strings_in(data)):
        if "{{" not in text:
            continue
        try:
            filled = render(text, values)
        except UnknownNames as exc:
            known = ", ".join(sorted(set(template.parameters) | set(template.variables)))
            issues += [
                Issue(
                    path,
                    None,
                    ".".join(str(p) for p in loc),
                    f"placeholder {{{{.{name}}}}} names no parameter",
                    f"Declare it under 'parameters:' or fix the name (known: {known or 'none'}).",
                )
                for name in exc.names
            ]
            continue
        _set(data, loc, filled)
    if issues:
        raise TemplateInvalid(issues)
    data.update(parameters=template.parameters, variables=template.variables)
    try:
        filled_template = Template.model_validate(data)
    except ValidationError as exc:
        raise TemplateInvalid(
            [
                Issue(
                    path,
                    None,
                    ".".join(str(p) for p in error["loc"]),
                    f"{describe_error(error)} (once its placeholders are filled)",
                    "Give a parameter value that makes a valid one (--param NAME=VALUE).",
                )
                for error in exc.errors()
            ]
        ) from None
    return filled_template, values


def _set(data: Any, loc: tuple[Any, ...], value: str) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value
