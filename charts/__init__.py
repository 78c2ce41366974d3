"""Pictures of a team's digest, rendered as PNG bytes for posting alongside the text.

`charts.digest_chart` draws them with matplotlib and is imported only where a chart is drawn;
the chart's figures (`chart_data`) need no drawing library."""

from __future__ import annotations

from charts.chart_data import BehaviourRow, ChartData, TrendPoint, chart_data

__all__ = ["BehaviourRow", "ChartData", "TrendPoint", "chart_data"]
