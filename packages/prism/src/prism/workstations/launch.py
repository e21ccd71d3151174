"""The launch of one workstation, stage by stage, with progress and an ETA.

Stages: resolve (template, parameters, size) → prepare (architecture, image, UserData, run
concurrently) → network (subnet, security group, key) → run (RunInstances) → boot (until EC2
says running). The record is written before RunInstances and the instance is tagged with the
workstation's name, so a daemon killed mid-launch finds its instance again instead of launching a
second one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.iam import (
    PROFILE_NAME,
    ensure_instance_profile,
    ensure_project_profile,
    project_profile_name,
)
from prism.cloud.images import BASES, ImageFinder, canonical_base
from prism.cloud.instances import TAG_PROJECT, RunPlan, architecture_of, run, wait_for
from prism.cloud.keys import ensure_key_pair
from prism.cloud.network import caller_cidr, ensure_security_group, first_offered, pick_subnet
from prism.cloud.session import CloudSession
from prism.cloud.storage import find_volume, set_volume_mounts
from prism.data.policy import PolicyDocument
from prism.sandbox.emulator import SSM_PREFIX, stand_in_image
from prism.templates.userdata import Mount
from prism.workstations.model import Workstation, WorkstationState, state_from_ec2
from prism.workstations.progress import ProgressPlan
from prism.workstations.sizes import family_architecture, instance_type_for
from prism.workstations.store import WorkstationStore
from prism.workstations.templating import LaunchTemplate, render_user_data, resolve_template

__all__ = ["STAGES", "LaunchRequest", "Launcher", "validate_name"]

STAGES = [("resolve", 1.0), ("prepare", 2.0), ("network", 2.0), ("run", 2.0), ("boot", 6.0)]
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$")
_WEB_PORTS_EXCLUDED = {22}


@dataclass(frozen=True)
class LaunchRequest:
    template: str
    name: str
    size: str | None = None
    arch: str | None = None
    """x86_64 or arm64; None: the architecture of the template's own instance type."""
    params: dict[str, str] = field(default_factory=dict)
    spot: bool = False
    hibernation: bool = False
    dry_run: bool = False
    volumes: tuple[str, ...] = ()
    template_dirs: tuple[str, ...] = ()
    project: str | None = None
    idle: bool = True
    """False for --no-idle: no idle agent, no idle policy."""
    image_id: str | None = None
    """An image to launch instead of the template's base (a restored snapshot)."""
    restored_from: str | None = None
    root_volume_gb: int | None = None
    data_disks_gb: int = 0
    setup_stages: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Stages the setup script adds (a project's shared space, research users)."""


def _image_exists(ec2: Any, image_id: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        return bool(ec2.describe_images(ImageIds=[image_id])["Images"])
    except ClientError:
        return False


def validate_name(name: str) -> None:
    if not _NAME.match(name):
        raise ToolError(
            "PRISM_NAME_INVALID",
            f"{name!r} is not a valid workstation name.",
            suggestions=["Use letters, digits and '-', starting with a letter or digit."],
            exit_code=ExitCode.USAGE,
        )


def check_request(request: LaunchRequest) -> None:
    validate_name(request.name)
    if request.spot and request.hibernation:
        raise ToolError(
            "PRISM_SPOT_HIBERNATION_UNSUPPORTED",
            "A spot workstation cannot be launched with hibernation: AWS reclaims spot capacity"
            " and does not let prism hibernate it on request.",
            suggestions=["Drop --hibernation to use spot, or drop --spot to hibernate."],
            exit_code=ExitCode.USAGE,
        )


Admission = Callable[[Workstation, LaunchRequest], None]


class Launcher:
    def __init__(self, home: Path, store: WorkstationStore, admit: Admission | None = None) -> None:
        """``admit`` sees each new workstation before it is recorded: it may refuse it (a
        project's budget) and settles its idle policy.
        """
        self.home = home
        self.store = store
        self.admit = admit
        self._profiles: dict[str, str | None] = {}
        self._profile_error = ""
        self.data_policy: Callable[[str], PolicyDocument | None] = lambda _project: None
        """A project's S3 policy (its data buckets); None when it has none."""

    def plan_for(self, template: str) -> ProgressPlan:
        return ProgressPlan(STAGES, history=self.store.typical_durations(template))

    def resumed_plan(self, template: str) -> ProgressPlan:
        """The plan of a launch that a previous daemon took as far as RunInstances."""
        plan = self.plan_for(template)
        for name, _ in STAGES[:-1]:
            plan.skip(name, "done before prismd restarted")
        plan.start("boot", "waiting for EC2 to report running")
        return plan

    def prepare(
        self, request: LaunchRequest, cloud: CloudSession
    ) -> tuple[Workstation, LaunchTemplate]:
        """Validate everything that can fail before AWS is touched, and record the workstation."""
        check_request(request)
        template = resolve_template(
            self.home, request.template, request.params, list(request.template_dirs)
        )
        notes = template.notes
        preferences = template.preferences_for(request.arch)
        preferred = preferences[0] if preferences else None
        if request.size is None and len(preferences) > 1:
            preferred, skipped = first_offered(cloud.client("ec2"), preferences)
            if skipped:
                notes.append(
                    f"instance_defaults.instance_type_preference: {', '.join(skipped)} not"
                    f" offered in {cloud.region}; using {preferred}"
                )
        instance_type, size = instance_type_for(
            request.size, preferred, template.minimum_size, request.arch
        )
        template.check_architecture(request.arch or family_architecture(instance_type))
        base = canonical_base(template.base)
        login_user = template.login_user or (BASES[base].login_user if base in BASES else "ubuntu")
        agent = template.idle_agent(request.name, cloud.region, request.project)
        if agent is None and request.idle:
            notes.append(
                "idle_detection: enabled is false, so it has no idle agent and no idle policy"
            )
        thresholds = template.idle_thresholds_note() if request.idle else None
        if thresholds is not None:
            notes.append(thresholds)
        workstation = Workstation(
            name=request.name,
            profile=cloud.profile.name,
            region=cloud.region,
            simulated=cloud.simulated,
            template=template.slug,
            template_name=template.name,
            size=size,
            instance_type=instance_type,
            architecture="unknown",
            spot=request.spot,
            hibernation=request.hibernation,
            root_volume_gb=request.root_volume_gb or template.root_volume_gb,
            login_user=login_user,
            ports=template.ports,
            services=template.services,
            service_urls=template.service_urls,
            connection_type=template.access.connection_type.value,
            desktop=template.access.desktop,
            params=dict(request.params),
            project=request.project,
            idle_agent_minutes=agent.check_minutes if agent and request.idle else None,
            restored_from=request.restored_from,
            data_disks_gb=request.data_disks_gb,
            notes=notes,
            message="simulated in the sandbox" if cloud.simulated else "",
            created_at=self.store.clock.now(),
        )
        if self.admit is not None:
            self.admit(workstation, request)
        if not request.dry_run:
            self.store.create(workstation)
        return workstation, template

    def launch(
        self,
        request: LaunchRequest,
        cloud: CloudSession,
        plan: ProgressPlan,
        workstation: Workstation,
        template: LaunchTemplate,
        *,
        wait: bool = True,
    ) -> Workstation:
        try:
            return self._launch(request, cloud, plan, workstation, template, wait=wait)
        except ToolError as exc:
            if not request.dry_run:
                workstation.state = WorkstationState.FAILED
                workstation.message = exc.message
                self.store.save(workstation)
            raise

    def _launch(
        self,
        request: LaunchRequest,
        cloud: CloudSession,
        plan: ProgressPlan,
        workstation: Workstation,
        template: LaunchTemplate,
        *,
        wait: bool,
    ) -> Workstation:
        plan.finish("resolve")
        with plan.stage("prepare", "image, architecture and setup script"):
            ec2, ssm = cloud.client("ec2"), cloud.client("ssm")
            finder = ImageFinder(
                ec2,
                ssm,
                self.home / "cache" / f"images-{cloud.profile.name}.json",
                ssm_prefix=SSM_PREFIX if cloud.simulated else cloud.profile.image_parameter_prefix,
            )
            mounts = tuple(
                Mount(find_volume(cloud.client("efs"), v).file_system_id, cloud.region, f"/mnt/{v}")
                for v in request.volumes
            )
            agent = None
            if workstation.idle_agent_minutes is not None:
                agent = template.idle_agent(workstation.name, cloud.region, workstation.project)
            with ThreadPoolExecutor(max_workers=2) as pool:
                script = pool.submit(
                    render_user_data, template, mounts, agent, request.setup_stages
                )
                arch = architecture_of(ec2, workstation.instance_type)
                own = request.image_id or template.image_of_its_own(cloud.region, arch)
                image = pool.submit(lambda: own or finder.find(template.base, arch, cloud.region))
                workstation.architecture = arch
                workstation.image_id = image.result()
                if own and not request.image_id and cloud.simulated and not _image_exists(ec2, own):
                    workstation.image_id = stand_in_image(ec2, ssm, arch)
                    workstation.notes.append(
                        f"ami_config: the sandbox has no copy of {own}; a stand-in image"
                        f" ({workstation.image_id}) simulates it. On AWS, {own} is used."
                    )
                user_data = script.result()
        with plan.stage("network", "subnet, security group and SSH key"):
            placement = pick_subnet(ec2, workstation.instance_type)
            web_ports = [p for p in template.ports if p not in _WEB_PORTS_EXCLUDED]
            group = ensure_security_group(
                ec2,
                placement.vpc_id,
                f"prism-{template.slug}",
                ssh_ports=[22],
                web_ports=web_ports,
                web_cidr=caller_cidr(cloud.simulated),
            )
            key_name, key_file = ensure_key_pair(
                ec2, self.home / "keys", f"prism-{cloud.profile.name}-{cloud.region}"
            )
            workstation.key_file = str(key_file)
            workstation.availability_zone = placement.availability_zone
            profile = self._instance_profile(cloud, workstation)
        with plan.stage("run", "RunInstances"):
            instance_id = run(
                ec2,
                RunPlan(
                    name=workstation.name,
                    template=template.slug,
                    image_id=workstation.image_id,
                    instance_type=workstation.instance_type,
                    subnet_id=placement.subnet_id,
                    security_group_id=group,
                    key_name=key_name,
                    user_data=user_data,
                    root_volume_gb=workstation.root_volume_gb,
                    spot=request.spot,
                    hibernation=request.hibernation,
                    extra_tags={TAG_PROJECT: workstation.project} if workstation.project else {},
                    instance_profile=profile,
                    restored=request.image_id is not None,
                ),
                dry_run=request.dry_run,
            )
        if request.dry_run:
            workstation.message = "dry run: AWS accepted the request; nothing was launched"
            for name in ("boot",):
                plan.skip(name, "dry run")
            return workstation
        workstation.instance_id = instance_id
        workstation.state = WorkstationState.PENDING
        self.store.save(workstation)
        efs = cloud.client("efs") if request.volumes else None
        for name in request.volumes:
            volume = find_volume(efs, name)
            set_volume_mounts(efs, volume, [*volume.mounted_on, workstation.name])
        if not wait:
            plan.skip("boot", "not waiting (--no-wait)")
            return workstation
        with plan.stage("boot", "waiting for EC2 to report running"):
            view = wait_for(
                ec2,
                instance_id,
                "running",
                on_poll=lambda state: plan.update("boot", 0.5 if state == "pending" else 0.9),
                poll_seconds=0.2 if cloud.simulated else 3.0,
            )
        workstation.state = state_from_ec2(view.state, hibernated=False)
        workstation.public_ip = view.public_ip
        workstation.private_ip = view.private_ip
        self.store.save(workstation)
        self.store.record_durations(template.slug, plan.durations())
        return workstation

    def _instance_profile(self, cloud: CloudSession, workstation: Workstation) -> str | None:
        """The workstations' instance profile, made on first use; None (with a note on the
        workstation) when this identity may not make it. A project with data buckets has its
        own, its policy put again at each launch (the buckets may have changed since).
        """
        policy = self.data_policy(workstation.project) if workstation.project else None
        if workstation.project and policy is not None:
            try:
                return ensure_project_profile(cloud.client("iam"), workstation.project, policy)
            except ToolError as exc:
                workstation.notes.append(
                    f"data buckets: prism could not give it"
                    f" {project_profile_name(workstation.project)} ({exc.message}); its"
                    " buckets will not mount. It has the shared profile instead."
                )
        key = cloud.profile.name
        if key not in self._profiles:
            try:
                self._profiles[key] = ensure_instance_profile(cloud.client("iam"))
            except ToolError as exc:
                self._profiles[key] = None
                self._profile_error = exc.message
        if self._profiles[key] is None:
            workstation.notes.append(
                f"instance profile: prism could not make {PROFILE_NAME} ({self._profile_error});"
                " without it the idle agent cannot publish, so its idle policy never acts, and"
                " volume mounts through SSM fail. Ask an administrator to create it once"
                " (prism launch by someone allowed to does)."
            )
        return self._profiles[key]
