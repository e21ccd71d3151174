"""prismd's API for project spaces and mount status: the space's EFS volume and access points,
mounted on the project's running workstations, and every expected mount checked and healed.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.cloud import storage
from prism.cloud.storage_model import Volume
from prism.daemon.team_api import TeamServices, send_script, services
from prism.team.model import Permission, SpaceResult
from prism.team.mounts import MountCheck, MountStatusList, check_mounts
from prism.team.setup import space_mount_lines
from prism.team.space import DEFAULT_PERMISSION
from prism.workstations.model import Workstation, WorkstationState

__all__ = ["check_all", "router"]

router = APIRouter(prefix="/api/v1")
Expected = tuple[str, str]


class SpaceBody(BaseModel):
    permissions: dict[str, Permission] = Field(
        default_factory=dict, description="Per user; the default follows the role."
    )


@router.post("/projects/{name}/space", status_code=201, response_model=SpaceResult)
async def create_space(name: str, body: SpaceBody, request: Request) -> SpaceResult:
    team = services(request)

    def create() -> SpaceResult:
        team.engine.projects.get(name)
        members = []
        for member in team.team.members(name):
            user = team.users.find(member.user)
            if user is not None:
                permission = body.permissions.get(user.name, DEFAULT_PERMISSION[member.role])
                members.append((user, permission))
        unknown = sorted(set(body.permissions) - {u.name for u, _ in members})
        if unknown:
            raise ToolError(
                "PRISM_SPACE_USER_NOT_MEMBER",
                f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a member of"
                f" {name}: permissions are given to members.",
                suggestions=[f"Invite them first: prism team invite USER --project {name}"],
                exit_code=ExitCode.USAGE,
            )
        cloud = team.engine.session()
        group_id = team.users.group_id(f"project:{name}")
        space, _ = team.spaces.ensure(
            cloud.client("efs"), cloud.client("ec2"), name, group_id=group_id, members=members
        )
        team.engine.costing.forget_scan()
        mounted = {}
        for ws in team.engine.store.list():
            if ws.project == name and ws.state is WorkstationState.RUNNING and ws.instance_id:
                lines = space_mount_lines(space, team.users_on(ws.name))
                mounted[ws.name] = send_script(team.engine, ws, lines, f"prism: mount space {name}")
        return SpaceResult(space=space, simulated=cloud.simulated, mounted_on=mounted)

    return await asyncio.to_thread(create)


def _expected_mounts(team: TeamServices, ws: Workstation, volumes: list[Volume]) -> list[Expected]:
    found: list[Expected] = []
    space = team.spaces.find(ws.project) if ws.project else None
    if space is not None:
        source = f"space {space.project}"
        found.append((f"{space.mount_point}/team", source))
        on = team.users_on(ws.name)
        found += [
            (f"{space.mount_point}/users/{a.user}", source) for a in space.users if a.user in on
        ]
    found += [(f"/mnt/{v.name}", f"volume {v.name}") for v in volumes if ws.name in v.mounted_on]
    return found


def check_all(team: TeamServices, workstation: str | None = None) -> MountStatusList:
    """Every expected mount on every workstation (or one), checked through SSM and mounted
    again where it was lost; what `volume status` shows and prismd's timer runs.
    """
    engine = team.engine
    volumes = storage.list_volumes(engine.session().client("efs"))
    checks: list[MountCheck] = []
    for ws in engine.store.list():
        if workstation is not None and ws.name != workstation:
            continue
        expected = _expected_mounts(team, ws, volumes)
        if not expected:
            continue
        if ws.state is not WorkstationState.RUNNING or not ws.instance_id:
            checks += [
                MountCheck(workstation=ws.name, mount_point=p, source=s, state="not-running")
                for p, s in expected
            ]
            continue
        ssm = engine.session_for(ws).client("ssm")
        found = check_mounts(ssm, ws.name, ws.instance_id, expected)
        if ws.simulated:
            found = [c.model_copy(update={"state": "simulated"}) for c in found]
        checks += found
    return MountStatusList(mounts=checks)


@router.get("/volumes/status", response_model=MountStatusList)
async def volume_status(request: Request, workstation: str | None = None) -> MountStatusList:
    """Every expected mount on every workstation, checked through SSM and mounted again where
    it was lost.
    """
    return await asyncio.to_thread(check_all, services(request), workstation)


@router.get("/projects/{name}/space", response_model=SpaceResult)
async def get_space(name: str, request: Request) -> SpaceResult:
    team = services(request)
    return SpaceResult(space=team.spaces.get(name), simulated=team.engine.session().simulated)
