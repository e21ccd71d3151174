"""The checks behind `phoenix doctor`."""

from groundwork.errors import ToolError
from groundwork.health import CheckResult, HealthRegistry, Status, command_check, folder_check
from phoenix.home import home


def _collector() -> CheckResult:
    from phoenix.otelcol.binary import find_collector

    try:
        found = find_collector()
    except ToolError as exc:
        return CheckResult(
            "collector",
            Status.WARNING,
            f"{exc.message} render --otelcol checks, verify and fleet need one",
            "; ".join(exc.suggestions),
        )
    return CheckResult("collector", Status.OK, f"phoenix-otelcol at {found}")


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("home folder", folder_check("home folder", home()))
    registry.register("collector", _collector)
    registry.register(
        "prometheus",
        command_check("prometheus", required=False, why="`pipeline verify` counts with it"),
    )
    registry.register(
        "perl",
        command_check("perl", version_args=("-v",), required=False, why="busy simulated processes"),
    )
    return registry
