"""Documentation matches what is there: every CLI command has help text and a README entry,
every public view and each of its columns is documented in warehouse/README.md."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kabar.cli import build_parser
from warehouse.migrate import apply_migrations, apply_views

ROOT = Path(__file__).resolve().parent.parent


def commands() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(commands()))
def test_command_has_help_and_readme_entry(name: str) -> None:
    sub = commands()[name]
    assert sub.description and len(sub.description) > 30, f"`kabar {name}` lacks a description"
    for action in sub._actions:
        if action.dest != "help":
            assert action.help, f"`kabar {name}` option {action.option_strings or action.dest} has no help"
    assert f"`kabar {name}" in (ROOT / "README.md").read_text(encoding="utf-8"), f"README lacks `kabar {name}`"


def test_every_view_and_column_is_documented(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_migrations(con)
    views = apply_views(con)
    doc = (ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    for view in views:
        assert f"## {view}\n" in doc, f"warehouse/README.md has no section for view {view}"
        section = doc.split(f"## {view}\n", 1)[1].split("\n## ", 1)[0]
        columns = [r[0] for r in con.execute(f"DESCRIBE main.{view}").fetchall()]
        for column in columns:
            assert f"| {column} " in section or f"| {column}," in section or f", {column} |" in section, (
                f"column {view}.{column} is not documented")
