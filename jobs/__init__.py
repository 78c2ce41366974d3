"""Scheduled jobs: thin entrypoints that open a unit of work and call the services."""
