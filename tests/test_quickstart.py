"""The README's quick start, as a new user runs it: `make demo` in a fresh copy of the project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    """Replaces the session's Prefect API (tests/conftest.py), which this file never uses: `make
    demo` runs as a new user's would, with Prefect's temporary API; its worker need not wait for
    that API's start-up."""
    yield


def project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    return [f for f in listed if (ROOT / f).is_file()]


@pytest.mark.slow
def test_make_demo_in_a_fresh_copy(tmp_path: Path) -> None:
    """One `make demo`, as a new user's first: the install into a fresh .venv, Prefect's own
    temporary API, the ingest and the demo's queries. The README's "run it again: it adds no
    article and the `runs` view shows two runs" is checked by running the demo's config twice in
    process (tests/flows/test_ingest_site.py test_samples_config_loads_warc_and_text_files): a
    second `make demo` here repeated the same ingest at the cost of another temporary Prefect API
    (tens of seconds of the suite's costliest tail) to check what that test checks."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    copy = tmp_path / "kabar"
    for name in project_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "KABAR_", "VIRTUAL_ENV"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    result = subprocess.run(["make", "demo"], cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"TOTAL\s+16\s+16\s+0", result.stdout), result.stdout[-2000:]
    # the demo's own queries ran and printed the counts (articles, outlets, duplicates)
    assert re.search(r"^\s*16\s+4\s+1\s*$", result.stdout, re.M), result.stdout[-2000:]
    warehouse = copy / "data" / "kabar.duckdb"
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 16
    assert con.execute("SELECT state FROM runs").fetchall() == [("completed",)]
    # 15 originals and the syndicated copy (a near-duplicate)
    assert con.execute("SELECT new, duplicate FROM runs").fetchall() == [(15, 1)]
