"""Block Kit built by pure functions: domain values in, Slack message dicts out."""
