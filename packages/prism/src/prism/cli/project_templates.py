"""`prism project template add|list|remove`: templates a project owns, that its members launch
with --project and its admins edit.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.team.project_templates import ProjectTemplateList, ProjectTemplateResult

app = typer.Typer(
    help="A project's own templates: its members launch them (prism launch SLUG NAME --project"
    " P), its admins add, change and remove them."
)

ProjectArg = Annotated[str, typer.Argument(help="Project name.")]


def _template_view(result: "ProjectTemplateResult") -> str:
    t = result.template
    if result.removed:
        return f"Removed {t.slug} from {t.project}."
    warned = "".join(f"\nwarning: {w}" for w in t.warnings)
    return (
        f"{t.project} has template {t.slug} ({t.name}); members launch it with:"
        f" prism launch {t.slug} NAME --project {t.project}{warned}"
    )


def _list_view(result: "ProjectTemplateList") -> "RenderableType":
    from rich.table import Table

    if not result.templates:
        return "No templates of its own: prism project template add PROJECT FILE"
    table = Table("Slug", "Name", "Updated", "By")
    for t in result.templates:
        table.add_row(t.slug, t.name, f"{t.updated_at:%Y-%m-%d %H:%M}", t.updated_by)
    return table


@app.command("add")
@renders(_template_view)
def add(
    project: ProjectArg,
    file: Annotated[Path, typer.Argument(help="A template file (YAML).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the project's template of that slug.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "ProjectTemplateResult":
    """Give the project a template (checked first: a broken one is refused).

    Examples:

      prism project template add genomics genomics-env.yml

      prism project template add genomics genomics-env.yml --replace
    """
    from prism.team.project_templates import ProjectTemplateResult

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(
            "PRISM_TEMPLATE_FILE_UNREADABLE",
            f"Could not read {file}: {exc}.",
            suggestions=["Give a template file: UTF-8 YAML starting with 'name:'."],
            exit_code=ExitCode.NOT_FOUND if isinstance(exc, FileNotFoundError) else ExitCode.USAGE,
        ) from exc
    body = {"yaml": text, "replace": replace}
    path = f"/api/v1/projects/{project}/templates"
    return daemon_client().call("POST", path, ProjectTemplateResult, body=body)


@app.command("list")
@renders(_list_view)
def list_templates(
    project: ProjectArg, output: OutputOption = OutputFormat.TABLE
) -> "ProjectTemplateList":
    """List the project's own templates.

    Examples:

      prism project template list genomics
    """
    from prism.team.project_templates import ProjectTemplateList

    return daemon_client().call("GET", f"/api/v1/projects/{project}/templates", ProjectTemplateList)


@app.command("remove")
@renders(_template_view)
def remove(
    project: ProjectArg,
    slug: Annotated[str, typer.Argument(help="The template's slug.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "ProjectTemplateResult":
    """Remove one of the project's templates (workstations launched from it keep running).

    Examples:

      prism project template remove genomics genomics-env
    """
    from prism.team.project_templates import ProjectTemplateResult

    path = f"/api/v1/projects/{project}/templates/{slug}"
    return daemon_client().call("DELETE", path, ProjectTemplateResult)
