"""`kabar deploy`: register the deployments with a Prefect server and a process work pool."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from kabar.cli import UserError

WORK_POOL = "kabar"
WRITERS_QUEUE = "writers"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deploy",
        help="register the deployments with a Prefect server (then start a worker)",
        description=(
            "Create the process work pool (default `kabar`) and its `writers` queue with a concurrency "
            "limit of 1 (the warehouse has one writer), then run `prefect --no-prompt deploy --all "
            "--prefect-file deployments/prefect.yaml` from the project directory. Needs PREFECT_API_URL "
            "pointing at a server. Afterwards start a worker: `prefect worker start --pool kabar`; and "
            "trigger a run: `prefect deployment run ingest/manual --param limit=20`. "
            "See docs/orchestration.md."
        ),
    )
    parser.add_argument("--pool", default=WORK_POOL, metavar="NAME", help=f"the work pool (default: {WORK_POOL})")
    parser.set_defaults(handler=run)


def ensure_pool(pool: str) -> None:
    """Create the process work pool and the writers queue (limit 1) unless they exist."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkQueueUpdate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        except ObjectAlreadyExists:
            pass
        try:
            client.create_work_queue(name=WRITERS_QUEUE, work_pool_name=pool, concurrency_limit=1)
        except ObjectAlreadyExists:
            queue = client.read_work_queue_by_name(WRITERS_QUEUE, work_pool_name=pool)
            client.update_work_queue(queue.id, concurrency_limit=1)


def run(args: argparse.Namespace) -> int:
    from flows.deployments import PREFECT_FILE, PROJECT_DIR
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise UserError("no Prefect server: start one (`prefect server start`) and set PREFECT_API_URL, "
                        "e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api")
    ensure_pool(args.pool)
    text = PREFECT_FILE.read_text(encoding="utf-8")
    prefect_file = PREFECT_FILE
    if args.pool != WORK_POOL:  # the YAML names the default pool; deploy a copy naming the chosen one
        prefect_file = PROJECT_DIR / "deployments" / f".prefect-{args.pool}.yaml"
        prefect_file.write_text(text.replace(f"name: {WORK_POOL}\n    work_queue_name", f"name: {args.pool}\n    work_queue_name"))
    env = {**os.environ, "KABAR_PROJECT_DIR": str(PROJECT_DIR)}
    command = [str(Path(sys.executable).parent / "prefect"), "--no-prompt", "deploy", "--all",
               "--prefect-file", str(prefect_file.relative_to(PROJECT_DIR))]
    print("running: prefect " + " ".join(command[1:]), flush=True)
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env)
    if done.returncode != 0:
        raise UserError(f"prefect deploy failed (exit {done.returncode}); see its output above")
    print(f"deployed; start a worker: prefect worker start --pool {args.pool}")
    return 0
