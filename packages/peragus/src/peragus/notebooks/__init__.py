"""Notebooks: the srcbook `.src.md` format, in its exported and on-disk forms."""
