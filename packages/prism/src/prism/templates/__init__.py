"""Templates: the YAML a workstation is built from, bundled or the user's own."""
