"""Projects: workstations and storage that belong together, with a budget that prismd watches."""
