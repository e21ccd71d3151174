"""The `ai-config` command line."""

from ai_config import __version__
from ai_config.cli import agents, backups, library, mcp
from ai_config.home import ENV_VAR
from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry


def _checks() -> HealthRegistry:
    from ai_config.doctor import checks

    return checks()


app = make_app(
    "ai-config",
    __version__,
    "Manage AI coding-agent configurations: a Git-backed base library,"
    " personal overrides, agents and exports."
    "\n\nExamples:"
    "\n\n  ai-config init"
    "\n\n  ai-config agent create helper -p roles/code-reviewer.md -r 'workflows/*.md' --mcp git"
    "\n\n  ai-config agent export helper --target q-cli --target claude-code"
    "\n\n  ai-config library edit roles/code-reviewer.md && ai-config library update",
)
app.command("init")(library.init)
app.add_typer(library.app, name="library")
app.add_typer(agents.app, name="agent")
app.add_typer(mcp.app, name="mcp")
app.add_typer(backups.app, name="backup")
add_doctor_command(app, "ai-config", _checks)


def main() -> None:
    run(app, tool="ai-config", home_env=ENV_VAR)
