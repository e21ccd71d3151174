"""Searching npm for the package.json cell: the registry's search, through the server (the page's
CSP lets it talk only to its own origin).

Registries and mirrors that do not offer `/-/v1/search` (it answers 404) still answer for a
package by its exact name, so a search falls back to that: typing a package's name finds it.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError

__all__ = ["NpmPackage", "NpmSearchResult", "search_npm"]

RESULTS = 10
TIMEOUT_SECONDS = 10.0


class NpmPackage(BaseModel):
    name: str
    version: str = Field(description="The latest version.")
    description: str = ""


class NpmSearchResult(BaseModel):
    packages: list[NpmPackage]
    query: str
    exact_name_only: bool = Field(
        default=False,
        description="The registry has no search; the result is the package of that exact name.",
    )


def registry() -> str:
    """npm's own setting when it is in the environment (npm reads either case), else npm's."""
    configured = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get(
        "npm_config_registry"  # noqa: SIM112 - npm sets the lower-case form for scripts
    )
    return (configured or "https://registry.npmjs.org/").rstrip("/") + "/"


def _unavailable(why: str) -> ToolError:
    return ToolError(
        "PERAGUS_NPM_UNAVAILABLE",
        f"npm's registry ({registry()}) did not answer the search: {why}.",
        suggestions=["Check the network, or type the package into package.json by hand."],
        exit_code=ExitCode.UNAVAILABLE,
        transient=True,
    )


async def search_npm(query: str) -> NpmSearchResult:
    import httpx  # only a search pays for it

    async with httpx.AsyncClient(base_url=registry(), timeout=TIMEOUT_SECONDS) as http:
        try:
            reply = await http.get("-/v1/search", params={"text": query, "size": RESULTS})
            if reply.status_code == 404:
                return await _exact(http, query)
            reply.raise_for_status()
            found: list[dict[str, Any]] = reply.json().get("objects", [])
        except (httpx.HTTPError, ValueError) as exc:
            raise _unavailable(str(exc) or type(exc).__name__) from None
    packages = [
        NpmPackage(
            name=o["package"]["name"],
            version=o["package"].get("version", ""),
            description=o["package"].get("description") or "",
        )
        for o in found
        if isinstance(o.get("package"), dict) and "name" in o["package"]
    ]
    return NpmSearchResult(packages=packages, query=query)


async def _exact(http: Any, query: str) -> NpmSearchResult:
    name = query.strip().lower()
    reply = await http.get(quote(name, safe="@"), headers={"accept": "application/json"})
    if reply.status_code == 404:
        return NpmSearchResult(packages=[], query=query, exact_name_only=True)
    reply.raise_for_status()
    data = reply.json()
    latest = (data.get("dist-tags") or {}).get("latest", "")
    description = ((data.get("versions") or {}).get(latest) or {}).get("description") or data.get(
        "description", ""
    )
    package = NpmPackage(name=data.get("name", name), version=latest, description=description or "")
    return NpmSearchResult(packages=[package], query=query, exact_name_only=True)
