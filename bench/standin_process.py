"""`python -m bench.standin_process USERS CHANNEL`: a stand-in Slack in a process of its own.

Prints one JSON line with its URLs, then answers commands read from stdin (`stats`,
`check N`) with one JSON line each, and stops when stdin closes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from bench.slack import sampled_problems, schema_check_off, standin, user_ids, workspace_with


def main(argv: list[str]) -> int:
    """Serve until stdin closes."""
    users = user_ids(int(argv[0]))
    workspace = workspace_with(users, {argv[1]: users})
    with schema_check_off(), standin(workspace) as slack:
        _say({"api_url": slack.api_url, "base_url": slack.base_url})
        for line in sys.stdin:
            command, *args = line.split()
            if command == "stats":
                calls = slack.calls
                _say(
                    {
                        "calls": dict(Counter(c.method for c in calls if c.ok)),
                        "failed": sum(not c.ok for c in calls),
                        "rate_limited": slack.rate_limited,
                        "responses": len(slack.responses),
                        "problems": len(slack.block_kit_problems),
                        "internal_errors": len(slack.internal_errors),
                    }
                )
            elif command == "check":
                messages = [m for u in users for m in slack.dms_to(u)]
                checked, problems = sampled_problems(messages, sample=int(args[0]))
                _say({"checked": checked, "problems": problems})
    return 0


def _say(answer: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
