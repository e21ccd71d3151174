"""The `phoenix` command line."""

from groundwork.cli import add_doctor_command, make_app, run
from phoenix import __version__
from phoenix.doctor import checks

app = make_app(
    "phoenix",
    __version__,
    "Cut the cost of host process metrics: pipelines, A/B experiments and a load simulator."
    "\n\nExamples:"
    "\n\n  phoenix doctor\n\n  phoenix doctor --output json",
)
add_doctor_command(app, "phoenix", checks)


def main() -> None:
    run(app, tool="phoenix")
