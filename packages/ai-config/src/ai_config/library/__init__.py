"""The library: a git-backed base (shared) and a personal library that overrides it."""
