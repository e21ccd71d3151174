"""The folder phoenix keeps its files in; `PHOENIX_HOME` points it elsewhere."""

from pathlib import Path

from groundwork.paths import tool_home

ENV_VAR = "PHOENIX_HOME"


def home() -> Path:
    return tool_home("phoenix", ENV_VAR)
