"""phoenix.

Cut the cost of host process metrics with optimisation pipelines, A/B experiments
and load simulation.
"""

from importlib.metadata import version

__version__ = version("phoenix")
