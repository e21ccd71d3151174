"""How long a user waits for the CLI itself: `prism --version` and `prism templates list`."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from groundwork.bench import print_figure, time_command


def main() -> None:
    prism = shutil.which("prism") or sys.executable
    base = [prism] if prism != sys.executable else [sys.executable, "-m", "prism"]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PRISM_STATE_DIR"] = tmp
        version = time_command([*base, "--version"], runs=15)
        listing = time_command([*base, "templates", "list"], runs=10)
        bare = time_command([sys.executable, "-c", "pass"], runs=15)
    print_figure("prism --version (median)", version.median_ms, "ms", target="<= 200 ms")
    print_figure("prism templates list (median)", listing.median_ms, "ms")
    print_figure("python itself, for scale (median)", bare.median_ms, "ms")


if __name__ == "__main__":
    main()
