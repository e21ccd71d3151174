"""The checks behind `prism doctor`."""

from groundwork.health import HealthRegistry, folder_check

from prism.home import home


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("state folder", folder_check("state folder", home()))
    return registry
