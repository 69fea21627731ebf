"""Domain services: every write and every query the CLI, the importers and the web share."""
