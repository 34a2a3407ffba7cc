"""`kabar sources` (bare): prints the source_health view, flagged sources first, exit 1 if any."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kabar.cli import main
from warehouse.connection import open_writer


def add_run(path: Path, run_id: str, when: datetime, outcomes: dict[str, tuple[str, str | None]]) -> None:
    with open_writer(path) as con:
        for source, (status, reason) in outcomes.items():
            con.execute(
                "INSERT INTO store.run_sources VALUES (?, ?, ?, 3, 3, 3, 0, 3, ?, ?)",
                [run_id, source, status, reason, when])


def test_sources_prints_health_and_flags_a_failing_feed(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "kabar.duckdb"
    now = datetime.now(timezone.utc)
    add_run(warehouse, "r1", now - timedelta(days=2), {"antara": ("ok", None), "tempo": ("ok", None)})
    add_run(warehouse, "r2", now - timedelta(days=1), {"antara": ("failing", "HTTP 503 (3x)"), "tempo": ("ok", None)})
    add_run(warehouse, "r3", now, {"antara": ("failing", "HTTP 503 (3x)"), "tempo": ("ok", None)})
    assert main(["sources", "--warehouse", str(warehouse)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[2].split()[:2] == ["antara", "started_failing"]  # flagged first
    assert "HTTP 503" in lines[2]
    assert "1 source(s) need attention: antara" in out
    assert main(["sources", "--warehouse", str(warehouse), "--format", "json"]) == 1
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["antara"]["consecutive_failed_runs"] == 2 and rows["tempo"]["status"] == "ok"


def test_sources_all_healthy_exits_0_and_a_missing_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "kabar.duckdb"
    add_run(warehouse, "r1", datetime.now(timezone.utc), {"tempo": ("ok", None)})
    assert main(["sources", "--warehouse", str(warehouse)]) == 0
    assert main(["sources", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no warehouse" in err
