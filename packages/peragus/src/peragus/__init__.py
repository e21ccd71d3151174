"""peragus.

A local TypeScript notebook, srcbook-compatible, with cells run in Node child processes.
"""

__version__ = "0.1.0"  # keep in step with pyproject.toml; read at start-up, so no metadata lookup
