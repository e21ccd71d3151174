"""`prism tui`: the terminal UI, on Textual (the optional extra ``prism[tui]``)."""
