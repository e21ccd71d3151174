"""Where prism launches: the embedded sandbox, or an AWS profile and region."""

from prism.profiles.store import Profile, ProfileKind, ProfileStore

__all__ = ["Profile", "ProfileKind", "ProfileStore"]
