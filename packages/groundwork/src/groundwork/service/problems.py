"""Every error a service answers is RFC 9457 problem+json, whichever layer produced it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse
from starlette.types import Scope

from groundwork.errors import ExitCode, ToolError, to_problem

__all__ = ["PROBLEM_JSON", "Problem", "problem", "problem_response", "request_id_of"]

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """The body of every error reply (RFC 9457), as `groundwork.errors.to_problem` makes it."""

    type: str = Field(description="A page about the error, or about:blank.")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str = Field(description="What went wrong, in words.")
    code: str = Field(description="A stable UPPER_SNAKE_CASE code, the same as the CLI shows.")
    suggestions: list[str] = Field(description="What to do next.")
    context: dict[str, Any] | None = None
    transient: bool | None = Field(default=None, description="True when retrying may work.")
    instance: str | None = Field(default=None, description="The path that was requested.")
    request_id: str | None = None


def request_id_of(scope: Scope) -> str | None:
    rid = scope.get("state", {}).get("request_id")
    return rid if isinstance(rid, str) else None


def problem(
    status: int,
    code: str,
    message: str,
    suggestions: Sequence[str],
    *,
    context: Mapping[str, object] | None = None,
    transient: bool = False,
) -> ToolError:
    exit_code = ExitCode.UNAVAILABLE if status in (429, 503) else ExitCode.FAILURE
    return ToolError(
        code,
        message,
        suggestions=suggestions,
        context=context,
        http_status=status,
        exit_code=exit_code,
        transient=transient,
    )


def problem_response(
    error: ToolError, scope: Scope, *, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = to_problem(error, instance=scope.get("path"), request_id=request_id_of(scope))
    return JSONResponse(
        body, status_code=error.http_status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )
