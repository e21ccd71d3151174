"""The ``prismd`` entry point: serve the API until SIGTERM, one daemon per state folder.

A start that fails says why in one line on the report pipe (see :mod:`prism.daemon.startup`),
in its log, and on stderr (``prismd.out`` when the CLI started it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from fastapi import FastAPI
from rich.console import Console

from groundwork.errors import ExitCode, ToolError, render_error
from groundwork.health import HealthRegistry, folder_check
from groundwork.logs import configure_logging, get_logger
from groundwork.paths import private_dir
from groundwork.service import ServiceInfo, TLSFiles, create_app, serve
from prism.clock import Clock
from prism.daemon import api
from prism.daemon.config import check_seconds, daemon_config
from prism.daemon.engine import Engine
from prism.daemon.listen import tls_paths
from prism.daemon.mount_healer import MountHealer, mount_check_seconds
from prism.daemon.startup import StartReporter
from prism.home import home, log_dir
from prism.team.tls import is_loopback, prepare_tls

__all__ = ["build", "main"]

log = get_logger("prism.daemon")


def build(state: Path, clock: Clock | None = None) -> tuple[FastAPI, Engine]:
    """prismd's app over a state folder, not yet serving: tests and benchmarks serve it
    in-process (with a clock they move), :func:`main` as the daemon, whose background checks
    start once it serves.
    """
    config = daemon_config(state)
    health = HealthRegistry()
    health.register("state folder", folder_check("state folder", state))
    app = create_app(config, health=health, title="prismd", docs=True)
    engine = Engine(state, clock)
    api.install(app, engine)
    return app, engine


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="prismd", description="prism's local daemon.")
    parser.add_argument("--report-fd", type=int, help="Pipe to report start progress on.")
    report = StartReporter(parser.parse_args(argv).report_fd)
    state = home()
    try:
        report.stage("log")
        private_dir(state)
        configure_logging(log_dir() / "prismd.log")
        report.stage("state")
        interval = check_seconds()
        app, engine = build(state)
        healer = MountHealer(app.state.team, mount_check_seconds())
    except ToolError as exc:
        _refuse(report, exc)
    except OSError as exc:
        _refuse(report, _unusable(exc))

    def ready(info: ServiceInfo) -> None:
        report.stage("recover")
        engine.recover()
        engine.start_checks(interval)
        healer.start()
        log.info("prismd started", url=info.url, pid=info.pid)
        report.ready(info.url)

    try:
        report.stage("listen")
        config = app.state.config
        if is_loopback(config.host):
            serve(app, config, on_ready=ready)
        else:
            tls = prepare_tls(state, config.host, *tls_paths())
            app.state.team.tls_fingerprint = tls.fingerprint
            log.info("prismd listens beyond loopback", host=config.host, tls=tls.fingerprint)
            serve(app, config, on_ready=ready, tls=TLSFiles(tls.certificate, tls.key))
    except ToolError as exc:
        _refuse(report, _in_prism_terms(exc))
    except OSError as exc:
        _refuse(report, _unusable(exc))
    finally:
        healer.stop()
        engine.close()


def _unusable(exc: OSError) -> ToolError:
    """A file or folder of the state that cannot be made, opened or written."""
    where = exc.filename or "its state folder"
    why = (
        "it is not a folder"
        if isinstance(exc, FileExistsError | NotADirectoryError)
        else exc.strerror or str(exc)
    )
    return ToolError(
        "PRISM_DAEMON_STATE_UNUSABLE",
        f"It cannot use {where}: {why}.",
        suggestions=[
            f"Check that {where} is a file or folder you own and can write"
            " (prism doctor checks the state folder).",
            "Or point prism at another folder with PRISM_STATE_DIR.",
        ],
        context={"path": str(where)},
        exit_code=ExitCode.PERMISSION if isinstance(exc, PermissionError) else ExitCode.UNAVAILABLE,
    )


def _in_prism_terms(error: ToolError) -> ToolError:
    """groundwork's service errors speak of --port; prismd's port is set otherwise."""
    if error.code != "GROUNDWORK_PORT_IN_USE":
        return error
    return ToolError(
        "PRISM_DAEMON_PORT_IN_USE",
        error.message,
        suggestions=[
            "Another program holds the port: stop it, or move prismd with PRISM_DAEMON_PORT"
            " (0 picks a free port).",
        ],
        context=error.context,
        exit_code=error.exit_code,
    )


def _refuse(report: StartReporter, error: ToolError) -> NoReturn:
    log.error("prismd could not start", code=error.code, reason=error.message)
    report.failed(error)
    render_error(error, Console(stderr=True))
    sys.exit(int(error.exit_code))


if __name__ == "__main__":
    main()
