"""Inheritance and parameters: from a template as written to the one a launch uses.

Merge rules are the original's: packages, users, services and post_install are appended parent
first; package_manager and other scalars are overridden by the child; ports are de-duplicated;
with several parents, later parents win. Parents are named by display name or slug.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.templates.issues import Issue, TemplateInvalid
from prism.templates.model import InstanceDefaults, Packages, Parameter, Template, TemplateFile

__all__ = ["apply_parameters", "check_parameters", "resolve_inheritance", "substitute"]

Lookup = Callable[[str], TemplateFile | None]
_PLACEHOLDER = re.compile(r"\{\{\s*\.?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


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
    for parent_name in template.inherits:
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
        parent = _resolve(parent_file, lookup, [*chain, template.key])
        merged = parent if merged is None else _merge(merged, parent)
    if merged is None:
        return template
    return _merge(merged, template)


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
    return Template.model_validate(data)


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


def substitute(text: str, values: Mapping[str, Any]) -> str:
    """Fill ``{{.name}}`` placeholders (the original's Go template syntax); unknown ones stay."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            return match.group(0)
        value = values[key]
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return _PLACEHOLDER.sub(fill, text)


def apply_parameters(
    template: Template, given: Mapping[str, str]
) -> tuple[Template, dict[str, Any]]:
    values = {**template.variables, **check_parameters(template, given)}
    packages = template.packages.model_copy(
        update={
            kind: [substitute(p, values) for p in getattr(template.packages, kind)]
            for kind in ("system", "conda", "spack", "pip")
        }
    )
    updated = template.model_copy(
        update={
            "packages": packages,
            "post_install": substitute(template.post_install, values)
            if template.post_install
            else None,
            "user_data": substitute(template.user_data, values) if template.user_data else None,
        }
    )
    return updated, values
