"""One ingest run at a time per DuckDB warehouse file: a run lock file beside the warehouse.

DuckDB lets one process write a file at a time, and the loader opens it per batch, so two runs
would interleave their batches and their run bookkeeping. The lock file ``<warehouse>.run.lock``
holds the running run's id, start time, host and PID (JSON). A second run waits up to
``wait_s`` for it to go, then fails with "warehouse busy: run R started at T". A lock whose PID
is dead (same host) is stale: it is taken over. Readers never take this lock.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from warehouse.connection import WarehouseError

LOGGER = logging.getLogger(__name__)


def lock_path(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".run.lock")


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine (False for no pid)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_lock(warehouse: str | Path) -> dict | None:
    """The holder of the lock ({run_id, started_at, host, pid}), or None when unlocked."""
    try:
        return json.loads(lock_path(warehouse).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # being written, or garbage: treated as held by an unknown run


def _stale(holder: dict) -> bool:
    return holder.get("host") == socket.gethostname() and not pid_alive(int(holder.get("pid") or 0))


def acquire(warehouse: str | Path, run_id: str, *, wait_s: float = 0.0) -> None:
    """Take the run lock for ``run_id``, waiting up to ``wait_s``; WarehouseError when busy."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"run_id": run_id, "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "host": socket.gethostname(), "pid": os.getpid()})
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = read_lock(warehouse)
            if holder is None:
                continue
            if holder and _stale(holder):
                # Rename first, so two processes taking over one stale lock cannot both win.
                grave = path.with_name(f"{path.name}.stale.{os.getpid()}")
                try:
                    os.rename(path, grave)
                    os.unlink(grave)
                    LOGGER.warning("took over the stale run lock of run %s (pid %s)", holder.get("run_id"), holder.get("pid"))
                except FileNotFoundError:
                    pass
                continue
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"warehouse busy: run {holder.get('run_id', '?')} started at {holder.get('started_at', '?')} "
                    f"(pid {holder.get('pid', '?')} on {holder.get('host', '?')}; lock {path})"
                )
            time.sleep(0.2)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        return


def release(warehouse: str | Path, run_id: str) -> None:
    """Drop the run lock if ``run_id`` holds it."""
    holder = read_lock(warehouse)
    if holder and holder.get("run_id") == run_id:
        lock_path(warehouse).unlink(missing_ok=True)
