"""groundwork: the small layer prism, ai-config, phoenix and peragus share."""

__version__ = "0.1.0"  # keep in step with pyproject.toml; read at start-up, so no metadata lookup
