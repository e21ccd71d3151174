"""Throwaway Debian systems for template tests: a root made once with debootstrap and cached,
and containers over it that leave it untouched.

The cached root lives in ``${XDG_CACHE_HOME:-~/.cache}/prism/roots/<suite>/`` and is built
under a file lock, so two tests starting at once build it once. Each test mounts an overlay
(the cached root below, a fresh folder above) in a private mount namespace and runs commands in
it with systemd-nspawn, without booting (like a chroot) or booting systemd to see services
start. Everything mounted disappears with the namespace; the overlay's upper folder is deleted
after the test. Downloaded packages are kept in a shared apt cache between runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["REQUIRED_TOOLS", "Container", "cache_root", "debian_root", "require_tools"]

SUITE = os.environ.get("PRISM_TEST_SUITE", "bookworm")
MIRROR = os.environ.get("PRISM_DEBIAN_MIRROR", "http://deb.debian.org/debian")
REQUIRED_TOOLS = {
    "debootstrap": "debootstrap",
    "systemd-nspawn": "systemd-container",
    "unshare": "util-linux",
}
_ROOT_PACKAGES = "systemd,systemd-sysv,dbus,ca-certificates"


def _die_with_parent() -> None:
    """The container goes when prism goes, even by SIGKILL: one left running holds the shared
    apt cache's lock and fails the next test's apt with "Could not get lock".
    """
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prism"


def require_tools() -> None:
    missing = {tool: pkg for tool, pkg in REQUIRED_TOOLS.items() if shutil.which(tool) is None}
    if missing:
        packages = " ".join(sorted(set(missing.values())))
        raise ToolError(
            "PRISM_TEST_TOOL_MISSING",
            f"Testing a template for real needs {', '.join(sorted(missing))}, not installed here.",
            suggestions=[f"Install them: apt-get install {packages}"],
            context={"missing": sorted(missing)},
            exit_code=ExitCode.UNAVAILABLE,
        )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def debian_root(log: Path, suite: str = SUITE) -> tuple[Path, bool]:
    """The cached root of a Debian suite, built when missing; (folder, built now)."""
    roots = cache_root() / "roots"
    folder = roots / suite
    done = folder / ".prism-root-complete"
    if done.exists():
        return folder, False
    with _locked(roots / f"{suite}.lock"):
        if done.exists():  # another test built it while this one waited
            return folder, False
        partial = roots / f"{suite}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        with log.open("ab") as out:
            built = subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={_ROOT_PACKAGES}",
                    suite,
                    str(partial),
                    MIRROR,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
                timeout=1800,
            )
        if built.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise ToolError(
                "PRISM_TEST_ROOT_FAILED",
                f"debootstrap could not make a Debian {suite} root (exit {built.returncode}).",
                suggestions=[
                    f"Its log: {log}",
                    f"Check that {MIRROR} is reachable, or set PRISM_DEBIAN_MIRROR.",
                ],
                exit_code=ExitCode.UNAVAILABLE,
            )
        partial.rename(folder)
        done.touch()
    return folder, True


@dataclass
class Container:
    """A throwaway system over a cached root: what runs in it lands in ``upper``."""

    lower: Path
    work: Path

    @classmethod
    def create(cls, lower: Path) -> Container:
        base = cache_root() / "work"
        base.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="test-", dir=base))
        for sub in ("upper", "overlay-work", "merged"):
            (work / sub).mkdir()
        return cls(lower, work)

    @property
    def upper(self) -> Path:
        return self.work / "upper"

    def put(self, path: str, text: str, mode: int = 0o644) -> None:
        """A file in the container's system, written into its upper layer."""
        target = self.upper / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        target.chmod(mode)

    def run(
        self,
        command: Sequence[str],
        log: Path,
        *,
        boot: bool = False,
        timeout: float = 1800,
    ) -> int:
        """Run a command in the container (or boot it), its output appended to ``log``."""
        archives = cache_root() / "apt-archives"
        (archives / "partial").mkdir(parents=True, exist_ok=True)
        merged = self.work / "merged"
        nspawn = [
            "systemd-nspawn",
            "--quiet",
            "--keep-unit",
            "--register=no",
            "--resolv-conf=copy-host",
            "--timezone=off",
            f"--directory={merged}",
            f"--bind={archives}:/var/cache/apt/archives",
            "--setenv=DEBIAN_FRONTEND=noninteractive",
        ]
        # The container's first process dies with nspawn, and the container with it.
        deathsig = ["setpriv", "--pdeathsig", "KILL", "--"]
        nspawn += ["--boot", "--console=pipe"] if boot else ["--pipe", "--", *deathsig, *command]
        script = " && ".join(
            [
                "mount -t overlay overlay -o "
                + shlex.quote(
                    f"lowerdir={self.lower},upperdir={self.upper},"
                    f"workdir={self.work / 'overlay-work'}"
                )
                + f" {shlex.quote(str(merged))}",
                # nspawn tidies this folder up and refuses to when it is not a tmpfs.
                "mkdir -p /run/systemd/nspawn",
                "mount -t tmpfs tmpfs /run/systemd/nspawn",
                "exec " + shlex.join(nspawn),
            ]
        )
        with log.open("ab") as out:
            process = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            try:
                return process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
                out.write(f"\nprism: stopped after {timeout:.0f} seconds\n".encode())
                return 124

    def remove(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
