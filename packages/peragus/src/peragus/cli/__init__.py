"""The `peragus` entry point."""

import sys

from peragus import __version__

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        # The one answer that needs no command: building the app would load every command's
        # result models (pydantic) first, doubling the time this takes.
        sys.stdout.write(f"peragus {__version__}\n")
        return
    from groundwork.cli import run
    from peragus.cli.app import app
    from peragus.home import ENV_VAR

    run(app, tool="peragus", home_env=ENV_VAR)
