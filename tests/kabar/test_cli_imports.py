"""Read commands never import the pipeline: `kabar --help`, `kabar sql` and `kabar search` must
not load Prefect, scipy, trafilatura, lxml, tldextract or pydantic (seconds of imports before the first byte of output)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PIPELINE = ("prefect", "scipy", "trafilatura", "lxml", "datasketch", "httpx",
            # the URL helpers' public-suffix list (kabar/text.py): it pulls requests and urllib3
            "tldextract", "requests",
            # the sources file's schema (kabar/config.py): a named warehouse needs no sources file
            "pydantic")

#: Runs the CLI in-process, then prints which pipeline modules got imported, as JSON.
PROBE = """
import json, sys
from kabar.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "loaded": [m for m in %r if m in sys.modules]}), file=sys.stderr)
""" % (PIPELINE,)


def probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated warehouse with one article, written without the pipeline."""
    from warehouse.connection import open_writer

    path = tmp_path_factory.mktemp("cli-imports") / "kabar.duckdb"
    with open_writer(path) as con:
        con.execute("CREATE TEMP TABLE probe AS SELECT 1")  # the writer opened: migrations and views exist
    return path


def test_help_loads_no_pipeline() -> None:
    result = probe("--help")
    assert result == {"status": 0, "loaded": []}


def test_sql_loads_no_pipeline(small_warehouse: Path) -> None:
    result = probe("sql", "select count(*) from articles", "--warehouse", str(small_warehouse))
    assert result == {"status": 0, "loaded": []}


def test_search_loads_no_pipeline(small_warehouse: Path) -> None:
    result = probe("search", "banjir", "--warehouse", str(small_warehouse))
    assert result["loaded"] == []
    assert result["status"] in (0, 2)  # an empty warehouse may answer "no index yet" as a user error
