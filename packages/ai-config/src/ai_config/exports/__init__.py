"""Exports: an agent written out for Q CLI, Kiro, Claude Code, Cursor or AGENTS.md."""
