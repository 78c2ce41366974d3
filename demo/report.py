"""What the demo says around the weeks: who takes part, what the digests found, the checks.

Names appear only in the introductions; everything after the first round is counts and the
team's digests, never one person's answers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from demo.partners import COUNCIL, Partner
from demo.people import DRIFTING, TEAM_ZONE, Person
from demo.stage import CHANNEL_ID, CHANNEL_NAME, NEVER_ASKED, Stage, is_digest
from demo.transcript import Transcript, short
from demo.week import FIRST_MONDAY
from surveys.behaviours import behaviour
from surveys.digest import Digest
from surveys.digest_format import digest_to_dict
from surveys.story import tell_story
from surveys.weeks import week_of

ZONES_NOTE = (
    " Each pulse goes out at 10:00 where the person is (the bot learns time zones from Slack"
    " when the first round opens)."
)


def banner(
    transcript: Transcript,
    stage: Stage,
    team: Sequence[Person],
    weeks: int,
    *,
    kept_in: Path | None = None,
) -> None:
    """Say what is about to happen and who is in the partnership (the manager first)."""
    transcript.heading("Partnership Pulse · demo")
    database = (
        f"a fresh database is used and kept in {kept_in}"
        if kept_in
        else "a fresh database is used and thrown away"
    )
    transcript.paragraph(
        f"A stand-in Slack workspace is running at {stage.slack.base_url}, and the bot "
        f"serves signed Slack requests at {stage.server.url}/slack/events. Nothing "
        f"leaves this machine; {database}."
    )
    transcript.say()
    manager, members = team[0], len(team) - 1
    transcript.say(f"#{CHANNEL_NAME}: {manager.real_name} (manager) and {members} partners")
    for partner, names in organisations(team).items():
        transcript.say(f"  {partner.name} ({how_they_join(partner)}): {', '.join(names)}")
    transcript.say("  Also in the channel: the Pulse app, a minutes bot and a deactivated account")
    transcript.say("  (none of them should ever get a pulse).")
    transcript.say()
    drifting = ", ".join(short(behaviour(i).favourable, 26) for i in DRIFTING)
    zones = ZONES_NOTE if len({p.tz for p in team}) > 1 else ""
    transcript.paragraph(
        f"{weeks} weeks from {week_of(FIRST_MONDAY)} on a simulated clock; times below "
        f"are London time.{zones} Planted: on {len(DRIFTING)} behaviours ({drifting}) the "
        'partnership drifts from "them" towards "us"; the others hold steady. Watch the '
        "index and “Where are we going”. Each organisation also starts with a lean of its "
        "own that fades over the weeks: watch “How do our partners see it”."
    )


def organisations(team: Iterable[Person]) -> dict[Partner, list[str]]:
    """Names by organisation, with the place of anyone outside the team's time zone."""
    grouped: dict[Partner, list[str]] = {}
    for person in team:
        label = person.real_name
        if person.tz != TEAM_ZONE:
            label += f" ({person.place})"
        grouped.setdefault(person.partner, []).append(label)
    return grouped


def how_they_join(partner: Partner) -> str:
    """How an organisation's people are in the channel, in a few words."""
    if partner.dm_refused:
        return "Slack Connect, from its own workspace; no DMs allowed, so prompts come in-channel"
    if partner.joins_through_slack_connect:
        return "Slack Connect, from its own workspace"
    if partner is COUNCIL:
        return "the workspace the bot is installed in"
    return f"guests in the council's workspace, @{partner.email_domain}"


def findings(transcript: Transcript, digests: Sequence[Digest]) -> None:
    """What was planted, what the digests named, and where the index ended up."""
    transcript.say()
    transcript.heading("What the digests found")
    named: dict[str, list[str]] = {}
    for digest in digests:
        for item in digest.asked:
            if item.figure.shift == "towards_favourable":
                named.setdefault(item.behaviour.id, []).append(digest.week)
    transcript.say("Planted to drift towards “us”   → digests that named the move")
    for line in named_lines(DRIFTING, named):
        transcript.say(line)
    false_alarms = [i for i in named if i not in DRIFTING]
    transcript.say("Planted to hold steady          → digests that named a move")
    for line in named_lines(false_alarms, named) or ["  none: no false alarms"]:
        transcript.say(line)
    transcript.say(index_line(digests))


def named_lines(ids: Iterable[str], named: dict[str, list[str]]) -> list[str]:
    """One line per behaviour with the weeks a digest named it (— for never)."""
    return [
        f"  {short(behaviour(i).favourable, 30):<30} {', '.join(named.get(i, ['—']))}" for i in ids
    ]


def index_line(digests: Sequence[Digest]) -> str:
    """The overall figure from its first to its last week, and the last digest's trend."""
    if not digests:
        return "No digests."
    last = digests[-1]
    history = last.overall.history if last.overall else ()
    trend = tell_story(last).trend.wording
    if not history:
        return f"Overall: not shown yet (every behaviour needs a reading). {trend}"
    first, final = history[0], history[-1]
    return (
        f"Overall: {first.score:+.2f} in {first.week} → {final.score:+.2f} in {final.week}.\n"
        f"Trend: {trend}"
    )


def final_digest(transcript: Transcript, digests: Sequence[Digest]) -> None:
    """The last digest as SPEC §4 JSON, as `bot.py digest show --format json` prints it."""
    if not digests:
        return
    last = digests[-1]
    transcript.say()
    transcript.say(f"The {last.week} digest as data (`bot.py digest show --format json`):")
    transcript.say(spec_json(digest_to_dict(last)))


def spec_json(data: dict[str, Any]) -> str:
    """SPEC §4 JSON, indented, with each behaviour on one line so 13 of them stay readable."""
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        if key == "behaviours":
            rows = [json.dumps(item, ensure_ascii=False) for item in value]
            lines.append('  "behaviours": [')
            lines += [f"    {row}{',' if j < len(rows) - 1 else ''}" for j, row in enumerate(rows)]
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def checks(transcript: Transcript, stage: Stage, digests: Sequence[Digest]) -> None:
    """Confirm the last digest is in the channel and that Slack saw nothing malformed."""
    slack = stage.slack
    transcript.say()
    transcript.heading("Checks")
    posted = [m for m in slack.messages_in(CHANNEL_ID) if is_digest(m, "")]
    last_week = digests[-1].week if digests else "?"
    if posted and is_digest(posted[-1], last_week):
        transcript.say(
            f"✓ the {last_week} digest is the latest digest in #{CHANNEL_NAME} "
            f"({len(posted)} posted, one a week)"
        )
    else:
        transcript.problem(f"the {last_week} digest is not in #{CHANNEL_NAME}")
    if slack.uploaded_files:
        transcript.say(f"✓ {len(slack.uploaded_files)} digest chart(s) uploaded beside the digests")
    calls = Counter(call.method for call in slack.calls)
    by_method = " · ".join(f"{m} {n}" for m, n in calls.most_common())
    transcript.say(f"✓ {sum(calls.values())} Slack Web API calls by the bot: {by_method}")
    transcript.say(
        f"  ({stage.requests} signed requests sent to the bot: /pulse commands and clicks)"
    )
    problems = slack.block_kit_problems
    if problems:
        transcript.problem(f"Block Kit problems: {problems[:3]}")
    else:
        transcript.say("✓ block_kit_problems is empty: every message passed the Block Kit check")
    if not any(slack.dms_to(user_id) for user_id in NEVER_ASKED):
        transcript.say("✓ the Pulse app, the minutes bot and the deactivated account got no DMs")
    if slack.internal_errors:
        transcript.problem(f"the stand-in hit internal errors: {slack.internal_errors[:3]}")
