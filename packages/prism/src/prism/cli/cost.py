"""`prism cost`: what workstations, disks, volumes and snapshots have cost."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from prism.choices import CostBy
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.cost.model import CostReport

__all__ = ["cost"]


def _cost_view(report: "CostReport") -> "RenderableType":
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    title = "Cost so far (USD)" + (f", project {report.project}" if report.project else "")
    table = Table(title=title, title_justify="left")
    columns = (
        "name",
        "kind",
        "detail",
        "$/hour",
        "running h",
        "stopped h",
        "compute",
        "storage",
        "total",
    )
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("name", "kind", "detail") else "right"
        )
    for c in report.costs:
        label = (
            c.name + (" (simulated)" if c.simulated else "") + (" (deleted)" if c.deleted else "")
        )
        stopped = c.stopped_hours + c.hibernated_hours
        table.add_row(
            escape(label),
            c.kind,
            escape(c.detail + (", spot price" if c.spot else "")),
            f"{c.hourly_usd:.4f}",
            f"{c.running_hours:.2f}" if c.kind == "workstation" else "",
            f"{stopped:.2f}" if c.kind == "workstation" else "",
            f"{c.compute_usd:.2f}",
            f"{c.storage_usd:.2f}",
            f"{c.total_usd:.2f}",
        )
    parts: list[RenderableType] = [table]
    if report.by:
        groups = Table(title=f"By {report.by}", title_justify="left")
        for column in (report.by, "compute", "storage", "total"):
            groups.add_column(column, justify="left" if column == report.by else "right")
        for g in report.groups:
            groups.add_row(
                escape(g.key), f"{g.compute_usd:.2f}", f"{g.storage_usd:.2f}", f"{g.total_usd:.2f}"
            )
        parts.append(groups)
    parts.append(f"Total: ${report.total_usd:.2f}")
    return Group(*parts)


@renders(_cost_view)
def cost(
    name: Annotated[
        str | None, typer.Argument(help="One workstation and what belongs to it (default: all).")
    ] = None,
    project: Annotated[str | None, typer.Option("--project", help="One project's costs.")] = None,
    by: Annotated[
        CostBy | None, typer.Option("--by", help="Totals per day, workstation or kind.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "CostReport":
    """What everything has cost so far: workstations (compute while running, disks always),
    EBS disks attached or not, EFS volumes by stored size, and snapshots.

    Examples:

      prism cost

      prism cost --project genomics --by day

      prism cost demo --output json
    """
    from prism.cost.model import CostReport

    params = {k: v for k, v in {"name": name, "project": project, "by": by}.items() if v}
    return daemon_client().call("GET", "/api/v1/cost", CostReport, params=params or None)
