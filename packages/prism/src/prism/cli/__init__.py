"""The `prism` command line."""

from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry
from prism import __version__
from prism.cli import (
    connect,
    cost,
    daemon,
    editors,
    mount_status,
    profiles,
    storage,
    storage_care,
    web,
    workstations,
)
from prism.home import ENV_VAR


def _checks() -> HealthRegistry:
    from prism.doctor import checks  # deferred: it loads boto3

    return checks()


app = make_app(
    "prism",
    __version__,
    "Launch and manage research workstations on AWS,"
    " or on the embedded [bold]sandbox[/bold] with no account."
    "\n\nEvery command takes --output json: one JSON document on stdout (errors as"
    " problem+json), progress and questions on stderr."
    "\n\nExamples:"
    "\n\n  prism templates list"
    "\n\n  prism launch python-ml-workstation demo"
    "\n\n  prism list"
    "\n\n  prism stop demo && prism start demo"
    "\n\n  prism delete demo --yes"
    "\n\n  prism tui"
    "\n\n  prism dashboard",
    lazy_commands={
        "templates": "prism.cli.templates",
        "idle": "prism.cli.idle",
        "project": "prism.cli.projects",
        "snapshot": "prism.cli.snapshots",
        "save": "prism.cli.snapshots:save_app",
        "user": "prism.cli.users",
        "team": "prism.cli.team",
        "audit": "prism.cli.team:audit_app",
        "data": "prism.cli.data",
        "tui": "prism.cli.tui:tui_app",
        "dashboard": "prism.cli.dashboard:dashboard_app",
    },
)
workstations.register(app)
app.add_typer(profiles.app, name="profiles")
app.add_typer(storage.volume_app, name="volume")
app.add_typer(storage.storage_app, name="storage")
app.command("cost")(cost.cost)
app.command("connect")(connect.connect)
app.command("web")(web.web)
app.command("ssh-config")(editors.ssh_config)
app.add_typer(daemon.app, name="daemon")
add_doctor_command(app, "prism", _checks)

# storage_care and mount_status add their commands to volume and storage
__all__ = ["app", "main", "mount_status", "storage_care"]


def main() -> None:
    from prism.home import home
    from prism.notices import show_pending

    show_pending(home())
    run(app, tool="prism", home_env=ENV_VAR)
