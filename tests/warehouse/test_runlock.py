"""The run lock heals itself: a lock without a live owner (empty, unreadable, garbage, or of a dead
process) is taken over with a log line; a live one still makes a second run wait and fail."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from warehouse import runlock
from warehouse.connection import WarehouseError


def _aged(path: Path, seconds: float = 60.0) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"[1, 2]", b'{"run_id": "x"}', b'{"pid": "abc"}'])
def test_an_ownerless_lock_is_taken_over_with_a_line(tmp_path: Path, content: bytes, caplog) -> None:
    path = tmp_path / "kabar.duckdb"
    lock = runlock.lock_path(path)
    lock.write_bytes(content)
    _aged(lock)
    with caplog.at_level(logging.WARNING, logger="warehouse.runlock"):
        runlock.acquire(path, "mine")
    assert runlock.read_lock(path)["run_id"] == "mine"
    assert any("took over the run lock" in r.getMessage() for r in caplog.records)
    runlock.release(path, "mine")
    assert not lock.exists() and list(tmp_path.iterdir()) == []


def test_a_fresh_empty_lock_is_given_time_to_be_written(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    runlock.lock_path(path).write_bytes(b"")
    with pytest.raises(WarehouseError, match="warehouse busy"):
        runlock.acquire(path, "mine", wait_s=0.0)


def test_a_live_owner_keeps_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    lock = runlock.lock_path(path)
    lock.write_text(json.dumps({"run_id": "alive", "started_at": "2024-01-01T00:00:00+00:00",
                                "host": __import__("socket").gethostname(), "pid": os.getpid()}))
    _aged(lock)
    with pytest.raises(WarehouseError, match="warehouse busy: run alive"):
        runlock.acquire(path, "mine", wait_s=0.3)


def test_the_lock_is_never_seen_empty_while_it_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    for i in range(50):
        runlock.acquire(path, f"run-{i}")
        assert runlock.read_lock(path)["run_id"] == f"run-{i}"
        runlock.release(path, f"run-{i}")
    assert list(tmp_path.iterdir()) == []
