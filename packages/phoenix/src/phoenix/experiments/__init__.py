"""A/B experiments: two pipelines over the same scrapes, measured interval by interval."""
