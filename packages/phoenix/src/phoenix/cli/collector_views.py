"""How `pipeline render` and `pipeline verify` show their results to people."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from groundwork.errors import ExitCode
from phoenix.cli.views import plain, plain_row, plain_table
from phoenix.otelcol.results import VerificationResult
from phoenix.pipelines.results import RenderResult

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["collector_config_view", "not_passed", "verification_table"]


def collector_config_view(result: RenderResult) -> RenderableType | None:
    config = result.collector_config
    if result.explain:
        table = plain_table(
            f"{config.pipeline} on a collector ({config.fidelity}, release"
            f" {config.collector_release})",
            ("#", "processor", "collector", "exact", "how"),
        )
        for step in config.steps:
            plain_row(
                table,
                str(step.index),
                step.processor,
                ", ".join(step.collector) or "-",
                "yes" if step.exact else "no",
                step.note,
            )
        return table
    import yaml

    header = [
        f"phoenix pipeline {config.pipeline}: collector {config.fidelity}"
        f" (release {config.collector_release})",
        *config.notes,
    ]
    notes = "".join(f"# {line}\n" for line in header)
    typer.echo(notes + yaml.safe_dump_all(config.documents, sort_keys=False), nl=False)
    return None


def verification_table(result: VerificationResult) -> RenderableType:
    v = result.verification
    verdict = "passed" if v.passed else "FAILED"
    table = plain_table(
        f"{v.pipeline}: collector {v.fidelity}, {verdict} (difference {v.difference_percent:+g}%,"
        f" tolerance {v.tolerance_percent:g}%)",
        ("", "engine (phoenix agent)", "collector (phoenix-otelcol)"),
    )
    for label, key in (
        ("series", "series"),
        ("processes", "processes"),
        ("critical kept", "critical_kept"),
        ("CPU % of a core", "cpu_percent"),
        ("RSS MB", "rss_mb"),
    ):
        plain_row(table, label, str(getattr(v.engine, key)), str(getattr(v.collector, key)))
    plain_row(table, "critical on host", str(v.critical_on_host), str(v.critical_on_host))
    if v.critical_missing or v.notes:
        table.caption = plain(
            "; ".join(
                (
                    [f"critical processes missing: {', '.join(v.critical_missing)}"]
                    if v.critical_missing
                    else []
                )
                + v.notes
            )
        )
        table.caption_justify = "left"
    return table


def not_passed(result: VerificationResult) -> int:
    return ExitCode.OK if result.verification.passed else ExitCode.FAILURE
