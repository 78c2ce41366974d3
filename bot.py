"""Partnership Pulse: a Slack bot for weekly pulse surveys on partnership behaviours.

This file parses arguments and hands over to the command; nothing more.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from config.settings import MissingSetting, load_settings
from runtime import cli
from runtime.logs import configure_logging
from services.errors import PulseError
from surveys.review import BadQuarter
from surveys.weeks import BadWeek


def _week_and_team(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", required=True, metavar="CHANNEL_ID", help="the team's channel id")
    parser.add_argument(
        "--week", metavar="YYYY-Www", help="the round's period (default: the current ISO week)"
    )


def build_parser() -> argparse.ArgumentParser:
    """Every command of `python bot.py`, each with its own --help."""
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="HTTP mode: Slack requests on POST /slack/events")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes answering requests (default PULSE_WORKERS, or 2)",
    )
    serve.add_argument("--threads", type=int, help="threads per worker (default 8)")

    commands.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)")
    commands.add_parser(
        "check",
        help="say whether the tokens, scopes, database and team channels are ready, and how "
        "to fix what is not",
    )

    pulse = commands.add_parser("pulse", help="rounds")
    pulse_commands = pulse.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = pulse_commands.add_parser("send", help="open a round and DM its prompts not yet sent")
    _week_and_team(send)

    digest = commands.add_parser("digest", help="digests")
    digest_commands = digest.add_subparsers(dest="action", required=True, metavar="ACTION")
    post = digest_commands.add_parser("post", help="post a week's digest to the team channel")
    _week_and_team(post)
    show = digest_commands.add_parser("show", help="print a week's digest")
    _week_and_team(show)
    show.add_argument("--format", choices=("json", "text"), default="text", help="output format")

    export = commands.add_parser("export", help="print a team's published figures")
    export.add_argument("--team", required=True, metavar="CHANNEL_ID", help="the team's channel id")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="output format")

    review = commands.add_parser("review", help="partnership reviews")
    review_commands = review.add_subparsers(dest="action", required=True, metavar="ACTION")
    review_show = review_commands.add_parser(
        "show", help="print a team's review: each question's spread beside the previous one's"
    )
    review_show.add_argument(
        "--team", required=True, metavar="CHANNEL_ID", help="the team's channel id"
    )
    review_show.add_argument(
        "--quarter", metavar="YYYY-Qn", help="the review's quarter (default: the latest)"
    )
    review_show.add_argument(
        "--format", choices=("json", "text"), default="text", help="output format"
    )

    report = commands.add_parser("report", help="write a team's quarterly board report (PDF)")
    report.add_argument("--team", required=True, metavar="CHANNEL_ID", help="the team's channel id")
    report.add_argument("--quarter", required=True, metavar="YYYY-Qn", help="the quarter")
    report.add_argument(
        "--output", metavar="FILE", help="where to write it (default partnership-report-….pdf)"
    )

    demo = commands.add_parser("demo", help="the whole loop against a local stand-in workspace")
    demo.add_argument("--weeks", type=int, default=8, help="weeks to simulate (default 8)")
    demo.add_argument(
        "--members", type=int, default=27, help="partners besides the manager (default 27)"
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument(
        "--save", metavar="DIR", help="also save the last digest, its chart and a prompt to DIR"
    )
    demo.add_argument(
        "--keep",
        metavar="FILE",
        help="keep the demo's database in FILE (a new SQLite file), to try digest show and "
        "export on it",
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply schema migrations")
    return parser


def run(args: argparse.Namespace) -> int:
    """Dispatch to the command."""
    settings = load_settings()
    # The demo narrates what the bot does; its log lines would only interrupt the story.
    configure_logging(
        settings.log_format, level=logging.WARNING if args.command == "demo" else logging.INFO
    )
    if args.command == "serve":
        return cli.serve(
            settings, port=args.port, host=args.host, workers=args.workers, threads=args.threads
        )
    if args.command == "socket":
        return cli.socket(settings)
    if args.command == "check":
        from runtime.check import check

        return check(settings)
    if args.command == "pulse":
        return cli.pulse_send(settings, team=args.team, week=args.week)
    if args.command == "digest" and args.action == "post":
        return cli.digest_post(settings, team=args.team, week=args.week)
    if args.command == "digest":
        return cli.digest_show(settings, team=args.team, week=args.week, fmt=args.format)
    if args.command == "export":
        return cli.export(settings, team=args.team, fmt=args.format)
    if args.command == "review":
        return cli.review_show(settings, team=args.team, quarter=args.quarter, fmt=args.format)
    if args.command == "report":
        return cli.report(settings, team=args.team, quarter=args.quarter, output=args.output)
    if args.command == "demo":
        from demo.run import run_demo

        save_to = Path(args.save) if args.save else None
        keep = Path(args.keep) if args.keep else None
        return run_demo(
            weeks=args.weeks, members=args.members, seed=args.seed, save_to=save_to, keep=keep
        )
    return cli.db_upgrade(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run, and turn known failures into a clear message and exit status."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (MissingSetting, BadWeek, BadQuarter, PulseError) as error:
        return cli.fail(str(error))


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
