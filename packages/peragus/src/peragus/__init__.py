"""peragus.

A local TypeScript notebook, srcbook-compatible, with cells run in Node child processes.
"""

from importlib.metadata import version

__version__ = version("peragus")
