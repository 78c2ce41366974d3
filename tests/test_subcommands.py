"""/pulse's subcommand tables: every subcommand the parser accepts is answered."""

from __future__ import annotations

from handlers.commands import QUICK, SLOW, SLOW_REPLIES
from handlers.parsing import SUBCOMMANDS


def test_every_subcommand_the_parser_accepts_has_an_ack_reply() -> None:
    assert set(QUICK) == SUBCOMMANDS


def test_every_slow_subcommand_is_answered_after_the_ack() -> None:
    assert set(SLOW_REPLIES) == SLOW
    assert SLOW <= SUBCOMMANDS
