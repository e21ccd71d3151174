"""Agents: YAML files in the library, built from library files and MCP servers."""
