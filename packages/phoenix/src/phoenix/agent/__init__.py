"""The agent: scrapes this host, runs the deployed pipeline, serves the result to Prometheus."""
