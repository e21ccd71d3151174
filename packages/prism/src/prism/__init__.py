"""prism.

Launch research workstations on AWS (EC2, EFS, EBS) from YAML templates, or on the embedded sandbox.
"""

from importlib.metadata import version

__version__ = version("prism")
