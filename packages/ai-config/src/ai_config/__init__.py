"""ai-config.

Manage AI coding-agent configurations from a Git-backed library and export them to every agent tool.
"""

from importlib.metadata import version

__version__ = version("ai-config")
