"""The `ai-config` command line."""

from ai_config import __version__
from ai_config.doctor import checks
from groundwork.cli import add_doctor_command, make_app, run

app = make_app(
    "ai-config",
    __version__,
    "Manage AI coding-agent configurations: a Git-backed base library,"
    " personal overrides, agents and exports."
    "\n\nExamples:"
    "\n\n  ai-config doctor\n\n  ai-config doctor --output json",
)
add_doctor_command(app, "ai-config", checks)


def main() -> None:
    run(app, tool="ai-config")
