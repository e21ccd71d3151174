"""The checks behind `phoenix doctor`."""

from groundwork.health import HealthRegistry, folder_check
from phoenix.home import home


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("home folder", folder_check("home folder", home()))
    return registry
