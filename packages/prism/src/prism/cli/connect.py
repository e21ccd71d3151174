"""`prism connect NAME`: a shell (or VS Code) on a workstation, and what `prism web` shares with
it: the workstation reached, ssh with its key, a research user's key."""

import shlex
import shutil
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from prism.connect.results import ConnectionResult, EditorResult
    from prism.workstations.model import Workstation

NameArg = Annotated[str, typer.Argument(help="Workstation name.")]


def desktop_hint(ws: "Workstation") -> str | None:
    """How a workstation's remote desktop is reached, when it runs one."""
    from prism.templates.connection import DESKTOP_NAMES, DESKTOP_PORTS, DESKTOP_SERVICE

    if ws.desktop not in DESKTOP_NAMES:
        return None
    return (
        f"prism web {ws.name} {DESKTOP_SERVICE}: {DESKTOP_NAMES[ws.desktop]}, port"
        f" {DESKTOP_PORTS[ws.desktop]} on the workstation, through an SSH tunnel"
    )


def _workstation(name: str) -> "Workstation":
    from prism.workstations.results import WorkstationResult

    return (
        daemon_client().call("GET", f"/api/v1/workstations/{name}", WorkstationResult).workstation
    )


def reachable(name: str, found: "Workstation | None" = None) -> "Workstation":
    ws = found or _workstation(name)
    if ws.simulated:
        hint = desktop_hint(ws)
        raise ToolError(
            "PRISM_SANDBOX_NOTHING_TO_CONNECT",
            f"{name} is simulated by the sandbox: no machine runs there, so there is nothing to"
            " connect to.",
            suggestions=[
                "Add an AWS profile to launch real workstations:"
                " prism profiles add NAME --aws-profile PROFILE --use",
                *([f"On AWS its desktop is reached with: {hint}"] if hint else []),
            ],
            context={"desktop": hint} if hint else None,
            exit_code=ExitCode.FAILURE,
        )
    if ws.state != "running" or not ws.public_ip:
        raise ToolError(
            "PRISM_WORKSTATION_NOT_RUNNING",
            f"{name} is {ws.state}; connecting needs it running with a public address.",
            suggestions=[f"Start it: prism start {name}"],
            exit_code=ExitCode.CONFLICT,
        )
    return ws


def ssh_base(ws: "Workstation", as_user: tuple[str, str] | None = None) -> list[str]:
    """ssh with the workstation's key as its login user, or as a research user with theirs."""
    user, key = as_user or (ws.login_user, str(ws.key_file))
    return [
        "ssh",
        "-i",
        key,
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        "ServerAliveInterval=30",
        f"{user}@{ws.public_ip}",
    ]


def research_user(name: str, user: str) -> tuple[str, str]:
    """A research user on the workstation, and the private key made for them on this machine."""
    from prism.cli.users import local_key_file
    from prism.team.model import WorkstationUsersResult

    on = (
        daemon_client()
        .call("GET", f"/api/v1/research-users/on/{name}", WorkstationUsersResult)
        .users
    )
    if user not in on:
        raise ToolError(
            "PRISM_USER_NOT_ON_WORKSTATION",
            f"{user} is not a research user on {name} (on it: {', '.join(on) or 'none'}).",
            suggestions=[f"Put them on it: prism user add-to {name} {user}"],
            exit_code=ExitCode.CONFLICT,
        )
    key = local_key_file(user)
    if not key.is_file():
        raise ToolError(
            "PRISM_USER_KEY_MISSING",
            f"No private key for {user} in this state folder ({key}).",
            suggestions=[
                f"Make one and install it: prism user key add {user} --generate, then"
                f" prism user add-to {name} {user}",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )
    return user, str(key)


def require_ssh() -> None:
    if shutil.which("ssh") is None:
        raise ToolError(
            "PRISM_SSH_MISSING",
            "The ssh command is not installed; prism connects and tunnels through it.",
            suggestions=["Install OpenSSH's client (apt install openssh-client)."],
            exit_code=ExitCode.UNAVAILABLE,
        )


def _connection_view(result: "ConnectionResult | EditorResult") -> str:
    from prism.connect.results import EditorResult

    if isinstance(result, EditorResult):
        from prism.cli.editors import editor_view

        return editor_view(result)
    connection = result.connection
    lines = [shlex.join(connection.command)]
    if connection.desktop:
        lines.append(f"Desktop: {connection.desktop}")
    for service in connection.web:
        lines.append(f"Web: prism web {connection.workstation} {service}")
    return "\n".join(lines)


@renders(_connection_view)
def connect(
    name: NameArg,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the ssh (or code) command instead of running it.")
    ] = False,
    vscode: Annotated[
        bool,
        typer.Option(
            "--vscode",
            help="Open it in VS Code (Remote - SSH): writes its entry in prism's SSH config.",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="With --vscode: include prism's SSH config without asking."
        ),
    ] = False,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="As this research user, with the key made for them here."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ConnectionResult | EditorResult":
    """Wait until SSH answers, then open a shell on the workstation.

    With --print or --output json it gives the ssh command instead of running it.

    With --vscode it writes the workstation's entry into prism's SSH config (see prism
    ssh-config), asks once to include that file from ~/.ssh/config (backed up first), and opens
    VS Code on it; --print gives the code command instead.

    Examples:

      prism connect demo

      prism connect demo --print

      prism connect demo --vscode

      prism connect analysis --as ada
    """
    import asyncio
    import os

    from prism.connect.results import Connection, ConnectionResult

    if vscode and as_user:
        raise ToolError(
            "PRISM_VSCODE_AS_UNSUPPORTED",
            "--vscode opens the workstation as its login user; --as is for ssh only.",
            suggestions=[f"ssh as {as_user}: prism connect {name} --as {as_user}"],
            exit_code=ExitCode.USAGE,
        )
    found = _workstation(name)
    if vscode and print_only and found.simulated:
        from prism.cli.editors import sandbox_vscode

        return sandbox_vscode(found)
    ws = reachable(name, found)
    if vscode:
        from prism.cli.editors import open_vscode

        json_mode = output is OutputFormat.JSON
        return open_vscode(ws, print_only=print_only, yes=yes, json_mode=json_mode)
    research = research_user(name, as_user) if as_user else None
    argv = ssh_base(ws, research)
    from prism.templates.connection import DESKTOP_SERVICE

    hint = desktop_hint(ws)
    result = ConnectionResult(
        connection=Connection(
            workstation=name,
            host=str(ws.public_ip),
            user=research[0] if research else ws.login_user,
            command=argv,
            desktop=hint,
            web=[s for s in ws.services if s != DESKTOP_SERVICE],
        )
    )
    if print_only or output is OutputFormat.JSON:
        return result
    if hint:
        stderr_console().print(f"Its desktop: {hint}", markup=False, highlight=False)
    from prism.connect.probe import wait_for_ssh  # deferred: asyncssh loads slowly

    with stderr_console().status(f"Waiting for SSH on {ws.public_ip}..."):
        asyncio.run(wait_for_ssh(str(ws.public_ip)))
    require_ssh()
    os.execvp("ssh", argv)  # noqa: S606 - hands the terminal to ssh, as the user asked
