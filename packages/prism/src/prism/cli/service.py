"""The one way commands reach prismd."""

from typing import TYPE_CHECKING

from prism.home import home

if TYPE_CHECKING:
    from prism.daemon.client import DaemonClient

__all__ = ["daemon_client"]


def daemon_client() -> "DaemonClient":
    from prism.daemon.client import DaemonClient  # deferred: only commands that call it pay

    return DaemonClient(home())
