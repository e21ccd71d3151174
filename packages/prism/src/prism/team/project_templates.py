"""Collaborative templates: a project owns templates (files in ``projects/P/templates`` in
prismd's state folder) that its members launch with `--project P` and its admins add, change
and remove. A launch into the project finds them beside the bundled and the operator's own.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_text
from prism.records import Records
from prism.templates.loader import load_text

__all__ = [
    "ProjectTemplate",
    "ProjectTemplateList",
    "ProjectTemplateResult",
    "ProjectTemplates",
]

_KIND = "project-template"


class ProjectTemplate(BaseModel):
    project: str
    slug: str = Field(description="What `prism launch SLUG NAME --project P` names.")
    name: str
    path: str
    updated_by: str
    updated_at: datetime
    warnings: list[str] = Field(default_factory=list)


class ProjectTemplateResult(BaseModel):
    template: ProjectTemplate
    removed: bool = False


class ProjectTemplateList(BaseModel):
    templates: list[ProjectTemplate]


class ProjectTemplates:
    def __init__(self, home: Path, records: Records) -> None:
        self.home = home
        self.records = records

    def folder(self, project: str) -> Path:
        return self.home / "projects" / project / "templates"

    def dirs_for(self, project: str | None) -> tuple[str, ...]:
        """The folder a launch into ``project`` adds to its catalog (none when it has none)."""
        if project is None or not self.folder(project).is_dir():
            return ()
        return (str(self.folder(project)),)

    def list(self, project: str) -> builtins.list[ProjectTemplate]:
        found = self.records.all(_KIND, ProjectTemplate)
        return [t for key, t in found.items() if key.startswith(f"{project}|")]

    def put(self, project: str, text: str, *, by: str, replace: bool) -> ProjectTemplate:
        """Validated before anything is written: a broken template never reaches members."""
        loaded = load_text(text, f"{project}/template.yml")
        slug = loaded.template.key
        path = self.folder(project) / f"{slug}.yml"
        if path.exists() and not replace:
            raise ToolError(
                "PRISM_PROJECT_TEMPLATE_EXISTS",
                f"{project} has a template {slug!r} already.",
                suggestions=[f"Replace it: prism project template add {project} FILE --replace"],
                exit_code=ExitCode.CONFLICT,
            )
        private_dir(path.parent)
        atomic_write_text(path, text)
        template = ProjectTemplate(
            project=project,
            slug=slug,
            name=loaded.template.name,
            path=str(path),
            updated_by=by,
            updated_at=self.records.clock.now(),
            warnings=loaded.warnings,
        )
        self.records.put(_KIND, f"{project}|{slug}", template)
        return template

    def remove(self, project: str, slug: str) -> ProjectTemplate:
        found = self.records.get(_KIND, f"{project}|{slug}", ProjectTemplate)
        if found is None:
            raise ToolError(
                "PRISM_PROJECT_TEMPLATE_NOT_FOUND",
                f"{project} has no template {slug!r}.",
                suggestions=[f"See its templates: prism project template list {project}"],
                exit_code=ExitCode.NOT_FOUND,
            )
        Path(found.path).unlink(missing_ok=True)
        self.records.delete(_KIND, f"{project}|{slug}")
        return found
