"""Team sync: the personal library inside a folder a sync tool shares."""
