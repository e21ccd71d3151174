"""The starter library: files ai-config puts in a new base library when none is given."""
