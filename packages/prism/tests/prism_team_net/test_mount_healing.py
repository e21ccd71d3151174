"""The mount check prismd sends through SSM, run for real by bash in a private mount namespace:
a mount that is there, one lost but in fstab (mounted again), one whose mount fails, and one
never set up; prismd's reading of the output.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from prism.team.mounts import parse_status, status_lines


def test_the_check_heals_a_lost_mount_and_reports_the_rest(tmp_path: Path) -> None:
    there, lost, broken, never = (str(tmp_path / n) for n in ("there", "lost", "broken", "never"))
    fstab = tmp_path / "fstab"
    fstab.write_text(
        f"none {there} tmpfs defaults 0 0\n"
        f"none {lost} tmpfs defaults 0 0\n"
        f"none {broken} prism-no-such-fs defaults 0 0\n"
    )
    setup = [
        f"mount --bind {shlex.quote(str(fstab))} /etc/fstab",
        *(f"mkdir -p {shlex.quote(p)}" for p in (there, lost, broken, never)),
        f"mount -t tmpfs none {shlex.quote(there)}",
    ]
    after = [f"mountpoint -q {shlex.quote(lost)} && echo healed-for-real"]
    script = "\n".join([*setup, *status_lines([there, lost, broken, never]), *after])
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert parse_status(done.stdout) == {
        there: "mounted",
        lost: "remounted",
        broken: "lost",
        never: "missing",
    }
    assert "healed-for-real" in done.stdout


def test_only_the_checks_lines_are_read() -> None:
    output = "prism-mount mounted /a\nnoise\nprism-mount exploded /b\nprism-mount missing /c d\n"
    assert parse_status(output) == {"/a": "mounted", "/c d": "missing"}
