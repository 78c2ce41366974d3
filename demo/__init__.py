"""The demo behind `python bot.py demo`: a simulated team answering weekly rounds.

It drives the real bot (assembled as `serve` assembles it) against the stand-in Slack in
`standin/`, so it may import every layer; nothing in the bot imports it. The entry point is
`demo.run.run_demo`.
"""
