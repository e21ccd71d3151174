"""The `phoenix` command line."""

from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry
from phoenix import __version__
from phoenix.cli import experiment, loadsim, pipeline


def _checks() -> HealthRegistry:
    from phoenix.doctor import checks

    return checks()


app = make_app(
    "phoenix",
    __version__,
    "Cut the cost of host process metrics: pipelines, A/B experiments and a load simulator."
    "\n\nExamples:"
    "\n\n  phoenix loadsim start --profile high-cardinality"
    "\n\n  phoenix experiment create trial --candidate process-topk-v1 --duration 2m"
    "\n\n  phoenix experiment compare trial -o html --out report.html"
    "\n\n  phoenix pipeline render process-topk-v1 --format k8s",
)
app.add_typer(pipeline.app, name="pipeline")
app.add_typer(experiment.app, name="experiment")
app.add_typer(loadsim.app, name="loadsim")
add_doctor_command(app, "phoenix", _checks)


def main() -> None:
    run(app, tool="phoenix")
