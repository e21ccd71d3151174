"""groundwork: the small layer prism, ai-config, phoenix and peragus share."""

from importlib.metadata import version

__version__ = version("groundwork")
