"""Running a bash script on a host: this machine, this machine inside a network namespace, or a
remote one over ssh. Every fleet operation is one script on the host's own shell, so a remote
host needs nothing but bash and the collector binary.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass

from groundwork.errors import ExitCode, ToolError
from phoenix.fleet.results import FleetHost, HostKind

__all__ = ["HostShell", "Reply", "shell_for"]


@dataclass(frozen=True)
class Reply:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class HostShell:
    name: str
    argv: tuple[str, ...]

    def run(self, script: str, timeout: float = 90.0) -> Reply:
        """The script on the host's bash (stdin); a host that cannot be reached is an error."""
        try:
            done = subprocess.run(
                [*self.argv, "bash", "-s"],
                input=script,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ToolError(
                "PHOENIX_HOST_UNREACHABLE",
                f"Host {self.name}: {exc.filename} is not installed here.",
                suggestions=["ssh hosts need the ssh client; namespaces need iproute2"],
                exit_code=ExitCode.UNAVAILABLE,
            ) from None
        except subprocess.TimeoutExpired:
            raise ToolError(
                "PHOENIX_HOST_TIMEOUT",
                f"Host {self.name} did not answer within {timeout:g} s.",
                suggestions=["Check the host is up: phoenix fleet status"],
                exit_code=ExitCode.TIMEOUT,
            ) from None
        if done.returncode == 255 and self.argv and self.argv[0] == "ssh":
            raise ToolError(
                "PHOENIX_HOST_UNREACHABLE",
                f"Host {self.name}: ssh failed: {done.stderr.strip()[-300:]}",
                suggestions=["Check `ssh ADDRESS true` works without a password prompt"],
                exit_code=ExitCode.UNAVAILABLE,
            )
        return Reply(done.returncode, done.stdout, done.stderr)


def shell_for(host: FleetHost) -> HostShell:
    if host.kind is HostKind.SSH:
        assert host.address
        options = [arg for option in host.ssh_options for arg in ("-o", option)]
        return HostShell(
            host.name,
            ("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", *options, host.address, "--"),
        )
    if host.netns:
        return HostShell(host.name, ("ip", "netns", "exec", host.netns))
    return HostShell(host.name, ())


def q(value: str | int) -> str:
    return shlex.quote(str(value))
