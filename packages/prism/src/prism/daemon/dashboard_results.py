"""The dashboard's login, as prismd answers it and as `prism dashboard` prints it (light: the
CLI imports it without prismd's web stack)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["DashboardLink", "DashboardLogin", "DashboardResult", "Viewer", "ViewerResult"]


class DashboardLogin(BaseModel):
    path: str = Field(description="A one-time login path to open in a browser (5 minutes).")
    built: bool = Field(
        default=True, description="False: this prismd has no dashboard build to serve (make ui)."
    )


class DashboardLink(BaseModel):
    url: str = Field(description="The one-time login URL: it logs one browser in, once.")
    opened: bool = Field(description="True when it was handed to a browser on this machine.")
    user: str = Field(description="Who the browser is logged in as.")


class DashboardResult(BaseModel):
    dashboard: DashboardLink


class Viewer(BaseModel):
    """Who the page is for, and what each of their projects lets them do."""

    user: str
    operator: bool = Field(description="prismd's operator may do everything.")
    roles: dict[str, str] = Field(
        default_factory=dict, description="project -> owner, admin, member or viewer"
    )


class ViewerResult(BaseModel):
    viewer: Viewer
