"""The `ai-config` command line.

Each group's module is imported when its command runs, so `--version` imports none of them and
`library status` imports only the library commands.
"""

from ai_config import __version__
from ai_config.home import ENV_VAR
from groundwork.cli import make_app, run

app = make_app(
    "ai-config",
    __version__,
    "Manage AI coding-agent configurations: a Git-backed base library,"
    " personal overrides, agents and exports."
    "\n\nExamples:"
    "\n\n  ai-config init"
    "\n\n  ai-config agent create helper -p roles/code-reviewer.md -r 'workflows/*.md' --mcp git"
    "\n\n  ai-config agent export helper --target q-cli --target claude-code"
    "\n\n  ai-config library edit roles/code-reviewer.md && ai-config library update"
    "\n\n  ai-config status"
    "\n\n  ai-config tui",
    lazy_commands={
        "init": "ai_config.cli.library:init_app",
        "library": "ai_config.cli.library",
        "agent": "ai_config.cli.agents",
        "mcp": "ai_config.cli.mcp",
        "backup": "ai_config.cli.backups",
        "audit": "ai_config.cli.audit",
        "status": "ai_config.cli.overview:status_app",
        "stats": "ai_config.cli.overview:stats_app",
        "logs": "ai_config.cli.overview:logs_app",
        "uninstall": "ai_config.cli.uninstall",
        "sync": "ai_config.cli.sync",
        "profile": "ai_config.cli.profile",
        "doctor": "ai_config.cli.doctor:doctor_app",
        "repair": "ai_config.cli.maintenance:repair_app",
        "gc": "ai_config.cli.maintenance:gc_app",
        "tui": "ai_config.cli.tui:tui_app",
    },
)


def main() -> None:
    run(app, tool="ai-config", home_env=ENV_VAR)
