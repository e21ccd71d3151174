"""What the load simulator commands answer with, for the CLI's JSON and the REST API alike."""

from __future__ import annotations

from pydantic import BaseModel, Field

from phoenix.loadsim.profiles import LoadSpec

__all__ = ["ProfileList", "Simulation", "SimulationResult"]


class Simulation(BaseModel):
    """The load simulation on this host, running or not."""

    running: bool
    profile: str | None = None
    supervisor_pid: int | None = None
    processes: int = Field(default=0, description="Simulated processes alive now.")
    names: list[str] = Field(default=[], description="Up to 20 of their process names.")
    uptime_seconds: float | None = None


class SimulationResult(BaseModel):
    simulation: Simulation
    processes_ended: int = Field(
        default=0,
        description="Simulated processes this command ended: all of them for stop, else those"
        " a killed supervisor had left behind.",
    )


class ProfileList(BaseModel):
    profiles: list[LoadSpec]
