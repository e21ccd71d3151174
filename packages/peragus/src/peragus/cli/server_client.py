"""Asking a running `peragus start` for something, with the standard library's HTTP client: the
commands that do (doctor, token rotate) must not pay for httpx or FastAPI.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from groundwork.errors import ExitCode, ToolError
from peragus.home import home

__all__ = ["get_json", "running_server_url", "server_running_error"]


def running_server_url() -> str | None:
    from groundwork.service import read_service_info
    from peragus.server.config import server_config

    info = read_service_info(server_config(home()))
    return None if info is None else info.url


def get_json(path: str, timeout: float = 5.0) -> dict[str, Any]:
    """GET ``path`` from the running server, with its token."""
    from peragus.server.config import server_config

    config = server_config(home())
    url = running_server_url()
    if url is None:
        raise ToolError(
            "PERAGUS_SERVER_NOT_RUNNING",
            f"peragus is not running for {config.state_dir}.",
            suggestions=["Start it: peragus start"],
            exit_code=ExitCode.UNAVAILABLE,
        )
    token = config.token_file.read_text(encoding="utf-8").strip()
    request = urllib.request.Request(  # noqa: S310 - the URL is the server's own, on this machine
        f"{url}{path}", headers={"authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            data: dict[str, Any] = json.loads(reply.read())
    except (OSError, ValueError) as exc:
        raise ToolError(
            "PERAGUS_SERVER_NOT_ANSWERING",
            f"peragus at {url} did not answer {path}: {exc}.",
            suggestions=["Check that it still runs (peragus start prints its URL)."],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        ) from None
    return data


def server_running_error(what: str) -> ToolError:
    from peragus.server.config import server_config

    return ToolError(
        "PERAGUS_SERVER_RUNNING",
        f"peragus is running for {server_config(home()).state_dir}; {what} while it runs would"
        " leave it with the old one.",
        suggestions=["Stop it (Ctrl+C where it runs), run this again, then start it again."],
        exit_code=ExitCode.CONFLICT,
    )
