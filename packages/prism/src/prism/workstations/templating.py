"""What a launch needs from a template, resolved from the catalog (bundled + the user's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from prism.idle.agent import AgentSetup
from prism.templates.architectures import Support, support_of
from prism.templates.catalog import Resolved, catalog_for
from prism.templates.connection import DESKTOP_SERVICE, Access, access_for
from prism.templates.services import service_url
from prism.templates.userdata import Mount
from prism.workstations.sizes import family_architecture

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
    def access(self) -> Access:
        return access_for(self.resolved.template)

    @property
    def type_preferences(self) -> list[str]:
        """Instance types in the order the template prefers them, when it fixes none."""
        template = self.resolved.template
        defaults = template.instance_defaults
        if defaults.type:
            return [defaults.type]
        if defaults.instance_type_preference:
            return list(defaults.instance_type_preference)
        image_types = template.ami_config.instance_types if template.ami_config else {}
        return [image_types[a] for a in ("x86_64", "arm64") if a in image_types]

    def preferences_for(self, architecture: str | None) -> list[str]:
        """The preferred types of that architecture first (an ``ami_config`` names one per
        architecture); with none of it, all of them, for the size map to move to its peers.
        """
        preferences = self.type_preferences
        if architecture is None:
            return preferences
        mine = [t for t in preferences if family_architecture(t) == architecture]
        return mine + [t for t in preferences if t not in mine]

    @property
    def support(self) -> Support:
        """The architectures it works on, declared or read from its setup's downloads."""
        return support_of(self.resolved.template)

    def check_architecture(self, architecture: str) -> None:
        """Refuse an architecture the template does not work on: its setup would fail on boot."""
        support = self.support
        if architecture in support.architectures:
            return
        reason = support.reason or "its setup has not been made to work there"
        works = ", ".join(support.architectures)
        raise ToolError(
            "PRISM_TEMPLATE_ARCH_UNSUPPORTED",
            f"{self.name} does not work on {architecture}: {reason}.",
            suggestions=[
                f"Launch it on {works}: --arch {support.architectures[0]} (or leave --arch out).",
                f"Or pick a template that works on {architecture}"
                " (prism templates info NAME shows each one's architectures).",
            ],
            context={"template": self.slug, "architecture": architecture, "works_on": works},
            exit_code=ExitCode.USAGE,
        )

    @property
    def default_instance_type(self) -> str | None:
        preferences = self.type_preferences
        return preferences[0] if preferences else None

    @property
    def minimum_size(self) -> str | None:
        return self.resolved.template.minimum_size

    @property
    def root_volume_gb(self) -> int:
        return self.resolved.template.instance_defaults.root_volume_gb or DEFAULT_ROOT_GB

    @property
    def login_user(self) -> str | None:
        config = self.resolved.template.ami_config
        return config.ssh_user if config else None

    @property
    def ports(self) -> list[int]:
        template = self.resolved.template
        desktop = [self.access.desktop_port] if self.access.desktop_port else []
        return sorted({22, *template.ports, *template.instance_defaults.ports, *desktop})

    @property
    def services(self) -> dict[str, int]:
        found = {s.name: s.port for s in self.resolved.template.services if s.port}
        if self.access.desktop_port:
            found[DESKTOP_SERVICE] = self.access.desktop_port
        return found

    @property
    def service_urls(self) -> dict[str, str]:
        urls = {s.name: service_url(s) for s in self.resolved.template.services if s.port}
        if self.access.desktop_url:
            urls[DESKTOP_SERVICE] = self.access.desktop_url
        return urls

    def idle_agent(self, workstation: str, region: str, project: str | None) -> AgentSetup | None:
        """The idle agent for a workstation of this template; None when the template has it off."""
        return AgentSetup.for_template(
            self.resolved.template, workstation=workstation, region=region, project=project
        )

    def idle_thresholds_note(self) -> str | None:
        """What becomes of the original's idle thresholds, when the template sets them: prism's
        idle policies decide when a workstation hibernates, so the launch says how to follow them.
        """
        block = self.resolved.template.idle_detection
        if block is None or block.enabled is False:
            return None
        given = [
            f"{field} {getattr(block, field)}"
            for field in ("idle_threshold_minutes", "hibernate_threshold_minutes")
            if field in block.model_fields_set
        ]
        if not given:
            return None
        minutes = block.hibernate_threshold_minutes
        return (
            f"idle_detection: {' and '.join(given)} set no idle policy here: the workstation's"
            f" idle policy decides. To follow the template: prism idle policy create"
            f" {self.slug} --idle {minutes}m, then prism idle apply {self.slug} --template"
            f" {self.slug}"
        )

    @property
    def notes(self) -> list[str]:
        return [f"{n.field}: {n.problem}" for n in self.resolved.notes]

    def image_of_its_own(self, region: str, architecture: str) -> str | None:
        """The template's own image (``ami_config``) for a region, if it brings images."""
        config = self.resolved.template.ami_config
        if config is None or not config.amis:
            return None
        by_arch = config.amis.get(region)
        if by_arch is None or architecture not in by_arch:
            where = ", ".join(sorted(config.amis)) or "none"
            raise ToolError(
                "PRISM_TEMPLATE_NO_IMAGE_HERE",
                f"{self.name} brings its own images, but none for {region} / {architecture}"
                f" (it has images in: {where}).",
                suggestions=[
                    "Use a profile in one of those regions (prism profiles add NAME --region R).",
                    f"Or add an image for {region} under ami_config.amis in the template.",
                ],
                context={"region": region, "architecture": architecture},
                exit_code=ExitCode.NOT_FOUND,
            )
        return by_arch[architecture]


def resolve_template(
    home: Path, name: str, params: dict[str, str], template_dirs: list[str] | None = None
) -> LaunchTemplate:
    return LaunchTemplate(catalog_for(home, template_dirs).resolve(name, params))


def render_user_data(
    template: LaunchTemplate,
    mounts: tuple[Mount, ...] = (),
    idle: AgentSetup | None = None,
    extra_stages: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> str:
    return template.resolved.user_data(mounts, idle, extra_stages)
