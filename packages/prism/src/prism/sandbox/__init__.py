"""The sandbox profile: AWS's API served by moto on loopback, seeded so launches just work."""

from prism.sandbox.emulator import Sandbox

__all__ = ["Sandbox"]
