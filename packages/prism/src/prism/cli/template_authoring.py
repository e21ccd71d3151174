"""`prism templates new|docs|test`: writing a template, documenting templates, and running one
for real. Local, no daemon.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, ask, renders, stderr_console
from prism.choices import ConnectionType
from prism.cli.templates import app
from prism.cli.text import plain
from prism.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.templates.authoring.draft import DraftService, TemplateDraft
    from prism.templates.authoring.results import DocsResult, FormResult
    from prism.templates.results import TemplateInfo
    from prism.templates.testing.results import TemplateTestResult


def _split(values: list[str] | None) -> list[str]:
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def _services(values: list[str]) -> list["DraftService"]:
    from prism.templates.authoring.draft import DraftService

    services = []
    for value in values:
        name, _, port = value.partition(":")
        if port and not port.isdigit():
            raise ToolError(
                "PRISM_USAGE",
                f"--service {value!r}: the port must be a number.",
                suggestions=["Write NAME or NAME:PORT, e.g. --service notebook:8888"],
                exit_code=ExitCode.USAGE,
            )
        services.append(DraftService(name=name, port=int(port) if port else None))
    return services


def _ports(values: list[str]) -> list[int]:
    if not all(v.isdigit() for v in values):
        raise ToolError(
            "PRISM_USAGE",
            f"--port takes numbers, not {', '.join(v for v in values if not v.isdigit())}.",
            suggestions=["e.g. --port 8080"],
            exit_code=ExitCode.USAGE,
        )
    return [int(v) for v in values]


def _ask_missing(draft: "TemplateDraft", given: set[str]) -> "TemplateDraft":
    """The questions a person at a terminal is asked for what no flag gave."""
    if "name" not in given:
        draft.name = ask("Display name", draft.slug.replace("-", " ").title())
    if "description" not in given:
        draft.description = ask("One-line description", draft.description or draft.name)
    if "start_from" not in given:
        draft.start_from = ask("Start from (a base OS or a template)", draft.start_from)
    if "packages" not in given:
        draft.packages = _split([ask("System packages (comma-separated)", "git, curl")])
    if "services" not in given:
        draft.services = _services(_split([ask("Services NAME[:PORT] (comma-separated)", "")]))
    if "ports" not in given:
        draft.ports = _ports(_split([ask("Other ports to open (comma-separated)", "")]))
    return draft


def _new_view(result: "TemplateInfo") -> "RenderableType":
    from rich.console import Group

    detail = result.template
    lines = [plain(f"Wrote template {detail.slug}: {detail.path}")]
    lines += [plain(f"warning {w}", "yellow") for w in detail.warnings]
    lines.append(plain(f"See it: prism templates info {detail.slug}"))
    lines.append(plain(f"Test it for real: sudo prism templates test {detail.slug}"))
    return Group(*lines)


@app.command("new")
@renders(_new_view)
def new(
    slug: Annotated[str, typer.Argument(help="The new template's slug, e.g. genomics-lab.")],
    start_from: Annotated[
        str | None,
        typer.Option("--from", help="A base OS (ubuntu-24.04...) or a template to build on."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="One line.")] = None,
    package: Annotated[
        list[str] | None, typer.Option("--package", "-P", help="A system package (repeat).")
    ] = None,
    pip: Annotated[list[str] | None, typer.Option("--pip", help="A pip package (repeat).")] = None,
    service: Annotated[
        list[str] | None, typer.Option("--service", help="NAME or NAME:PORT (repeat).")
    ] = None,
    port: Annotated[list[str] | None, typer.Option("--port", help="A port to open.")] = None,
    user: Annotated[list[str] | None, typer.Option("--user", help="A user to create.")] = None,
    connection: Annotated[
        ConnectionType | None, typer.Option("--connection", help="How it is reached.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ask nothing; flags and defaults only.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a file of that name.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "TemplateInfo":
    """Write a new template into your templates, validated before it is written.

    Flags give its parts; on a terminal, what no flag gave is asked (questions on stderr).

    Examples:

      prism templates new genomics-lab --from ubuntu-24.04 -P samtools -P bwa --yes

      prism templates new my-jupyter --from python-ml-workstation --service notebook:8899

      prism templates new analysis-box
    """
    from prism.templates.authoring.compose import save_draft
    from prism.templates.authoring.draft import DraftUser, TemplateDraft
    from prism.templates.catalog import catalog_for
    from prism.templates.info import template_info

    draft = TemplateDraft(
        slug=slug,
        name=name or "",
        description=description or "",
        start_from=start_from or "ubuntu-24.04",
        connection_type=connection,
        packages=_split(package),
        pip_packages=_split(pip),
        users=[DraftUser(name=u, groups=["sudo"]) for u in _split(user)],
        services=_services(_split(service)),
        ports=_ports(_split(port)),
    )
    given = {
        key
        for key, value in {
            "name": name,
            "description": description,
            "start_from": start_from,
            "packages": package,
            "services": service,
            "ports": port,
        }.items()
        if value
    }
    if not yes and sys.stdin.isatty() and output is not OutputFormat.JSON:
        draft = _ask_missing(draft, given)
    save_draft(draft, home(), force=force)
    return template_info(home(), catalog_for(home()), slug)


def _docs_view(result: "DocsResult") -> "RenderableType":
    from rich.console import Group

    return Group(*(plain(f"{d.template}: {d.path}") for d in result.docs))


@app.command("docs")
@renders(_docs_view)
def docs(
    name: Annotated[str | None, typer.Argument(help="One template (default: all).")] = None,
    out: Annotated[
        Path, typer.Option("--out", "-O", help="Folder the pages are written to.")
    ] = Path("template-docs"),
    region: Annotated[
        str, typer.Option("--region", help="Region of the prices shown.")
    ] = "us-east-1",
    output: OutputOption = OutputFormat.TABLE,
) -> "DocsResult":
    """Write a markdown page per template.

    What it installs, parameters with types and defaults, ports, sizes and their estimated
    cost per hour (prism's list prices for --region).

    Examples:

      prism templates docs

      prism templates docs rstudio-server --out docs/templates
    """
    from prism.cost.prices import PriceBook
    from prism.templates.authoring.docs import template_page
    from prism.templates.authoring.results import DocsResult, TemplateDoc
    from prism.templates.catalog import catalog_for

    catalog = catalog_for(home())
    prices = PriceBook(home() / "cache" / "prices.json")
    slugs = [catalog.get(name).template.key] if name else sorted(catalog.files())
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for slug in slugs:
        page = out / f"{slug}.md"
        page.write_text(template_page(catalog.resolve(slug), prices, region), encoding="utf-8")
        written.append(TemplateDoc(template=slug, path=str(page)))
    return DocsResult(docs=written)


def _test_view(result: "TemplateTestResult") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    test = result.test
    stages = Table(title=f"Test of {test.template} ({test.environment})", title_justify="left")
    for column in ("stage", "result", "seconds", "detail"):
        stages.add_column(column)
    for stage in test.stages:
        color = {"passed": "green", "failed": "bold red"}.get(stage.result, "")
        stages.add_row(
            plain(stage.name),
            plain(stage.result, color),
            f"{stage.seconds:.1f}",
            plain(stage.detail),
        )
    checks = Table(title="Checks", title_justify="left")
    for column in ("check", "what", "ok", "detail"):
        checks.add_column(column)
    for check in test.checks:
        checks.add_row(
            plain(check.kind),
            plain(check.name),
            plain("yes", "green") if check.ok else plain("no", "bold red"),
            plain(check.detail.strip()[:200]),
        )
    parts: list[RenderableType] = [stages, checks]
    for stage in test.stages:
        if stage.log:
            parts.append(plain(f"--- end of {stage.log_file}", "bold"))
            parts.append(plain("\n".join(stage.log)))
    verdict = "passed" if test.passed else "FAILED"
    parts.append(
        plain(f"{test.template}: {verdict} in {test.seconds:.0f}s; logs in {test.log_folder}")
    )
    return Group(*parts)


def _failed(result: "TemplateTestResult") -> int:
    return ExitCode.OK if result.test.passed else ExitCode.FAILURE


@app.command("test")
@renders(_test_view, exit_code=_failed)
def test(
    name: Annotated[str, typer.Argument(help="Template slug or name.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Template parameter key=value.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "TemplateTestResult":
    """Run a template's setup script for real in a throwaway system, and check it.

    apt templates run in a Debian root made with debootstrap (cached) inside systemd-nspawn:
    packages, users and groups, service units enabled and (booted with systemd) active,
    post_install, and a second run that must change nothing. Needs root. Other families get
    the static checks (validation, bash -n, shellcheck). Exits 1 when anything failed.

    Examples:

      sudo prism templates test ubuntu-server

      sudo prism templates test my-lab --output json
    """
    from prism.cli.launch import parse_params
    from prism.templates.catalog import catalog_for
    from prism.templates.testing.results import TemplateTestResult
    from prism.templates.testing.runner import run_template_test

    catalog = catalog_for(home())
    resolved = catalog.resolve(name, parse_params(param))
    console = stderr_console()

    def report(line: str) -> None:
        console.print(plain(f"test {resolved.template.key}: {line}"), highlight=False)

    return TemplateTestResult(test=run_template_test(resolved, catalog, home(), report))


def _form_view(result: "FormResult") -> "RenderableType":
    opened = " (opened in your browser)" if result.form.opened else ""
    return plain(f"The template form{opened}: {result.form.url}")


@app.command("form")
@renders(_form_view)
def form(
    open_browser: Annotated[bool, typer.Option("--open", help="Open it in a browser.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "FormResult":
    """Print the address of the template form in the browser (served by prismd).

    The address logs the browser in once (the same token as the API); on the page, choose a
    base, add packages, users, services and parameters, watch the YAML and its validation,
    and save it to your templates.

    Examples:

      prism templates form --open

      prism templates form --output json
    """
    import webbrowser

    from groundwork.service.app import LoginTicket
    from prism.cli.service import daemon_client
    from prism.templates.authoring.results import FormLink, FormResult

    client = daemon_client()
    ticket = client.call("POST", "/login/ticket", LoginTicket)
    url = f"{client.ensure_running().url}{ticket.path}&next=/templates/new"
    opened = bool(open_browser and webbrowser.open(url))
    return FormResult(form=FormLink(url=url, opened=opened))
