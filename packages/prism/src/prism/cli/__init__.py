"""The `prism` command line."""

from groundwork.cli import add_doctor_command, make_app, run

from prism import __version__
from prism.doctor import checks

app = make_app(
    "prism",
    __version__,
    "Launch and manage research workstations on AWS,"
    " or on the embedded [bold]sandbox[/bold] with no account."
    "\n\nExamples:"
    "\n\n  prism doctor\n\n  prism doctor --output json",
)
add_doctor_command(app, "prism", checks)


def main() -> None:
    run(app, tool="prism")
