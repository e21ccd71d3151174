"""All templates a user can launch: bundled with prism, plus the user's own.

User templates live under ``<state>/templates/`` (subfolders too, like the original's
collection) and in the folders ``PRISM_TEMPLATE_PATH`` lists; they replace a bundled template of
the same slug, so a lab can adjust a stock template without forking prism. A file that does not
load is kept aside with its errors, so `templates list` can show it as invalid.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from groundwork.errors import ExitCode, ToolError
from prism.idle.agent import AgentSetup
from prism.templates.architectures import architecture_issues
from prism.templates.issues import Issue, TemplateInvalid
from prism.templates.loader import load_file, load_text, template_paths
from prism.templates.model import Template, TemplateFile
from prism.templates.notes import check_compatible, template_notes
from prism.templates.resolve import apply_parameters, resolve_inheritance
from prism.templates.results import ValidationReport
from prism.templates.userdata import Mount, render_user_data

__all__ = [
    "PATH_ENV",
    "Catalog",
    "Resolved",
    "ValidationReport",
    "catalog_for",
    "template_path",
]

PATH_ENV = "PRISM_TEMPLATE_PATH"


@dataclass(frozen=True)
class Resolved:
    """A template ready to launch: inheritance merged, parameters checked and filled in."""

    file: TemplateFile
    template: Template
    values: dict[str, Any]

    def user_data(
        self,
        mounts: tuple[Mount, ...] = (),
        idle: AgentSetup | Literal["preview"] | None = "preview",
        extra_stages: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> str:
        """The setup script; by default with the idle agent a launch adds, its settings those
        of an example workstation (a launch passes its own, or None for --no-idle).
        """
        agent = AgentSetup.for_template(self.template) if idle == "preview" else idle
        return render_user_data(self.template, mounts=mounts, idle=agent, extra_stages=extra_stages)

    @property
    def notes(self) -> list[Issue]:
        return template_notes(self.template, self.file.path)


def template_path() -> list[str]:
    """The folders ``PRISM_TEMPLATE_PATH`` lists (os.pathsep apart)."""
    return [p for p in os.environ.get(PATH_ENV, "").split(os.pathsep) if p]


def catalog_for(home: Path, extra_dirs: list[str] | None = None) -> Catalog:
    """The catalog of a state folder, with the folders of ``PRISM_TEMPLATE_PATH`` (or those
    given: prismd uses the ones of the CLI that asked it to launch).
    """
    folders = template_path() if extra_dirs is None else extra_dirs
    return Catalog(home / "templates", [Path(p) for p in folders])


class Catalog:
    def __init__(self, user_dir: Path | None, extra_dirs: list[Path] | None = None) -> None:
        self.user_dir = user_dir
        self.extra_dirs = list(extra_dirs or [])
        self._files: dict[str, TemplateFile] | None = None
        self.broken: list[TemplateInvalid] = []

    def files(self) -> dict[str, TemplateFile]:
        """Templates by slug; a file that fails to load is kept aside in ``broken``."""
        if self._files is None:
            found: dict[str, TemplateFile] = {}
            for file in self._load_all():
                earlier = found.get(file.template.key)
                if earlier is not None and earlier.origin != "bundled":
                    file.warnings.append(
                        f"{file.path}: slug: {file.template.key!r} is also the slug of"
                        f" {earlier.path}; this file is the one used"
                    )
                found[file.template.key] = file
            self._files = found
        return self._files

    def user_folders(self) -> list[Path]:
        folders = [self.user_dir] if self.user_dir is not None else []
        return [f for f in [*folders, *self.extra_dirs] if f.is_dir()]

    def _load_all(self) -> list[TemplateFile]:
        loaded: list[TemplateFile] = []
        bundled = resources.files("prism.templates").joinpath("bundled")
        for entry in sorted(bundled.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yml", ".yaml")):
                loaded.append(
                    load_text(entry.read_text(encoding="utf-8"), f"bundled/{entry.name}", "bundled")
                )
        for folder in self.user_folders():
            for path in template_paths(folder):
                try:
                    loaded.append(load_file(path, "user"))
                except TemplateInvalid as exc:
                    self.broken.append(exc)
        return loaded

    def lookup(self, name: str) -> TemplateFile | None:
        """By slug, or by display name (case-insensitive), as ``inherits`` names parents."""
        files = self.files()
        if name in files:
            return files[name]
        wanted = name.strip().lower()
        # A user's template of the same display name comes before a bundled one.
        ordered = sorted(files.values(), key=lambda f: f.origin == "bundled")
        for file in ordered:
            if file.template.name.lower() == wanted or file.template.key == wanted:
                return file
        return None

    def with_files(self, extra: list[TemplateFile]) -> Catalog:
        """This catalog with more templates (files being validated see each other)."""
        merged = Catalog(self.user_dir, self.extra_dirs)
        merged._files = {**self.files(), **{f.template.key: f for f in extra}}
        merged.broken = list(self.broken)
        return merged

    def get(self, name: str) -> TemplateFile:
        found = self.lookup(name)
        if found is not None:
            return found
        names = list(self.files())
        close = difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.5)
        raise ToolError(
            "PRISM_TEMPLATE_NOT_FOUND",
            f"No template named {name!r}.",
            suggestions=[
                f"Did you mean {', '.join(close)}?" if close else "See them: prism templates list",
            ],
            context={"known": names},
            exit_code=ExitCode.NOT_FOUND,
        )

    def resolve(self, name: str, params: dict[str, str] | None = None) -> Resolved:
        return self.resolve_file(self.get(name), params)

    def resolve_file(self, file: TemplateFile, params: dict[str, str] | None = None) -> Resolved:
        merged = resolve_inheritance(file, self.lookup)
        template, values = apply_parameters(merged, params or {}, file.path)
        check_compatible(template)
        return Resolved(file, template, values)

    def validate_paths(self, paths: list[Path]) -> list[ValidationReport]:
        """Check files and folders (or, with none, every template) concurrently: load,
        inherit, fill placeholders, render.
        """
        if not paths:
            targets: list[Path | TemplateFile] = list(self.files().values())
            checker = self
        else:
            targets = []
            for path in paths:
                targets += template_paths(path) if path.is_dir() else [path]
            loaded = []
            for target in targets:
                try:
                    loaded.append(load_file(target, "file") if isinstance(target, Path) else target)
                except TemplateInvalid:
                    continue  # reported by validate_one below
            checker = self.with_files(loaded)
            by_path = {f.path: f for f in loaded}
            targets = [by_path.get(str(t), t) for t in targets]
        with ThreadPoolExecutor(max_workers=8) as pool:
            reports = list(pool.map(checker.validate_one, targets))
        if not paths:
            reports += [
                ValidationReport(path=e.issues[0].path, slug=None, errors=e.issues, warnings=[])
                for e in self.broken
            ]
        return reports

    def validate_one(self, target: Path | TemplateFile) -> ValidationReport:
        try:
            file = load_file(target, "file") if isinstance(target, Path) else target
        except TemplateInvalid as exc:
            return ValidationReport(path=str(target), slug=None, errors=exc.issues, warnings=[])
        path, slug = file.path, file.template.key
        try:
            resolved = self.resolve_file(file)
            template = resolved.template
            errors = _semantic_checks(template, path)
            if not errors:
                render_user_data(template, idle=AgentSetup.for_template(template))
        except TemplateInvalid as exc:
            return ValidationReport(path=path, slug=slug, errors=exc.issues, warnings=file.warnings)
        except ToolError as exc:
            issue = Issue(path, None, exc.code, exc.message, exc.suggestions[0])
            return ValidationReport(path=path, slug=slug, errors=[issue], warnings=file.warnings)
        notes = [str(note) for note in resolved.notes]
        return ValidationReport(path=path, slug=slug, errors=errors, warnings=file.warnings + notes)


def _semantic_checks(template: Template, path: str) -> list[Issue]:
    errors = architecture_issues(template, path)
    uses_image = template.package_manager == "ami" or template.ami_config is not None
    if not template.base and not uses_image:
        errors.append(
            Issue(
                path,
                None,
                "base",
                "no base OS (set here or in a parent)",
                "Add 'base: ubuntu-24.04' or inherit from a template that has one.",
            )
        )
    if template.package_manager == "ami" and not (template.ami_config and template.ami_config.amis):
        errors.append(
            Issue(
                path,
                None,
                "ami_config.amis",
                "package_manager is ami but no image is given",
                "List images by region and architecture under ami_config.amis.",
            )
        )
    for name, spec in template.parameters.items():
        if spec.type == "choice" and not spec.choices:
            errors.append(
                Issue(
                    path,
                    None,
                    f"parameters.{name}.choices",
                    "a choice parameter needs choices",
                    "List the allowed values under 'choices:'.",
                )
            )
    ports = set(template.ports) | set(template.instance_defaults.ports)
    for service in template.services:
        if service.port and service.port not in ports:
            errors.append(
                Issue(
                    path,
                    None,
                    f"services.{service.name}.port",
                    f"port {service.port} is not in the template's ports",
                    f"Add {service.port} to 'ports:' so prism can open and tunnel it.",
                )
            )
    return errors
