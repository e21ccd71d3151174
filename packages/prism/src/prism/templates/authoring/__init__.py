"""Writing templates: drafts from flags, questions or the browser form, and their docs."""
