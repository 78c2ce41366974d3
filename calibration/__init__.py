"""Calibration of the digest's statistics on simulated teams, behind docs/METHOD.md.

Not part of the running bot: it reads the domain in `surveys/` (the behaviour table, the
statistics, `compute_digest`) and nothing else, and nothing in the bot imports it.
`tidy_weeks` checks the statistics on tidy simulated weeks (`tidy_team`), read by each of
`designs`; `real_weeks` feeds messier simulated teams through the digest itself.
`python -m calibration` prints METHOD's tables.
"""
