"""The dashboard's page and its built assets under ``/dashboard/``, and how a browser logs in.

The page is built by ``make ui`` from ``packages/prism/web`` (Preact + htm + uPlot, Vite) into
``static/dashboard/`` beside this module, never committed. It routes in the browser, so every
``/dashboard/...`` address answers with the same page.

Login, the same token as the API, never in the address bar: ``prism dashboard`` asks
``POST /api/v1/dashboard/login`` for a one-time path. prismd's operator gets groundwork's login
(a cookie holding prismd's token); a team member gets ``/dashboard/login?ticket=...``, which
trades the ticket for a cookie holding their own member token, so the guard treats the browser
exactly as their CLI: their role decides, and a refusal is shown on the page.
"""

from __future__ import annotations

import html
import mimetypes
import secrets
import threading
import time
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from groundwork.service import login_path
from groundwork.service.problems import problem, problem_response
from prism.daemon.dashboard_api import caller_of
from prism.daemon.dashboard_results import DashboardLogin
from prism.team.guard import MEMBER_COOKIE

__all__ = ["LOGIN_PATH", "STATIC", "install"]

STATIC = Path(str(files("prism.daemon") / "static" / "dashboard"))
"""Where `make ui` builds the dashboard (packages/prism/web)."""
LOGIN_PATH = "/dashboard/login"
HOME = "/dashboard/"
_TICKET_SECONDS = 300.0

_UNBUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>prism</title>
<body style="font:16px system-ui;margin:3rem"><h1>prism's dashboard is not built</h1>
<p>Build it with <code>make ui</code> (Node.js 20+ and npm), then reload. The REST API works
without it: <a href="/docs">/docs</a>.</p></body></html>"""

router = APIRouter()


class _MemberTickets:
    """One-time tickets that each carry a member's token to their browser's cookie."""

    def __init__(self) -> None:
        self._tickets: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, token: str) -> str:
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tickets = {t: v for t, v in self._tickets.items() if v[1] > now}
            self._tickets[ticket] = (token, now + _TICKET_SECONDS)
        return ticket

    def redeem(self, ticket: str) -> str | None:
        with self._lock:
            found = self._tickets.pop(ticket, None)
        return found[0] if found and found[1] > time.monotonic() else None


@router.post("/api/v1/dashboard/login", response_model=DashboardLogin)
async def dashboard_login(request: Request) -> DashboardLogin:
    """A fresh one-time path that logs a browser into the dashboard as the caller."""
    caller = caller_of(request)
    built = (STATIC / "index.html").is_file()
    if caller.operator:
        return DashboardLogin(path=f"{login_path(request.app)}&next={HOME}", built=built)
    tickets: _MemberTickets = request.app.state.dashboard_tickets
    path = f"{LOGIN_PATH}?ticket={tickets.issue(caller.token)}"
    return DashboardLogin(path=path, built=built)


@router.get(LOGIN_PATH, include_in_schema=False)
async def member_login(request: Request, ticket: str = "") -> Response:
    tickets: _MemberTickets = request.app.state.dashboard_tickets
    token = tickets.redeem(ticket)
    if token is None:
        error = problem(
            401,
            "PRISM_DASHBOARD_LOGIN_INVALID",
            "This dashboard login link was already used or has expired.",
            ["Get a new one: prism dashboard"],
        )
        return problem_response(error, request.scope)
    response = RedirectResponse(HOME, status_code=303)
    response.set_cookie(MEMBER_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


# The API replies each view shows first (the URLs its script asks for, exactly).
_FIRST_REPLIES = {
    "": ("/api/v1/workstations", "/api/v1/dashboard/viewer"),
    "launch": ("/api/v1/workstations", "/api/v1/dashboard/viewer", "/api/v1/dashboard/templates"),
    "costs": (
        "/api/v1/workstations",
        "/api/v1/dashboard/viewer",
        "/api/v1/dashboard/spend?hours=24",
    ),
}


async def _page(request: Request) -> Response:
    page = STATIC / "index.html"
    if not page.is_file():
        return HTMLResponse(_UNBUILT, status_code=503)
    text = page.read_text(encoding="utf-8")
    view = request.url.path.removeprefix(HOME).strip("/")
    # The browser fetches the view's data beside the script instead of after running it (the
    # script's own fetch then takes the preloaded reply): the HTML, then the longer of the two.
    preloads = "".join(
        f'<link rel="preload" href="{html.escape(url)}" as="fetch" crossorigin />'
        for url in _FIRST_REPLIES.get(view, ())
    )
    text = text.replace("</head>", f"{preloads}</head>", 1)
    return HTMLResponse(text, headers={"cache-control": "no-cache"})


def install(app: FastAPI) -> None:
    mimetypes.init()  # what the assets' first answer would wait for, read once at start
    app.state.dashboard_tickets = _MemberTickets()
    app.include_router(router)
    app.add_api_route(
        "/dashboard",
        lambda: RedirectResponse(HOME, status_code=308),
        methods=["GET"],
        include_in_schema=False,
    )
    for path in (HOME, "/dashboard/{view}"):
        app.add_api_route(path, _page, methods=["GET"], include_in_schema=False)
    app.mount(
        "/dashboard/assets",
        StaticFiles(directory=STATIC / "assets", check_dir=False),
        name="dashboard-assets",
    )
