"""The survey domain: the behaviour table, rotation, scoring and the digest's content.

Nothing here knows about Slack or SQL, so it can be reasoned about and tested on its own.
"""
