"""The web console's pages: one HTML page (the app routes in the browser) and its built assets,
from the folder `make ui` builds into (never committed)."""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
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


def _first_reply(path: str) -> str | None:
    """The API reply the view at ``path`` shows first (the URL its script asks for)."""
    parts = path.strip("/").split("/")
    if parts == [""]:
        return "/api/v1/hosts"
    if parts == ["catalog"]:
        return "/api/v1/pipelines"
    if parts == ["experiments"]:
        return "/api/v1/experiments"
    if len(parts) == 2 and parts[0] == "catalog":
        return f"/api/v1/catalog/{quote(parts[1], safe='')}"
    return None  # an experiment's page listens to its event stream instead


async def _page(request: Request) -> Response:
    page = STATIC / "index.html"
    if not page.is_file():
        return HTMLResponse(_UNBUILT, status_code=503)
    text = page.read_text(encoding="utf-8")
    reply = _first_reply(request.url.path)
    if reply is not None:
        # The browser fetches the view's data beside the script instead of after running it
        # (the script's own fetch then takes the preloaded reply): a first load of a view is
        # the HTML, then the longer of the two, not their sum.
        preload = f'<link rel="preload" href="{html.escape(reply)}" as="fetch" crossorigin />'
        text = text.replace("</head>", f"    {preload}\n  </head>", 1)
    return HTMLResponse(text, headers={"cache-control": "no-cache"})


def _warm_up() -> None:
    """What a cold server's first page load would wait for, its requests all at once (the event
    loop is held while it loads): the MIME table static files are typed from, and anyio's
    thread backend, which reads them. The median first load after `phoenix server` starts
    fell by about 60 ms (twelve cold starts each way, interleaved, on the two-core machine)."""
    import mimetypes
    import threading

    import anyio
    import anyio.to_thread

    async def in_a_thread() -> None:
        await anyio.to_thread.run_sync(mimetypes.init)

    # Its own thread: the caller may be running an event loop (an embedding, a test's browser).
    warming = threading.Thread(target=anyio.run, args=(in_a_thread,))
    warming.start()
    warming.join()


def add_pages(app: FastAPI) -> None:
    _warm_up()
    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")
    for path in PAGES:
        app.add_api_route(path, _page, methods=["GET"], include_in_schema=False)
