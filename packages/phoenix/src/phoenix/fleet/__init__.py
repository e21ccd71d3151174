"""A fleet: hosts by group, each running a collector that sends OTLP to a gateway collector."""
