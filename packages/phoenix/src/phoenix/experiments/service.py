"""Experiments: create, start (a runner process), watch, compare, promote, stop, delete."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from phoenix.deployments import current, deploy, load_pipeline, rollback
from phoenix.experiments.analysis import summary
from phoenix.experiments.results import (
    Experiment,
    ExperimentReport,
    ExperimentState,
    IntervalFigures,
    PromotedVariant,
    Promotion,
)
from phoenix.home import log_dir

__all__ = ["Experiments", "parse_duration"]

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h)?$")


def parse_duration(text: str) -> float:
    match = _DURATION.match(text.strip())
    if not match:
        raise ToolError(
            "PHOENIX_DURATION_INVALID",
            f"{text!r} is not a duration.",
            suggestions=["Write it like 90s, 10m or 1h."],
            exit_code=ExitCode.USAGE,
        )
    return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]


class Experiments:
    def __init__(self, home: Path, conn: sqlite3.Connection) -> None:
        self.home = home
        self.conn = conn

    def create(
        self,
        name: str,
        baseline: str,
        candidate: str,
        duration: float,
        interval: float,
        critical_regex: str,
        min_reduction: float,
        min_critical: float,
        baseline_group: str | None = None,
        candidate_group: str | None = None,
        prometheus_url: str | None = None,
    ) -> Experiment:
        for pipeline in (baseline, candidate):
            load_pipeline(pipeline)
        if baseline_group or candidate_group or prometheus_url:
            if not (baseline_group and candidate_group and prometheus_url):
                raise ToolError(
                    "PHOENIX_EXPERIMENT_GROUPS_INCOMPLETE",
                    "An experiment across host groups needs --baseline-group,"
                    " --candidate-group and --prometheus-url together.",
                    suggestions=[
                        "e.g. --baseline-group blue --candidate-group green"
                        " --prometheus-url http://127.0.0.1:9090"
                    ],
                    exit_code=ExitCode.USAGE,
                )
            if baseline_group == candidate_group:
                raise ToolError(
                    "PHOENIX_EXPERIMENT_GROUPS_SAME",
                    "The baseline and candidate groups must be different hosts.",
                    suggestions=["See the groups: phoenix fleet host list"],
                    exit_code=ExitCode.USAGE,
                )
            from phoenix.experiments.groups import check_prometheus
            from phoenix.fleet.service import Fleet

            for group in (baseline_group, candidate_group):
                Fleet(self.conn).group(group)
            prometheus_url = check_prometheus(prometheus_url)
        taken = self.conn.execute("SELECT id FROM experiments WHERE name = ?", (name,)).fetchone()
        if taken is not None:
            raise ToolError(
                "PHOENIX_EXPERIMENT_EXISTS",
                f"There is already an experiment named {name!r} ({taken['id']}).",
                suggestions=[
                    "Choose another name, or delete the old one: phoenix experiment delete"
                    f" {taken['id']}",
                ],
                exit_code=ExitCode.CONFLICT,
            )
        try:
            re.compile(critical_regex)
        except re.error as exc:
            raise ToolError(
                "PHOENIX_REGEX_INVALID",
                f"--critical-processes {critical_regex!r} is not a valid regular expression:"
                f" {exc}.",
                suggestions=["e.g. --critical-processes 'nginx|postgres|java'"],
                exit_code=ExitCode.USAGE,
            ) from None
        experiment_id = uuid.uuid4().hex[:8]
        self.conn.execute(
            "INSERT INTO experiments (id, name, baseline, candidate, duration_seconds,"
            " interval_seconds, critical_regex, min_reduction, min_critical, state, created_at,"
            " baseline_group, candidate_group, prometheus_url)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            (
                experiment_id,
                name,
                baseline,
                candidate,
                duration,
                interval,
                critical_regex,
                min_reduction,
                min_critical,
                datetime.now(UTC).isoformat(timespec="seconds"),
                baseline_group,
                candidate_group,
                prometheus_url,
            ),
        )
        return self.get(experiment_id)

    def get(self, experiment_id: str) -> Experiment:
        row = self.conn.execute(
            "SELECT * FROM experiments WHERE id = ? OR name = ? ORDER BY created_at DESC",
            (experiment_id, experiment_id),
        ).fetchone()
        if row is None:
            raise ToolError(
                "PHOENIX_EXPERIMENT_NOT_FOUND",
                f"No experiment {experiment_id!r}.",
                suggestions=["List them: phoenix experiment list"],
                exit_code=ExitCode.NOT_FOUND,
            )
        found = Experiment.model_validate(dict(row))
        if found.state is ExperimentState.RUNNING and not _alive(found.runner_pid):
            message = "the runner process died"
            self.conn.execute(
                "UPDATE experiments SET state = 'failed', message = ? WHERE id = ?",
                (message, found.id),
            )
            found = found.model_copy(update={"state": ExperimentState.FAILED, "message": message})
        return found

    def list(self) -> list[Experiment]:
        ids = [r["id"] for r in self.conn.execute("SELECT id FROM experiments ORDER BY created_at")]
        return [self.get(i) for i in ids]

    def start(self, experiment_id: str) -> Experiment:
        exp = self.get(experiment_id)
        if exp.state is not ExperimentState.PENDING:
            raise ToolError(
                "PHOENIX_EXPERIMENT_NOT_PENDING",
                f"Experiment {exp.id} is {exp.state}; only a pending one can start.",
                suggestions=["Create a new one: phoenix experiment create ..."],
                exit_code=ExitCode.CONFLICT,
            )
        before = current(self.conn)
        logs = log_dir()
        private_dir(logs)
        with (logs / f"experiment-{exp.id}.log").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "phoenix.experiments.runner", exp.id],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
                env={**os.environ, "PHOENIX_HOME": str(self.home)},
            )
        self.conn.execute(
            "UPDATE experiments SET runner_pid = ?, deployment_before = ?, state = 'running'"
            " WHERE id = ?",
            (process.pid, before.version if before else None, exp.id),
        )
        return self.get(exp.id)

    def stop(self, experiment_id: str) -> Experiment:
        exp = self.get(experiment_id)
        if exp.state is ExperimentState.RUNNING and exp.runner_pid and _alive(exp.runner_pid):
            os.kill(exp.runner_pid, signal.SIGTERM)
        self.conn.execute(
            "UPDATE experiments SET state = 'cancelled' WHERE id = ? AND state IN"
            " ('pending', 'running')",
            (exp.id,),
        )
        if exp.baseline_group and exp.candidate_group and exp.started_at:
            from phoenix.fleet.service import Fleet

            fleet = Fleet(self.conn)
            for group in (exp.baseline_group, exp.candidate_group):
                with contextlib.suppress(ToolError):
                    fleet.rollback(group)
            return self.get(exp.id)
        now = current(self.conn)
        if exp.deployment_before and now and now.version != exp.deployment_before:
            rollback(self.conn, exp.deployment_before)
        return self.get(exp.id)

    def promote(self, experiment_id: str, variant: PromotedVariant) -> Promotion:
        exp = self.get(experiment_id)
        if exp.state not in (ExperimentState.COMPLETED, ExperimentState.RUNNING):
            raise ToolError(
                "PHOENIX_EXPERIMENT_NOT_DONE",
                f"Experiment {exp.id} is {exp.state}; promote needs results.",
                suggestions=[f"Watch it: phoenix experiment status {exp.id} --watch"],
                exit_code=ExitCode.CONFLICT,
            )
        pipeline = exp.candidate if variant is PromotedVariant.CANDIDATE else exp.baseline
        if exp.baseline_group and exp.candidate_group:
            from phoenix.fleet.service import Fleet

            fleet = Fleet(self.conn)
            for group in (exp.baseline_group, exp.candidate_group):
                fleet.deploy(group, pipeline, {})
        deployment = deploy(self.conn, pipeline, {}, f"promoted from experiment {exp.id}")
        return Promotion(experiment=exp, deployment=deployment)

    def delete(self, experiment_id: str) -> Experiment:
        exp = self.get(experiment_id)
        if exp.state is ExperimentState.RUNNING:
            exp = self.stop(exp.id)
        self.conn.execute("DELETE FROM experiments WHERE id = ?", (exp.id,))
        return exp

    def report(self, experiment_id: str) -> ExperimentReport:
        exp = self.get(experiment_id)
        intervals = [
            IntervalFigures.model_validate(dict(r))
            for r in self.conn.execute(
                "SELECT * FROM intervals WHERE experiment = ? ORDER BY seq, variant", (exp.id,)
            )
        ]
        return ExperimentReport(
            experiment=exp, variants=summary(self.conn, exp.id), intervals=intervals
        )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError):
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            return False
    return True
