"""phoenix.

Cut the cost of host process metrics with optimisation pipelines, A/B experiments
and load simulation.
"""

__version__ = "0.1.0"  # keep in step with pyproject.toml; read at start-up, so no metadata lookup
