"""The `peragus` command line."""

from groundwork.cli import add_doctor_command, make_app, run
from peragus import __version__
from peragus.doctor import checks

app = make_app(
    "peragus",
    __version__,
    "A local TypeScript notebook (srcbook-compatible .src.md) with cells run in Node."
    "\n\nExamples:"
    "\n\n  peragus doctor\n\n  peragus doctor --output json",
)
add_doctor_command(app, "peragus", checks)


def main() -> None:
    run(app, tool="peragus")
