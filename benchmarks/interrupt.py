"""How fast `kabar ingest` stops on SIGTERM (issue 17), the way a user or a supervisor stops it.

Each try starts `kabar ingest` on a generated WARC (its own temporary Prefect API, as a user
gets it) in a session of its own, waits until batches are loading, sends one SIGTERM to the
process (not its group: a supervisor signals one PID) and measures the seconds until it exits,
then checks that none of its descendants (extraction workers, fork server, Prefect's temporary
server) is left and how the run was recorded.

    .venv/bin/python -m benchmarks.interrupt [--tries 3] [--articles 800] [--reference DIR]
    .venv/bin/python -m benchmarks.interrupt --chaos 36 [--articles 400]

``--chaos N``: N tries at random moments instead (after 1 to 6 loads), cycling through the
default and Dask runners and through SIGTERM to the process and SIGINT to its group (Ctrl-C);
each try is judged as a user would: the exit code the signal asks for (143, 130), no traceback
or "Exception ignored" in its log, no process left, the run recorded ``interrupted``. Round 13
ran 67 such tries (with a Prefect server and with the temporary API) and found four faults that
the fixed-moment tests had passed: a SIGTERM lost in a finaliser (kabar/signals.py
``resend_lost_signals``), a SIGTERM inside the open thread's start leaving the reader open
(warehouse/connection.py ``_Open``), and a worker's heartbeat and the workers' own Ctrl-C
printing tracebacks (flows/dask_worker.py).

``--reference DIR``: also run the same tries with the code of another checkout of kabar (e.g.
``git archive <commit> | tar -x -C DIR``), through this venv, for a before/after in one run.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
LOADED = "Task run 'load-"  # Prefect logs each load task run's end (PREFECT_LOGGING_LEVEL=INFO)


@dataclass
class Stopped:
    """One stopped ingest: exit code, seconds from the signal to exit, processes left behind."""

    code: int | None
    seconds: float | None
    loads_before: int
    descendants: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    log: str = ""


def ingest_env(home: Path) -> dict[str, str]:
    """The environment of a user's shell: no Prefect API configured (the CLI starts a temporary one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API") and k != "KABAR_WAREHOUSE"}
    env.update({"CI": "1", "PREFECT_LOGGING_LEVEL": "INFO", "PREFECT_HOME": str(home),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "KABAR_BATCH_SIZE": "50"})
    return env


def _group(pgid: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, psutil.Error):
            pass
    return found


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.Error:
            pass
    return alive


def _describe(process: psutil.Process) -> str:
    try:
        return f"{process.pid} {' '.join(process.cmdline())[:100]}"
    except psutil.Error:
        return str(process.pid)


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop_ingest(archive: Path | None, warehouse: Path, log: Path, env: dict[str, str], after_loads: int = 2,
                sig: int = signal.SIGTERM, start_timeout_s: float = 900, exit_timeout_s: float = 120,
                orphan_timeout_s: float = 60, to_group: bool = False, code_dir: Path | None = None,
                mark: str = LOADED, config: Path | None = None) -> Stopped:
    """Start `kabar ingest ARCHIVE`, send ``sig`` once ``after_loads`` loads have ended (to the
    process, or with ``to_group`` to its whole process group, as a terminal's Ctrl-C does), and
    see it stop. A process still running after ``exit_timeout_s`` is killed (group) and reported.
    ``mark``: another log line to count instead of the loads (e.g. the temporary server starting).
    ``config``: a sources file to run (``--config``), instead of or beside ``archive``."""
    command = [str(BIN / "kabar")]
    if code_dir is not None:  # another checkout's code through this venv
        command = [sys.executable, "-m", "kabar.cli"]
        env = {**env, "PYTHONPATH": str(code_dir)}
    with open(log, "wb") as out:
        targets = ([str(archive)] if archive is not None else []) + (["--config", str(config)] if config else [])
        # SIGINT back to its default, as a terminal's foreground job has it: a shell without job
        # control starts background commands with SIGINT ignored (POSIX), the ignore is inherited,
        # and Python then installs no KeyboardInterrupt handler, so a CI runner started that way
        # saw `kabar ingest` ignore the test's Ctrl-C and complete the run
        process = subprocess.Popen([*command, "ingest", *targets, "--warehouse", str(warehouse)],
                                   preexec_fn=_sigint_default,
                                   stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                   cwd=str(code_dir or warehouse.parent))
    deadline = time.monotonic() + start_timeout_s
    loads = 0
    while time.monotonic() < deadline and process.poll() is None:
        loads = log.read_text(errors="replace").count(mark)
        if loads >= after_loads:
            break
        time.sleep(0.2)
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    described = [_describe(p) for p in descendants]  # now: a process gone has no command line
    sent = time.monotonic()
    if process.poll() is None:
        if to_group:
            os.killpg(process.pid, sig)
        else:
            os.kill(process.pid, sig)
    try:
        code = process.wait(timeout=exit_timeout_s)
        seconds = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        code, seconds = None, None
        os.kill(process.pid, signal.SIGUSR1)  # `kabar ingest` prints every thread's stack to its log
        time.sleep(3)
    # the workers and the fork server notice their parent is gone within a few seconds
    watch = time.monotonic() + orphan_timeout_s
    while time.monotonic() < watch and (_alive(descendants) or _group(process.pid)):
        time.sleep(0.5)
    left = [_describe(p) for p in {*_alive(descendants), *_group(process.pid)}]
    if code is None or left:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for leftover in _alive(descendants):
            leftover.kill()
        process.wait(timeout=30)
    return Stopped(code, seconds, loads, described, left, log.read_text(errors="replace"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--articles", type=int, default=800)
    parser.add_argument("--reference", type=Path, metavar="DIR", help="another checkout to measure alongside")
    parser.add_argument("--chaos", type=int, metavar="N", help="N tries at random moments, runners and signals")
    args = parser.parse_args()
    from benchmarks.corpus import write_warc

    if args.chaos:
        chaos(args.chaos, args.articles)
        return

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        archive = write_warc(root / "berita.warc.gz", args.articles)
        codes = [("this checkout", None)] + ([("reference", args.reference.resolve())] if args.reference else [])
        for attempt in range(args.tries):
            for label, code_dir in codes:
                warehouse = root / f"wh{attempt}-{label[:4]}" / "kabar.duckdb"
                warehouse.parent.mkdir()
                result = stop_ingest(archive, warehouse, root / f"ingest{attempt}-{label[:4]}.log",
                                     ingest_env(root / "home"), code_dir=code_dir)
                state = _state(warehouse)
                print(f"{label}, try {attempt + 1}: exit {result.code}, "
                      + (f"{result.seconds:.1f} s from SIGTERM to exit" if result.seconds is not None else "did not exit")
                      + f", {len(result.descendants)} descendants, {len(result.left)} left running, run {state}",
                      flush=True)


#: (runner, signal, to the group): SIGTERM as a supervisor sends it, SIGINT as a terminal's Ctrl-C.
CHAOS_MODES = [("default", signal.SIGTERM, False), ("default", signal.SIGINT, True),
               ("dask", signal.SIGTERM, False), ("dask", signal.SIGINT, True)]


def chaos(tries: int, articles: int, seed: int | None = None) -> int:
    """Stop ``tries`` ingests at random moments; print each verdict and the count of faults."""
    import random

    from benchmarks.corpus import write_warc

    rng = random.Random(seed)
    faults = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        archive = write_warc(root / "berita.warc.gz", articles, paragraphs=(6, 14))
        for attempt in range(tries):
            runner, sig, to_group = CHAOS_MODES[attempt % len(CHAOS_MODES)]
            folder = root / f"t{attempt}"
            (folder / "wh").mkdir(parents=True)
            config = folder / "sources.toml"
            config.write_text(f'[run]\ntask_runner = "{runner}"\n\n[[sources]]\nname = "arsip"\nkind = "warc"\n'
                              f'path = "{archive}"\n')
            after = rng.randint(1, 6)
            warehouse = folder / "wh" / "kabar.duckdb"
            result = stop_ingest(None, warehouse, folder / "ingest.log", ingest_env(folder / "home"),
                                 after_loads=after, sig=sig, to_group=to_group, config=config)
            state = _state(warehouse)
            wrong = [what for what, bad in (
                (f"exit {result.code}", result.code != 128 + sig and result.loads_before >= after),
                ("a traceback", "Traceback" in result.log or "Exception ignored" in result.log),
                (f"{len(result.left)} left running", bool(result.left)),
                (f"run {state}", result.loads_before >= after and not state.startswith("interrupted")),
            ) if bad]
            faults += bool(wrong)
            # kabar/signals.py's lines: a signal re-sent from a finaliser, or raised again by the ledger
            resent = [line for line in result.log.splitlines()
                      if "landed in" in line or "dropped on its way" in line]
            print(f"try {attempt + 1}: {runner} runner, {signal.Signals(sig).name}"
                  f"{' to the group' if to_group else ''} after {result.loads_before} loads: "
                  + ("; ".join(wrong) if wrong else f"ok (exit {result.code})")
                  + (f" [{resent[0].removeprefix('kabar: ')}]" if resent else ""),
                  flush=True)
            if wrong or resent:
                kept = Path(tempfile.gettempdir()) / f"kabar-chaos-{os.getpid()}-{attempt}.log"
                kept.write_text(result.log, encoding="utf-8")
                print(f"  its log: {kept}", flush=True)
    print(f"{faults} of {tries} tries with a fault")
    return faults


def _state(warehouse: Path) -> str:
    import duckdb

    try:
        con = duckdb.connect(str(warehouse))
        try:
            return " / ".join(str(v) for v in con.execute("SELECT state, message FROM runs").fetchone())
        finally:
            con.close()
    except Exception as exc:  # a benchmark line, not a test
        return f"unreadable ({exc})"


if __name__ == "__main__":
    main()
