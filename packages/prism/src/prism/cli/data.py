"""`prism data ls s3://...` and `prism data sync FROM TO` (a local folder and an S3 prefix,
either way round), with the active profile's credentials.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console

if TYPE_CHECKING:
    from rich.table import Table

    from prism.data.results import ObjectList, SyncResult

app = typer.Typer(help="Research data in S3: list it, sync folders to and from it.")


def _s3() -> Any:
    from prism.cloud.session import CloudSession  # deferred: it loads boto3
    from prism.home import home
    from prism.profiles.store import ProfileStore

    return CloudSession(ProfileStore(home()).active(), home()).client("s3")


def _objects_table(result: "ObjectList") -> "Table":
    from rich.table import Table

    from prism.cli.text import plain

    table = Table(title=result.location, title_justify="left")
    for column in ("key", "size", "modified"):
        table.add_column(column, justify="right" if column == "size" else "left")
    for item in result.objects:
        table.add_row(
            plain(item.key), f"{item.size:,}", item.last_modified.strftime("%Y-%m-%d %H:%M")
        )
    return table


@app.command("ls")
@renders(_objects_table)
def ls(
    url: Annotated[
        str,
        typer.Argument(help="s3://BUCKET or s3://BUCKET/PREFIX, or a data bucket's name."),
    ],
    output: OutputOption = OutputFormat.TABLE,
) -> "ObjectList":
    """List the objects under an S3 location (every level below it).

    Examples:

      prism data ls s3://my-lab-data

      prism data ls s3://my-lab-data/genomes -o json

      prism data ls genomes    (a project's data bucket, by its name)
    """
    from prism.data.location import S3Location, is_s3_url, parse_s3_url
    from prism.data.results import ObjectList
    from prism.data.transfer import list_objects

    if is_s3_url(url) or "/" in url or ":" in url:
        location = parse_s3_url(url)
    else:
        from prism.cli.data_buckets import find_bucket
        from prism.cli.service import daemon_client

        try:
            bucket = find_bucket(daemon_client(), url)
        except ToolError as exc:
            if exc.code == "PRISM_DATA_BUCKET_NOT_FOUND":
                exc.suggestions.append(f"For an S3 bucket itself: prism data ls s3://{url}")
            raise
        location = S3Location(bucket.bucket, bucket.prefix)
    return ObjectList(location=str(location), objects=list_objects(_s3(), location))


def _sync_view(result: "SyncResult") -> str:
    sync = result.sync
    return (
        f"Copied {len(sync.transferred)} file(s), {sync.bytes:,} bytes, from {sync.source} to"
        f" {sync.destination}; {len(sync.skipped)} already there."
    )


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], Callable[[int], None]]]:
    """A byte bar on stderr, started once the total is known."""
    from rich.progress import (  # deferred: rich.progress only while copying
        BarColumn,
        DownloadColumn,
        Progress,
        TransferSpeedColumn,
    )

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=stderr_console(),
        transient=True,
    ) as bar:

        def start(total: int) -> Callable[[int], None]:
            task = bar.add_task(label, total=total)
            return lambda moved: bar.advance(task, moved)

        yield start


@app.command("sync")
@renders(_sync_view)
def sync(
    source: Annotated[str, typer.Argument(help="A local folder or file, or s3://BUCKET/PREFIX.")],
    destination: Annotated[
        str, typer.Argument(help="s3://BUCKET/PREFIX, or a local folder when SOURCE is in S3.")
    ],
    output: OutputOption = OutputFormat.TABLE,
) -> "SyncResult":
    """Copy a folder to S3 or back, skipping files already there.

    A file counts as there when its size and ETag (MD5) match, so running the same sync again
    after an interruption resumes it.

    Examples:

      prism data sync ./results s3://my-lab-data/results

      prism data sync s3://my-lab-data/genomes ./genomes
    """
    from prism.data.location import is_s3_url, parse_s3_url
    from prism.data.results import SyncResult
    from prism.data.transfer import download, upload

    if is_s3_url(source) == is_s3_url(destination):
        raise ToolError(
            "PRISM_SYNC_DIRECTION",
            "prism data sync copies between this machine and S3: exactly one of SOURCE and"
            " DESTINATION is an s3:// location.",
            suggestions=[
                "Upload: prism data sync ./folder s3://BUCKET/PREFIX",
                "Download: prism data sync s3://BUCKET/PREFIX ./folder",
            ],
            exit_code=ExitCode.USAGE,
        )
    if is_s3_url(destination):
        location = parse_s3_url(destination)
        with _progress(f"Uploading to {location}") as progress:
            done = upload(_s3(), Path(source), location, progress)
    else:
        location = parse_s3_url(source)
        with _progress(f"Downloading {location}") as progress:
            done = download(_s3(), location, Path(destination), progress)
    return SyncResult(sync=done)


from prism.cli import data_buckets  # noqa: E402 - after `app`, to add to it

app.add_typer(data_buckets.app, name="bucket")

__all__ = ["app", "data_buckets"]
