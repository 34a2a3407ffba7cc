"""The explorer's connection: one read-only reader shared through cursors, let go between pages
so the nightly writer can take the file (see :class:`ReaderPool`)."""

from __future__ import annotations

import duckdb

from kabar.warehouse_spec import Warehouse


class ReaderPool:
    """One read-only connection shared by the explorer's threads through cursors, held only
    while pages are being asked for.

    Opening a reader costs about 0.3 s here (loading the fts extension into a fresh database
    instance), more than a page may take; but a DuckDB file held open by a reader cannot be
    opened by the writer. So the connection (from ``open_reader_for``, the same read-only
    opening every command uses) is closed once no request came for ``idle_s``, and, so that
    steady browsing cannot starve a nightly run, also after ``hold_s`` at the next moment no
    request is in flight, after which it stays closed for ``gap_s`` (the writer retries every
    0.5 s at most). Each request gets its own cursor: connections are never shared between
    threads.
    """

    def __init__(self, warehouse: Warehouse, *, idle_s: float = 2.0, hold_s: float = 10.0, gap_s: float = 0.7,
                 warm_s: float = 30.0, wait_s: float = 3.0) -> None:
        import threading

        self.warehouse, self.idle_s, self.hold_s, self.gap_s, self.wait_s = warehouse, idle_s, hold_s, gap_s, wait_s
        self.warm_s = warm_s
        self._lock = threading.Lock()
        self._context = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened_at = self._last_used = self._closed_at = 0.0
        self._in_flight = 0
        #: Counts openings: what a caller learnt about the warehouse holds while it is unchanged
        #: (no writer can take the file while this reader holds it open).
        self.generation = 0
        self._stop = threading.Event()
        self._reaper = threading.Thread(target=self._reap, name="kabar-browse-reaper", daemon=True)
        self._reaper.start()

    def _open(self, wait_s: float | None = None) -> None:
        import time

        from warehouse.backend import open_reader_for

        pause = self._closed_at + self.gap_s - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        context = open_reader_for(self.warehouse, wait_s=self.wait_s if wait_s is None else wait_s)
        self._con = context.__enter__()
        self._context = context
        self._opened_at = time.monotonic()
        self.generation += 1

    def _close(self) -> None:
        import time

        context, self._context, self._con = self._context, None, None
        self._closed_at = time.monotonic()
        if context is not None:
            context.__exit__(None, None, None)

    def cursor(self):
        """A context manager giving this thread its own cursor on the shared reader."""
        from contextlib import contextmanager

        @contextmanager
        def lease():
            import time

            with self._lock:
                if self._con is None:
                    self._open()
                self._in_flight += 1
                cursor = self._con.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
                with self._lock:
                    self._in_flight -= 1
                    self._last_used = time.monotonic()
                    if self._in_flight == 0 and self._last_used - self._opened_at > self.hold_s:
                        self._close()

        return lease()

    def _reap(self) -> None:
        import time

        while not self._stop.wait(0.25):
            with self._lock:
                now = time.monotonic()
                if self._con is not None and self._in_flight == 0 and now - self._last_used > self.idle_s:
                    self._close()
                elif (self._con is None and self._last_used and now - self._last_used < self.warm_s
                      and now - self._closed_at >= self.gap_s):
                    # Someone is browsing: reopen ahead of their next page (opening costs ~0.3 s),
                    # without waiting if a writer took the file meanwhile.
                    try:
                        self._open(wait_s=0.0)
                    except Exception:  # busy or gone: the next request opens (and reports) it
                        self._closed_at = now

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._con is not None:
                self._close()
