"""AI help: cells from a prompt and cell edits, through an OpenAI-compatible API or Anthropic."""
