"""User mistakes on the command line are one line on stderr (exit 2), never a traceback."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize("target", ["http://", "https://", "http:// spasi.example/", "ftp://contoh.id/feed.xml"])
def test_ingest_of_a_bad_url_is_one_line(target: str, tmp_path) -> None:
    result = run_cli("ingest", target, "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kabar: error:") and "Traceback" not in result.stderr
    assert not (tmp_path / "w.duckdb").exists()
