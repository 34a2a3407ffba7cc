"""A month of nights, simulated: real pages on several 127.0.0.1 hosts, one `kabar ingest` a night.

    .venv/bin/python benchmarks/soak.py                    # 30 nights, 3 hosts, ~100 new pages a night
    .venv/bin/python benchmarks/soak.py --nights 3         # a short run

Each host is a real HTTP server on 127.0.0.1 (its own port) with an RSS feed of its newest 60
pages. Pages are real ones from ../shared/corpus/trafilatura-eval (benchmarks/realpages.py;
past the corpus's 1,033 pages they repeat with a numbered comment, and dedupe sees copies).
Every night, before the run:

- about ``--new`` new pages appear, spread over the hosts; on even nights host 0 gets none, so
  its feed is unchanged and answers 304 to the run's conditional GET (ETag / Last-Modified);
- a few listed pages are edited (a sentence added to the first paragraph): new versions;
- a few listed pages are gone (404, for good) and a few fail this night only (500).

Then `kabar ingest --config SOAK.toml --warehouse W` runs as a whole process. Printed per night:
wall and CPU seconds, peak resident memory of the run's process tree, exit status, articles and
versions in the warehouse, this run's stage errors (counted, then each kind with its stage and the
error's first line) and its fetch outcomes; at the end, whether
every article is stored once (one row per URL), edits became versions, and nothing crashed, and
the trend of the per-night wall and CPU time (least-squares slopes, seconds per night; CPU is the
steadier one on a shared machine).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realpages import page_sources, read_page, tree_rss_mb  # noqa: E402

KABAR = str(Path(sys.executable).parent / "kabar")
FEED_ITEMS = 60


class Host(ThreadingHTTPServer):
    """One news site: pages by path, a status override per path, and its feed."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages: dict[str, bytes] = {}
        self.order: list[str] = []  # paths, oldest first
        self.published: dict[str, datetime] = {}
        self.status: dict[str, int] = {}
        self.lock = threading.Lock()
        self.feed_bytes, self.feed_etag, self.feed_modified = b"", "", ""
        self.requests: dict[int, int] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        # A night's `kabar ingest` exits with idle keep-alive connections open; the handler thread
        # waiting for their next request line then reads a reset. Expected, so not printed;
        # anything else is (socketserver's default prints every error's traceback).
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)

    def rebuild_feed(self, now: datetime) -> None:
        items = "".join(
            f"<item><title>Berita {escape(path)}</title><link>{self.base}{path}</link>"
            f"<guid>{self.base}{path}</guid><pubDate>{format_datetime(self.published[path])}</pubDate></item>"
            for path in reversed(self.order[-FEED_ITEMS:]))
        body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{self.base}</title>'
                f"<link>{self.base}/</link><description>soak</description>{items}</channel></rss>").encode()
        if body != self.feed_bytes:
            self.feed_bytes, self.feed_etag = body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            self.feed_modified = format_datetime(now, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    server: Host
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        with self.server.lock:
            self.server.requests[status] = self.server.requests.get(status, 0) + 1
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        host, path = self.server, self.path.split("?")[0]
        if path == "/feed.xml":
            if self.headers.get("If-None-Match") == host.feed_etag or (
                    not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == host.feed_modified):
                return self._send(304, b"", {"ETag": host.feed_etag})
            return self._send(200, host.feed_bytes, {"Content-Type": "application/rss+xml", "ETag": host.feed_etag,
                                                     "Last-Modified": host.feed_modified})
        status = host.status.get(path, 200)
        if status != 200 or path not in host.pages:
            return self._send(status if status != 200 else 404, b"<html><body>tidak ada</body></html>",
                              {"Content-Type": "text/html"})
        body = host.pages[path]
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", {"ETag": etag})
        self._send(200, body, {"Content-Type": "text/html; charset=utf-8", "ETag": etag})

    do_HEAD = do_GET


def edit(body: bytes, night: int) -> bytes:
    """Add a sentence to the longest paragraph of the page's article text: the longest ``<p>``
    whose opening words bare ``trafilatura.extract`` keeps (a third of the corpus pages' longest
    ``<p>`` is navigation or a teaser that extraction rightly drops, and an edit there is no new
    version), else the longest ``<p>``."""
    import re

    import trafilatura

    paragraphs = list(re.finditer(rb"<p\b[^>]*>(.*?)</p>", body, re.S | re.I))
    if not paragraphs:
        return body + f"<p>Pembaruan malam ke-{night}.</p>".encode()
    kept = " ".join((trafilatura.extract(body.decode("utf-8", "replace")) or "").split())

    def opening(match: re.Match) -> str:
        text = re.sub(r"<[^>]+>", " ", match.group(1).decode("utf-8", "replace"))
        return " ".join(text.split())[:60]

    in_text = [m for m in paragraphs if len(opening(m)) >= 20 and opening(m) in kept]
    longest = max(in_text or paragraphs, key=lambda m: len(m.group(1)))
    cut = longest.end() - len(b"</p>")
    return body[:cut] + f" Pembaruan malam ke-{night}: keterangan tambahan dari redaksi.".encode() + body[cut:]


def run_night(config: Path, warehouse: Path) -> tuple[int, float, float, float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen([KABAR, "ingest", "--config", str(config), "--warehouse", str(warehouse),
                             "--allow-host", "127.0.0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "MALLOC_CHECK_": "3"})
    peak, output = 0.0, []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read().decode(errors="replace")))
    reader.start()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    return proc.returncode, time.perf_counter() - start, usage.ru_utime + usage.ru_stime, peak, "".join(output)


def facts(warehouse: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        run_id = con.execute("SELECT run_id FROM store.runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        got = {
            "articles": con.execute("SELECT count(*) FROM store.articles").fetchone()[0],
            "urls": con.execute("SELECT count(DISTINCT url) FROM store.articles").fetchone()[0],
            "versions": con.execute("SELECT count(*) FROM store.article_versions WHERE version > 1").fetchone()[0],
            "errors": con.execute("SELECT count(*) FROM store.stage_errors WHERE run_id = ?", [run_id]).fetchone()[0],
            # what the errors were: stage and the error's first line, counted (a 500 or 404 of the
            # night's failing and gone pages is expected; anything else is a finding)
            "reasons": con.execute(
                "SELECT stage, left(split_part(error, chr(10), 1), 100) AS reason, count(*) FROM store.stage_errors "
                "WHERE run_id = ? GROUP BY ALL ORDER BY 3 DESC, 1, 2", [run_id]).fetchall(),
        }
        return got
    finally:
        con.close()


def slope(values: list[float]) -> float:
    """Least-squares slope of ``values`` against their index (seconds per night)."""
    if len(values) < 2:
        return 0.0
    xs = range(len(values))
    mx, my = statistics.mean(xs), statistics.mean(values)
    return sum((x - mx) * (y - my) for x, y in zip(xs, values)) / sum((x - mx) ** 2 for x in xs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--new", type=int, default=100, help="new pages a night (default 100)")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--gone", type=int, default=3)
    parser.add_argument("--failing", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(11)
    sources = page_sources()
    hosts = [Host() for _ in range(args.hosts)]
    for host in hosts:
        threading.Thread(target=host.serve_forever, daemon=True).start()
    made, edited, crashes, times, cpus = 0, 0, 0, [], []
    with tempfile.TemporaryDirectory(prefix="kabar-soak-") as tmp:
        config = Path(tmp) / "soak.toml"
        config.write_text("[fetch]\nper_host_concurrency = 4\ntimeout = 20\nretries = 0\n\n" + "".join(
            f'[[sources]]\nname = "host{i}"\nkind = "feed"\nurl = "{h.base}/feed.xml"\nlanguage = "id"\n\n'
            for i, h in enumerate(hosts)))
        warehouse = Path(tmp) / "wh" / "kabar.duckdb"
        now = datetime.now(timezone.utc) - timedelta(days=args.nights)
        print("night  exit   wall s   CPU s  peak MB  articles  versions  errors  requests (status: n)")
        for night in range(1, args.nights + 1):
            now += timedelta(days=1)
            receiving = [h for i, h in enumerate(hosts) if not (i == 0 and night % 2 == 0)]
            for host in hosts:
                host.status = {p: s for p, s in host.status.items() if s == 404}  # last night's 500s recover
                host.requests = {}
            for k in range(args.new):
                host = receiving[k % len(receiving)]
                n = made
                body = read_page(sources[n % len(sources)])
                if n >= len(sources):
                    body += f"\n<!-- copy {n // len(sources)} -->\n".encode()
                path = f"/berita/{night:02d}/{n:06d}.html"
                host.pages[path], host.published[path] = body, now - timedelta(minutes=k)
                host.order.append(path)
                made += 1
            for host in hosts:
                listed = [p for p in host.order[-FEED_ITEMS:] if p not in host.status and not p.startswith(f"/berita/{night:02d}/")]
                rng.shuffle(listed)
                share = lambda total: total // len(hosts) + (1 if hosts.index(host) < total % len(hosts) else 0)  # noqa: E731
                for path in listed[:share(args.edits)]:
                    host.pages[path] = edit(host.pages[path], night)
                    edited += 1
                for path in listed[share(args.edits):share(args.edits) + share(args.gone)]:
                    host.status[path] = 404
                for path in listed[share(args.edits) + share(args.gone):][:share(args.failing)]:
                    host.status[path] = 500
                host.rebuild_feed(now)
            code, wall, cpu, peak, output = run_night(config, warehouse)
            crashed = code < 0 or code not in (0, 1)
            crashes += crashed
            times.append(wall)
            cpus.append(cpu)
            got = facts(warehouse) if warehouse.exists() else {"articles": 0, "urls": 0, "versions": 0, "errors": 0}
            requests = {}
            for host in hosts:
                for status, count in host.requests.items():
                    requests[status] = requests.get(status, 0) + count
            print(f"{night:5d}  {code:4d}  {wall:7.1f}  {cpu:6.1f}  {peak:7.0f}  {got['articles']:8d}  {got['versions']:8d}"
                  f"  {got['errors']:6d}  {dict(sorted(requests.items()))}", flush=True)
            for stage, reason, count in got.get("reasons", []):
                print(f"       {count:4d} x {stage}: {reason}", flush=True)
            if code != 0:
                print(output[-2500:])
        wall_slope, cpu_slope = slope(times), slope(cpus)
        final = facts(warehouse) if warehouse.exists() else {"articles": 0, "urls": 0, "versions": 0}
        print(f"\n{args.nights} nights, {made} pages made, {edited} edits: {crashes} crashes; "
              f"articles {final['articles']} for {final['urls']} URLs (each once: {final['articles'] == final['urls']}); "
              f"versions after the first: {final['versions']}")
        # CPU is the steadier trend on a shared machine: wall time follows the neighbours' load.
        for name, values, per_night in (("wall", times, wall_slope), ("CPU", cpus, cpu_slope)):
            median = statistics.median(values) if values else 0.0
            share = per_night / median if median else 0.0
            print(f"per-night {name} time: median {median:.1f} s, slope {per_night:+.2f} s/night ({share:+.1%} of the median a night)")
    for host in hosts:
        host.shutdown()
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
