"""Persistence: models, migrations, the unit of work and the queries behind the services."""
