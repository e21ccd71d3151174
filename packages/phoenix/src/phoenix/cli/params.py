"""`--param processor.field=value`, as every command that takes a pipeline reads it."""

from __future__ import annotations

from groundwork.errors import ExitCode, ToolError

__all__ = ["parse_params"]


def parse_params(values: list[str] | None) -> dict[str, str]:
    params = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ToolError(
                "PHOENIX_PARAM_MALFORMED",
                f"--param {item!r} is not key=value.",
                suggestions=["e.g. --param topk.k=10"],
                exit_code=ExitCode.USAGE,
            )
        params[key] = value
    return params
