"""The checks behind `peragus doctor`."""

from groundwork.health import CheckResult, HealthRegistry, Status, command_check, folder_check
from peragus.home import home
from peragus.server import STATIC


def _toolchain() -> CheckResult:
    binary = home() / "toolchain" / "node_modules" / ".bin" / "esbuild"
    if binary.exists():
        return CheckResult("toolchain", Status.OK, f"esbuild at {binary}")
    return CheckResult(
        "toolchain",
        Status.INFO,
        "esbuild is not installed yet; TypeScript cells are compiled with it",
        "It is installed with npm on the first TypeScript run.",
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
