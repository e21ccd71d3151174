"""Every error a service answers is RFC 9457 problem+json, whichever layer produced it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.responses import JSONResponse
from starlette.types import Scope

from groundwork.errors import ExitCode, ToolError, to_problem

__all__ = ["PROBLEM_JSON", "problem", "problem_response", "request_id_of"]

PROBLEM_JSON = "application/problem+json"


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
