"""`ai-config tui`: the library, conflicts, agents, the MCP catalog and updates in the terminal
(Textual, the optional extra ``ai-config[tui]``). Every change goes through the functions the
CLI calls, so it is backed up and audited the same way."""
