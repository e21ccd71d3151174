"""What a TUI session did, as `prism tui -o json` prints it when the TUI closes: the actions
taken, so a script that opened it for a person can tell what changed."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["TuiSession"]


class TuiSession(BaseModel):
    actions: list[str] = Field(
        default_factory=list,
        description="What was done, in order: e.g. 'launch demo', 'stop demo', 'delete demo'.",
    )
