"""srcbook's WebSocket vocabulary: messages are JSON arrays ``[topic, event, payload]``.

Every incoming payload is validated; a malformed one gets an ``error`` event back and the
connection stays open.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError

__all__ = [
    "INCOMING",
    "CellCreate",
    "CellMove",
    "CellRef",
    "CellRename",
    "CellUpdate",
    "CompletionDetailsRequest",
    "DepsInstall",
    "Empty",
    "FixDiagnostics",
    "Incoming",
    "LocationRequest",
    "TsconfigUpdate",
    "parse",
]


class Empty(BaseModel):
    pass


class CellRef(BaseModel):
    cellId: str = Field(min_length=1, max_length=128)  # srcbook's field name


class CellUpdate(CellRef):
    updates: dict[Literal["source", "text"], str]


class CellRename(CellRef):
    filename: str = Field(pattern=r"^[a-zA-Z0-9_-]+\.(js|cjs|mjs|ts|cts|mts)$")


class CellCreate(BaseModel):
    index: int = Field(ge=0)
    cell: dict[str, str]


NpmPackage = Annotated[
    str,
    Field(
        pattern=r"^(@[a-z0-9~][a-z0-9._~-]*/)?[a-z0-9~][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=*|+ -]+)?$"
    ),
]


class DepsInstall(BaseModel):
    """Package names are checked, so nothing a client sends can become an npm flag."""

    packages: list[NpmPackage] = Field(default_factory=list, max_length=50)


class CellMove(CellRef):
    index: int = Field(ge=0, le=100_000)


class Location(BaseModel):
    """tsserver's position: 1-based line and character offset."""

    line: int = Field(ge=1, le=1_000_000)
    offset: int = Field(ge=1, le=1_000_000)


class LocationBody(BaseModel):
    location: Location


class LocationRequest(CellRef):
    """srcbook's shape; ``requestId`` (ours) pairs the reply with its request."""

    request: LocationBody
    requestId: str | None = Field(default=None, max_length=64)


class CompletionEntry(BaseModel):
    """A completion tsserver offered, as it offered it (``data`` is tsserver's own)."""

    name: str = Field(max_length=500)
    source: str | None = Field(default=None, max_length=2000)
    data: dict[str, Any] | None = None


class CompletionDetailsBody(LocationBody):
    entry: CompletionEntry


class CompletionDetailsRequest(CellRef):
    """Our addition to srcbook's events: the `import` an auto-import completion needs."""

    request: CompletionDetailsBody
    requestId: str | None = Field(default=None, max_length=64)


class TsconfigUpdate(BaseModel):
    source: str = Field(max_length=100_000)


class FixDiagnostics(CellRef):
    diagnostics: str = Field(min_length=1, max_length=20_000)


INCOMING: dict[str, type[BaseModel]] = {
    "ping": Empty,
    "subscribe": Empty,
    "unsubscribe": Empty,
    "cell:exec": CellRef,
    "cell:stop": CellRef,
    "cell:update": CellUpdate,
    "cell:rename": CellRename,
    "cell:delete": CellRef,
    "cell:create": CellCreate,
    "cell:move": CellMove,
    "cell:format": CellRef,
    "deps:install": DepsInstall,
    "deps:validate": Empty,
    "tsserver:start": Empty,
    "tsserver:stop": Empty,
    "tsserver:cell:completions:request": LocationRequest,
    "tsserver:cell:quickinfo:request": LocationRequest,
    "tsserver:cell:definition_location:request": LocationRequest,
    "tsserver:cell:completion_details:request": CompletionDetailsRequest,
    "tsconfig.json:update": TsconfigUpdate,
    "ai:fix_diagnostics": FixDiagnostics,
}


class Incoming(BaseModel):
    topic: str
    event: str
    payload: BaseModel


def parse(message: Any) -> Incoming | str:
    """The message, or a sentence saying what is wrong with it."""
    if not (
        isinstance(message, list)
        and len(message) == 3
        and all(isinstance(m, str) for m in message[:2])
    ):
        return "a message is a JSON array [topic, event, payload]"
    topic, event, payload = message
    model = INCOMING.get(event)
    if model is None:
        return f"unknown event {event!r}"
    try:
        return Incoming(topic=topic, event=event, payload=model.model_validate(payload or {}))
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"{event}: {'.'.join(map(str, first['loc']))}: {first['msg']}"
