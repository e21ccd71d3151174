"""The `peragus` command line: its commands, registered on groundwork's app."""

from groundwork.cli import add_doctor_command, make_app
from groundwork.health import HealthRegistry
from peragus import __version__
from peragus.cli import notebooks, run, start

__all__ = ["app"]


def _checks() -> HealthRegistry:
    from peragus.doctor import checks

    return checks()


app = make_app(
    "peragus",
    __version__,
    "A local TypeScript notebook (srcbook-compatible .src.md) with cells run in Node."
    "\n\nExamples:"
    "\n\n  peragus start"
    "\n\n  peragus import getting-started.src.md"
    "\n\n  peragus run getting-started.src.md"
    "\n\n  peragus export getting-started --out out.src.md"
    "\n\n  peragus list --output json",
)
app.command("new")(notebooks.new)
app.command("list")(notebooks.list_notebooks)
app.command("import")(notebooks.import_notebook)
app.command("export")(notebooks.export)
app.command("run")(run.run)
app.command("delete")(notebooks.delete)
app.command("start")(start.start)
add_doctor_command(app, "peragus", _checks)
