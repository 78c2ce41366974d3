"""Slack's surfaces: each handler acks, turns a payload into plain values, calls one service
and renders the result as Block Kit."""
