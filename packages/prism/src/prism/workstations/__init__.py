"""Workstations: what prism launched, where, in which state, and since when."""
