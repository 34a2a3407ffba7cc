"""Hostile inputs the fetch stage must survive with bounded memory and the right reason:
robots.txt bombs, a 3 GB Content-Length, a host that is down, an unresolvable name, slow URLs
against the time budget, huge and non-UTF-8 local files, and config values past their maxima.

Memory is measured as the peak RSS of a subprocess doing the fetch (``os.wait4``): a measurement,
not a timing."""

from __future__ import annotations

import json
import os
import socket
import struct
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
    """gzip bytes of ``total`` zero bytes (rounded down to whole chunks), never held inflated.

    One chunk is deflated once and its bytes repeated: after a full flush a deflate block
    refers to nothing before it, so the copies are a valid stream (zlib checks the CRC and
    length in the trailer when it inflates). Deflating all 1.5 GiB took about 10 CPU s, twice
    per run of this file; this takes about 0.5 s for the same ~1.5 MB of gzip."""
    zeros = b"\0" * chunk
    chunks = total // chunk
    header = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    yield header.compress(zeros) + header.flush(zlib.Z_FULL_FLUSH)  # gzip header + the first chunk
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = raw.compress(zeros) + raw.flush(zlib.Z_FULL_FLUSH)
    for _ in range(chunks - 1):
        yield block
    yield zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty final block
    crc = 0
    for _ in range(chunks):
        crc = zlib.crc32(zeros, crc)
    yield struct.pack("<II", crc, (chunks * chunk) & 0xFFFFFFFF)


def _inflated_size(data: bytes) -> int:
    """How many bytes ``data`` (gzip) inflates to, inflated piece by piece; raises if it is corrupt."""
    inflater, size = zlib.decompressobj(16 + zlib.MAX_WBITS), 0
    for start in range(0, len(data), 1 << 16):
        size += len(inflater.decompress(data[start:start + (1 << 16)], 1 << 26))
        while inflater.unconsumed_tail:
            size += len(inflater.decompress(inflater.unconsumed_tail, 1 << 26))
    assert inflater.eof, "the gzip stream has no end"
    return size


@pytest.fixture(scope="module")
def robots_bomb() -> bytes:
    return b"".join(_gzip_stream(int(1.5 * GIB)))  # ~1.5 MB of gzip


@pytest.mark.slow  # inflates the 1.5 GiB: the bomb tests would pass on a corrupt bomb too
def test_the_bomb_is_small_and_inflates_to_one_and_a_half_gibibytes(robots_bomb: bytes) -> None:
    assert len(robots_bomb) < 2 * 1024 ** 2 and _inflated_size(robots_bomb) == int(1.5 * GIB)


def _settings(**extra) -> FetchSettings:
    return FetchSettings(allow_hosts=("127.0.0.1",), retries=0, backoff_base=0.01, total_timeout=10, **extra)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch_in_subprocess(url: str, settings: dict, html_only: bool = True) -> tuple[dict, int]:
    """(the Fetched as a dict, peak RSS in bytes) of fetching ``url`` in a fresh process."""
    code = (
        "import json, sys\n"
        "from kabar.config import FetchSettings\nfrom kabar.models import Item\nfrom tasks.fetch import fetch_batch\n"
        f"f = fetch_batch([Item(url={url!r}, source='s')], FetchSettings(**json.loads({json.dumps(settings)!r})), html_only={html_only!r})[0]\n"
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


@pytest.mark.parametrize("location", [
    "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://localhost/admin",
    "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://[::ffff:127.0.0.1]/",
])
def test_redirects_to_forbidden_places_are_refused(location: str) -> None:
    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        site.routes["/pindah"] = Response("", 302, {"Location": location})
        # allow_hosts names this site's port only: the same address on another port stays forbidden.
        settings = FetchSettings(allow_hosts=(f"127.0.0.1:{site.server_address[1]}",), retries=0)
        fetched = fetch_batch([Item(url=site.url("/pindah"), source="s")], settings)[0]
    # Never requested: refused by the guard, or (0177.0.0.1, an octal spelling) by httpx's URL parser.
    assert fetched.body is None and fetched.error, fetched.error
    assert fetched.error.startswith(("refused:", "connection error: RemoteProtocolError: Invalid URL")), fetched.error


def test_a_name_resolving_to_loopback_at_connect_time_is_refused() -> None:
    """DNS rebinding: whatever the name resolved to when the URL was checked, the connect-time
    guard resolves again and refuses a private answer before connecting."""
    import asyncio

    import httpcore

    from tasks.safety import Refused
    from tasks.streaming import GuardedBackend

    backend = GuardedBackend(httpcore.AnyIOBackend(), lambda host, port: False)
    with pytest.raises(Refused, match="at connect time"):
        asyncio.run(backend.connect_tcp("localhost", 80, timeout=2))


def _feed_source(url: str, kind: str = "feed"):
    from kabar.config import Source

    return Source(name="uji", kind=kind, url=url)


@pytest.mark.parametrize("body, reason", [
    (b"", "empty response"),
    (b"   \n", "empty response"),
    (b"<rss><channel><item><title>rusak", "cannot parse feed"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Kosong</title></channel></rss>', None),
])
def test_empty_and_malformed_feeds_are_recorded_not_silent(body: bytes, reason: str | None) -> None:
    from tasks.discover import remote_items

    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        site.routes["/feed.xml"] = Response(body, 200, {"Content-Type": "application/rss+xml"})
        found = remote_items(_feed_source(site.url("/feed.xml")), _settings())
    assert found.items == []
    if reason is None:  # a well-formed feed listing nothing: a stage_errors row says so
        assert [p.error for p in found.problems] == ["the feed lists no articles"]
    else:
        assert found.fetches[0].error and found.fetches[0].error.startswith(reason), found.fetches[0].error


def test_xxe_sitemap_is_refused_and_reads_no_file(tmp_path: Path) -> None:
    from tasks.discover import remote_items

    secret = tmp_path / "rahasia.txt"
    secret.write_text("https://contoh.id/rahasia", encoding="utf-8")
    sitemap = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>'
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&xxe;</loc></url></urlset>')
    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        site.routes["/sitemap.xml"] = Response(sitemap, 200, {"Content-Type": "application/xml"})
        found = remote_items(_feed_source(site.url("/sitemap.xml"), "sitemap"), _settings())
    assert found.items == [] and found.fetches[0].error.startswith("refused:"), found.fetches[0].error


@pytest.mark.slow
def test_feed_bomb_stays_under_a_gigabyte(robots_bomb: bytes) -> None:
    """A gzip feed inflating to 1.5 GiB (the same bytes as the robots.txt bomb): refused by the
    body cap with bounded memory."""
    bomb = robots_bomb
    with TestSite() as site:
        site.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", 200, {"Content-Type": "text/plain"})
        site.routes["/feed.xml"] = Response(bomb, 200, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        result, peak = _fetch_in_subprocess(site.url("/feed.xml"), {"allow_hosts": ["127.0.0.1"], "retries": 0},
                                             html_only=False)
    assert peak < GIB and result["size"] == 0 and result["error"].startswith("refused: decompression bomb"), result
