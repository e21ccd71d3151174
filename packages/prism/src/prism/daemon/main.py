"""The ``prismd`` entry point: serve the API until SIGTERM, one daemon per state folder."""

from __future__ import annotations

import sys

from rich.console import Console

from groundwork.errors import ToolError, render_error
from groundwork.health import HealthRegistry, folder_check
from groundwork.logs import configure_logging, get_logger
from groundwork.service import create_app, serve
from prism.daemon import api
from prism.daemon.config import daemon_config
from prism.daemon.engine import Engine
from prism.home import home

log = get_logger("prism.daemon")


def main() -> None:
    state = home()
    configure_logging(state / "logs" / "prismd.log")
    config = daemon_config(state)
    health = HealthRegistry()
    health.register("state folder", folder_check("state folder", state))
    app = create_app(config, health=health, title="prismd", docs=True)
    try:
        engine = Engine(state)
    except ToolError as exc:
        render_error(exc, Console(stderr=True))
        sys.exit(int(exc.exit_code))
    api.install(app, engine)

    def ready(info: object) -> None:
        engine.recover()
        log.info("prismd started", info=str(info))

    try:
        serve(app, config, on_ready=ready)
    except ToolError as exc:
        render_error(exc, Console(stderr=True))
        sys.exit(int(exc.exit_code))
    finally:
        engine.close()


if __name__ == "__main__":
    main()
