"""A template draft (from `templates new`'s flags and questions, or the browser form) turned
into a template file, checked as prism checks any template, and written only when it passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_text
from prism.cloud.images import BASES, canonical_base
from prism.templates.authoring.draft import TemplateDraft
from prism.templates.catalog import Catalog, catalog_for
from prism.templates.loader import load_text
from prism.templates.repos.history import TemplateHistoryStore
from prism.templates.results import ValidationReport

__all__ = ["check_draft", "draft_yaml", "save_draft"]


def _start(draft: TemplateDraft, catalog: Catalog) -> dict[str, Any]:
    parent = catalog.lookup(draft.start_from)
    if parent is not None:
        return {"inherits": [parent.template.name]}
    base = canonical_base(draft.start_from)
    if base in BASES:
        return {"base": base}
    raise ToolError(
        "PRISM_TEMPLATE_BASE_UNKNOWN",
        f"{draft.start_from!r} is neither a template nor a base OS prism knows.",
        suggestions=[
            f"Start from a base OS ({', '.join(sorted(BASES))})"
            " or a template listed by: prism templates list",
        ],
        exit_code=ExitCode.USAGE,
    )


def draft_yaml(draft: TemplateDraft, catalog: Catalog) -> str:
    data: dict[str, Any] = {
        "name": draft.name or draft.slug.replace("-", " ").title(),
        "slug": draft.slug,
        "description": draft.description,
        **_start(draft, catalog),
        "version": draft.version,
    }
    if draft.connection_type:
        data["connection_type"] = draft.connection_type.value
    if draft.packages or draft.pip_packages:
        data["packages"] = {
            k: v for k, v in (("system", draft.packages), ("pip", draft.pip_packages)) if v
        }
    if draft.users:
        data["users"] = [u.model_dump(exclude_defaults=True) for u in draft.users]
    if draft.services:
        data["services"] = [s.model_dump(exclude_none=True) for s in draft.services]
    ports = sorted({*draft.ports, *(s.port for s in draft.services if s.port)})
    if ports:
        data["ports"] = ports
    if draft.parameters:
        data["parameters"] = {
            p.name: p.model_dump(exclude={"name"}, exclude_none=True, exclude_defaults=True)
            | {"type": p.type}
            for p in draft.parameters
        }
    if draft.post_install:
        data["post_install"] = draft.post_install
    header = "# Written by prism; check it with: prism templates validate\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def check_draft(draft: TemplateDraft, home: Path) -> tuple[str, ValidationReport]:
    """The draft's YAML and its validation, as `templates validate` would report it."""
    catalog = catalog_for(home)
    text = draft_yaml(draft, catalog)
    path = str(home / "templates" / f"{draft.slug}.yml")
    from prism.templates.issues import TemplateInvalid

    try:
        file = load_text(text, path, "user")
    except TemplateInvalid as exc:
        return text, ValidationReport(path=path, slug=draft.slug, errors=exc.issues, warnings=[])
    return text, catalog.validate_one(file)


def save_draft(
    draft: TemplateDraft, home: Path, *, force: bool = False, source: str = "new"
) -> tuple[Path, ValidationReport]:
    """Write the draft to the user's templates if it validates; refuses otherwise."""
    from prism.templates.issues import TemplateInvalid

    text, report = check_draft(draft, home)
    if report.errors:
        raise TemplateInvalid(report.errors)
    target = home / "templates" / f"{draft.slug}.yml"
    if target.exists() and not force:
        raise ToolError(
            "PRISM_TEMPLATE_EXISTS",
            f"A template file {target} exists already.",
            suggestions=[
                f"Choose another slug, or replace it with --force (the old one stays in:"
                f" prism templates history {draft.slug})."
            ],
            exit_code=ExitCode.CONFLICT,
        )
    history = TemplateHistoryStore(home)
    history.catch_edits(draft.slug, target)
    private_dir(target.parent)
    atomic_write_text(target, text)
    history.record(draft.slug, text, source)
    return target, report
