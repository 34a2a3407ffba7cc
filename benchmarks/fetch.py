"""Benchmark: the fetch layer against a simulated news network on 127.0.0.1.

A separate process serves ``--hosts`` sites (one port each, so one politeness key each), every
response delayed by ``--latency`` seconds (asyncio, keep-alive), each site with a robots.txt, an
RSS feed (ETag, 304 on If-None-Match) and its share of ``--pages`` article pages (ETag, 304).

Measured in this process, through the code path ``kabar ingest`` uses minus extraction:
discovery of every feed (concurrently, as the flow submits discover tasks), the frontier
schedule, then ``fetch_batch`` per batch of ``--batch-size`` items (per-host limit, global cap,
URL guard, robots.txt, WARC capture) and ``load_batch`` recording the fetches and the frontier
in a real DuckDB warehouse. Then a second, unchanged run (a fresh process state: robots.txt
caches cleared) over the same network.

Printed: pages/s of the page-fetch phase, the politeness bound (hosts x per-host concurrency /
latency) and their ratio (target >= 0.9); the whole first run's pages/s too; peak RSS; and the
second run's time as a ratio of the first (target <= 0.05).

    .venv/bin/python benchmarks/fetch.py            # 20 hosts, 5,000 pages, 100 ms
    .venv/bin/python benchmarks/fetch.py --pages 1000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kabar.config import Warehouse  # noqa: E402

PARAGRAPH = ("Pemerintah kota mengumumkan rencana perbaikan jalan di kawasan pusat, dan warga diminta "
             "bersabar selama pekerjaan berlangsung pada malam hari. ")


def _page(host: int, n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH} Berita {n} dari situs {host}.</p>" for _ in range(12))
    return (f"<!DOCTYPE html><html lang=id><head><meta charset=utf-8><title>Berita {n}</title></head>"
            f"<body><article><h1>Berita {n} situs {host}</h1>{body}</article></body></html>").encode()


def _feed(port: int, host: int, count: int) -> bytes:
    items = "".join(f"<item><title>Berita {n}</title><link>http://127.0.0.1:{port}/a/{n}</link></item>"
                    for n in range(count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Situs {host}</title>'
            f"{items}</channel></rss>").encode()


async def _serve(ports_out: "multiprocessing.Queue", hosts: int, pages: int, latency: float) -> None:
    per_host = [pages // hosts + (1 if i < pages % hosts else 0) for i in range(hosts)]

    def route(host: int, port: int, path: str, headers: dict[str, str]) -> tuple[str, bytes, str, str]:
        if path == "/robots.txt":
            return "200 OK", b"User-agent: *\nAllow: /\n", "text/plain", ""
        if path == "/feed.xml":
            etag = f'"feed-{host}"'
            if headers.get("if-none-match") == etag:
                return "304 Not Modified", b"", "", etag
            return "200 OK", _feed(port, host, per_host[host]), "application/rss+xml", etag
        if path.startswith("/a/"):
            etag = f'"a-{host}-{path[3:]}"'
            if headers.get("if-none-match") == etag:
                return "304 Not Modified", b"", "", etag
            return "200 OK", _page(host, int(path[3:])), "text/html; charset=utf-8", etag
        return "404 Not Found", b"", "text/plain", ""

    def handler(host: int, port_box: list[int]):
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    path = lines[0].split(" ")[1]
                    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:] if line)}
                    await asyncio.sleep(latency)
                    status, body, kind, etag = route(host, port_box[0], path, headers)
                    extra = (f"Content-Type: {kind}\r\n" if kind else "") + (f"ETag: {etag}\r\n" if etag else "")
                    writer.write(f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, IndexError):
                pass
            finally:
                writer.close()
        return handle

    servers, ports = [], []
    for host in range(hosts):
        box = [0]
        server = await asyncio.start_server(handler(host, box), "127.0.0.1", 0, backlog=512)
        box[0] = server.sockets[0].getsockname()[1]
        servers.append(server)
        ports.append(box[0])
    ports_out.put(ports)
    await asyncio.Event().wait()


def _server_main(ports_out: "multiprocessing.Queue", hosts: int, pages: int, latency: float) -> None:
    asyncio.run(_serve(ports_out, hosts, pages, latency))


async def _bare_fetch(urls: list[tuple[int, str]], per_host: int) -> int:
    """The reference: a minimal keep-alive asyncio client (no guard, no robots, no parsing),
    ``per_host`` connections per host. What this machine can do right now at this latency."""
    by_port: dict[int, list[str]] = {}
    for port, path in urls:
        by_port.setdefault(port, []).append(path)

    async def worker(port: int, paths: list[str]) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = 0
        while paths:
            path = paths.pop()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            done += 1
        writer.close()
        return done

    counts = await asyncio.gather(*(worker(port, paths) for port, paths in by_port.items() for _ in range(per_host)))
    return sum(counts)


def one_run(ports: list[int], warehouse: Warehouse, settings, batch_size: int) -> dict[str, float]:
    """One ingest-shaped run of the fetch layer; returns timings and counts."""
    from kabar.config import Source
    from tasks.capture import CaptureTarget, warc_dir
    from tasks.discover import discover_source, plan_items, schedule_items
    from tasks.fetch import close_run_fetcher, fetch_batch
    from tasks.load import finish_run, load_batch, start_run, Counts
    from kabar.models import batched

    started = time.perf_counter()
    cpu_started = time.process_time()
    run_id = start_run(warehouse, "bench", {})
    capture = CaptureTarget(str(warc_dir(warehouse)), run_id, 0)
    sources = [Source(name=f"situs{i}", kind="feed", url=f"http://127.0.0.1:{port}/feed.xml")
               for i, port in enumerate(ports)]
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:  # as the flow's submitted tasks
        discoveries = list(pool.map(lambda s: discover_source(s, settings, warehouse, capture), sources))
    items, discovery_fetches, _, _ = plan_items(discoveries)
    items, held = schedule_items(warehouse, items, [s.name for s in sources])
    load_batch(warehouse, run_id, [], [], [], discovery_fetches)
    fetch_s, fetch_cpu, fetched_ok, not_modified = 0.0, 0.0, 0, 0
    for batch in batched(items, batch_size):
        t, c = time.perf_counter(), time.process_time()
        fetched = fetch_batch(batch, settings, capture=capture)
        fetch_s += time.perf_counter() - t
        fetch_cpu += time.process_time() - c
        fetched_ok += sum(1 for f in fetched if f.ok)
        not_modified += sum(1 for f in fetched if f.not_modified)
        load_batch(warehouse, run_id, fetched, [], [])
    finish_run(warehouse, run_id, Counts())
    close_run_fetcher(run_id)  # the run's fetcher (robots rules, host gates) ends with the run
    return {"total_s": time.perf_counter() - started, "fetch_s": fetch_s, "fetch_cpu": fetch_cpu,
            "cpu_s": time.process_time() - cpu_started, "pages": fetched_ok,
            "not_modified": not_modified, "held": held, "items": len(items),
            "feeds_304": sum(1 for f in discovery_fetches if f.not_modified)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=None, help="default: the flow's BATCH_SIZE")
    args = parser.parse_args()

    from kabar import settings as defaults
    from kabar.config import FetchSettings

    batch_size = args.batch_size or defaults.BATCH_SIZE
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_server_main, args=(queue, args.hosts, args.pages, args.latency),
                                     daemon=True)
    server.start()
    try:
        ports = queue.get(timeout=60)
        settings = FetchSettings(allow_hosts=("127.0.0.1",), per_host_concurrency=args.per_host,
                                 global_concurrency=max(32, args.hosts * args.per_host))
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Warehouse.file(Path(tmp) / "kabar.duckdb")
            per_host_pages = [args.pages // args.hosts + (1 if i < args.pages % args.hosts else 0)
                              for i in range(args.hosts)]
            urls = [(port, f"/a/{n}") for i, port in enumerate(ports) for n in range(per_host_pages[i])]
            t = time.perf_counter()
            bare_pages = asyncio.run(_bare_fetch(urls, args.per_host))
            bare_rate = bare_pages / (time.perf_counter() - t)
            first = one_run(ports, warehouse, settings, batch_size)
            second = one_run(ports, warehouse, settings, batch_size)
            from tasks.capture import warc_dir

            warc_bytes = sum(p.stat().st_size for p in warc_dir(warehouse).glob("*.warc.gz"))
    finally:
        server.terminate()
    bound = args.hosts * args.per_host / args.latency
    rate = first["pages"] / first["fetch_s"] if first["fetch_s"] else 0.0
    whole = first["pages"] / first["total_s"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"network: {args.hosts} hosts x {args.latency * 1000:.0f} ms latency, {args.pages} article pages, "
          f"per-host concurrency {args.per_host}, batch size {batch_size}")
    print(f"first run: {first['pages']} pages fetched in {first['fetch_s']:.2f} s of page fetching "
          f"({first['total_s']:.2f} s in all, with discovery and loading)")
    print(f"achieved pages/s (page phase): {rate:.1f}")
    print(f"politeness bound (hosts x per-host / latency): {bound:.1f} pages/s")
    print(f"ratio achieved / bound: {rate / bound:.3f}   (target >= 0.9)")
    print(f"reference: a bare asyncio keep-alive client, same hosts and limits, just now: {bare_rate:.1f} pages/s "
          f"(ratio to bound {bare_rate / bound:.3f}); kabar's fetch layer / bare client: {rate / bare_rate:.3f}")
    cpu_per_page = first["fetch_cpu"] / max(first["pages"], 1)
    print(f"client CPU per page: {cpu_per_page * 1000:.2f} ms -> one core could fetch {1 / cpu_per_page:.0f} pages/s; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"whole first run pages/s: {whole:.1f}  (ratio to bound {whole / bound:.3f})")
    print(f"peak RSS (client process): {peak_mb:.0f} MB; WARC captured: {warc_bytes / 1e6:.1f} MB")
    print(f"second, unchanged run: {second['total_s']:.3f} s; feeds answered 304: {second['feeds_304']}/{args.hosts}; "
          f"article requests: {second['items']}; held by the frontier: {second['held']}")
    print(f"second / first run time: {second['total_s'] / first['total_s']:.4f}   (target <= 0.05)")


if __name__ == "__main__":
    main()
