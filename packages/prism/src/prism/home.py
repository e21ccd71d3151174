"""The folder prism keeps its files in; `PRISM_STATE_DIR` points it elsewhere."""

from pathlib import Path

from groundwork.paths import tool_home

ENV_VAR = "PRISM_STATE_DIR"


def home() -> Path:
    return tool_home("prism", ENV_VAR)
