"""The web console's pages: one HTML page (the app routes in the browser) and its built assets,
from the folder `make ui` builds into (never committed)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

__all__ = ["PAGES", "STATIC", "add_pages"]

STATIC = Path(str(files("phoenix") / "server" / "static"))
"""Where `make ui` builds the console (packages/phoenix/web)."""

PAGES = ("/", "/catalog", "/catalog/{name}", "/experiments", "/experiments/{experiment_id}")

_UNBUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>phoenix</title>
<body style="font:16px system-ui;margin:3rem"><h1>phoenix's console is not built</h1>
<p>Build it with <code>make ui</code> (Node.js 20+ and npm), then reload. The REST API works
without it: <a href="/docs">/docs</a>.</p></body></html>"""


def _page() -> Response:
    page = STATIC / "index.html"
    if not page.is_file():
        return HTMLResponse(_UNBUILT, status_code=503)
    return HTMLResponse(page.read_text(encoding="utf-8"), headers={"cache-control": "no-cache"})


def add_pages(app: FastAPI) -> None:
    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")
    for path in PAGES:
        app.add_api_route(path, _page, methods=["GET"], include_in_schema=False)
