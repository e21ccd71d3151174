"""`prism connect NAME --vscode` and `prism ssh-config`: workstations as SSH hosts VS Code's
Remote-SSH finds, kept in a file prism owns.
"""

import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders, stderr_console

if TYPE_CHECKING:
    from prism.connect.results import EditorResult, SshConfigResult
    from prism.workstations.model import Workstation


def owned_config() -> Path:
    from prism.connect.sshconfig import FILE_NAME
    from prism.home import home

    return home() / FILE_NAME


def _remote_home(user: str) -> str:
    return "/root" if user == "root" else f"/home/{user}"


def _include(owned: Path, *, yes: bool) -> tuple[bool, Path | None, str | None]:
    """Whether ~/.ssh/config includes prism's file, after asking to add it when it does not;
    the backup made, and a notice when the user declined.
    """
    from prism.connect.sshconfig import include_line, is_included, user_config, write_include

    config = user_config()
    if is_included(owned, config):
        return True, None, None
    line = include_line(owned)
    if not (yes or confirm(f"Add the line {line!r} at the top of {config} (backed up first)?")):
        notice = (
            f"{config} was left alone, so ssh and VS Code do not know this host yet. Add this"
            f" line at its top yourself, or run again with --yes: {line}"
        )
        return False, None, notice
    return True, write_include(owned, config), None


def open_vscode(
    ws: "Workstation", *, print_only: bool, yes: bool, json_mode: bool
) -> "EditorResult":
    """Write the workstation's entry, make sure ssh reads it, then open (or give) VS Code's
    command for it.
    """
    import subprocess

    from prism.connect.results import EditorConnection, EditorResult, SshHost
    from prism.connect.sshconfig import upsert_host

    owned = owned_config()
    host = SshHost(
        alias=ws.name,
        hostname=str(ws.public_ip),
        user=ws.login_user,
        identity_file=ws.key_file,
    )
    upsert_host(owned, host)
    included, backup, notice = _include(owned, yes=yes)
    command = ["code", "--remote", f"ssh-remote+{ws.name}", _remote_home(ws.login_user)]
    editor = EditorConnection(
        workstation=ws.name,
        ssh_host=host,
        ssh_config=str(owned),
        included=included,
        backup=str(backup) if backup else None,
        command=command,
    )
    if notice:
        stderr_console().print(notice, markup=False, highlight=False)
    if print_only or json_mode or not included:
        return EditorResult(editor=editor, opened=False, notice=notice)
    if shutil.which("code") is None:
        return EditorResult(
            editor=editor,
            opened=False,
            notice="VS Code's `code` command is not on PATH: run the command above where it is.",
        )
    finished = subprocess.run(command, check=False)
    if finished.returncode != 0:
        raise ToolError(
            "PRISM_VSCODE_FAILED",
            f"VS Code's command exited with status {finished.returncode}.",
            suggestions=[
                "Check that the Remote - SSH extension is installed in VS Code.",
                f"Or run it yourself: {shlex.join(command)}",
            ],
            exit_code=ExitCode.FAILURE,
        )
    return EditorResult(editor=editor, opened=True)


def sandbox_vscode(ws: "Workstation") -> "EditorResult":
    """A sandbox workstation's VS Code command, so the sandbox shows what a real one gives; no
    SSH config is written, as no machine answers there.
    """
    from prism.connect.results import EditorConnection, EditorResult, SshHost

    host = SshHost(
        alias=ws.name, hostname=str(ws.public_ip), user=ws.login_user, identity_file=ws.key_file
    )
    notice = (
        f"{ws.name} is simulated by the sandbox: this is its command, but no machine answers at"
        f" {ws.public_ip}, so nothing was written to your SSH config. On AWS,"
        f" prism connect {ws.name} --vscode writes its entry and opens VS Code."
    )
    stderr_console().print(notice, markup=False, highlight=False)
    editor = EditorConnection(
        workstation=ws.name,
        ssh_host=host,
        ssh_config=str(owned_config()),
        included=False,
        backup=None,
        command=["code", "--remote", f"ssh-remote+{ws.name}", _remote_home(ws.login_user)],
    )
    return EditorResult(editor=editor, opened=False, notice=notice)


def editor_view(result: "EditorResult") -> str:
    lines = [shlex.join(result.editor.command)]
    if result.opened:
        lines = [f"Opened VS Code on {result.editor.workstation}: {lines[0]}"]
    elif result.notice and result.editor.included:
        lines.append(result.notice)
    return "\n".join(lines)


def forget_workstation(name: str) -> None:
    """A deleted workstation's SSH entry, and the web tokens kept for it, go with it."""
    from prism.connect.sshconfig import remove_host
    from prism.connect.webtoken import forget_tokens
    from prism.home import home

    remove_host(owned_config(), name)
    forget_tokens(home() / "web-tokens", name)


def _ssh_config_view(result: "SshConfigResult") -> str:
    from prism.connect.sshconfig import render

    return render(result.ssh_hosts).rstrip("\n")


@renders(_ssh_config_view)
def ssh_config(output: OutputOption = OutputFormat.TABLE) -> "SshConfigResult":
    """Print the SSH entries prism wrote for workstations (prism connect NAME --vscode).

    They live in a file prism owns, included from ~/.ssh/config.

    Examples:

      prism ssh-config

      prism ssh-config --output json
    """
    from prism.connect.results import SshConfigResult
    from prism.connect.sshconfig import is_included, read_hosts, user_config

    owned = owned_config()
    return SshConfigResult(
        ssh_hosts=read_hosts(owned),
        ssh_config=str(owned),
        included=is_included(owned, user_config()),
    )
