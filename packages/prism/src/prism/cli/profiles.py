"""`prism profiles add|list|use|show|remove`: where prism launches."""

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from groundwork.output import OutputFormat, OutputOption, emit_json
from prism.cli.render import console
from prism.home import home

if TYPE_CHECKING:
    from prism.profiles import ProfileStore

app = typer.Typer(help="Profiles: the sandbox (default, no account needed) or an AWS profile.")


def _store() -> "ProfileStore":
    from prism.profiles import ProfileStore  # deferred: pydantic models load slowly

    return ProfileStore(home())


@app.command("list")
def list_profiles(output: OutputOption = OutputFormat.TABLE) -> None:
    """List profiles; the active one is marked.

    Examples:

      prism profiles list
    """
    store = _store()
    active = store.active().name
    profiles = store.list()
    if output is OutputFormat.JSON:
        emit_json([{**p.model_dump(mode="json"), "active": p.name == active} for p in profiles])
        return
    table = Table()
    for column in ("", "name", "kind", "region", "aws profile"):
        table.add_column(column)
    for p in profiles:
        kind = "sandbox (simulated)" if p.simulated else "aws"
        table.add_row("*" if p.name == active else "", p.name, kind, p.region, p.aws_profile or "-")
    console.print(table)


@app.command("add")
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
) -> None:
    """Add an AWS profile.

    Examples:

      prism profiles add lab --aws-profile research --region eu-west-1 --use

      prism profiles add golden --image-parameter-prefix /lab/approved-amis
    """
    from prism.profiles import Profile, ProfileKind

    profile = Profile(
        name=name,
        kind=ProfileKind.AWS,
        region=region,
        aws_profile=aws_profile or name,
        image_parameter_prefix=image_prefix,
    )
    store = _store()
    store.add(profile)
    if use:
        store.use(name)
    if output is OutputFormat.JSON:
        emit_json(profile.model_dump(mode="json"))
        return
    console.print(f"Added profile [bold]{name}[/bold] ({profile.aws_profile}, {region}).")


@app.command("use")
def use(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Make a profile the active one.

    Examples:

      prism profiles use sandbox
    """
    profile = _store().use(name)
    if output is OutputFormat.JSON:
        emit_json(profile.model_dump(mode="json"))
        return
    console.print(f"Now using [bold]{name}[/bold].")


@app.command("show")
def show(
    name: Annotated[str | None, typer.Argument(help="Profile name (default: active).")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Show a profile.

    Examples:

      prism profiles show
    """
    store = _store()
    profile = store.get(name) if name else store.active()
    if output is OutputFormat.JSON:
        emit_json(profile.model_dump(mode="json"))
        return
    kind = "sandbox: AWS simulated on this machine" if profile.simulated else "aws"
    console.print(f"[bold]{profile.name}[/bold]: {kind}, region {profile.region}")
    if profile.aws_profile:
        console.print(f"AWS profile: {profile.aws_profile}")


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Remove a profile (its AWS credentials in ~/.aws are left alone).

    Examples:

      prism profiles remove lab
    """
    _store().remove(name)
    if output is OutputFormat.JSON:
        emit_json({"removed": name})
        return
    console.print(f"Removed profile {name}.")


@app.command("wizard")
def wizard(
    aws_profile: Annotated[
        str | None, typer.Option("--aws-profile", help="Use this ~/.aws profile.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Use this region.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name of the prism profile.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept defaults, ask nothing.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Set up an AWS profile step by step: pick credentials, check them, pick a region, test.

    Every question has a flag, so scripts run it with --yes.

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
        console.print("AWS profiles found: " + ", ".join(available))
        chosen = typer.prompt("Which one", default=available[0])
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
        region = typer.prompt("Region", default="us-east-1")
    try:
        identity = session.client("sts", region_name=region).get_caller_identity()
        session.client("ec2", region_name=region).describe_availability_zones()
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, "check the credentials") from exc
    profile = Profile(name=name or chosen, kind=ProfileKind.AWS, region=region, aws_profile=chosen)
    store = _store()
    store.add(profile)
    if yes or typer.confirm(f"Make {profile.name} the active profile?", default=True):
        store.use(profile.name)
    if output is OutputFormat.JSON:
        emit_json({**profile.model_dump(mode="json"), "identity": identity["Arn"]})
        return
    console.print(f"[green]Profile {profile.name} works[/green]: {identity['Arn']} in {region}.")
