"""Assembly: turning settings into a running bot (database, Slack client, app, scheduler)."""
