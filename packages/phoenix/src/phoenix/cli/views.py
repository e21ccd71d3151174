"""What the commands' views share. Names, paths and messages come from users and files, so they
are shown as typed: a `[` in an experiment's name is text, never Rich markup. Rich is imported
on first use, after the command has run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

__all__ = ["plain", "plain_row", "plain_table"]


def plain(text: str) -> Text:
    from rich.text import Text

    return Text(text)


def plain_table(title: str | None, columns: Sequence[str]) -> Table:
    from rich.table import Table

    table = Table(title=plain(title) if title else None, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def plain_row(table: Table, *cells: str) -> None:
    table.add_row(*(plain(cell) for cell in cells))
