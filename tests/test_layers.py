"""The layers in the README's layout table hold: each folder imports only what it may.

Every import is read from the source with `ast` (those inside functions too), so a new
module that reaches across a layer fails here, whoever writes it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The bot's own layers, lowest first: a package imports only packages of a lower rank (and
# itself). Packages of the same rank do not import each other.
RANKS = {
    "surveys": 0,
    "config": 0,
    "metrics": 0,
    "storage": 1,
    "charts": 1,
    "services": 2,
    "blocks": 3,
    "delivery": 4,
    "handlers": 5,
    "jobs": 5,
    "runtime": 6,
    "bot": 7,
}
# Beside the bot: the stand-in Slack, the demo, the calibration, the benchmarks, the tests.
BESIDE = ("standin", "demo", "calibration", "bench", "tests")
FIRST_PARTY = frozenset(RANKS) | frozenset(BESIDE)

# Imports a rule would refuse that are there on purpose, each with its reason.
ALLOWED = {
    ("bot", "demo"): "bot.py dispatches `python bot.py demo`; nothing of the bot imports it",
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, and where it is."""

    package: str  # the folder (or bot.py) the importing module is in
    where: str
    module: str  # the imported module's dotted name

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        return f"{self.where} imports {self.module}"


def _package(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else path.stem


def _modules() -> Iterator[Path]:
    yield REPO / "bot.py"
    for folder in (*RANKS, *BESIDE):
        if folder != "bot":
            yield from sorted((REPO / folder).rglob("*.py"))


def imports_of(path: Path, root: Path = REPO) -> Iterator[Import]:
    """Every absolute import in one module; a relative one stays in its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _package(path, root)
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(package, where, alias.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield Import(package, where, node.module)


ALL_IMPORTS = [i for path in _modules() for i in imports_of(path)]


def _refused(imports: list[Import], reason: str) -> list[str]:
    return [f"{i} ({reason})" for i in imports if (i.package, i.top) not in ALLOWED]


def test_standin_imports_nothing_of_the_bot() -> None:
    wrong = [
        i
        for i in ALL_IMPORTS
        if i.package == "standin" and i.top in FIRST_PARTY and i.top != "standin"
    ]
    assert _refused(wrong, "the stand-in Slack must stand alone") == []


@pytest.mark.parametrize("framework", ["slack_sdk", "slack_bolt", "sqlalchemy"])
def test_the_domain_imports_no_slack_and_no_sql(framework: str) -> None:
    wrong = [i for i in ALL_IMPORTS if i.package == "surveys" and i.top == framework]
    assert _refused(wrong, "surveys/ is the domain") == []


def test_handlers_reach_the_database_only_through_services() -> None:
    wrong = [
        i for i in ALL_IMPORTS if i.package == "handlers" and i.top in {"sqlalchemy", "storage"}
    ]
    assert _refused(wrong, "a handler calls a service") == []


# Layers above storage reach the database only through storage's functions, records and
# errors: never SQLAlchemy, never the ORM models. runtime/ assembles the parts and may
# import what it needs (the engine URL's parser, the driver's errors at /healthz).
ABOVE_STORAGE = ("services", "delivery", "handlers", "jobs")
# Libraries that keep their own tables through SQLAlchemy, each allowed where it is used.
SQL_ALLOWED = {
    (
        "delivery/installations.py",
        "slack_sdk.oauth.installation_store.sqlalchemy",
    ): "slack_sdk's installation store keeps OAuth installs in its own tables",
    (
        "jobs/scheduler.py",
        "apscheduler.jobstores.sqlalchemy",
    ): "APScheduler's job store keeps the schedule in the database, for every process",
}


def _reaches_sql(i: Import) -> bool:
    parts = i.module.split(".")
    return "sqlalchemy" in parts or i.module.startswith("storage.models")


def test_layers_above_storage_import_no_sqlalchemy_and_no_models() -> None:
    wrong = [
        f"{i} (storage's functions, records and errors are the way to the database)"
        for i in ALL_IMPORTS
        if i.package in ABOVE_STORAGE
        and _reaches_sql(i)
        and (i.where.split(":")[0], i.module) not in SQL_ALLOWED
    ]
    assert wrong == []


def test_each_sql_allowance_is_still_needed() -> None:
    used = {(i.where.split(":")[0], i.module) for i in ALL_IMPORTS}
    assert set(SQL_ALLOWED) <= used, set(SQL_ALLOWED) - used


def _units_of_work(tree: ast.AST) -> set[str]:
    """Names a module gives a unit of work: `with db.transaction() as x` / `reading()`, and
    parameters annotated `UnitOfWork`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in {"transaction", "reading"}
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    names.add(item.optional_vars.id)
        elif (
            isinstance(node, ast.arg)
            and node.annotation is not None
            and ast.unparse(node.annotation) == "UnitOfWork"
        ):
            names.add(node.arg)
    return names


def unit_of_work_uses(path: Path, root: Path = REPO) -> Iterator[str]:
    """Every attribute of a unit of work a module touches (a method called, a row added)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = _units_of_work(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            yield f"{path.relative_to(root)}:{node.lineno} uses {node.value.id}.{node.attr}"


def test_services_pass_the_unit_of_work_on_and_never_call_it() -> None:
    used = [
        u for path in sorted((REPO / "services").rglob("*.py")) for u in unit_of_work_uses(path)
    ]
    assert used == [], "a service hands its unit of work to storage's functions"


def test_a_service_calling_its_unit_of_work_is_seen(tmp_path: Path) -> None:
    probe = tmp_path / "services" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(
        "def f(db, uow: UnitOfWork) -> None:\n"
        "    uow.flush()\n"
        "    with db.transaction() as session:\n"
        "        session.execute('DELETE FROM teams')\n"
    )
    assert list(unit_of_work_uses(probe, root=tmp_path)) == [
        "services/probe.py:2 uses uow.flush",
        "services/probe.py:4 uses session.execute",
    ]


def test_nothing_in_the_bot_imports_a_layer_above_or_beside_it() -> None:
    wrong = [
        i
        for i in ALL_IMPORTS
        if i.package in RANKS
        and i.top in RANKS
        and i.top != i.package
        and RANKS[i.top] >= RANKS[i.package]
    ]
    assert _refused(wrong, "imports point down the layers") == []


def test_the_bot_imports_nothing_of_the_tools_beside_it() -> None:
    wrong = [i for i in ALL_IMPORTS if i.package in RANKS and i.top in BESIDE]
    assert _refused(wrong, "the bot runs without its stand-ins, demo and benchmarks") == []


def test_the_calibration_reads_only_the_domain() -> None:
    wrong = [
        i
        for i in ALL_IMPORTS
        if i.package == "calibration" and i.top in FIRST_PARTY - {"calibration", "surveys"}
    ]
    assert _refused(wrong, "calibration/ checks surveys/' statistics alone") == []


def test_every_folder_of_the_bot_is_placed_in_a_layer() -> None:
    folders = {p.parent.name for p in REPO.glob("*/__init__.py")}
    assert folders <= FIRST_PARTY, folders - FIRST_PARTY


def test_an_import_inside_a_function_is_seen(tmp_path: Path) -> None:
    probe = tmp_path / "standin" / "probe.py"
    probe.parent.mkdir()
    probe.write_text("import json\n\n\ndef f() -> None:\n    from storage.models import Team\n")
    found = [str(i) for i in imports_of(probe, root=tmp_path)]
    assert found == ["standin/probe.py:1 imports json", "standin/probe.py:5 imports storage.models"]
