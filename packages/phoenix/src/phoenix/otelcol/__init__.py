"""phoenix's OpenTelemetry Collector side: configs that a real collector runs, and the collector."""
