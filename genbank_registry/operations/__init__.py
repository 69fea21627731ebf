"""Running a registry: backup and restore."""
