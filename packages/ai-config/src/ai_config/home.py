"""The folder ai-config keeps its files in; `AI_CONFIG_HOME` points it elsewhere."""

from pathlib import Path

from groundwork.paths import tool_home

ENV_VAR = "AI_CONFIG_HOME"


def home() -> Path:
    return tool_home("ai-config", ENV_VAR)
