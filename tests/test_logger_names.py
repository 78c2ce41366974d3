"""Every module of the bot logs under its own dotted name, so a log line says where it came from.

A logger named by hand drifts from the module that uses it when the module moves; one named
`__name__` cannot. Fixed names stay allowed only for other people's libraries, whose
loggers the bot quietens or filters.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".venv", ".git", "tests", "demo-output"}


def _own_modules() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not SKIPPED.intersection(path.relative_to(ROOT).parts[:-1])
    ]


def _is_third_party(name: str) -> bool:
    """A logger name is someone else's when its top package imports from outside this tree."""
    spec = importlib.util.find_spec(name.split(".")[0])
    if spec is None or spec.origin is None:
        return False
    return not Path(spec.origin).resolve().is_relative_to(ROOT) or ".venv" in spec.origin


def _fixed_names(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "getLogger"
            and node.args
        ):
            continue
        argument = node.args[0]
        if isinstance(argument, ast.Name) and argument.id == "__name__":
            continue
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            if _is_third_party(argument.value):
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {argument.value!r}")
        elif not isinstance(argument, ast.JoinedStr | ast.Name):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(argument)}")
    return found


def test_the_bots_own_loggers_are_named_for_their_modules() -> None:
    modules = _own_modules()
    assert any(path.name == "bot.py" for path in modules)
    fixed = [line for path in modules for line in _fixed_names(path)]
    assert fixed == []
