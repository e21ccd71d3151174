"""Pipelines: ordered processors that cut process metrics while keeping every critical process."""
