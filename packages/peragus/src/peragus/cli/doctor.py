"""`peragus doctor [--watch]`: the set-up's checks, and with --watch the running server's alerts
(thresholds from Settings: memory, error rate, a cell running too long) as they come and go.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from groundwork.cli import DoctorReport
from groundwork.errors import ExitCode
from groundwork.health import CheckResult, Status, doctor_table, worst
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console

__all__ = ["doctor_app"]

doctor_app = typer.Typer(add_completion=False)


def _failed(report: DoctorReport) -> int:
    return ExitCode.FAILURE if report.status is Status.ERROR else ExitCode.OK


def _report(checks: list[CheckResult]) -> DoctorReport:
    return DoctorReport(tool="peragus", status=worst(checks), checks=checks)


@doctor_app.command("doctor")
@renders(lambda report: doctor_table(report.checks, title="peragus doctor"), exit_code=_failed)
def doctor(
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Keep polling the running server; an alert starting or clearing is said on"
            " stderr as it happens.",
        ),
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between polls with --watch.", min=0.1)
    ] = 5.0,
    count: Annotated[
        int,
        typer.Option("--count", help="With --watch, stop after this many polls (0: never).", min=0),
    ] = 0,
    output: OutputOption = OutputFormat.TABLE,
) -> DoctorReport:
    """Check the set-up: each check says ok, info, warning or error, and how to fix it; a running
    server's alerts are errors.

    Examples:

      peragus doctor

      peragus doctor --watch --interval 10

      peragus doctor --output json
    """
    from peragus.doctor import alert_checks, checks

    results = [*checks().run(), *alert_checks()]
    if not watch:
        return _report(results)
    setup = [r for r in results if not r.name.startswith("alert")]
    said: set[str] = set()
    polls = 0
    console = stderr_console()
    while True:
        alerts = alert_checks()
        now = {a.message for a in alerts if a.status is Status.ERROR}
        for message in sorted(now - said):
            console.print(f"[red]alert[/red] {message}", highlight=False)
        for message in sorted(said - now):
            console.print(f"[green]cleared[/green] {message}", highlight=False)
        said = now
        polls += 1
        if count and polls >= count:
            return _report([*setup, *alerts])
        time.sleep(interval)
