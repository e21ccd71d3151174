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


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("notebooks folder", folder_check("notebooks folder", home()))
    registry.register("node", command_check("node", why="code cells run in Node"))
    registry.register(
        "npm", command_check("npm", why="notebook dependencies are installed with npm")
    )
    registry.register("toolchain", _toolchain)
    registry.register("web UI", _web_ui)
    return registry
