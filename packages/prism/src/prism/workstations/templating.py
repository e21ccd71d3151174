"""What a launch needs from a template, resolved from the catalog (bundled + the user's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prism.templates.catalog import Catalog, Resolved
from prism.templates.userdata import Mount

__all__ = ["LaunchTemplate", "render_user_data", "resolve_template"]

DEFAULT_ROOT_GB = 20


@dataclass(frozen=True)
class LaunchTemplate:
    resolved: Resolved

    @property
    def slug(self) -> str:
        return self.resolved.template.key

    @property
    def name(self) -> str:
        return self.resolved.template.name

    @property
    def base(self) -> str:
        return self.resolved.template.base or "ubuntu-22.04"

    @property
    def default_instance_type(self) -> str | None:
        return self.resolved.template.instance_defaults.type

    @property
    def minimum_size(self) -> str | None:
        return self.resolved.template.minimum_size

    @property
    def root_volume_gb(self) -> int:
        return self.resolved.template.instance_defaults.root_volume_gb or DEFAULT_ROOT_GB

    @property
    def ports(self) -> list[int]:
        template = self.resolved.template
        return sorted({22, *template.ports, *template.instance_defaults.ports})

    @property
    def services(self) -> dict[str, int]:
        return {s.name: s.port for s in self.resolved.template.services if s.port}


def resolve_template(home: Path, name: str, params: dict[str, str]) -> LaunchTemplate:
    return LaunchTemplate(Catalog(home / "templates").resolve(name, params))


def render_user_data(template: LaunchTemplate, mounts: tuple[Mount, ...] = ()) -> str:
    return template.resolved.user_data(mounts)
