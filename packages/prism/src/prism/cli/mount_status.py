"""`prism volume status`: each mount on each workstation, checked through SSM, a lost one
mounted again.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.service import daemon_client
from prism.cli.storage import volume_app

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.team.mounts import MountStatusList

__all__ = ["status"]

_SAID = {
    "mounted": "mounted",
    "remounted": "was lost: mounted again",
    "lost": "LOST: mounting again failed",
    "missing": "MISSING: not in its fstab",
    "unreported": "no report (SSM gave no output)",
    "simulated": "simulated (the sandbox runs no machine)",
    "not-running": "not running",
}


def _status_view(result: "MountStatusList") -> "RenderableType":
    from rich.table import Table

    if not result.mounts:
        return "No workstation has a volume or a project space mounted."
    table = Table("Workstation", "Mount point", "What", "State")
    for m in result.mounts:
        table.add_row(m.workstation, m.mount_point, m.source, _SAID[m.state])
    return table


def _failed(result: "MountStatusList") -> int:
    return 1 if any(m.state in ("lost", "missing") for m in result.mounts) else 0


@volume_app.command("status")
@renders(_status_view, exit_code=_failed)
def status(
    workstation: Annotated[
        str | None, typer.Option("--workstation", help="One workstation only.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "MountStatusList":
    """Check every volume and project-space mount on every running workstation (through
    SSM), mounting again what was lost. Exits 1 when a mount stays lost.

    Examples:

      prism volume status

      prism volume status --workstation analysis -o json
    """
    from prism.team.mounts import MountStatusList

    params = {"workstation": workstation} if workstation else None
    return daemon_client().call("GET", "/api/v1/volumes/status", MountStatusList, params=params)
