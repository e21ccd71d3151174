"""ai-config.

Manage AI coding-agent configurations from a Git-backed library and export them to every agent tool.
"""

__version__ = "0.1.0"  # keep in step with pyproject.toml; read at start-up, so no metadata lookup
