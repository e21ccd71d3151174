"""What a TUI session did, as `ai-config tui -o json` prints it when the TUI closes."""

from __future__ import annotations

from pydantic import Field

from ai_config.results import Result
from ai_config.safety import AuditEntry

__all__ = ["TuiSession"]


class TuiSession(Result):
    changes: list[AuditEntry] = Field(
        description="The changes made in the session, as the audit log has them"
    )
