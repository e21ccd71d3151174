"""prismd: the local daemon that owns launches, state and the sandbox, behind a REST API."""
