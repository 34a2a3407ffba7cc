"""flows/dask_worker.py: a Dask worker's heartbeat cut by the cluster's shutdown is logged as one
line, not a traceback, and a worker ignores the terminal's SIGINT; the LocalCluster kabar starts
preloads it in every worker."""

from __future__ import annotations

import io
import logging
import signal

import pytest
from distributed.comm.core import CommClosedError
from distributed.core import Status

from flows.dask_worker import HEARTBEAT_FAILED, ClosedHeartbeat, dask_setup
from flows.runner import task_runner_for
from kabar.config import RunSettings


class _Worker:
    def __init__(self, status: Status) -> None:
        self.status = status


def _logged(status: Status, error: BaseException) -> str:
    """What distributed.worker's ``logger.exception(...)`` in Worker.heartbeat prints, filtered."""
    logger = logging.getLogger(f"test.dask_worker.{status.value}.{type(error).__name__}")
    logger.propagate = False
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.addFilter(ClosedHeartbeat(_Worker(status)))
    try:
        try:
            raise error
        except OSError:
            logger.exception("Failed to communicate with scheduler during heartbeat.")
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_heartbeat_cut_while_the_worker_closes_is_one_info_line() -> None:
    said = _logged(Status.closing, CommClosedError("in <TCP (closed) heartbeat_worker>: Stream is closed"))
    assert "Traceback" not in said
    assert said.startswith(f"INFO {HEARTBEAT_FAILED}: in <TCP (closed) heartbeat_worker>: Stream is closed")
    assert said.rstrip().endswith("(the worker is closing)") and said.count("\n") == 1


def test_a_heartbeat_cut_in_the_middle_of_a_run_is_a_warning() -> None:
    said = _logged(Status.running, CommClosedError("Stream is closed"))
    assert said == f"WARNING {HEARTBEAT_FAILED}: Stream is closed\n"


def test_other_heartbeat_errors_keep_their_traceback() -> None:
    said = _logged(Status.closing, OSError("Timed out trying to connect"))
    assert said.startswith("ERROR Failed to communicate") and "Traceback" in said


@pytest.mark.slow
def test_every_worker_of_kabars_local_cluster_is_set_up() -> None:
    from distributed import Client, LocalCluster

    runner = task_runner_for(RunSettings(task_runner="dask"))
    assert runner.cluster_kwargs["preload"] == ["flows.dask_worker"]

    def set_up() -> tuple[list[str], bool]:
        return ([type(f).__name__ for f in logging.getLogger("distributed.worker").filters],
                signal.getsignal(signal.SIGINT) is signal.SIG_IGN)

    with LocalCluster(**runner.cluster_kwargs) as cluster, Client(cluster) as client:
        assert list(client.run(set_up).values()) == [(["ClosedHeartbeat"], True)] * 2
    assert dask_setup.__module__ == "flows.dask_worker"
