"""The `phoenix` command line.

Each command group lives in its own module, imported when the command line names it, so
`phoenix --version` loads no command and `phoenix pipeline list` loads only the pipeline
commands: their result models (pydantic), the engine and the service base are what start-up
time goes on. `--help` and shell completion still see every command.
"""

from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry
from phoenix import __version__
from phoenix.home import ENV_VAR


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
    "\n\n  phoenix pipeline render process-topk-v1 --format k8s"
    "\n\n  phoenix fleet deploy process-topk-v1 --group web",
    lazy_commands={
        "pipeline": "phoenix.cli.pipeline",
        "experiment": "phoenix.cli.experiment",
        "loadsim": "phoenix.cli.loadsim",
        "agent": "phoenix.cli.agent",
        "server": "phoenix.cli.server",
        "fleet": "phoenix.cli.fleet",
    },
)
add_doctor_command(app, "phoenix", _checks)


def main() -> None:
    run(app, tool="phoenix", home_env=ENV_VAR)
