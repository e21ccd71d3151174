"""Running cells: each run a child process, streamed, stoppable, bounded."""
