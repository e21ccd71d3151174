"""The checks behind `peragus doctor`."""

from groundwork.health import HealthRegistry, command_check, folder_check
from peragus.home import home


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("notebooks folder", folder_check("notebooks folder", home()))
    registry.register("node", command_check("node", why="code cells run in Node"))
    registry.register(
        "npm", command_check("npm", why="notebook dependencies are installed with npm")
    )
    return registry
