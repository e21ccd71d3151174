"""The checks behind `peragus doctor`."""

from groundwork.health import CheckResult, HealthRegistry, Status, command_check, folder_check
from peragus.home import home
from peragus.server import STATIC


def _toolchain() -> CheckResult:
    from peragus.execution.toolchain import ESBUILD, PRETTIER, TYPESCRIPT, installed

    tools = (ESBUILD, TYPESCRIPT, PRETTIER)
    missing = [t for t in tools if installed(home(), t) is None]
    if not missing:
        return CheckResult(
            "toolchain", Status.OK, ", ".join(f"{t.package} {t.version}" for t in tools)
        )
    return CheckResult(
        "toolchain",
        Status.INFO,
        "not installed yet: " + "; ".join(f"{t.package} {t.version} ({t.why})" for t in missing),
        "Each is installed with npm on first use (a TypeScript run, an open notebook, Format).",
    )


def _web_ui() -> CheckResult:
    if (STATIC / "index.html").exists():
        return CheckResult("web UI", Status.OK, f"built in {STATIC}")
    return CheckResult(
        "web UI",
        Status.WARNING,
        "the web UI is not built; `peragus start` serves a page that says so",
        "Run `make ui` in the repository (needs Node.js 20+ and npm).",
    )


def _containment() -> CheckResult:
    from peragus.execution.containment import UNCONTAINED_ENV, containment_kind

    kind = containment_kind()
    if kind == "none":
        return CheckResult(
            "containment",
            Status.ERROR,
            "cells cannot get a process-count limit: running as root, and no cgroup v1 pids"
            " hierarchy is writable",
            "Mount the pids controller at /sys/fs/cgroup/pids, or run peragus as another user"
            f" (or set {UNCONTAINED_ENV}=1 to run cells uncontained).",
        )
    if kind.startswith("none"):
        return CheckResult("containment", Status.WARNING, f"cells run uncontained ({kind})")
    if kind == "RLIMIT_NPROC":
        return CheckResult(
            "containment",
            Status.OK,
            "each cell run gets RLIMIT_NPROC (processes) and RLIMIT_DATA (memory, per process);"
            " no cgroup, so a process that empties its environment and detaches could outlive"
            " its run",
        )
    return CheckResult("containment", Status.OK, f"each cell run in its own {kind}")


def _secrets_key() -> CheckResult:
    from groundwork.secrets import SecretBox
    from peragus.settings.keys import KEY_NAME, config_dir

    if (home() / KEY_NAME).exists():
        return CheckResult(
            "secrets key",
            Status.INFO,
            f"{home() / KEY_NAME} sits beside the database",
            f"The next start of peragus moves it to {config_dir(home())}.",
        )
    return SecretBox("peragus", config_dir(home()) / KEY_NAME).check()


def alert_checks() -> list[CheckResult]:
    """The running server's alerts, one check each; one ok or info check when there are none."""
    from groundwork.errors import ToolError
    from peragus.cli.server_client import get_json, running_server_url

    if running_server_url() is None:
        return [CheckResult("alerts", Status.INFO, "the server is not running")]
    try:
        status = get_json("/api/status")["status"]
    except ToolError as exc:
        return [CheckResult("alerts", Status.ERROR, exc.message, exc.suggestions[0])]
    alerts = status.get("alerts", [])
    if not alerts:
        return [CheckResult("alerts", Status.OK, "no threshold crossed")]
    return [
        CheckResult(
            f"alert: {a['kind']}",
            Status.ERROR,
            a["message"],
            "See the status page (/status) for what uses it; thresholds are set there.",
        )
        for a in alerts
    ]


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("notebooks folder", folder_check("notebooks folder", home()))
    registry.register("node", command_check("node", why="code cells run in Node"))
    registry.register(
        "npm", command_check("npm", why="notebook dependencies are installed with npm")
    )
    registry.register("toolchain", _toolchain)
    registry.register("web UI", _web_ui)
    registry.register("containment", _containment)
    registry.register("secrets key", _secrets_key)
    return registry
