"""Where each tool keeps its files: an environment variable wins, else the platform's data folder.

Tests and power users point a tool at a throwaway folder with the variable
(``PRISM_STATE_DIR``, ``AI_CONFIG_HOME``, ``PHOENIX_HOME``, ``PERAGUS_HOME``).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["tool_home"]


def tool_home(tool: str, env_var: str) -> Path:
    override = os.environ.get(env_var, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return platformdirs.user_data_path(tool, appauthor=False)
