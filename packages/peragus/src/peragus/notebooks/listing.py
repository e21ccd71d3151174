"""The notebook list's search, filters and order, the same for `peragus list` and the web UI's
list (through `GET /api/notebooks`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from peragus.notebooks.model import Language
from peragus.results import NotebookInfo

__all__ = ["NotebookOrder", "select"]


class NotebookOrder(StrEnum):
    MODIFIED = "modified"
    """The most recently edited first."""
    TITLE = "title"
    NAME = "name"


def select(
    notebooks: list[NotebookInfo],
    *,
    search: str | None = None,
    language: Language | None = None,
    modified_within_days: float | None = None,
    order: NotebookOrder = NotebookOrder.NAME,
    now: datetime | None = None,
) -> list[NotebookInfo]:
    """Those whose title or name contains ``search`` (any case), in ``language``, edited within
    the last ``modified_within_days``; in ``order``.
    """
    found = notebooks
    if search:
        needle = search.casefold()
        found = [n for n in found if needle in n.title.casefold() or needle in n.name.casefold()]
    if language is not None:
        found = [n for n in found if n.language == language]
    if modified_within_days is not None:
        since = (now or datetime.now(UTC)) - timedelta(days=modified_within_days)
        found = [
            n
            for n in found
            if n.modified is not None and datetime.fromisoformat(n.modified) >= since
        ]
    if order is NotebookOrder.MODIFIED:
        return sorted(found, key=lambda n: n.modified or "", reverse=True)
    if order is NotebookOrder.TITLE:
        return sorted(found, key=lambda n: (n.title.casefold(), n.name))
    return sorted(found, key=lambda n: n.name)
