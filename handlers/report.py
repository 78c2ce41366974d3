"""`/pulse report`: the quarter's board report, rendered and uploaded to the manager's DMs."""

from __future__ import annotations

from typing import Any

from blocks.replies import notice, report_sent
from handlers.context import HandlerContext
from handlers.parsing import ParsedCommand
from services.reports import quarter_report
from surveys.review import quarter_of


def report_command(
    ctx: HandlerContext, channel: str, body: dict[str, Any], parsed: ParsedCommand
) -> dict[str, Any]:
    """Render the quarter (this one unless named) from published figures and DM it.

    A board paper goes to the manager who asked, not to the channel: they decide when it is
    tabled. A quarter with nothing published yet gets a reply, not an empty paper.
    """
    # matplotlib's PDF backend (and fontTools) only when a report is drawn, not at start.
    from charts.report_pdf import render_report

    out = ctx.outbound
    quarter = parsed.quarter or quarter_of(out.clock())
    data = quarter_report(db=out.db, channel_id=channel, quarter=quarter)
    if not data.weeks:
        return notice(f"Nothing is published for {quarter} yet: the report needs a closed round.")
    client = out.client_for(body["team_id"])
    dm = client.conversations_open(users=body["user_id"])["channel"]["id"]
    client.files_upload_v2(
        channel=dm,
        content=render_report(data),
        filename=f"partnership-report-{channel}-{quarter}.pdf",
        title=f"Partnership report for #{data.team_name or channel}, {quarter}",
    )
    return report_sent(channel, quarter, len(data.weeks))
