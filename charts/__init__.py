"""Pictures of a team's digest, rendered as PNG bytes for posting alongside the text."""

from __future__ import annotations

from charts.chart_data import BehaviourRow, ChartData, TrendPoint, chart_data
from charts.digest_chart import render_digest_chart

__all__ = ["BehaviourRow", "ChartData", "TrendPoint", "chart_data", "render_digest_chart"]
