"""Settings and secrets, in SQLite under PERAGUS_HOME; secret values encrypted at rest."""
