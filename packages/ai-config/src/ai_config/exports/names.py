"""The agent tools ai-config exports to: a closed set, so `--target` offers exactly these."""

from enum import StrEnum

__all__ = ["ExportTarget"]


class ExportTarget(StrEnum):
    Q_CLI = "q-cli"
    KIRO = "kiro"
    CLAUDE_CODE = "claude-code"
    CURSOR = "cursor"
    AGENTS_MD = "agents-md"
