"""`prism profiles add|list|use|show|remove|wizard`: where prism launches."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, ask, confirm, renders, stderr_console
from prism.cli.text import plain
from prism.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.profiles import ProfileStore
    from prism.profiles.results import ProfileList, ProfileResult

app = typer.Typer(help="Profiles: the sandbox (default, no account needed) or an AWS profile.")


def _store() -> "ProfileStore":
    from prism.profiles import ProfileStore  # deferred: pydantic models load slowly

    return ProfileStore(home())


def _result(store: "ProfileStore", name: str, identity: str | None = None) -> "ProfileResult":
    from prism.profiles.results import ProfileResult

    return ProfileResult(
        profile=store.get(name), active=store.active().name == name, identity=identity
    )


def _list_view(result: "ProfileList") -> "RenderableType":
    from rich.table import Table

    table = Table()
    for column in ("", "name", "kind", "region", "aws profile"):
        table.add_column(column)
    for p in result.profiles:
        kind = "sandbox (simulated)" if p.simulated else "aws"
        marker = "*" if p.name == result.active else ""
        table.add_row(marker, plain(p.name), kind, plain(p.region), plain(p.aws_profile or "-"))
    return table


def _profile_view(result: "ProfileResult") -> str:
    from rich.markup import escape

    p = result.profile
    kind = (
        "the sandbox, AWS simulated on this machine"
        if p.simulated
        else f"AWS profile {escape(p.aws_profile or '')} of ~/.aws"
    )
    lines = [f"Profile [bold]{escape(p.name)}[/bold] is {kind}, region {escape(p.region)}."]
    if p.image_parameter_prefix:
        lines.append(f"Approved images under: {escape(p.image_parameter_prefix)}")
    if result.identity:
        lines.append(f"[green]Its credentials work[/green]: {escape(result.identity)}")
    lines.append(
        "This is the active profile." if result.active else f"Use it: prism profiles use {p.name}"
    )
    return "\n".join(lines)


def _removed_view(result: "ProfileResult") -> str:
    return f"Removed profile {result.profile.name} (~/.aws is left alone)."


@app.command("list")
@renders(_list_view)
def list_profiles(output: OutputOption = OutputFormat.TABLE) -> "ProfileList":
    """List profiles; the active one is marked.

    Examples:

      prism profiles list
    """
    from prism.profiles.results import ProfileList

    store = _store()
    return ProfileList(profiles=store.list(), active=store.active().name)


@app.command("add")
@renders(_profile_view)
def add(
    name: Annotated[str, typer.Argument(help="A name for the profile.")],
    aws_profile: Annotated[
        str | None, typer.Option("--aws-profile", help="The profile in ~/.aws (default: NAME).")
    ] = None,
    region: Annotated[str, typer.Option("--region", help="AWS region.")] = "us-east-1",
    use: Annotated[bool, typer.Option("--use", help="Make it the active profile.")] = False,
    image_prefix: Annotated[
        str | None,
        typer.Option(
            "--image-parameter-prefix",
            help="SSM path of your organisation's approved images (<prefix>/<base>/<arch>).",
        ),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ProfileResult":
    """Add an AWS profile.

    Examples:

      prism profiles add lab --aws-profile research --region eu-west-1 --use

      prism profiles add golden --image-parameter-prefix /lab/approved-amis
    """
    from prism.profiles import Profile, ProfileKind

    store = _store()
    store.add(
        Profile(
            name=name,
            kind=ProfileKind.AWS,
            region=region,
            aws_profile=aws_profile or name,
            image_parameter_prefix=image_prefix,
        )
    )
    if use:
        store.use(name)
    return _result(store, name)


@app.command("use")
@renders(_profile_view)
def use(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "ProfileResult":
    """Make a profile the active one.

    Examples:

      prism profiles use sandbox
    """
    store = _store()
    store.use(name)
    return _result(store, name)


@app.command("show")
@renders(_profile_view)
def show(
    name: Annotated[str | None, typer.Argument(help="Profile name (default: active).")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ProfileResult":
    """Show a profile.

    Examples:

      prism profiles show
    """
    store = _store()
    return _result(store, name or store.active().name)


@app.command("remove")
@renders(_removed_view)
def remove(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "ProfileResult":
    """Remove a profile (its AWS credentials in ~/.aws are left alone).

    Examples:

      prism profiles remove lab
    """
    from prism.profiles.results import ProfileResult

    store = _store()
    removed = store.get(name)
    store.remove(name)
    return ProfileResult(profile=removed, active=False)


@app.command("wizard")
@renders(_profile_view)
def wizard(
    aws_profile: Annotated[
        str | None, typer.Option("--aws-profile", help="Use this ~/.aws profile.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Use this region.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name of the prism profile.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept defaults, ask nothing.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "ProfileResult":
    """Set up an AWS profile step by step: pick credentials, check them, pick a region, test.

    Every question has a flag, so scripts run it with --yes. Questions go to stderr.

    Examples:

      prism profiles wizard

      prism profiles wizard --aws-profile research --region eu-west-1 --yes
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from groundwork.errors import ExitCode, ToolError
    from prism.cloud.errors import translate
    from prism.profiles import Profile, ProfileKind

    available = boto3.Session().available_profiles
    if not available:
        raise ToolError(
            "PRISM_AWS_NO_PROFILES",
            "No AWS profiles were found in ~/.aws/config or ~/.aws/credentials.",
            suggestions=[
                "Create one: aws configure --profile research (or aws configure sso)",
                "Or keep using the sandbox, which needs no account.",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )
    chosen = aws_profile or (available[0] if yes else None)
    if chosen is None:
        stderr_console().print("AWS profiles found: " + ", ".join(available))
        chosen = ask("Which one", available[0])
    if chosen not in available:
        raise ToolError(
            "PRISM_AWS_PROFILE_NOT_FOUND",
            f"There is no AWS profile named {chosen!r}.",
            suggestions=[f"Choose one of: {', '.join(available)}"],
            exit_code=ExitCode.NOT_FOUND,
        )
    session = boto3.Session(profile_name=chosen)
    region = region or session.region_name or ("us-east-1" if yes else None)
    if region is None:
        region = ask("Region", "us-east-1")
    try:
        identity = session.client("sts", region_name=region).get_caller_identity()
        session.client("ec2", region_name=region).describe_availability_zones()
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, "check the credentials") from exc
    profile = Profile(name=name or chosen, kind=ProfileKind.AWS, region=region, aws_profile=chosen)
    store = _store()
    store.add(profile)
    if yes or confirm(f"Make {profile.name} the active profile?", default=True):
        store.use(profile.name)
    return _result(store, profile.name, identity=str(identity["Arn"]))
