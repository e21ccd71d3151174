"""What the web console needs beyond the CLI's results: a row per host, a catalog page, an
experiment's live events. Served by `phoenix server` beside the REST API."""
