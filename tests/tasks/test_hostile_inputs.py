"""Hostile inputs the fetch stage must survive with bounded memory and the right reason:
robots.txt bombs, a 3 GB Content-Length, a host that is down, an unresolvable name, slow URLs
against the time budget, huge and non-UTF-8 local files, and config values past their maxima.

Memory is measured as the peak RSS of a subprocess doing the fetch (``os.wait4``): a measurement,
not a timing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from kabar.config import ConfigError, FetchSettings, load_sources
from kabar.models import Item
from tasks.fetch import fetch_batch, read_file
from tests.site import Response, TestSite

ROOT = Path(__file__).resolve().parents[2]
GIB = 1024 ** 3
ARTICLE = ("<html><head><title>Banjir di Kampung Melayu</title></head><body><article><h1>Banjir</h1>"
           + "<p>Warga Kampung Melayu mengungsi ke masjid terdekat setelah hujan deras semalaman.</p>" * 20
           + "</article></body></html>")


def _gzip_stream(total: int, chunk: int = 8 * 1024 * 1024):
    """gzip bytes of ``total`` zero bytes, produced chunk by chunk (never held inflated)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * chunk
    for _ in range(total // chunk):
        yield packer.compress(zeros)
    yield packer.flush()


@pytest.fixture(scope="module")
def robots_bomb() -> bytes:
    return b"".join(_gzip_stream(int(1.5 * GIB)))  # ~1.5 MB of gzip


def _settings(**extra) -> FetchSettings:
    return FetchSettings(allow_hosts=("127.0.0.1",), retries=0, backoff_base=0.01, total_timeout=10, **extra)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch_in_subprocess(url: str, settings: dict) -> tuple[dict, int]:
    """(the Fetched as a dict, peak RSS in bytes) of fetching ``url`` in a fresh process."""
    code = (
        "import json, sys\n"
        "from kabar.config import FetchSettings\nfrom kabar.models import Item\nfrom tasks.fetch import fetch_batch\n"
        f"f = fetch_batch([Item(url={url!r}, source='s')], FetchSettings(**json.loads({json.dumps(settings)!r})))[0]\n"
        "print(json.dumps({'error': f.error, 'size': len(f.body or b'')}))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, out
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss * 1024


@pytest.mark.slow
def test_gzip_robots_bomb_is_not_inflated(robots_bomb: bytes) -> None:
    with TestSite() as site:
        site.routes["/robots.txt"] = Response(robots_bomb, 200, {"Content-Type": "text/plain", "Content-Encoding": "gzip"})
        site.routes["/berita/banjir"] = Response(ARTICLE)
        result, peak = _fetch_in_subprocess(site.url("/berita/banjir"), {"allow_hosts": ["127.0.0.1"], "retries": 0})
    assert peak < GIB, f"peak RSS {peak / 2**20:.0f} MiB"
    assert result["error"] and result["error"].startswith("robots.txt unavailable"), result
    assert "disallows" not in result["error"]


@pytest.mark.slow
def test_plain_huge_robots_is_cut_off_at_its_cap() -> None:
    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(GIB + GIB // 2))
        handler.end_headers()
        line = b"Disallow: /x\n" * 5000
        try:
            for _ in range((GIB + GIB // 2) // len(line)):
                handler.wfile.write(line)
        except OSError:
            pass

    with TestSite() as site:
        site.routes["/robots.txt"] = endless
        site.routes["/berita/banjir"] = Response(ARTICLE)
        result, peak = _fetch_in_subprocess(site.url("/berita/banjir"), {"allow_hosts": ["127.0.0.1"], "retries": 0})
    assert peak < GIB, f"peak RSS {peak / 2**20:.0f} MiB"
    assert result["error"].startswith("robots.txt unavailable") and "too large" in result["error"], result


def test_three_gigabyte_content_length_is_refused_unread() -> None:
    def liar(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(3 * 10 ** 9))
        handler.end_headers()
        handler.wfile.write(b"<html>" + b"x" * 1000)

    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        site.routes["/besar"] = liar
        fetched = fetch_batch([Item(url=site.url("/besar"), source="s")], _settings())[0]
    assert fetched.body is None and fetched.error.startswith("too large: Content-Length 3000000000")


def test_a_down_host_is_a_connection_error_not_a_robots_refusal() -> None:
    url = f"http://127.0.0.1:{_free_port()}/berita/banjir"
    fetched = fetch_batch([Item(url=url, source="s")], _settings())[0]
    assert fetched.error.startswith("robots.txt unavailable, host skipped: connection error"), fetched.error
    ignoring = fetch_batch([Item(url=url, source="s")], _settings(respect_robots=False))[0]
    assert ignoring.error.startswith("connection error"), ignoring.error


def test_a_slow_url_stops_at_its_time_budget() -> None:
    hits: list[float] = []

    def slow(handler: BaseHTTPRequestHandler) -> None:
        hits.append(time.monotonic())
        time.sleep(1.5)
        Response(ARTICLE)(handler)

    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        site.routes["/lambat"] = slow
        settings = FetchSettings(allow_hosts=("127.0.0.1",), retries=10, backoff_base=0.01, total_timeout=0.5,
                                 url_budget=1.2)
        fetched = fetch_batch([Item(url=site.url("/lambat"), source="s")], settings)[0]
    assert "URL time budget" in fetched.error and fetched.error.startswith("timeout")
    assert 1 <= len(hits) < 11  # far fewer than the 11 tries asked for


def test_a_host_that_keeps_timing_out_is_skipped_after_its_budget() -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        Response(ARTICLE)(handler)

    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        for i in range(8):
            site.routes[f"/lambat{i}"] = slow
        settings = FetchSettings(allow_hosts=("127.0.0.1",), retries=0, total_timeout=0.4, host_budget=0.5,
                                 per_host_concurrency=1)
        fetched = fetch_batch([Item(url=site.url(f"/lambat{i}"), source="s") for i in range(8)], settings)
    skipped = [f for f in fetched if "host time budget" in (f.error or "")]
    assert skipped and all(f.error.startswith("timeout") for f in fetched), [f.error for f in fetched]


def test_huge_local_file_is_refused_by_its_size_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "raksasa.html"
    with huge.open("wb") as handle:  # sparse: 300 MB by stat, nothing written
        handle.truncate(300 * 1024 * 1024)
    item = Item(url=huge.as_uri(), source="s", kind="file", path=str(huge))
    fetched = read_file(item, 8 * 1024 * 1024)
    assert fetched.body is None and fetched.error == f"too large: file of {300 * 1024 * 1024} bytes > {8 * 1024 * 1024} bytes"
    odd = read_file(Item(url="file:///dev/zero", source="s", kind="file", path="/dev/zero"), 1024 * 1024)
    assert odd.body is None and odd.error == "cannot read file: not a regular file"


def test_non_utf8_local_file_is_read(tmp_path: Path) -> None:
    page = tmp_path / "latin.html"
    page.write_bytes(ARTICLE.replace("mengungsi", "mengungsi \xe9").encode("latin-1"))
    fetched = read_file(Item(url=page.as_uri(), source="s", kind="file", path=str(page)))
    assert fetched.error is None and b"\xe9" in fetched.body


@pytest.mark.parametrize("key, value", [("max_body_bytes", "99999999999999999999"), ("url_budget", "1e9"),
                                        ("warc_retention_days", "10000000")])
def test_config_values_have_upper_bounds(tmp_path: Path, key: str, value: str) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(f'[fetch]\n{key} = {value}\n\n[[sources]]\nname = "a"\nkind = "files"\nglob = "*.html"\n')
    with pytest.raises(ConfigError, match=key):
        load_sources(config)
