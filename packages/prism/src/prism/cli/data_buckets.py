"""`prism data bucket add|list|remove`: S3 locations a project's workstations mount at launch."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders, stderr_console
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.daemon.client import DaemonClient
    from prism.data.buckets import BucketList, BucketResult, DataBucket

app = typer.Typer(
    help="A project's data buckets: its workstations mount each at /data/NAME at launch"
    " (Mountpoint for Amazon S3), through an instance profile allowed that bucket and prefix"
    " only."
)

NameArg = Annotated[
    str, typer.Argument(help="The bucket's name in prism: it mounts at /data/NAME.")
]
ProjectOption = Annotated[
    str | None,
    typer.Option("--project", help="The project (may be left out when there is only one)."),
]


def _project_or_only(client: "DaemonClient", project: str | None) -> str:
    if project is not None:
        return project
    from prism.projects.model import ProjectList

    names = [p.name for p in client.call("GET", "/api/v1/projects", ProjectList).projects]
    if len(names) == 1:
        return names[0]
    raise ToolError(
        "PRISM_PROJECT_REQUIRED",
        "A data bucket belongs to a project: say which with --project"
        + (f" (one of {', '.join(names)})." if names else "; there is none yet."),
        suggestions=(
            [f"prism data bucket add NAME s3://BUCKET/PREFIX --project {names[0]}"]
            if names
            else ["Create one: prism project create NAME"]
        ),
        exit_code=ExitCode.USAGE,
    )


def _access(bucket: "DataBucket") -> str:
    return "read-only" if bucket.read_only else "read-write"


def _bucket_view(result: "BucketResult") -> str:
    from rich.markup import escape

    from prism.data.policy import bucket_sid

    b = result.bucket
    if result.removed:
        left = "" if result.policy else " It has no data bucket left."
        return (
            f"Removed {b.name} ({escape(b.url)}) from project {b.project}: new workstations no"
            f" longer mount it and {result.instance_profile} no longer reaches it.{left}"
            " Nothing in S3 was deleted."
        )
    lines = [
        f"Attached {escape(b.url)} to project {b.project} as {b.name} ({_access(b)}, region"
        f" {b.region}): its workstations launched from now on mount it at {b.mount_point}.",
        f"Instance profile {result.instance_profile} may:",
    ]
    mine = {bucket_sid(b.name, what) for what in ("List", "Read", "Write")}
    for statement in result.policy.statement if result.policy else []:
        if statement.sid in mine:
            lines.append(f"  {', '.join(statement.action)} on {escape(statement.resource)}")
    if result.simulated:
        lines.append("[magenta](simulated: the sandbox's S3 and IAM)[/magenta]")
    return "\n".join(lines)


def _list_view(result: "BucketList") -> "RenderableType":
    from rich.markup import escape
    from rich.table import Table

    if not result.buckets:
        return "No data buckets yet. Attach one: prism data bucket add NAME s3://BUCKET/PREFIX"
    table = Table(title="Data buckets", title_justify="left")
    for column in ("name", "project", "location", "access", "mounted at", "region"):
        table.add_column(column)
    for b in result.buckets:
        table.add_row(b.name, b.project, escape(b.url), _access(b), b.mount_point, b.region)
    return table


@app.command("add")
@renders(_bucket_view)
def add(
    name: NameArg,
    url: Annotated[str, typer.Argument(help="s3://BUCKET or s3://BUCKET/PREFIX")],
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Mount it read-only; the policy allows reads only.")
    ] = False,
    project: ProjectOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "BucketResult":
    """Attach an S3 bucket (or a prefix of it) to a project.

    prismd checks that the bucket exists and that this profile reaches it, then gives the
    project's instance profile (prism-project-P) a policy for that bucket and prefix only.
    Workstations launched into the project mount it at /data/NAME.

    Examples:

      prism data bucket add genomes s3://my-lab-data/genomes --read-only --project genomics

      prism data bucket add results s3://my-lab-results --project genomics -o json
    """
    from prism.data.buckets import BucketResult

    client = daemon_client()
    chosen = _project_or_only(client, project)
    body = {"name": name, "url": url, "read_only": read_only}
    with stderr_console().status(f"Checking {url} and giving prism-project-{chosen} access..."):
        return client.call("POST", f"/api/v1/projects/{chosen}/buckets", BucketResult, body=body)


@app.command("list")
@renders(_list_view)
def list_buckets(
    project: Annotated[
        str | None, typer.Option("--project", help="Only this project's buckets.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "BucketList":
    """List the data buckets attached to projects.

    Examples:

      prism data bucket list

      prism data bucket list --project genomics -o json
    """
    from prism.data.buckets import BucketList

    params = {"project": project} if project else None
    return daemon_client().call("GET", "/api/v1/buckets", BucketList, params=params)


def find_bucket(client: "DaemonClient", name: str) -> "DataBucket":
    """A data bucket by its name, among those the caller may see."""
    from prism.data.buckets import BucketList, bucket_not_found

    buckets = client.call("GET", "/api/v1/buckets", BucketList).buckets
    found = next((b for b in buckets if b.name == name), None)
    if found is None:
        raise bucket_not_found(name, buckets)
    return found


@app.command("remove")
@renders(_bucket_view)
def remove(
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "BucketResult":
    """Detach a data bucket from its project. Asks first unless --yes.

    The data in S3 stays as it is: prism forgets the bucket, takes it out of the project's
    policy, and workstations launched after do not mount it.

    Examples:

      prism data bucket remove genomes

      prism data bucket remove genomes --yes -o json
    """
    from prism.data.buckets import BucketResult

    client = daemon_client()
    bucket = find_bucket(client, name)
    question = (
        f"Detach {name} ({bucket.url}) from project {bucket.project}? Its workstations lose"
        " access to it; nothing in S3 is deleted"
    )
    if not (yes or confirm(question)):
        raise ToolError(
            "PRISM_REMOVE_DECLINED",
            f"Nothing was changed: you declined to detach {name}.",
            suggestions=[
                f"To detach it without being asked: prism data bucket remove {name} --yes"
            ],
            exit_code=ExitCode.FAILURE,
        )
    path = f"/api/v1/projects/{bucket.project}/buckets/{name}"
    with stderr_console().status(f"Taking {name} out of prism-project-{bucket.project}..."):
        return client.call("DELETE", path, BucketResult)
