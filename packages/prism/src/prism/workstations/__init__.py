"""Workstations: what prism launched, where, in which state, and since when."""

from prism.workstations.model import Workstation, WorkstationState
from prism.workstations.store import WorkstationStore

__all__ = ["Workstation", "WorkstationState", "WorkstationStore"]
