"""The checks behind `ai-config doctor`."""

from ai_config.home import home
from groundwork.health import HealthRegistry, command_check, folder_check


def checks() -> HealthRegistry:
    registry = HealthRegistry()
    registry.register("home folder", folder_check("home folder", home()))
    registry.register(
        "git", command_check("git", why="the base and personal libraries are git repositories")
    )
    return registry
