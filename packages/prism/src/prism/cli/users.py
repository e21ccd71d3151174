"""`prism user create|list|info|delete`, `user key add|list|remove` and `user add-to|remove-from`:
research users, the same UID and keys on every workstation they are put on.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders
from prism.cli.service import daemon_client
from prism.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.team.model import KeyResult, UserList, UserResult, WorkstationUsersResult

app = typer.Typer(
    help="Research users: one UID and GID each, allocated once and never reused, their SSH keys"
    " installed on every workstation they are put on (launch --user, user add-to)."
)
key_app = typer.Typer(help="A research user's SSH keys.")
app.add_typer(key_app, name="key")

UserArg = Annotated[str, typer.Argument(help="Research user name (a POSIX login name).")]
WorkstationArg = Annotated[str, typer.Argument(help="Workstation name.")]


def local_key_file(user: str) -> Path:
    """Where --generate keeps a user's private key: this machine, this state folder."""
    return home() / "keys" / "users" / f"{user}_ed25519"


def _user_view(result: "UserResult") -> "RenderableType":
    from rich.table import Table

    user = result.user
    table = Table(title=f"Research user {user.name}", show_header=False)
    table.add_row("UID / GID", f"{user.uid} / {user.gid}")
    table.add_row("Groups", ", ".join(user.groups) or "-")
    table.add_row("Created", f"{user.created_at:%Y-%m-%d %H:%M} by {user.created_by}")
    for key in user.keys:
        table.add_row("Key", f"{key.fingerprint} {key.comment}".strip())
    if not user.keys:
        table.add_row("Keys", f"none: prism user key add {user.name} --generate")
    return table


def _users_view(result: "UserList") -> "RenderableType":
    from rich.table import Table

    if not result.users:
        return "No research users yet: prism user create NAME"
    table = Table("Name", "UID", "GID", "Groups", "Keys")
    for u in result.users:
        table.add_row(u.name, str(u.uid), str(u.gid), ", ".join(u.groups), str(len(u.keys)))
    return table


def _keys_view(result: "UserResult") -> "RenderableType":
    from rich.table import Table

    if not result.user.keys:
        return f"{result.user.name} has no keys: prism user key add {result.user.name} --generate"
    table = Table("Fingerprint", "Comment", "Added", "Private key")
    for k in result.user.keys:
        table.add_row(
            k.fingerprint, k.comment, f"{k.added_at:%Y-%m-%d %H:%M}", k.private_key_file or "-"
        )
    return table


def _key_view(result: "KeyResult") -> str:
    where = f"; private key: {result.key.private_key_file}" if result.key.private_key_file else ""
    return f"{result.user}: key {result.key.fingerprint}{where}"


def _on_view(result: "WorkstationUsersResult") -> str:
    sent = f" (SSM command {result.command_id})" if result.command_id else ""
    users = ", ".join(result.users) or "none"
    return f"Research users on {result.workstation}: {users}{sent}"


@app.command("create")
@renders(_user_view)
def create(
    name: UserArg,
    uid: Annotated[
        int | None, typer.Option("--uid", help="A UID never used before (default: the next).")
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option(
            "--group", "--groups", help="Supplementary groups: repeatable, or comma-separated."
        ),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "UserResult":
    """Create a research user: its UID and GID are allocated now, once, for good.

    Examples:

      prism user create ada

      prism user create grace --uid 2500 --groups docker,video
    """
    import re

    from prism.team.model import USER_NAME, UserResult

    if not re.match(USER_NAME, name):
        raise ToolError(
            "PRISM_USER_NAME_INVALID",
            f"{name!r} is not a name every Linux accepts for a user.",
            suggestions=[
                "Use up to 32 lower-case letters, digits, '_' and '-', starting with a letter"
                " or '_' (e.g. ada, j_smith)."
            ],
            exit_code=ExitCode.USAGE,
        )
    groups = [g.strip() for value in group or [] for g in value.split(",") if g.strip()]
    body = {"name": name, "uid": uid, "groups": groups}
    return daemon_client().call("POST", "/api/v1/users", UserResult, body=body)


@app.command("list")
@renders(_users_view)
def list_users(output: OutputOption = OutputFormat.TABLE) -> "UserList":
    """List research users with their UIDs.

    Examples:

      prism user list -o json
    """
    from prism.team.model import UserList

    return daemon_client().call("GET", "/api/v1/users", UserList)


@app.command("info")
@renders(_user_view)
def info(name: UserArg, output: OutputOption = OutputFormat.TABLE) -> "UserResult":
    """Show a research user, its UID and keys.

    Examples:

      prism user info ada
    """
    from prism.team.model import UserResult

    return daemon_client().call("GET", f"/api/v1/users/{name}", UserResult)


@app.command("delete")
@renders(_user_view)
def delete(
    name: UserArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "UserResult":
    """Delete a research user and their team roles. Their UID is never given to anyone else:
    their files on shared volumes stay theirs.

    Examples:

      prism user delete ada --yes
    """
    from prism.team.model import UserResult

    if not yes and not confirm(f"Delete research user {name} and revoke their roles?"):
        raise ToolError(
            "PRISM_CANCELLED",
            f"{name} was not deleted.",
            suggestions=[f"Run it again with --yes: prism user delete {name} --yes"],
            exit_code=ExitCode.FAILURE,
        )
    return daemon_client().call("DELETE", f"/api/v1/users/{name}", UserResult)


@app.command("add-to")
@renders(_on_view)
def add_to(
    workstation: WorkstationArg, name: UserArg, output: OutputOption = OutputFormat.TABLE
) -> "WorkstationUsersResult":
    """Put a research user on a running workstation (through SSM): account, keys, and the
    project's shared space.

    Examples:

      prism user add-to analysis ada
    """
    from prism.team.model import WorkstationUsersResult

    path = f"/api/v1/research-users/{name}/workstations/{workstation}"
    return daemon_client().call("POST", path, WorkstationUsersResult)


@app.command("remove-from")
@renders(_on_view)
def remove_from(
    workstation: WorkstationArg, name: UserArg, output: OutputOption = OutputFormat.TABLE
) -> "WorkstationUsersResult":
    """Take a research user off a running workstation (through SSM); their home stays.

    Examples:

      prism user remove-from analysis ada
    """
    from prism.team.model import WorkstationUsersResult

    path = f"/api/v1/research-users/{name}/workstations/{workstation}"
    return daemon_client().call("DELETE", path, WorkstationUsersResult)


@key_app.command("add")
@renders(_key_view)
def key_add(
    name: UserArg,
    public_key_file: Annotated[
        Path | None, typer.Argument(help="An OpenSSH public key file (.pub).")
    ] = None,
    generate: Annotated[
        bool,
        typer.Option("--generate", help="Make an Ed25519 key pair here (private key 0600)."),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "KeyResult":
    """Add an SSH key to a research user: given as a .pub file, or generated here.

    Examples:

      prism user key add ada ~/.ssh/id_ed25519.pub

      prism user key add ada --generate
    """
    from prism.team.model import KeyResult

    if (public_key_file is None) == (not generate):
        raise ToolError(
            "PRISM_KEY_SOURCE_REQUIRED",
            "Give either a public key file or --generate (one of them).",
            suggestions=[
                f"prism user key add {name} ~/.ssh/id_ed25519.pub",
                f"prism user key add {name} --generate",
            ],
            exit_code=ExitCode.USAGE,
        )
    private_file = None
    if generate:
        public_key, private_file = _generate(name)
    else:
        assert public_key_file is not None
        try:
            public_key = public_key_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ToolError(
                "PRISM_KEY_FILE_UNREADABLE",
                f"Could not read {public_key_file}: {exc}.",
                suggestions=["Give the public half (.pub) of an OpenSSH key."],
                exit_code=(
                    ExitCode.NOT_FOUND if isinstance(exc, FileNotFoundError) else ExitCode.FAILURE
                ),
            ) from exc
    body = {"public_key": public_key, "private_key_file": private_file}
    return daemon_client().call("POST", f"/api/v1/users/{name}/keys", KeyResult, body=body)


def _generate(name: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization  # deferred: only --generate
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from groundwork.paths import private_dir
    from groundwork.state import atomic_write_text

    path = local_key_file(name)
    if path.exists():
        raise ToolError(
            "PRISM_KEY_FILE_EXISTS",
            f"{path} exists already: prism does not overwrite a private key.",
            suggestions=[f"Add its public half instead: prism user key add {name} {path}.pub"],
            exit_code=ExitCode.CONFLICT,
        )
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    line = f"{public.decode()} {name}@prism"
    private_dir(path.parent)
    atomic_write_text(path, private, private=True)
    path.with_name(path.name + ".pub").write_text(line + "\n", encoding="utf-8")
    return line, str(path)


@key_app.command("list")
@renders(_keys_view)
def key_list(name: UserArg, output: OutputOption = OutputFormat.TABLE) -> "UserResult":
    """List a research user's keys.

    Examples:

      prism user key list ada
    """
    from prism.team.model import UserResult

    return daemon_client().call("GET", f"/api/v1/users/{name}/keys", UserResult)


@key_app.command("remove")
@renders(_key_view)
def key_remove(
    name: UserArg,
    fingerprint: Annotated[str, typer.Argument(help="SHA256:..., as `user key list` shows.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "KeyResult":
    """Remove a key from a research user (workstations launched from now on lack it).

    Examples:

      prism user key remove ada SHA256:abc...
    """
    from prism.team.model import KeyResult

    return daemon_client().call(
        "DELETE",
        f"/api/v1/users/{name}/keys",
        KeyResult,
        params={"fingerprint": fingerprint},
    )
