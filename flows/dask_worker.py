"""Set-up of each worker of the LocalCluster a ``[run] task_runner = "dask"`` run starts: a Dask
preload module (``LocalCluster(preload=[...])``, flows/runner.py ``task_runner_for``), imported
by each worker process, which calls ``dask_setup(worker)`` when it starts.

Two things, both about the end of a run.

A worker ignores SIGINT. A terminal's Ctrl-C goes to the whole foreground process group, and the
LocalCluster's worker processes are in kabar's: each one's asyncio runner turned the SIGINT into
a KeyboardInterrupt and printed its traceback ("Process Dask Worker process (from Nanny): ...
CancelledError ... KeyboardInterrupt", two per Ctrl-C), while the flow process was already
stopping the run and closing the cluster, whose nanny then stops the workers. The default
runner's extraction workers ignore the terminal's SIGINT for the same reason
(tasks/extract_pool.py). SIGTERM and the nanny's own stop are unchanged.

It also turns one expected race into a line without a traceback. A worker's heartbeat can be in
flight when the cluster shuts down (the end of a run, or a SIGTERM): the scheduler closes the
comm under it, and distributed logs ``Failed to communicate with scheduler during heartbeat.``
at ERROR with the CommClosedError's traceback (distributed/worker.py ``Worker.heartbeat``, which
logs every OSError that way). A stopped run's log then showed a traceback for nothing wrong
(tests/flows/test_interrupt_dask.py; the flow process's own side of the same race is
distributed.batched's, quieted in ``task_runner_for``). The record stays, as one line: INFO while
the worker is closing, WARNING otherwise (a scheduler lost in the middle of a run still shows).
Any other error, or a heartbeat failing for another reason, keeps its traceback.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat"
_CLOSING = {"closing", "closing_gracefully", "closed", "stopping", "stopped", "failed"}


class ClosedHeartbeat(logging.Filter):
    """A heartbeat that failed on a closed comm: one line instead of a traceback."""

    def __init__(self, worker: Any) -> None:
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None or type(error).__name__ != "CommClosedError" or HEARTBEAT_FAILED not in str(record.msg):
            return True
        status = getattr(getattr(self.worker, "status", None), "value", None)
        closing = status in _CLOSING
        record.msg = f"{HEARTBEAT_FAILED}: {error}" + (" (the worker is closing)" if closing else "")
        record.args = ()
        record.exc_info, record.exc_text = None, None
        record.levelno = logging.INFO if closing else logging.WARNING
        record.levelname = logging.getLevelName(record.levelno)
        return True


def dask_setup(worker: Any) -> None:
    """Dask calls this in each worker process as it starts (the preload protocol)."""
    logging.getLogger("distributed.worker").addFilter(ClosedHeartbeat(worker))
    if threading.current_thread() is threading.main_thread():  # a worker in a process of its own
        signal.signal(signal.SIGINT, signal.SIG_IGN)
