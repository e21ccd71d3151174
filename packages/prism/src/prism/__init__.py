"""prism.

Launch research workstations on AWS (EC2, EFS, EBS) from YAML templates, or on the embedded sandbox.
"""

__version__ = "0.1.0"  # keep in step with pyproject.toml; read at start-up, so no metadata lookup
