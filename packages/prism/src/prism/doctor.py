"""The checks behind `prism doctor`: daemon, state folder, profile, credentials, clock."""

from __future__ import annotations

import email.utils
import time

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from groundwork.errors import ToolError
from groundwork.health import CheckResult, HealthRegistry, Status, folder_check
from prism.cloud.errors import translate
from prism.cloud.session import CloudSession
from prism.daemon.client import DaemonClient
from prism.home import home
from prism.profiles import ProfileStore

_SKEW_LIMIT_SECONDS = 300


def _daemon() -> CheckResult:
    info = DaemonClient(home()).info()
    if info is None:
        return CheckResult(
            "daemon", Status.INFO, "prismd is not running", "Any prism command starts it."
        )
    return CheckResult("daemon", Status.OK, f"prismd {info.version} at {info.url} (pid {info.pid})")


def _profile() -> CheckResult:
    try:
        profile = ProfileStore(home()).active()
    except ToolError as exc:
        return CheckResult("profile", Status.ERROR, exc.message, exc.suggestions[0])
    if profile.simulated:
        return CheckResult(
            "profile",
            Status.OK,
            "sandbox: AWS simulated on this machine, no account needed",
        )
    return CheckResult(
        "profile", Status.OK, f"{profile.name}: AWS profile {profile.aws_profile}, {profile.region}"
    )


def _credentials() -> CheckResult:
    profile = ProfileStore(home()).active()
    if profile.simulated:
        return CheckResult("credentials", Status.OK, "not needed for the sandbox")
    try:
        sts = CloudSession(profile, home()).client("sts")
        identity = sts.get_caller_identity()
    except ToolError as exc:
        return CheckResult("credentials", Status.ERROR, exc.message, exc.suggestions[0])
    except (BotoCoreError, ClientError) as exc:
        error = translate(exc, "GetCallerIdentity")
        return CheckResult("credentials", Status.ERROR, error.message, error.suggestions[0])
    return CheckResult("credentials", Status.OK, f"valid: {identity['Arn']}")


def _clock() -> CheckResult:
    """AWS rejects requests signed more than 5 minutes off; a skewed clock looks like bad keys."""
    profile = ProfileStore(home()).active()
    if profile.simulated:
        return CheckResult("clock", Status.OK, "not checked for the sandbox")
    try:
        reply = httpx.head(f"https://sts.{profile.region}.amazonaws.com", timeout=5)
        server = email.utils.parsedate_to_datetime(reply.headers["date"]).timestamp()
    except (httpx.HTTPError, KeyError, ValueError):
        return CheckResult("clock", Status.WARNING, "could not reach AWS to compare clocks")
    skew = time.time() - server
    if abs(skew) > _SKEW_LIMIT_SECONDS:
        return CheckResult(
            "clock",
            Status.ERROR,
            f"this machine's clock is {skew:+.0f} s off AWS's",
            "Turn on time sync: timedatectl set-ntp true",
        )
    return CheckResult("clock", Status.OK, f"within {abs(skew):.0f} s of AWS")


def checks() -> HealthRegistry:
    registry = HealthRegistry(timeout_seconds=15)
    registry.register("state folder", folder_check("state folder", home()))
    registry.register("daemon", _daemon)
    registry.register("profile", _profile)
    registry.register("credentials", _credentials)
    registry.register("clock", _clock)
    return registry
