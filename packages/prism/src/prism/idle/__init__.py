"""Idle detection: the agent a workstation runs, the policies prismd enforces, and the signal
between them (CloudWatch custom metrics).
"""
