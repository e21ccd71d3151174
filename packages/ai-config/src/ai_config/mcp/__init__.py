"""MCP servers: a catalog (bundled and the user's own), secrets kept encrypted."""
