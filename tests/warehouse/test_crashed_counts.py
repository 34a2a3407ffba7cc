"""A run whose process died is marked crashed with the counts of what its batches loaded."""

from __future__ import annotations

import socket
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from kabar.config import Warehouse
from tasks.load import start_run
from warehouse.connection import open_writer


def test_crashed_run_counts_what_its_batches_loaded(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    dead = subprocess.Popen(["true"])
    dead.wait()
    now = datetime.now(timezone.utc)
    with open_writer(path) as con:
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state, host, pid) "
                    "VALUES ('hantu', 'ingest', ?, 'running', ?, ?)", [now, socket.gethostname(), dead.pid])
        for i, error in enumerate([None, None, None, "HTTP 404"]):
            con.execute("INSERT INTO store.fetches (url, source, status_code, error, fetched_at, run_id) "
                        "VALUES (?, 's', 200, ?, ?, 'hantu')", [f"https://contoh.id/{i}", error, now])
        for i, duplicate_of in enumerate([None, None, "a0"]):
            con.execute(
                "INSERT INTO store.articles (article_id, url, canonical_url, source, text, word_count, content_hash, "
                "duplicate_of, fetched_at, first_seen_at, last_seen_at, run_id) "
                "VALUES (?, ?, ?, 's', 'Warga berkumpul di balai desa.', 5, ?, ?, ?, ?, ?, 'hantu')",
                [f"a{i}", f"https://contoh.id/{i}", f"https://contoh.id/{i}", f"h{i}", duplicate_of, now, now, now])
    start_run(Warehouse.file(path), "ingest", {}, run_id="baru", lock_wait=0)
    con = duckdb.connect(str(path), read_only=True)
    row = con.execute("SELECT state, fetched, failed, new, duplicate FROM store.runs WHERE run_id = 'hantu'").fetchone()
    con.close()
    assert row == ("crashed", 3, 1, 2, 1)
