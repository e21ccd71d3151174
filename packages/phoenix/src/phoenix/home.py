"""The folder phoenix keeps its files in; `PHOENIX_HOME` points it elsewhere."""

from pathlib import Path

from groundwork.paths import tool_home, tool_log_dir

ENV_VAR = "PHOENIX_HOME"


def home() -> Path:
    return tool_home("phoenix", ENV_VAR)


def log_dir() -> Path:
    """The folder of every phoenix log: the CLI's (with the agent's and the server's, which run
    in it) and the background processes' (experiment runners, the load simulator).
    """
    return tool_log_dir("phoenix", ENV_VAR)
