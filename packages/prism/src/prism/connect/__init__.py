"""Reaching a workstation: wait until SSH really answers, then ssh in or tunnel to a service."""
