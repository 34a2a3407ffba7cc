"""A real Prefect server (SQLite under tmp) on a free 127.0.0.1 port, for slow tests.

The session's ``prefect_test_harness`` points this test process at its own temporary API; the
processes started here get an explicit environment naming this server instead. Every process
is started in its own session and stopped by its PID (SIGINT, then SIGTERM, then SIGKILL to its
process group), because a Prefect worker started without a terminal may ignore one SIGTERM
(../shared/ENVIRONMENT.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, grace_s: float = 10.0) -> None:
    """Stop a process this test started, by its PID: SIGINT, SIGTERM, then SIGKILL of its group."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        if process.poll() is not None:
            break
        try:
            os.kill(process.pid, sig)
            process.wait(timeout=grace_s)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group leader's id: its children too
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass


class PrefectServer:
    """``with PrefectServer(tmp) as server:`` gives ``server.env`` and ``server.api``."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.processes: list[subprocess.Popen] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update({
            "PREFECT_HOME": str(home), "PREFECT_API_URL": self.api,
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING", "PREFECT_LOGGING_LEVEL": "INFO",
            "PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_WORKER_PREFETCH_SECONDS": "5",
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        })
        self.env = env

    def start(self, *args: str, log: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
        """Start a long-running command (its output goes to ``home/<log>``); stopped on exit."""
        out = open(self.home / log, "ab")
        process = subprocess.Popen([*args], stdout=out, stderr=subprocess.STDOUT, env={**self.env, **(env or {})},
                                   cwd=cwd, start_new_session=True)
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        path = self.home / name
        return path.read_text(errors="replace") if path.exists() else ""

    def run(self, *args: str, timeout: float = 180, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*args], capture_output=True, text=True, env=self.env, timeout=timeout, cwd=cwd)

    def get(self, path: str) -> Any:
        response = httpx.get(self.api + path, timeout=30)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.api + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def wait_healthy(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                raise RuntimeError("prefect server exited:\n" + self.log("server.log")[-3000:])
            try:
                if httpx.get(self.api + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError("prefect server not healthy:\n" + self.log("server.log")[-3000:])

    def wait_flow_run(self, flow_run_id: str, timeout_s: float = 300) -> dict[str, Any]:
        """Poll a flow run until it is final; returns it."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            run = self.get(f"/flow_runs/{flow_run_id}")
            if run["state"] and run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return run
            time.sleep(1)
        raise TimeoutError(f"flow run {flow_run_id} not final after {timeout_s}s")

    def __enter__(self) -> "PrefectServer":
        self.start(str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port),
                   log="server.log")
        self.wait_healthy()
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            stop(process)
