"""What `prism profiles ...` answers with `--output json`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from prism.profiles.store import Profile

__all__ = ["ProfileList", "ProfileResult"]


class ProfileList(BaseModel):
    profiles: list[Profile]
    active: str = Field(description="The name of the profile launches use.")


class ProfileResult(BaseModel):
    """One profile: what add, use, show, remove and wizard answer."""

    profile: Profile
    active: bool = Field(description="Whether it is the active profile now.")
    identity: str | None = Field(
        default=None, description="The AWS identity (ARN) its credentials proved (wizard)."
    )
