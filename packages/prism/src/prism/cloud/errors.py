"""AWS failures as errors a researcher can act on, keyed by botocore's error codes.

The original matched error strings; codes are stable, strings are not. Each code maps to an
explanation and the next steps; throttling and capacity hiccups are marked transient so the
retry policy may try again, everything else fails at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from groundwork.errors import ExitCode, ToolError
from groundwork.retry import RetryPolicy

__all__ = ["AWS_RETRY", "aws_call", "translate"]

T = TypeVar("T")


@dataclass(frozen=True)
class _Known:
    code: str
    message: str
    suggestions: tuple[str, ...]
    exit_code: ExitCode
    transient: bool = False


_PERMISSION = (
    "Ask your AWS administrator to allow this action for your user or role.",
    "Check which identity prism uses: prism profiles show",
)
_DENIED = _Known(
    "PRISM_AWS_PERMISSION_DENIED",
    "AWS refused {operation}: your credentials are not allowed to do it.",
    _PERMISSION,
    ExitCode.PERMISSION,
)
_KNOWN: dict[str, _Known] = {
    "UnauthorizedOperation": _DENIED,
    "AccessDenied": _DENIED,
    "AccessDeniedException": _DENIED,
    "AuthFailure": _Known(
        "PRISM_AWS_AUTH_FAILED",
        "AWS did not accept your credentials for {operation}.",
        (
            "Check the access key of the profile in ~/.aws/credentials.",
            "If you use SSO, log in again: aws sso login --profile NAME",
        ),
        ExitCode.PERMISSION,
    ),
    "ExpiredToken": _Known(
        "PRISM_AWS_CREDENTIALS_EXPIRED",
        "Your AWS credentials have expired.",
        ("Refresh them (aws sso login, or new temporary keys), then try again.",),
        ExitCode.PERMISSION,
    ),
    "RequestExpired": _Known(
        "PRISM_AWS_CLOCK_SKEW",
        "AWS rejected the request as expired: this machine's clock is probably wrong.",
        ("Sync the clock (timedatectl set-ntp true), then try again.",),
        ExitCode.PERMISSION,
    ),
    "InsufficientInstanceCapacity": _Known(
        "PRISM_AWS_NO_CAPACITY",
        "AWS has no spare capacity for this instance type in that zone right now.",
        (
            "Try again in a few minutes, or another size: --size",
            "Or another region: prism profiles use NAME",
        ),
        ExitCode.UNAVAILABLE,
        transient=True,
    ),
    "VcpuLimitExceeded": _Known(
        "PRISM_AWS_VCPU_LIMIT",
        "Launching this would exceed your account's vCPU quota in this region.",
        (
            "Stop or delete a workstation you no longer use (prism list).",
            "Or ask AWS for a higher quota: Service Quotas > EC2 > Running On-Demand instances.",
        ),
        ExitCode.CONFLICT,
    ),
    "InvalidAMIID.NotFound": _Known(
        "PRISM_AWS_IMAGE_NOT_FOUND",
        "The machine image does not exist in this region.",
        ("Clear prism's image cache by running again with --refresh-images.",),
        ExitCode.NOT_FOUND,
    ),
    "InvalidAMIID.Malformed": _Known(
        "PRISM_AWS_IMAGE_NOT_FOUND",
        "The machine image id is not valid.",
        ("Check ami_config in the template.",),
        ExitCode.USAGE,
    ),
    "Unsupported": _Known(
        "PRISM_AWS_TYPE_NOT_OFFERED",
        "This instance type is not offered where prism tried to launch it: {detail}",
        ("Choose another size (--size) or region.",),
        ExitCode.CONFLICT,
    ),
    "InvalidInstanceID.NotFound": _Known(
        "PRISM_AWS_INSTANCE_GONE",
        "The instance no longer exists in EC2 (deleted outside prism?).",
        ("Remove it from prism's list: prism delete NAME --yes",),
        ExitCode.NOT_FOUND,
    ),
    "IncorrectInstanceState": _Known(
        "PRISM_AWS_WRONG_STATE",
        "The instance is not in a state that allows {operation}: {detail}",
        ("Check its state with prism list, wait for it to settle, then try again.",),
        ExitCode.CONFLICT,
    ),
    "UnsupportedHibernationConfiguration": _Known(
        "PRISM_AWS_HIBERNATION_UNSUPPORTED",
        "This instance cannot hibernate: {detail}",
        ("Use prism stop instead.",),
        ExitCode.CONFLICT,
    ),
}
_THROTTLING = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "ServiceUnavailable",
    "Unavailable",
    "InternalError",
    "InternalFailure",
}


def translate(exc: Exception, operation: str) -> ToolError:
    """The ToolError for a boto3/botocore failure of ``operation``."""
    if isinstance(exc, ToolError):
        return exc
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        detail = str(error.get("Message", "")).strip()
        known = _KNOWN.get(code)
        if known is not None:
            return ToolError(
                known.code,
                known.message.format(operation=operation, detail=detail),
                suggestions=list(known.suggestions),
                context={"aws_error": code, "operation": operation, "aws_message": detail},
                exit_code=known.exit_code,
                transient=known.transient,
            )
        if code in _THROTTLING:
            return ToolError(
                "PRISM_AWS_THROTTLED",
                f"AWS is throttling requests ({code}) for {operation}.",
                suggestions=["prism retried with backoff; wait a minute and try again."],
                context={"aws_error": code, "operation": operation},
                exit_code=ExitCode.UNAVAILABLE,
                transient=True,
            )
        return ToolError(
            "PRISM_AWS_ERROR",
            f"AWS refused {operation}: {code}: {detail}",
            suggestions=["Read AWS's message above; run with --debug for the full response."],
            context={"aws_error": code, "operation": operation},
            exit_code=ExitCode.FAILURE,
        )
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ToolError(
            "PRISM_AWS_NO_CREDENTIALS",
            "No AWS credentials were found for this profile.",
            suggestions=[
                "Set them up: aws configure --profile NAME (or aws sso login).",
                "Or use the sandbox, which needs none: prism profiles use sandbox",
            ],
            exit_code=ExitCode.PERMISSION,
        )
    if isinstance(exc, TokenRetrievalError):
        return ToolError(
            "PRISM_AWS_CREDENTIALS_EXPIRED",
            "Your AWS SSO session has expired.",
            suggestions=["Log in again: aws sso login --profile NAME"],
            exit_code=ExitCode.PERMISSION,
        )
    if isinstance(exc, ProfileNotFound):
        return ToolError(
            "PRISM_AWS_PROFILE_NOT_FOUND",
            f"{exc}.",
            suggestions=["List your AWS profiles: aws configure list-profiles"],
            exit_code=ExitCode.NOT_FOUND,
        )
    if isinstance(exc, NoRegionError):
        return ToolError(
            "PRISM_AWS_NO_REGION",
            "No AWS region is set for this profile.",
            suggestions=["Set one: prism profiles add NAME --region us-east-1"],
            exit_code=ExitCode.USAGE,
        )
    if isinstance(exc, EndpointConnectionError):
        return ToolError(
            "PRISM_AWS_UNREACHABLE",
            f"Could not reach AWS for {operation}: {exc}.",
            suggestions=["Check the network connection and try again."],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        )
    if isinstance(exc, ResponseParserError):
        return ToolError(
            "PRISM_AWS_BAD_RESPONSE",
            f"AWS answered {operation} with something that is not an AWS response.",
            suggestions=["Try again; a proxy or an outage can cause this."],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        )
    if isinstance(exc, BotoCoreError):
        return ToolError(
            "PRISM_AWS_ERROR",
            f"{operation} failed: {exc}.",
            suggestions=["Run with --debug for details."],
            exit_code=ExitCode.FAILURE,
        )
    raise exc


AWS_RETRY = RetryPolicy(
    "aws", attempts=6, initial_seconds=0.5, max_wait_seconds=8, deadline_seconds=60
)


@contextmanager
def translated(operation: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError, ResponseParserError) as exc:
        raise translate(exc, operation) from exc


def aws_call(operation: str, fn: Callable[..., T], /, **kwargs: object) -> T:
    """One AWS call: translated errors, transient ones retried with backoff and jitter."""

    def once() -> T:
        with translated(operation):
            return fn(**kwargs)

    return AWS_RETRY.call(once)
