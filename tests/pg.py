"""A throw-away PostgreSQL server for tests: Debian's postgresql package, started on a free
loopback port in a temporary directory, run as the `postgres` user (PostgreSQL refuses root).

``start_postgres()`` installs the package with apt-get when it is missing (root only) and raises
``PostgresUnavailable`` with the reason when it cannot; the fixture turns that into a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


class PostgresUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    bin_dir: Path

    def dsn(self, dbname: str) -> str:
        return f"host={self.host} port={self.port} dbname={dbname} user={self.user}"

    def createdb(self, name: str) -> str:
        """Create database ``name``; returns its libpq DSN."""
        _as_postgres([str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user, name])
        return self.dsn(name)


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _install() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise PostgresUnavailable("postgresql is not installed and apt-get cannot run here (not root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:
            raise PostgresUnavailable(f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-300:]}")


def _as_postgres(cmd: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise PostgresUnavailable(f"`{' '.join(cmd)}` failed: {(done.stderr or done.stdout).strip()[-400:]}")
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def start_postgres() -> Iterator[Postgres]:
    """Start a private server; stopped and its directory removed on exit."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        _install()
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise PostgresUnavailable("postgresql installed but no /usr/lib/postgresql/*/bin/initdb found")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("no `postgres` user to run the server as") from None
    # Not under pytest's tmp dir: that is private to root (0700) and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="kabar-pg-"))
    os.chmod(root, 0o755)
    os.chown(root, owner.pw_uid, owner.pw_gid)
    data = root / "data"
    port = _free_port()
    try:
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
                      "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        try:
            yield Postgres("127.0.0.1", port, "postgres", bin_dir)
        finally:
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
