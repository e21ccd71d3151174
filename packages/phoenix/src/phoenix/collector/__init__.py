"""Reading this host's processes into batches shaped like the hostmetrics process scraper's."""
