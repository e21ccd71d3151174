"""The editor's language features: one tsserver per open notebook, prettier for formatting."""
