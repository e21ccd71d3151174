"""`peragus start`: the notebook server (HTTP for notebooks, one WebSocket for sessions)."""

from importlib.resources import files
from pathlib import Path

STATIC = Path(str(files("peragus") / "server" / "static"))
"""Where `make ui` builds the web UI; kept here so checks can find it without loading the app."""
