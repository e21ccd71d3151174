"""An experiment that failed, as the error the console shows: its code, the runner's message,
and where to look."""

from __future__ import annotations

from groundwork.errors import ExitCode, ToolError
from phoenix.experiments.results import Experiment, ExperimentState
from phoenix.home import log_dir
from phoenix.live import problem_of
from phoenix.pipelines.results import StatusProblem

__all__ = ["failure"]


def failure(experiment: Experiment) -> StatusProblem | None:
    if experiment.state is not ExperimentState.FAILED:
        return None
    return problem_of(
        ToolError(
            "PHOENIX_EXPERIMENT_FAILED",
            f"Experiment {experiment.name} failed: {experiment.message or 'no reason recorded'}.",
            suggestions=[
                f"Read the runner's log: {log_dir() / f'experiment-{experiment.id}.log'}",
                "Fix the cause, then create a new experiment: phoenix experiment create ...",
            ],
            exit_code=ExitCode.FAILURE,
        )
    )
