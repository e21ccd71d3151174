"""The `peragus` command line: its commands, registered on groundwork's app."""

from groundwork.cli import make_app
from peragus import __version__
from peragus.cli import notebooks, run, start

__all__ = ["app"]

app = make_app(
    "peragus",
    __version__,
    "A local TypeScript notebook (srcbook-compatible .src.md) with cells run in Node."
    "\n\nExamples:"
    "\n\n  peragus start"
    "\n\n  peragus import getting-started.src.md"
    "\n\n  peragus run getting-started.src.md"
    "\n\n  peragus export getting-started --out out.src.md"
    "\n\n  peragus list --output json"
    "\n\n  peragus doctor --watch",
    lazy_commands={
        "doctor": "peragus.cli.doctor:doctor_app",
        "audit": "peragus.cli.admin:audit_app",
        "token": "peragus.cli.admin:token_app",
        "secrets": "peragus.cli.admin:secrets_app",
        "template": "peragus.cli.templates:template_app",
    },
)
app.command("new")(notebooks.new)
app.command("list")(notebooks.list_notebooks)
app.command("import")(notebooks.import_notebook)
app.command("export")(notebooks.export)
app.command("run")(run.run)
app.command("delete")(notebooks.delete)
app.command("start")(start.start)
