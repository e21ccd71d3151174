"""The load simulator: real processes with distinct names and real CPU and memory patterns."""
