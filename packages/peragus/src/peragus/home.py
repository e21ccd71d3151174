"""The folder peragus keeps its files in; `PERAGUS_HOME` points it elsewhere."""

from pathlib import Path

from groundwork.paths import tool_home

ENV_VAR = "PERAGUS_HOME"


def home() -> Path:
    return tool_home("peragus", ENV_VAR)
