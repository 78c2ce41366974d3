"""Outbound Slack: prompts, reminders, digests and membership, paced and retried."""
