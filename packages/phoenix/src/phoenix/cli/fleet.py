"""`phoenix fleet ...`: hosts by group, deployments with per-host rollback, status, a gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.cli.params import parse_params
from phoenix.cli.views import plain, plain_row, plain_table
from phoenix.fleet.results import (
    FleetDeploymentList,
    HostList,
    HostRemoved,
    HostResult,
    HostStatusList,
    Outcome,
)
from phoenix.home import home
from phoenix.pipelines.results import RenderResult

if TYPE_CHECKING:
    from rich.console import RenderableType

    from phoenix.fleet.service import Fleet

app = typer.Typer(
    help="A fleet of hosts, each with a collector sending OTLP to a gateway collector.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
)
host_app = typer.Typer(
    help="The fleet's hosts: add, list, remove.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(host_app, name="host")
GroupOption = Annotated[str, typer.Option("--group", "-g", help="The host group.")]


def _fleet() -> Fleet:
    from phoenix.fleet.service import Fleet
    from phoenix.store import open_store

    return Fleet(open_store(home()))


def _host_line(result: HostResult) -> RenderableType:
    h = result.host
    where = h.address or (f"netns {h.netns}" if h.netns else "this machine")
    return plain(f"Added {h.name} ({where}, group {h.group}, {h.cores} cores) -> {h.gateway}")


@host_app.command("add")
@renders(_host_line)
def add_host(
    name: str,
    group: GroupOption,
    gateway: Annotated[
        str, typer.Option("--gateway", help="The gateway's OTLP/HTTP endpoint, e.g. http://gw:4318")
    ],
    local: Annotated[bool, typer.Option("--local", help="This machine.")] = False,
    ssh: Annotated[
        str | None, typer.Option("--ssh", metavar="USER@ADDR", help="A remote host over ssh.")
    ] = None,
    netns: Annotated[
        str | None,
        typer.Option("--netns", help="With --local: the network namespace the host lives in."),
    ] = None,
    ssh_option: Annotated[
        list[str] | None,
        typer.Option(
            "--ssh-option", metavar="KEY=VALUE", help="With --ssh: an ssh -o option (repeatable)."
        ),
    ] = None,
    collector: Annotated[
        str | None,
        typer.Option("--collector", help="The collector on the host (default: phoenix-otelcol)."),
    ] = None,
    workdir: Annotated[
        str | None, typer.Option("--workdir", help="The host's folder for config, pid, log.")
    ] = None,
    health_port: Annotated[int, typer.Option("--health-port", min=1, max=65535)] = 13133,
    telemetry_port: Annotated[int, typer.Option("--telemetry-port", min=1, max=65535)] = 8888,
    output: OutputOption = OutputFormat.TABLE,
) -> HostResult:
    """Add a host: --local (this machine, or a network namespace of it with --netns) or
    --ssh user@addr. Its collector sends OTLP to --gateway; health and telemetry answer on its
    loopback only.

    Examples:

      phoenix fleet host add web-1 --ssh ops@10.0.0.5 --group web --gateway http://10.0.0.1:4318
      --collector /usr/local/bin/phoenix-otelcol --ssh-option IdentityFile=~/.ssh/fleet

      phoenix fleet host add lab --local --group lab --gateway http://127.0.0.1:4318
    """
    if local == (ssh is not None):
        raise typer.BadParameter("give exactly one of --local and --ssh USER@ADDR")
    if netns and not local:
        raise typer.BadParameter("--netns goes with --local", param_hint="--netns")
    if ssh_option and not ssh:
        raise typer.BadParameter("--ssh-option goes with --ssh", param_hint="--ssh-option")
    if collector is None:
        if ssh:
            raise typer.BadParameter(
                "name the collector on the remote host", param_hint="--collector"
            )
        from phoenix.otelcol.binary import find_collector

        collector = str(find_collector())
    if workdir is None:
        workdir = str(home() / "fleet" / name) if local else f".phoenix-fleet/{name}"
    return HostResult(
        host=_fleet().add_host(
            name,
            group,
            ssh=ssh,
            netns=netns,
            ssh_options=ssh_option,
            collector=collector,
            workdir=workdir,
            gateway=gateway,
            health_port=health_port,
            telemetry_port=telemetry_port,
        )
    )


def _hosts_table(result: HostList) -> RenderableType:
    if not result.hosts:
        return plain(
            "No hosts. Add one: phoenix fleet host add NAME --local --group G --gateway URL"
        )
    table = plain_table(None, ("host", "group", "where", "cores", "gateway", "collector"))
    for h in result.hosts:
        where = h.address or (f"netns {h.netns}" if h.netns else "local")
        plain_row(table, h.name, h.group, where, str(h.cores), h.gateway, h.collector)
    return table


@host_app.command("list")
@renders(_hosts_table)
def list_hosts(
    group: Annotated[str | None, typer.Option("--group", "-g", help="Only this group.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> HostList:
    """The fleet's hosts.

    Examples:

      phoenix fleet host list --group web -o json
    """
    return HostList(hosts=_fleet().hosts(group))


def _removed_line(result: HostRemoved) -> RenderableType:
    stopped = "its collector stopped" if result.collector_stopped else "host unreachable"
    return plain(f"Removed {result.host.name} ({stopped}).")


@host_app.command("remove")
@renders(_removed_line)
def remove_host(name: str, output: OutputOption = OutputFormat.TABLE) -> HostRemoved:
    """Stop the host's collector (when it can be reached) and forget the host.

    Examples:

      phoenix fleet host remove web-1
    """
    host, stopped = _fleet().remove_host(name)
    return HostRemoved(host=host, collector_stopped=stopped)


def _deployments_table(result: FleetDeploymentList) -> RenderableType:
    table = plain_table(None, ("host", "group", "version", "pipeline", "outcome", "message"))
    for d in result.deployments:
        plain_row(table, d.host, d.group, str(d.version), d.pipeline, d.outcome, d.message)
    return table


def _any_failed(result: FleetDeploymentList) -> int:
    failed = any(d.outcome is Outcome.FAILED for d in result.deployments)
    return ExitCode.FAILURE if failed else ExitCode.OK


def _progress(message: str) -> None:
    from groundwork.output import stderr_console

    stderr_console().print(plain(message))


@app.command("deploy")
@renders(_deployments_table, exit_code=_any_failed)
def deploy(
    pipeline: Annotated[str, typer.Argument(help="Catalog name or a pipeline file.")],
    group: GroupOption,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="processor.field=value")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> FleetDeploymentList:
    """Deploy a pipeline on every host of a group, one host at a time: write its collector
    config, restart the collector, check its health; a host whose collector fails goes back to
    its previous config at once (the others keep the new version). Exits 1 if any host failed.

    Examples:

      phoenix fleet deploy process-topk-v1 --group web

      phoenix fleet deploy process-topk-v1 --group web --param topk.k=10 -o json
    """
    return FleetDeploymentList(
        deployments=_fleet().deploy(group, pipeline, parse_params(param), progress=_progress)
    )


@app.command("rollback")
@renders(_deployments_table, exit_code=_any_failed)
def rollback(group: GroupOption, output: OutputOption = OutputFormat.TABLE) -> FleetDeploymentList:
    """Every host of the group back to the config it ran before its current one.

    Examples:

      phoenix fleet rollback --group web
    """
    return FleetDeploymentList(deployments=_fleet().rollback(group, progress=_progress))


def _status_table(result: HostStatusList) -> RenderableType:
    table = plain_table(
        None,
        ("host", "group", "pipeline", "version", "health", "accepted", "refused", "sent", "failed"),
    )

    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    for s in result.host_statuses:
        health = "healthy" if s.healthy else ("unreachable" if not s.reachable else s.message)
        plain_row(
            table,
            s.host,
            s.group,
            s.pipeline or "-",
            str(s.version or "-"),
            health,
            number(s.accepted_points),
            number(s.refused_points),
            number(s.sent_points),
            number(s.failed_points),
        )
    return table


@app.command("status")
@renders(_status_table)
def status(
    group: Annotated[str | None, typer.Option("--group", "-g", help="Only this group.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> HostStatusList:
    """Per host: the pipeline and version it runs, its collector's health, and the points its
    collector accepted, refused, sent and failed to send (its own telemetry).

    Examples:

      phoenix fleet status -o json
    """
    return HostStatusList(host_statuses=_fleet().status(group))


def _print_gateway(result: RenderResult) -> None:
    import yaml

    typer.echo(yaml.safe_dump_all(result.collector_config.documents, sort_keys=False), nl=False)


@app.command("gateway")
@renders(_print_gateway)
def gateway(
    listen: Annotated[
        str, typer.Option("--listen", help="Where hosts send OTLP/HTTP, e.g. 10.0.0.1:4318.")
    ],
    prometheus: Annotated[
        str, typer.Option("--prometheus", help="Where Prometheus scrapes it.")
    ] = "127.0.0.1:8889",
    health_endpoint: Annotated[str, typer.Option("--health-endpoint")] = "127.0.0.1:13133",
    telemetry_port: Annotated[int, typer.Option("--telemetry-port", min=1, max=65535)] = 8888,
    expire: Annotated[
        float,
        typer.Option(
            "--expire",
            min=1,
            help="Seconds a silent host's series stay; longer than the hosts' collection interval.",
        ),
    ] = 60,
    output: OutputOption = OutputFormat.TABLE,
) -> RenderResult:
    """The gateway collector's config: OTLP/HTTP in from the hosts, Prometheus out (labels
    host_name, phoenix_group, phoenix_pipeline and each process's identity). Run it with
    phoenix-otelcol --config FILE.

    Examples:

      phoenix fleet gateway --listen 10.0.0.1:4318 > gateway.yaml
    """
    from phoenix.fleet.gateway import gateway_config
    from phoenix.otelcol.render import COLLECTOR_RELEASE
    from phoenix.pipelines.results import CollectorConfig, RenderFormat

    if ":" not in listen:
        raise ToolError(
            "PHOENIX_LISTEN_INVALID",
            f"--listen {listen!r} is not host:port.",
            suggestions=["e.g. --listen 10.0.0.1:4318"],
            exit_code=ExitCode.USAGE,
        )
    config = gateway_config(
        listen,
        prometheus,
        health_endpoint=health_endpoint,
        telemetry_port=telemetry_port,
        expire_seconds=expire,
    )
    return RenderResult(
        collector_config=CollectorConfig(
            pipeline="gateway",
            format=RenderFormat.OTELCOL,
            fidelity="exact",
            collector_release=COLLECTOR_RELEASE,
            notes=[],
            steps=[],
            documents=[config],
        )
    )
