"""The FastAPI app every daemon and server of the suite starts from.

Middleware order, outermost first: request context (ids, headers, catch-all) → origin → rate
limit → token → body cap → concurrency → the tool's routes. Cheap refusals come first, and a
refused request never costs a handler slot.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from groundwork.errors import ToolError
from groundwork.health import CheckResult, HealthRegistry, Status, worst
from groundwork.service.auth import AuthMiddleware, LoginTickets, cookie_name, load_or_create_token
from groundwork.service.config import ServiceConfig
from groundwork.service.context import RequestContextMiddleware
from groundwork.service.limits import (
    BodyLimitMiddleware,
    ConcurrencyMiddleware,
    OriginMiddleware,
    RateLimitMiddleware,
)
from groundwork.service.problems import PROBLEM_JSON, Problem, problem, problem_response

__all__ = ["Liveness", "Readiness", "create_app", "login_path"]


class Liveness(BaseModel):
    status: str
    service: str
    version: str


class Readiness(BaseModel):
    status: Status
    checks: list[CheckResult]


class LoginTicket(BaseModel):
    path: str = Field(description="A one-time /login?ticket=... path to open in a browser.")


def create_app(
    config: ServiceConfig,
    *,
    health: HealthRegistry | None = None,
    title: str | None = None,
    docs: bool = False,
) -> FastAPI:
    """A hardened app: add the tool's routers to it, then hand it to :func:`serve`."""
    token = load_or_create_token(config.token_file)
    app = FastAPI(
        title=title or config.service_name,
        version=config.version,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        # Behind the token like every route: it describes every reply, for clients and tests.
        openapi_url="/openapi.json",
        responses={
            "default": {
                "model": Problem,
                "description": "An error, as RFC 9457 problem+json.",
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        },
    )
    app.state.config = config
    app.state.token = token
    app.state.tickets = LoginTickets()
    registry = health or HealthRegistry()

    app.add_middleware(ConcurrencyMiddleware, config=config)
    app.add_middleware(BodyLimitMiddleware, config=config)
    app.add_middleware(AuthMiddleware, config=config, token=token)
    app.add_middleware(RateLimitMiddleware, config=config)
    app.add_middleware(OriginMiddleware, config=config)
    app.add_middleware(RequestContextMiddleware, config=config)
    _add_error_handlers(app)

    @app.get("/healthz", response_model=Liveness)
    async def healthz() -> Liveness:
        """Liveness: the process answers. Public, so supervisors need no token."""
        return Liveness(status="ok", service=config.service_name, version=config.version)

    @app.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
    async def readyz() -> JSONResponse:
        """Readiness with each check's result; 503 while any check is in error."""
        results = await registry.arun(readiness_only=True)
        body = Readiness(status=worst(results), checks=results)
        status_code = 503 if body.status is Status.ERROR else 200
        return JSONResponse(body.model_dump(mode="json"), status_code=status_code)

    @app.get("/login", include_in_schema=False)
    async def login(request: Request, ticket: str = "", next: str = "/") -> Response:
        """Trade a one-time ticket from the printed URL for an HttpOnly session cookie."""
        if not app.state.tickets.redeem(ticket):
            error = problem(
                401,
                "GROUNDWORK_LOGIN_TICKET_INVALID",
                "This login link was already used or has expired.",
                [f"Run the tool's command that prints a login URL again (for {config.tool})."],
            )
            return problem_response(error, request.scope)
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(cookie_name(config), token, httponly=True, samesite="strict", path="/")
        return response

    @app.post("/login/ticket", response_model=LoginTicket)
    async def new_ticket() -> LoginTicket:
        """A fresh login path for a caller holding the token (the CLI, to print a new URL)."""
        return LoginTicket(path=login_path(app))

    return app


def login_path(app: FastAPI) -> str:
    """A fresh one-time login path (``/login?ticket=...``) for the URL a service prints."""
    tickets: LoginTickets = app.state.tickets
    return f"/login?ticket={tickets.issue()}"


def _add_error_handlers(app: FastAPI) -> None:
    async def tool_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ToolError)
        headers = {}
        retry_after = exc.context.get("retry_after_seconds")
        if retry_after is not None:
            headers["Retry-After"] = str(max(1, round(float(retry_after))))
        return problem_response(exc, request.scope, headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        error = problem(
            exc.status_code,
            f"GROUNDWORK_HTTP_{exc.status_code}",
            str(exc.detail),
            ["Check the method and the path against the service's API."],
        )
        return problem_response(error, request.scope, headers=exc.headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        first = fields[0] if fields else {"field": "body", "problem": "invalid"}
        error = problem(
            422,
            "GROUNDWORK_INVALID_REQUEST",
            f"The request is not valid: {first['field']}: {first['problem']}.",
            ["Fix the fields listed in 'context.errors' and send it again."],
            context={"errors": fields},
        )
        return problem_response(error, request.scope)

    app.add_exception_handler(ToolError, tool_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
