"""Storage hygiene: what prism's storage costs, what is unused, and what would save money."""
