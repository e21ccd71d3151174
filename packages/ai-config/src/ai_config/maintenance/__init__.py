"""Keeping ai-config healthy: performance figures, repair, garbage collection, diagnostics."""
