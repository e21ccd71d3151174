"""The template format of the original prism, field for field.

Unknown fields are kept (``extra="allow"``) and reported as warnings: a template written for a
newer release, or with a typo, still loads, and the user learns which fields had no effect.

Fields that may hold placeholders (``{{.user_name}}``) are checked against their pattern once
the placeholders are filled: a file is read in the ``placeholders`` validation context, where a
value with a placeholder passes its pattern, and the template a launch uses is validated again,
strictly, after :mod:`prism.templates.resolve` has filled them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)

from prism.templates.connection import ConnectionType
from prism.templates.semver import parse_range, parse_version

__all__ = [
    "PLACEHOLDERS",
    "AmiConfig",
    "ContainerSpec",
    "IdleDetection",
    "InstanceDefaults",
    "Packages",
    "Parameter",
    "Service",
    "Template",
    "TemplateFile",
    "User",
]

PLACEHOLDERS = {"placeholders": True}
"""The validation context of a template as written, before its placeholders are filled."""

Size = Literal["XS", "S", "M", "L", "XL"]
Architecture = Literal["x86_64", "arm64"]
PackageManager = Literal["apt", "dnf", "yum", "conda", "spack", "pip", "ami", "auto"]


def _pattern(regex: str) -> Callable[[str, ValidationInfo], str]:
    compiled = re.compile(regex)

    def check(value: str, info: ValidationInfo) -> str:
        if "{{" in value and info.context and info.context.get("placeholders"):
            return value
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} must match {regex}")
        return value

    return check


def _semver(value: str | None) -> str | None:
    if value is not None:
        parse_version(value)
    return value


def _range(value: str | None) -> str | None:
    if value is not None:
        parse_range(value)
    return value


UserName = Annotated[str, AfterValidator(_pattern(r"[a-z_][a-z0-9_-]{0,31}"))]
ServiceName = Annotated[str, AfterValidator(_pattern(r"[A-Za-z0-9][A-Za-z0-9_.@-]*"))]
InstanceType = Annotated[str, AfterValidator(_pattern(r"[a-z][a-z0-9-]*\.[a-z0-9]+"))]


def _as_text(value: Any) -> Any:
    """YAML reads an unquoted 1.0 as a number and 2024-08-08 as a date; both mean text here."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


Text = Annotated[str | None, BeforeValidator(_as_text)]
SemVer = Annotated[str | None, BeforeValidator(_as_text), AfterValidator(_semver)]


def _tags(value: Any) -> Any:
    """The original's tags are a string map; a list of words, or unquoted booleans and
    numbers, mean the same and are read as such.
    """
    if isinstance(value, list):
        return {str(item): "true" for item in value}
    if isinstance(value, dict):
        return {
            str(k): (
                "true" if v is True else "false" if v is False else "" if v is None else str(v)
            )
            for k, v in value.items()
        }
    return value


Tags = Annotated[dict[str, str], BeforeValidator(_tags)]
SemVerRange = Annotated[str | None, AfterValidator(_range)]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Packages(_Open):
    system: list[str] = Field(default_factory=list)
    conda: list[str] = Field(default_factory=list)
    spack: list[str] = Field(default_factory=list)
    pip: list[str] = Field(default_factory=list)


class User(_Open):
    name: UserName
    password: str | None = Field(
        default=None, description="A fixed password: set as written, and warned about."
    )
    groups: list[str] = Field(default_factory=list)
    shell: str = "/bin/bash"


class Service(_Open):
    name: ServiceName
    port: int | None = Field(default=None, ge=1, le=65535)
    command: str | None = None
    config: list[str] | dict[str, Any] = Field(
        default_factory=list,
        description="Config lines (the original's list), or a mapping written as key = value.",
    )
    enable: bool = True

    def config_lines(self) -> list[str]:
        if isinstance(self.config, dict):
            return [f"{key} = {value}" for key, value in self.config.items()]
        return [str(line) for line in self.config]


_PORT = re.compile(
    r"^(?:(?P<ip>[0-9.]+|\[[0-9a-fA-F:]+\]):)?(?:(?P<host>\d+):)?(?P<inner>\d+)(?:/(?:tcp|udp))?$"
)
_VOLUME = re.compile(
    r"^(?P<source>/[^:\s]*|[A-Za-z0-9][A-Za-z0-9_.-]*):(?P<target>/[^:\s]*)(?::(?:ro|rw))?$"
)


def _container_port(value: Any) -> str:
    """``8080:80``, ``80`` (the same port outside), ``127.0.0.1:8080:80``, ``53/udp``."""
    text = str(value)
    match = _PORT.fullmatch(text)
    if not match or not all(
        1 <= int(p) <= 65535 for p in (match["host"], match["inner"]) if p is not None
    ):
        raise ValueError(
            f"{text!r} is not a port mapping: write HOST:CONTAINER (8080:80), one port (80),"
            " or ADDRESS:HOST:CONTAINER, each port 1-65535"
        )
    return text


def _container_volume(value: str) -> str:
    if not _VOLUME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a volume: write /path/on/workstation:/path/in/container[:ro]"
            " or VOLUME_NAME:/path/in/container"
        )
    return value


def _env_text(value: Any) -> Any:
    """YAML's true/false and numbers are what the container sees as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _as_text(value)


ContainerName = Annotated[str, AfterValidator(_pattern(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}"))]
ContainerPort = Annotated[str, BeforeValidator(_container_port)]
ContainerVolume = Annotated[str, AfterValidator(_container_volume)]
EnvName = Annotated[str, AfterValidator(_pattern(r"[A-Za-z_][A-Za-z0-9_]*"))]


class ContainerSpec(_Open):
    """A Docker container the workstation runs as a systemd unit of its own."""

    name: ContainerName
    image: str = Field(min_length=1, pattern=r"^[^\s]+$")
    ports: list[ContainerPort] = Field(
        default_factory=list,
        description="Published on the workstation's loopback unless an address is given.",
    )
    volumes: list[ContainerVolume] = Field(default_factory=list)
    env: dict[EnvName, Annotated[str, BeforeValidator(_env_text)]] = Field(
        default_factory=dict,
        description="Plain settings; secrets go in env_file, which stays on the workstation.",
    )
    env_file: str | None = Field(
        default=None,
        pattern=r"^/\S+$",
        description="A file on the workstation (KEY=VALUE lines) passed with --env-file.",
    )


def _unique_names(containers: list[ContainerSpec]) -> list[ContainerSpec]:
    seen: set[str] = set()
    for container in containers:
        if container.name in seen:
            raise ValueError(f"two containers are named {container.name!r}; names must differ")
        seen.add(container.name)
    return containers


class IdleDetection(_Open):
    """How the workstation's idle agent samples activity. ``enabled: false`` installs no agent
    and gives the workstation no idle policy; absent or true, the agent runs every
    ``check_interval_minutes`` and counts CPU load above ``cpu_threshold_percent`` (of all CPUs)
    and GPU use above ``gpu_threshold_percent`` as activity.
    """

    enabled: bool | None = None
    idle_threshold_minutes: int = Field(
        default=30, ge=1, validation_alias=AliasChoices("idle_threshold_minutes", "idle_minutes")
    )
    hibernate_threshold_minutes: int = Field(default=60, ge=1)
    check_interval_minutes: int = Field(default=5, ge=1, le=60)
    cpu_threshold_percent: float = Field(
        default=10.0,
        gt=0,
        le=100,
        validation_alias=AliasChoices("cpu_threshold_percent", "cpu_threshold"),
    )
    gpu_threshold_percent: float = Field(
        default=5.0,
        gt=0,
        le=100,
        validation_alias=AliasChoices("gpu_threshold_percent", "gpu_threshold"),
    )


class InstanceDefaults(_Open):
    type: InstanceType | None = None
    instance_type_preference: list[InstanceType] = Field(
        default_factory=list,
        description="Types to try in order when `type` is not set: the first the region offers.",
    )
    ports: list[int] = Field(default_factory=list)
    root_volume_gb: int | None = Field(default=None, ge=8, le=16384)
    estimated_cost_per_hour: dict[str, float] = Field(default_factory=dict)


class AmiConfig(_Open):
    """A template built on a machine image of its own (``package_manager: ami``)."""

    amis: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="region -> architecture -> image id"
    )
    instance_types: dict[str, str] = Field(default_factory=dict)
    ssh_user: str | None = None
    user_data_script: str | None = None


class Parameter(_Open):
    name: str | None = None
    display_name: str | None = None
    description: str | None = None
    type: Literal["string", "int", "integer", "bool", "boolean", "choice", "float"] = "string"
    default: Any = None
    choices: list[Any] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    required: bool = False
    group: str | None = None
    order: int | None = None
    impact: str | None = None
    hidden: bool = False


class Template(_Open):
    """One template as written; ``inherits`` is resolved by :mod:`prism.templates.resolve`."""

    name: str = Field(min_length=1)
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    long_description: str | None = None
    base: str | None = None
    inherits: list[str] = Field(
        default_factory=list,
        description="Parents by name or slug, each optionally pinned: 'Rocky Linux 9 Base@^1.0'.",
    )
    version: SemVer = None
    prism_version: SemVerRange = Field(
        default=None, description="The prism versions this template works with, e.g. '>=0.1,<1'."
    )
    category: str | None = None
    domain: str | None = None
    complexity: str | None = None
    icon: str | None = None
    color: str | None = None
    popular: bool = False
    featured: bool = False
    minimum_size: Size | None = None
    architectures: list[Architecture] | None = Field(
        default=None,
        min_length=1,
        description="The architectures it works on; unsaid: both, unless its setup downloads an"
        " x86_64-only binary. A launch on another is refused.",
    )
    architectures_reason: str | None = Field(
        default=None,
        description="Why it does not work on every architecture (an x86-only package), for the"
        " message that refuses the launch.",
    )
    connection_type: ConnectionType | None = None
    ports: list[int] = Field(default_factory=list)
    package_manager: PackageManager | None = None
    packages: Packages = Field(default_factory=Packages)
    users: list[User] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    containers: Annotated[list[ContainerSpec], AfterValidator(_unique_names)] = Field(
        default_factory=list,
        description="Docker containers, each run by a systemd unit (docker is installed).",
    )
    post_install: str | None = None
    user_data: str | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    idle_detection: IdleDetection | None = None
    instance_defaults: InstanceDefaults = Field(default_factory=InstanceDefaults)
    ami_config: AmiConfig | None = None
    tags: Tags = Field(default_factory=dict)
    maintainer: str | None = None
    last_updated: Text = None
    estimated_launch_time: int | None = None

    @property
    def key(self) -> str:
        """The slug, or one made from the name when the template has none."""
        if self.slug:
            return self.slug
        return "-".join("".join(c if c.isalnum() else " " for c in self.name.lower()).split())


class TemplateFile(BaseModel):
    """A template with where it came from, for messages that point at a file and line."""

    template: Template
    path: str
    origin: Literal["bundled", "user", "file"]
    warnings: list[str] = Field(default_factory=list)
