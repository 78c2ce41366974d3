"""Partner organisations end to end, through signed HTTP against the stand-in Slack: a
manager assigns people and email domains in the settings modal, App Home tells each member
which organisation they count in, and a closed round keeps an organisation's name on its
answers only where that organisation is big enough to hide in (SPEC §5, docs/METHOD.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from services import digests as digest_service
from services import settings as settings_service
from standin import StandInSlack
from storage.models import Answer, Member
from surveys.digest_format import digest_to_dict, digest_to_text
from surveys.export import export_csv
from tests.pulse_flow import SURVEYED, click, close_round, digest_json, send_round, setup_team
from tests.support import (
    MANAGER,
    MEMBERS,
    OUTSIDER,
    TEAM_CHANNEL,
    RunningBot,
    standard_workspace,
    wait_for,
)
from tests.support import (
    ROUND_WEEK as WEEK,
)
from tests.test_settings import open_settings

COUNCIL, NHS, POLICE = "Leeds City Council", "NHS Leeds", "West Yorkshire Police"
COUNCIL_PEOPLE = MEMBERS[:4]  # by email domain leeds.gov.uk
NHS_PEOPLE = MEMBERS[4:8]  # by email domain nhs.net
# The manager is assigned to the police by person.


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    """The standard team, its members' emails at their organisations' domains."""
    workspace = standard_workspace()
    for i, user in enumerate(COUNCIL_PEOPLE):
        workspace.update_user(user, email=f"person{i}@leeds.gov.uk")
    for i, user in enumerate(NHS_PEOPLE):
        workspace.update_user(user, email=f"person{i}@NHS.net")
    with StandInSlack(workspace) as server:
        yield server
        assert server.block_kit_problems == [], server.block_kit_problems


def setup_partnership(running: RunningBot) -> None:
    """/pulse setup, then wait until the bot has looked every member up (it does so after
    answering)."""
    setup_team(running)

    def looked_up() -> bool:
        with running.bot.db.reading() as session:
            domains = session.scalars(select(Member.email_domain)).all()
        return len(domains) == len(SURVEYED) + 2 and None not in domains

    wait_for(looked_up)


def submit_organisations(
    running: RunningBot, slots: list[tuple[str, list[str], str]], threshold: str | None = None
) -> dict[str, Any]:
    """Open the settings modal and submit it with these organisation slots filled in."""
    view = open_settings(running)
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            values[block["block_id"]] = {element["action_id"]: _shown(element)}
    for i, (name, people, domains) in enumerate(slots, start=1):
        assert f"org_name_{i}" in values, "the modal offers a slot for each organisation"
        values[f"org_name_{i}"][f"org_name_{i}"]["value"] = name
        values[f"org_people_{i}"][f"org_people_{i}"]["selected_users"] = people
        values[f"org_domains_{i}"][f"org_domains_{i}"]["value"] = domains
    if threshold is not None:
        values["threshold"]["threshold"]["value"] = threshold
    reply = running.sender.view_submission(
        user_id=MANAGER,
        view={
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    assert reply.status == 200, reply.text
    return reply.json()


def _shown(element: dict[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": element.get("initial_users", [])}
    return {"type": kind, "value": element.get("initial_value")}


def _settings(running: RunningBot) -> settings_service.TeamSettings:
    return settings_service.settings_for_manager(
        db=running.bot.db, workspace_id="T0STANDIN", channel_id=TEAM_CHANNEL, user_id=MANAGER
    )


def home_text(running: RunningBot, user: str) -> str:
    """App Home as published after the member opens it."""

    def published() -> list[Any]:
        return [c for c in running.slack.calls_to("views.publish") if c.args["user_id"] == user]

    before = len(published())
    running.sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
    call = wait_for(lambda: published()[before:])[-1]
    view = call.args["view"]
    return json.dumps(json.loads(view) if isinstance(view, str) else view)


ASSIGNMENT = [
    (COUNCIL, [], "leeds.gov.uk"),
    (NHS, [], "nhs.net"),
    (POLICE, [MANAGER], ""),
]


def test_a_manager_assigns_by_person_and_by_email_domain_and_app_home_tells_each_member(
    running: RunningBot,
) -> None:
    setup_partnership(running)
    answer = submit_organisations(running, ASSIGNMENT)
    assert answer["response_action"] == "update", answer
    assert "Leeds City Council (leeds.gov.uk)" in json.dumps(answer["view"])
    assert [o.name for o in _settings(running).organisations] == [COUNCIL, NHS, POLICE]
    assert f"counted in *{COUNCIL}*" in home_text(running, COUNCIL_PEOPLE[0])
    assert f"counted in *{NHS}*" in home_text(running, NHS_PEOPLE[1])  # NHS.net, any case
    assert f"counted in *{POLICE}*" in home_text(running, MANAGER)
    reopened = open_settings(running)
    names = [b["element"].get("initial_value") for b in reopened["blocks"] if
             b.get("block_id", "").startswith("org_name_")]  # fmt: skip
    assert names[:3] == [COUNCIL, NHS, POLICE]


def test_an_unassigned_member_counts_in_the_installing_workspace(running: RunningBot) -> None:
    setup_partnership(running)
    submit_organisations(running, [(POLICE, [MANAGER], "")])
    # The installing workspace, named as team.info names it once members are refreshed.
    assert "counted in *Stand-in Workspace*" in home_text(running, MEMBERS[0])


@pytest.mark.parametrize(
    ("slots", "field", "words"),
    [
        ([(COUNCIL, [OUTSIDER], "")], "org_people_1", "not a member"),
        ([(COUNCIL, [], "leeds gov uk!")], "org_domains_1", "not an email domain"),
        ([(COUNCIL, [], "leeds.gov.uk"), ("leeds city council", [], "")], "org_name_2", "twice"),
        ([(COUNCIL, [MANAGER], ""), (NHS, [MANAGER], "")], "org_people_2", "already"),
        ([(COUNCIL, [], "nhs.net"), (NHS, [], "nhs.net")], "org_domains_2", "already"),
        ([("", [MANAGER], "")], "org_name_1", "Name this organisation"),
        ([("Other partners", [], "")], "org_name_1", "other than"),
    ],
)
def test_bad_organisations_get_a_clear_error_and_change_nothing(
    running: RunningBot, slots: list[tuple[str, list[str], str]], field: str, words: str
) -> None:
    setup_partnership(running)
    submit_organisations(running, [(POLICE, [MANAGER], "")])
    before = _settings(running)
    answer = submit_organisations(running, slots, threshold="7")
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field]
    assert words in answer["errors"][field]
    assert _settings(running) == before  # the threshold typed beside it was not saved either


def _labels(running: RunningBot) -> dict[str | None, int]:
    with running.bot.db.reading() as session:
        rows = session.execute(select(Answer.organisation, Answer.respondent)).all()
    people: dict[str | None, set[int]] = {}
    for organisation, respondent in rows:
        people.setdefault(organisation, set()).add(respondent)
    return {name: len(who) for name, who in people.items()}


def test_a_closed_answer_names_only_an_organisation_big_enough_to_hide_in(
    running: RunningBot,
) -> None:
    """Council 4, NHS 4, police 1 at threshold 3: the police alone would be named by
    elimination, so the smaller of the others (the council, by name at a tie) is left
    unnamed with it; only the NHS's answers carry a name."""
    setup_partnership(running)
    submit_organisations(running, ASSIGNMENT, threshold="3")
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 2 + i % 3)
    close_round(running)
    assert _labels(running) == {NHS: 4, None: 5}


def _outputs(running: RunningBot) -> str:
    """Every published output of the week: digest JSON and text, the posted message, the
    manager's /pulse summary, the export and a member's App Home."""
    digest = digest_service.build_digest(db=running.bot.db, channel_id=TEAM_CHANNEL, week=WEEK)
    posted = [m for m in running.slack.messages_in(TEAM_CHANNEL) if m.blocks]
    before = len(running.slack.responses)
    running.command("summary")
    summary = wait_for(lambda: running.slack.responses[before:] or None)
    digests = digest_service.published_digests(db=running.bot.db, channel_id=TEAM_CHANNEL)
    return "\n".join(
        [
            json.dumps(digest_to_dict(digest.digest)),
            digest_to_text(digest.digest),
            json.dumps([m.blocks for m in posted]),
            json.dumps(summary[-1]["body"]),
            export_csv(digests),
            home_text(running, NHS_PEOPLE[0]),
        ]
    )


def test_a_digest_of_three_organisations_folds_the_small_one(running: RunningBot) -> None:
    """Council 4, NHS 4, police 1 at threshold 3: the police fold into "Other partners", and
    the council with them (else the team less the two would be the police)."""
    setup_partnership(running)
    submit_organisations(running, ASSIGNMENT, threshold="3")
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 2 + i % 3)
    close_round(running)
    digest = digest_json(running, WEEK)
    names = [o["name"] for o in digest["organisations"]]
    assert names == [NHS, "Other partners"]
    nhs, other = digest["organisations"]
    assert nhs["n"] == 4 and not nhs["index"]["suppressed"]
    assert other["n"] == 5 and not other["index"]["suppressed"]
    assert set(nhs) == {"name", "n", "index", "behaviours"}
    assert set(nhs["index"]) == {"score", "suppressed"}
    assert digest["convergence"]["shift"] == "insufficient_data"
    published = _outputs(running)
    assert "Each organisation" in published
    assert POLICE not in published and COUNCIL not in published


def test_the_last_organisation_left_is_withheld_with_the_one_beside_it(
    running: RunningBot,
) -> None:
    """Council 5 (the manager assigned to it) and NHS 4 at threshold 3: on the second
    question only two NHS people answer, so the NHS's figure is withheld — and the
    council's too, since the team's less the council's would be the NHS's two."""
    setup_partnership(running)
    submit_organisations(
        running, [(COUNCIL, [MANAGER], "leeds.gov.uk"), (NHS, [], "nhs.net")], threshold="3"
    )
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 2 + i % 3)
        skips = user in NHS_PEOPLE[2:]
        click(running, user, 1, None if skips else 1 + i % 4)
    close_round(running)
    digest = digest_json(running, WEEK)
    second = next(b for b in digest["behaviours"] if b["n"] == 7)
    assert not second["suppressed"]
    assert [o["name"] for o in digest["organisations"]] == [COUNCIL, NHS]
    for organisation in digest["organisations"]:
        figure = next(b for b in organisation["behaviours"] if b["id"] == second["id"])
        assert figure == {"id": second["id"], "n": None, "score": None, "suppressed": True}
        assert organisation["index"]["suppressed"]  # it would give the second away
    first = next(b for b in digest["behaviours"] if b["n"] == 9)
    shown = [
        b["n"] for o in digest["organisations"] for b in o["behaviours"] if b["id"] == first["id"]
    ]
    assert shown == [5, 4]
