"""Benchmarks: each figure is read against a floor measured in the same run.

`python -m bench` runs them all and rewrites docs/PERFORMANCE.md; `--quick` runs small
sizes; `--only NAME` runs one. Targets are reported as met or missed, never enforced.
"""
