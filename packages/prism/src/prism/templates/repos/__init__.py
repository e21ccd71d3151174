"""Template repositories: indexes, installs, versions and history."""
