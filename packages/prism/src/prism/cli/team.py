"""`prism team invite|revoke|list|join` and `prism audit`: who may do what in which project,
each member with their own token, and the log of what they did.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.service import daemon_client
from prism.home import home
from prism.team.model import Role

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.team.model import AuditList, InviteResult, TeamList
    from prism.team.remote import Joined

app = typer.Typer(
    help="A team's shared prismd: roles per project (owner, admin, member, viewer), each"
    " member with their own token. See the README's table of what each role may do."
)
audit_app = typer.Typer()

UserArg = Annotated[str, typer.Argument(help="Research user name (prism user create).")]
ProjectOption = Annotated[str, typer.Option("--project", help="The project.")]


def _invite_view(result: "InviteResult") -> str:
    i = result.invitation
    return (
        f"{i.user} is {i.role.value} of {i.project}. Send them this command (it works once,"
        f" until {i.expires_at:%Y-%m-%d %H:%M} UTC):\n\n  {i.join_command}"
    )


def _team_view(result: "TeamList") -> "RenderableType":
    from rich.table import Table

    if not result.members:
        return "No members: prism team invite USER --role member --project P"
    table = Table("Project", "User", "Role", "Since", "By")
    for m in result.members:
        table.add_row(m.project, m.user, m.role.value, f"{m.since:%Y-%m-%d %H:%M}", m.by)
    return table


def _joined_view(result: "Joined") -> str:
    pin = f", its certificate pinned ({result.fingerprint})" if result.fingerprint else ""
    return (
        f"Joined as {result.user}: prism now talks to {result.url}{pin}."
        f" Your token is in {result.saved_to}."
    )


def _audit_view(result: "AuditList") -> "RenderableType":
    from rich.table import Table

    if not result.entries:
        return "Nothing in the audit log yet."
    table = Table("When", "Who", "Role", "Action", "Target", "Project", "From", "Outcome")
    for e in result.entries:
        outcome = e.outcome if not e.reason else f"{e.outcome}: {e.reason}"
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.who,
            e.role,
            e.action,
            e.target,
            e.project or "",
            e.source,
            outcome,
        )
    return table


@app.command("invite")
@renders(_invite_view)
def invite(
    user: UserArg,
    role: Annotated[Role, typer.Option("--role", help="What they may do (see the README).")],
    project: ProjectOption,
    output: OutputOption = OutputFormat.TABLE,
) -> "InviteResult":
    """Give a research user a role in a project, and print the one-time join command that
    gives them their own token.

    Examples:

      prism team invite ada --role member --project genomics

      prism team invite grace --role viewer --project genomics
    """
    from prism.team.model import InviteResult

    body = {"user": user, "role": role.value, "project": project}
    return daemon_client().call("POST", "/api/v1/team/invite", InviteResult, body=body)


@app.command("revoke")
@renders(_team_view)
def revoke(
    user: UserArg,
    project: Annotated[
        str | None, typer.Option("--project", help="One project (default: every one).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "TeamList":
    """Take a member's role away; with no role left, their token stops working at once.

    Examples:

      prism team revoke ada --project genomics

      prism team revoke ada
    """
    from prism.team.model import TeamList

    body = {"user": user, "project": project}
    return daemon_client().call("POST", "/api/v1/team/revoke", TeamList, body=body)


@app.command("list")
@renders(_team_view)
def list_team(
    project: Annotated[str | None, typer.Option("--project", help="One project.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "TeamList":
    """List who has which role in which project.

    Examples:

      prism team list --project genomics
    """
    from prism.team.model import TeamList

    params = {"project": project} if project else None
    return daemon_client().call("GET", "/api/v1/team", TeamList, params=params)


@app.command("join")
@renders(_joined_view)
def join(
    url: Annotated[str, typer.Argument(help="The shared prismd's URL, from the join command.")],
    ticket: Annotated[str, typer.Option("--ticket", help="The one-time ticket.")],
    fingerprint: Annotated[
        str | None,
        typer.Option("--fingerprint", help="The certificate's sha256:..., for https URLs."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "Joined":
    """Join a team's prismd with the command an owner gave you: this CLI then calls it with
    your own token (kept 0600 in the state folder).

    Examples:

      prism team join https://10.0.0.5:8947 --ticket T0k3n --fingerprint sha256:ab12...
    """
    from urllib.parse import urlsplit

    from prism.daemon.client import DaemonClient
    from prism.team.model import JoinResult
    from prism.team.remote import Joined, Remote, save_remote, server_certificate

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad_url(url, "it is not an http:// or https:// URL")
    certificate = None
    if parts.scheme == "https":
        if not fingerprint:
            raise _bad_url(url, "an https URL needs --fingerprint to know the server by")
        certificate = server_certificate(url, fingerprint)
    else:
        from prism.team.tls import is_loopback

        if not is_loopback(parts.hostname):
            raise _bad_url(url, "beyond loopback prismd speaks only https")
    state = home()
    # The join itself: the ticket is its credential, sent to the pinned server only.
    client = DaemonClient(state)
    client.remote = Remote(url=url.rstrip("/"), user="", token="", certificate=certificate)
    answer = client.call("POST", "/api/v1/team/join", JoinResult, body={"ticket": ticket})
    remote = Remote(
        url=url.rstrip("/"),
        user=answer.user,
        token=answer.token,
        fingerprint=fingerprint.lower() if fingerprint else None,
        certificate=certificate,
    )
    from groundwork.paths import private_dir

    private_dir(state)
    saved = save_remote(state, remote)
    return Joined(
        user=answer.user, url=remote.url, fingerprint=remote.fingerprint, saved_to=str(saved)
    )


def _bad_url(url: str, why: str) -> ToolError:
    return ToolError(
        "PRISM_JOIN_URL_INVALID",
        f"Cannot join {url}: {why}.",
        suggestions=["Run the join command exactly as `prism team invite` printed it."],
        exit_code=ExitCode.USAGE,
    )


@audit_app.command("audit")
@renders(_audit_view)
def audit(
    project: Annotated[str | None, typer.Option("--project", help="One project.")] = None,
    last: Annotated[int, typer.Option("--last", min=1, max=10000, help="How many.")] = 100,
    output: OutputOption = OutputFormat.TABLE,
) -> "AuditList":
    """Show who did what, when and from where: launches, stops, deletes, mounts, key and role
    changes, refusals included. The newest first.

    Examples:

      prism audit --project genomics

      prism audit --last 20 -o json
    """
    from prism.team.model import AuditList

    params = {"last": str(last), **({"project": project} if project else {})}
    return daemon_client().call("GET", "/api/v1/audit", AuditList, params=params)
