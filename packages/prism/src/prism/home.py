"""The folder prism keeps its files in; `PRISM_STATE_DIR` points it elsewhere."""

from pathlib import Path

from groundwork.paths import tool_home, tool_log_dir

ENV_VAR = "PRISM_STATE_DIR"


def home() -> Path:
    return tool_home("prism", ENV_VAR)


def log_dir() -> Path:
    """Where the CLI's log (prism.log) and prismd's (prismd.log, prismd.out) are written."""
    return tool_log_dir("prism", ENV_VAR)
