"""prismd's API for projects' data buckets: attach (checked against S3, the project's instance
profile given its policy), list, detach; and the setup script a workstation of a project would
run, its buckets' mounts included.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ToolError
from prism.cloud.iam import give_instance_profile
from prism.daemon.team_api import TeamServices, caller_of, send_script, services
from prism.data.attach import attach, detach
from prism.data.buckets import BucketList, BucketResult
from prism.data.mounts import live_mount_lines, unmount_lines
from prism.templates.results import RenderedScript, ScriptResult
from prism.workstations.model import WorkstationState

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
_HAS_INSTANCE = (
    WorkstationState.PENDING,
    WorkstationState.RUNNING,
    WorkstationState.STOPPING,
    WorkstationState.STOPPED,
    WorkstationState.HIBERNATED,
)


class BucketBody(BaseModel):
    name: str = Field(max_length=100, description="Mounted at /data/NAME.")
    url: str = Field(max_length=1100, description="s3://BUCKET or s3://BUCKET/PREFIX")
    read_only: bool = False


class RenderBody(BaseModel):
    template: str = Field(max_length=200)
    params: dict[str, str] = Field(default_factory=dict)
    template_dirs: list[str] = Field(
        default_factory=list, description="The CLI's own template folders (PRISM_TEMPLATE_PATH)."
    )


def _on_workstations(team: TeamServices, result: BucketResult) -> BucketResult:
    """The project's workstations follow at once: each under the project's profile, the bucket
    mounted on (or unmounted from) those running. One that cannot is noted; the bucket stays
    attached, and its next launch mounts it.
    """
    bucket = result.bucket
    for ws in team.engine.store.list():
        if ws.project != bucket.project or ws.state not in _HAS_INSTANCE or not ws.instance_id:
            continue
        try:
            ec2 = team.engine.session_for(ws).client("ec2")
            if not result.removed and give_instance_profile(
                ec2, ws.instance_id, result.instance_profile
            ):
                result.profile_given_to.append(ws.name)
            if ws.state is WorkstationState.RUNNING:
                lines = unmount_lines(bucket) if result.removed else live_mount_lines([bucket])
                what = f"prism: {'unmount' if result.removed else 'mount'} {bucket.name}"
                result.commands[ws.name] = send_script(team.engine, ws, lines, what)
        except ToolError as exc:
            result.notes.append(f"{ws.name}: {exc.message}")
    return result


@router.get("/buckets", response_model=BucketList)
async def list_buckets(request: Request, project: str | None = None) -> BucketList:
    team = services(request)
    if project is not None:
        await asyncio.to_thread(team.engine.projects.get, project)
    return BucketList(buckets=await asyncio.to_thread(team.buckets.list, project))


@router.get("/projects/{name}/buckets", response_model=BucketList)
async def project_buckets(name: str, request: Request) -> BucketList:
    team = services(request)
    await asyncio.to_thread(team.engine.projects.get, name)
    return BucketList(buckets=await asyncio.to_thread(team.buckets.list, name))


@router.post("/projects/{name}/buckets", status_code=201, response_model=BucketResult)
async def add_bucket(name: str, body: BucketBody, request: Request) -> BucketResult:
    team = services(request)
    by = caller_of(request).name

    def add() -> BucketResult:
        team.engine.projects.get(name)
        result = attach(
            team.buckets,
            team.engine.session(),
            project=name,
            name=body.name,
            url=body.url,
            read_only=body.read_only,
            by=by,
        )
        return _on_workstations(team, result)

    return await asyncio.to_thread(add)


@router.delete("/projects/{name}/buckets/{bucket}", response_model=BucketResult)
async def remove_bucket(name: str, bucket: str, request: Request) -> BucketResult:
    team = services(request)

    def remove() -> BucketResult:
        team.engine.projects.get(name)
        return _on_workstations(team, detach(team.buckets, team.engine.session(), name, bucket))

    return await asyncio.to_thread(remove)


@router.post("/projects/{name}/render", response_model=ScriptResult)
async def render_for_project(name: str, body: RenderBody, request: Request) -> ScriptResult:
    """The setup script a workstation launched into the project runs: the template's stages,
    then the project's space and data buckets (research users are added per workstation).
    """
    from prism.templates.catalog import catalog_for
    from prism.templates.userdata import USER_DATA_LIMIT

    team = services(request)

    def render() -> ScriptResult:
        team.engine.projects.get(name)
        catalog = catalog_for(
            team.engine.home, [*body.template_dirs, *team.templates.dirs_for(name)]
        )
        resolved = catalog.resolve(body.template, body.params)
        script = resolved.user_data(extra_stages=team.setup_stages(name, []))
        return ScriptResult(
            script=RenderedScript(
                template=resolved.template.key,
                parameters=resolved.values,
                size_bytes=len(script.encode()),
                limit_bytes=USER_DATA_LIMIT,
                text=script,
            )
        )

    return await asyncio.to_thread(render)
