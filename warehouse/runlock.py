"""One ingest run at a time per DuckDB warehouse file: a run lock file beside the warehouse.

DuckDB lets one process write a file at a time, and the loader opens it per batch, so two runs
would interleave their batches and their run bookkeeping. The lock file ``<warehouse>.run.lock``
holds the running run's id, start time, host and PID (JSON). A second run waits up to
``wait_s`` for it to go, then fails with "warehouse busy: run R started at T". A lock whose PID
is dead (same host) is stale: it is taken over. So is a lock without an owner to check: empty,
unreadable or not kabar's JSON (left by a kill between creating and writing it by an older
version, or damaged) once it is older than ``UNOWNED_GRACE_S``. The lock is created with its
content in one step (written to a private file, then hard-linked to the lock name), so a live
run's lock is never seen empty. Every take-over is logged in one line. Readers never take it.
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

#: An ownerless (empty/garbage) lock younger than this may still be being written by hand.
UNOWNED_GRACE_S = 2.0


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
        holder = json.loads(lock_path(warehouse).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # empty, unreadable or garbage: held by nobody we can check
    return holder if isinstance(holder, dict) else {}


def _pid(holder: dict) -> int:
    try:
        return int(holder.get("pid") or 0)
    except (TypeError, ValueError):
        return 0


def _stale_reason(path: Path, holder: dict) -> str | None:
    """Why nobody owns the lock any more (a line for the log), or None while it may be owned."""
    if holder.get("run_id") and holder.get("pid"):
        if holder.get("host") == socket.gethostname() and not pid_alive(_pid(holder)):
            return f"run {holder.get('run_id')} (pid {holder.get('pid')}) is gone"
        return None
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    if age < UNOWNED_GRACE_S:
        return None
    return "it was empty or unreadable (no run to check)"


def _create(path: Path, body: str) -> bool:
    """Create the lock file with ``body`` atomically; False when it already exists."""
    private = path.with_name(f"{path.name}.{os.getpid()}.{time.monotonic_ns()}")
    private.write_text(body, encoding="utf-8")
    try:
        os.link(private, path)
        return True
    except FileExistsError:
        return False
    except OSError:
        # A file system without hard links: exclusive create, then write (a tiny empty window).
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        return True
    finally:
        private.unlink(missing_ok=True)


def acquire(warehouse: str | Path, run_id: str, *, wait_s: float = 0.0) -> None:
    """Take the run lock for ``run_id``, waiting up to ``wait_s``; WarehouseError when busy."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"run_id": run_id, "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "host": socket.gethostname(), "pid": os.getpid()})
    deadline = time.monotonic() + wait_s
    while True:
        if _create(path, body):
            return
        holder = read_lock(warehouse)
        if holder is None:
            continue
        reason = _stale_reason(path, holder)
        if reason:
            # Rename first, so two processes taking over one stale lock cannot both win.
            grave = path.with_name(f"{path.name}.stale.{os.getpid()}")
            try:
                os.rename(path, grave)
                os.unlink(grave)
                LOGGER.warning("took over the run lock %s: %s", path, reason)
            except FileNotFoundError:
                pass
            continue
        if time.monotonic() >= deadline:
            raise _busy(path, holder)
        time.sleep(0.2)


def _busy(path: Path, holder: dict) -> WarehouseError:
    return WarehouseError(
        f"warehouse busy: run {holder.get('run_id', '?')} started at {holder.get('started_at', '?')} "
        f"(pid {holder.get('pid', '?')} on {holder.get('host', '?')}; lock {path})"
    )


def wait_until_free(warehouse: str | Path, *, wait_s: float = 0.0) -> None:
    """Return once no live run holds the lock (a stale one counts as free: the run takes it over),
    waiting up to ``wait_s``; else WarehouseError "warehouse busy". Does not take the lock: the
    CLI asks before starting Prefect, so a busy warehouse is one line, not a failed flow."""
    path = lock_path(warehouse)
    deadline = time.monotonic() + wait_s
    while True:
        holder = read_lock(warehouse)
        if holder is None or _stale_reason(path, holder):
            return
        if time.monotonic() >= deadline:
            raise _busy(path, holder)
        time.sleep(0.2)


def release(warehouse: str | Path, run_id: str) -> None:
    """Drop the run lock if ``run_id`` holds it."""
    holder = read_lock(warehouse)
    if holder and holder.get("run_id") == run_id:
        lock_path(warehouse).unlink(missing_ok=True)
