"""Research data in S3: listing it and syncing folders to and from it."""
