"""Metrics, tracing, the status page's figures and the audit log."""
