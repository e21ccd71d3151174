"""Running peragus as a user who is not root (uid 65534, nobody) from a test that runs as root:
the containment row of Linux users and macOS, on the real kernel.

The interpreter may live in a folder that user cannot enter (pyenv under /root, 0700): a private
mount namespace (util-linux's unshare) puts a world-readable tmpfs over that folder with only the
interpreter's tree bound back in, so the host's /root is untouched; setpriv then drops to the user.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534


def _closed_ancestor(path: Path) -> Path | None:
    """The outermost folder on ``path`` that others may not enter, if any."""
    for folder in reversed(path.parents):
        if folder != Path("/") and not folder.stat().st_mode & 0o001:
            return folder
    return None


def namespace_command(
    system_tool: Callable[..., str], scratch: Path, command: list[str]
) -> list[str]:
    """``command`` as nobody, in a mount namespace where the interpreter is reachable."""
    unshare = system_tool("unshare", package="util-linux")
    setpriv = system_tool("setpriv", package="util-linux")
    prefix = Path(sys.base_prefix).resolve()
    steps = ["set -e"]
    closed = _closed_ancestor(prefix)
    if closed is not None:
        kept = scratch / "interpreter"
        kept.mkdir(exist_ok=True)
        steps += [
            f"mount --bind '{prefix}' '{kept}'",
            f"mount -t tmpfs -o mode=755 none '{closed}'",
            f"mkdir -p '{prefix}'",
            f"mount --bind '{kept}' '{prefix}'",
        ]
    steps.append(f'exec {setpriv} --reuid={NOBODY} --regid={NOBODY} --clear-groups "$@"')
    return [unshare, "--mount", "sh", "-c", "\n".join(steps), "sh", *command]


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder nobody can write (pytest's own are root's and 0700), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="peragus-unprivileged-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def hand_over(folder: Path) -> None:
    """Everything under ``folder`` to nobody."""
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
