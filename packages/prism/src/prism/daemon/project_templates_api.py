"""prismd's API for a project's own templates: members launch them, admins edit them."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from prism.daemon.team_api import caller_of, services
from prism.team.project_templates import ProjectTemplateList, ProjectTemplateResult

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/projects")


class TemplateBody(BaseModel):
    yaml: str = Field(max_length=256 * 1024, description="The template file's text.")
    replace: bool = False


@router.get("/{name}/templates", response_model=ProjectTemplateList)
async def list_templates(name: str, request: Request) -> ProjectTemplateList:
    team = services(request)
    team.engine.projects.get(name)
    return ProjectTemplateList(templates=team.templates.list(name))


@router.post("/{name}/templates", status_code=201, response_model=ProjectTemplateResult)
async def put_template(name: str, body: TemplateBody, request: Request) -> ProjectTemplateResult:
    team = services(request)
    by = caller_of(request).name

    def put() -> ProjectTemplateResult:
        team.engine.projects.get(name)
        made = team.templates.put(name, body.yaml, by=by, replace=body.replace)
        return ProjectTemplateResult(template=made)

    return await asyncio.to_thread(put)


@router.delete("/{name}/templates/{slug}", response_model=ProjectTemplateResult)
async def remove_template(name: str, slug: str, request: Request) -> ProjectTemplateResult:
    team = services(request)
    return ProjectTemplateResult(template=team.templates.remove(name, slug), removed=True)
