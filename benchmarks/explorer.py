"""How fast `kabar browse` answers each kind of page on a large warehouse, beside the bare SQL.

The warehouse (default 100,000 articles) is generated, not ingested: article texts are
sentences of the Indonesian corpus pages' ground truth (../shared/corpus/indonesian-news, read in
place; ../shared/seeds when missing) reshuffled, 12 words of title, 20 outlets, three years of
dates (5% undated), 8% copies, stories of 1-6 articles, 3,000 entities (a sixth of them places
with coordinates) named 8 times per article with real character offsets, quotes, amounts,
dates, themes, cleaning audit, versions (5% edited twice), one fetch per article and 60 runs; all
bulk-loaded through Arrow into the real migrated store, views applied, the search index built
with ``warehouse.search.build_index`` (the index build dominates: minutes) and the explorer's
summaries written as a run's index step writes them (warehouse/summaries.py). The file is kept in
``--dir`` and reused by later runs (the index step is run on it first, as a run would, so a file
from an older kabar gets sorted postings and summaries).

Then the real `kabar browse` process is started on 127.0.0.1 and every page kind is fetched over
HTTP (median of ``--repeat`` requests per sample, after one warm-up), beside the bare SQL of that
page (the same warehouse/explorer.py queries run on one open read-only connection, no HTTP, no
templates). Prints one line per page: median page ms, median SQL ms, their ratio, and whether the
page is within the 200 ms target.

    .venv/bin/python benchmarks/explorer.py [--articles 100000] [--repeat 5] [--dir /tmp/kabar-bench-explorer]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TARGET_MS = 200


def sentences() -> list[str]:
    truth = SHARED / "corpus" / "indonesian-news" / "pages" / "ground-truth.json"
    texts: list[str] = []
    if truth.exists():
        texts = [v.get("content") or "" for v in json.loads(truth.read_text(encoding="utf-8")).values()]
    if not texts:
        texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    found = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if 40 < len(s.strip()) < 300]
    if not found:
        sys.exit("no Indonesian text found under ../shared/corpus/indonesian-news or ../shared/seeds")
    return found


FIRST = ["Joko", "Sri", "Budi", "Ahmad", "Siti", "Agus", "Dewi", "Rudi", "Rina", "Hendra", "Yusuf", "Maria",
         "Bambang", "Lestari", "Teguh", "Wahyu", "Nur", "Andi", "Fitri", "Kurnia"]
LAST = ["Santoso", "Wibowo", "Hidayat", "Saputra", "Pratama", "Nugroho", "Siregar", "Harahap", "Wijaya",
        "Kusuma", "Lubis", "Simanjuntak", "Setiawan", "Rahman", "Gunawan"]
ORG = ["Kementerian", "Badan", "Komisi", "Dinas", "Lembaga", "Partai", "Bank", "Universitas"]
FIELD = ["Pertahanan", "Perdagangan", "Energi", "Pangan", "Kesehatan", "Pendidikan", "Perhubungan", "Keuangan",
         "Lingkungan", "Pariwisata", "Riset", "Maritim"]
THEMES = ["politik", "ekonomi", "militer", "diplomasi", "bencana", "hukum", "kesehatan", "olahraga"]


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write a warehouse of ``n`` articles to ``path`` (see the module docstring)."""
    import pyarrow as pa

    from warehouse.connection import open_writer
    from warehouse.search import build_index
    from warehouse.summaries import refresh

    rng = random.Random(seed)
    pool = sentences()
    entities = []
    for i in range(3000):
        kind = ("person", "organization", "place")[i % 3] if i % 6 else "place"
        if kind == "person":
            name = f"{FIRST[i % 20]} {LAST[(i // 20) % 15]}" + (f" {i // 300}" if i >= 300 else "")
        elif kind == "organization":
            name = f"{ORG[i % 8]} {FIELD[(i // 8) % 12]}" + (f" {i // 96}" if i >= 96 else "")
        else:
            name = f"Kota {FIRST[i % 20]}{LAST[(i // 20) % 15].lower()}"
        lat, lon = (rng.uniform(-10, 5), rng.uniform(95, 140)) if kind == "place" and i % 4 else \
            ((rng.uniform(-40, 60), rng.uniform(-120, 150)) if kind == "place" else (None, None))
        entities.append((f"e{i}", name, kind, lat, lon))
    outlets = [f"Outlet {chr(65 + i)} News" for i in range(20)]
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    tables: dict[str, list[dict]] = {k: [] for k in (
        "articles", "mentions", "article_entities", "enrichment_log", "quotes", "amounts", "event_dates", "themes",
        "removed_spans", "article_versions", "fetches", "stories")}
    story = None
    story_left = 0
    for i in range(n):
        # Ids as kabar makes them (tasks/dedupe.py: 16 hex digits of the canonical URL's sha256): a
        # counter's ids share their first 8 bytes, which DuckDB's min/max of a VARCHAR keep, so no
        # sorted table could skip a row group by them, as it can on a real warehouse.
        aid = hashlib.sha256(f"https://{outlets[i % 20].split()[1].lower()}.example/{i}".encode()).hexdigest()[:16]
        if story_left == 0:
            story, story_left = aid, rng.randint(1, 6)
            story_time = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            tables["stories"].append({"story_id": story, "title": None if rng.random() < 0.1 else
                                      " ".join(rng.choice(pool).split()[:10]), "first_article_id": aid,
                                      "first_date": story_time, "last_date": story_time, "members": story_left,
                                      "norm": 1.0, "created_at": now, "updated_at": now, "run_id": "bench-0"})
        story_left -= 1
        chosen = rng.sample(entities, 6)
        parts, mentions = [], []
        offset = 0
        for s in rng.sample(pool, 9):
            if chosen and rng.random() < 0.8:
                ent = chosen.pop()
                s = f"{ent[1]} {s[0].lower()}{s[1:]}"
                mentions.append((ent, offset, offset + len(ent[1])))
            parts.append(s)
            offset += len(s) + 1
        text = "\n".join(parts)
        published = None if rng.random() < 0.05 else story_time + timedelta(minutes=rng.randrange(72 * 60))
        dup = tables["articles"][-1]["article_id"] if i and rng.random() < 0.08 else None
        run = f"bench-{i * 60 // n}"
        url = f"https://{outlets[i % 20].split()[1].lower()}.example/{i}"
        tables["articles"].append({
            "article_id": aid, "url": url, "canonical_url": url, "source": outlets[i % 20].lower().replace(" ", "-"),
            "outlet": outlets[i % 20], "title": " ".join(rng.choice(pool).split()[:12]), "published_at": published,
            "language": "id", "text": text, "word_count": len(text.split()), "content_hash": f"h{i}",
            "duplicate_of": dup, "story_id": story, "version": 2 if i % 20 == 0 else 1, "fetched_at": now,
            "first_seen_at": now, "last_seen_at": now, "run_id": run})
        for ent, a, b in mentions:
            tables["mentions"].append({"article_id": aid, "entity_id": ent[0], "surface": ent[1], "char_start": a,
                                       "char_end": b, "type": ent[2]})
            tables["article_entities"].append({"article_id": aid, "entity_id": ent[0], "name": ent[1], "type": ent[2],
                                               "wikidata_id": None, "country": "ID" if ent[3] and ent[4] > 90 else None,
                                               "lat": ent[3], "lon": ent[4], "mention_count": 1, "kb_fingerprint": "b"})
        tables["enrichment_log"].append({"article_id": aid, "enricher": "entities", "enricher_version": "1",
                                         "content_hash": f"h{i}", "enriched_at": now, "run_id": run})
        if mentions and i % 3 == 0:
            ent, a, b = mentions[0]
            if ent[2] == "person":
                q_end = min(len(text), b + 60)
                tables["quotes"].append({"article_id": aid, "quote": text[b + 1:q_end], "speaker_text": ent[1],
                                         "speaker_surface": ent[1].split()[0], "speaker_entity_id": ent[0],
                                         "verb": "kata", "char_start": b + 1, "char_end": q_end})
        words = list(re.finditer(r"\d[\d.,]*", text))
        if words:
            w = words[0]
            tables["amounts"].append({"article_id": aid, "value": 1.0, "unit": None, "qualifier": None,
                                      "text": w.group(), "char_start": w.start(), "char_end": w.end()})
        tables["themes"].append({"article_id": aid, "theme": THEMES[i % 8], "score": 0.5, "hits": 2, "cues": None})
        if i % 2:
            tables["event_dates"].append({"article_id": aid, "text": text[:5], "char_start": 0, "char_end": 5,
                                          "resolved_date": date(2024, 1, 1), "granularity": "day", "relative": False})
            tables["removed_spans"].append({"article_id": aid, "rule": "related_links", "text": "Baca juga: ...",
                                            "position": 10, "content_hash": f"h{i}", "run_id": run})
        for version in range(1, (2 if i % 20 == 0 else 1) + 1):
            tables["article_versions"].append({"article_id": aid, "version": version, "content_hash": f"h{i}v{version}",
                                               "title": None, "text": text if version > 1 else text[: len(text) // 2],
                                               "fetched_at": now, "run_id": run})
        tables["fetches"].append({"url": url, "source": "bench", "status_code": 200 if i % 50 else 404,
                                  "error": None if i % 50 else "HTTP 404", "bytes": 40000, "content_type": "text/html",
                                  "final_url": url, "fetched_at": now, "run_id": run, "warc_record_id": None})
    runs = [{"run_id": f"bench-{r}", "flow": "ingest", "started_at": start + timedelta(days=r), "finished_at":
             start + timedelta(days=r, minutes=20), "state": "completed", "discovered": n // 60, "fetched": n // 60,
             "failed": 0, "new": n // 60, "duplicate": 0, "updated": 0, "unchanged": 0, "skipped": 0} for r in range(60)]
    tables["runs"] = runs
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_writer(path) as con:
        for name, rows in tables.items():
            con.register("batch", pa.Table.from_pylist(rows))
            con.execute(f"INSERT INTO store.{name} BY NAME SELECT * FROM batch")
            con.unregister("batch")
        print(f"  loaded {', '.join(f'{k} {len(v):,}' for k, v in tables.items())}", flush=True)
        started = time.perf_counter()
        build_index(con)
        print(f"  search index built in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        refresh(con)  # what the index step of a run does after the search index
        print(f"  explorer summaries built in {time.perf_counter() - started:.1f} s", flush=True)


def samples(path: Path) -> dict[str, str]:
    """One id of each kind of subject a page is about (busy ones: the slow cases)."""
    from warehouse.connection import open_reader

    with open_reader(path) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "story": one("SELECT story_id FROM main.stories ORDER BY article_count DESC, story_id LIMIT 1"),
            "person": one("SELECT entity_id FROM main.entities WHERE type = 'person' ORDER BY articles DESC LIMIT 1"),
            "place": one("SELECT entity_id FROM main.entities WHERE type = 'place' ORDER BY articles DESC LIMIT 1"),
            "article": one("SELECT article_id FROM main.articles WHERE version = 2 ORDER BY article_id LIMIT 1"),
            "run": one("SELECT run_id FROM main.runs ORDER BY started_at DESC LIMIT 1"),
            "word": "pemerintah",
        }


def page_sql(s: dict[str, str]) -> dict[str, tuple[str, callable]]:
    """Per page: its URL and the bare queries it runs (warehouse/explorer.py, as app.py calls them)."""
    from warehouse import explorer as ex

    p, n = ex.PAGE_SIZE, ex.EXPORT_LIMIT
    f_all = ex.Filters()
    f_q = ex.Filters(query=s["word"])
    f_many = ex.Filters(query=s["word"], since=date(2024, 1, 1), theme="politik", outlet="Outlet C News")

    def search(f):
        return lambda c: (ex.search_days(c, f, n), ex.search_hits(c, f, p, 0), ex.choices(c))

    def story(c):
        ex.story(c, s["story"]), ex.story_articles(c, s["story"], 500, 0)
        ex.place_points(c, [r[0] for r in ex.story_entities(c, s["story"], 500, 0).rows])
        for f in (ex.story_articles, ex.story_outlets, ex.story_entities, ex.story_quotes):
            f(c, s["story"], p, 0)

    def entity(key):
        def run(c):
            ex.entity(c, s[key]), ex.entity_days(c, s[key])
            if key == "place":
                ex.place_points(c, [s[key]])
            for f in (ex.entity_stories, ex.entity_articles, ex.entity_cooccurring, ex.entity_quotes):
                f(c, s[key], p, 0)
        return run

    def article(c):
        row = ex.article(c, s["article"])
        ex.article_spans(c, s["article"]), ex.article_versions(c, s["article"], 50, 0)
        for f in (ex.article_removed, ex.article_versions, ex.article_copies):
            f(c, s["article"], p, 0)
        ex.article_fetches(c, [row["url"], row["canonical_url"]], p, 0)

    return {
        "search (latest)": ("/search", search(f_all)),
        "search (query)": (f"/search?q={s['word']}", search(f_q)),
        "search (query+filters)": (f"/search?q={s['word']}&since=2024-01-01&theme=politik&outlet=Outlet+C+News",
                                   search(f_many)),
        "search (page 40)": (f"/search?q={s['word']}&hits_page=40", search(f_q)),
        "story": (f"/story/{s['story']}", story),
        "entity (person)": (f"/entity/{s['person']}", entity("person")),
        "entity (place, map)": (f"/entity/{s['place']}", entity("place")),
        "article": (f"/article/{s['article']}", article),
        "stories": ("/stories", lambda c: ex.stories_list(c, p, 0)),
        "entities": ("/entities", lambda c: ex.entities_list(c, None, p, 0)),
        "runs": ("/runs", lambda c: ex.runs(c, p, 0)),
        "run": (f"/runs/{s['run']}", lambda c: (ex.run(c, s["run"]), ex.run_sources(c, s["run"], p, 0),
                                                ex.run_failures(c, s["run"], p, 0))),
        "sources": ("/sources", lambda c: ex.sources(c, p, 0)),
        "story CSV export": (f"/story/{s['story']}?export=articles&format=csv",
                             lambda c: ex.story_articles(c, s["story"], n, 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (default 5)")
    parser.add_argument("--dir", default="/tmp/kabar-bench-explorer", help="where the generated warehouse is kept")
    args = parser.parse_args()
    import httpx

    from warehouse.connection import open_reader

    path = Path(args.dir) / f"explorer-{args.articles}.duckdb"
    if not path.exists():
        print(f"generating {path} ({args.articles:,} articles) ...", flush=True)
        started = time.perf_counter()
        generate(path.with_suffix(".tmp"), args.articles)
        path.with_suffix(".tmp").rename(path)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    else:  # a file generated by an older kabar: bring its index and summaries up to date as a run would
        from kabar.config import Warehouse
        from warehouse.backend import update_search_index

        started = time.perf_counter()
        update_search_index(Warehouse.file(path))
        print(f"index step on the kept warehouse: {time.perf_counter() - started:.1f} s", flush=True)
    ids = samples(path)
    pages = page_sql(ids)

    from warehouse import explorer as ex

    sql_ms: dict[str, float] = {}
    with open_reader(path) as con:
        known = None
        for name, (_, run) in pages.items():
            times = []
            for attempt in range(args.repeat + 1):  # a warm-up, then the timed ones
                # A cursor per page, as the explorer gives each request (so nothing one request
                # remembers, such as a query's matches, helps the next), with the catalogue the
                # explorer learns once per opening of its reader.
                cursor = con.cursor()
                started = time.perf_counter()
                known = ex.share_catalog(cursor, known)
                run(cursor)
                if attempt:
                    times.append((time.perf_counter() - started) * 1000)
                cursor.close()
            sql_ms[name] = statistics.median(times)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "kabar"), "browse", "--port", str(port),
                               "--warehouse", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"kabar browse did not start: {server.stderr.read()[-500:]}")
                time.sleep(0.3)
        print(f"{args.articles:,} articles; median of {args.repeat} after a warm-up; target {TARGET_MS} ms a page; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'page':<26}{'page ms':>9}{'SQL ms':>9}{'page/SQL':>10}  within target")
        with httpx.Client(timeout=120) as client:
            worst = 0.0
            for name, (url, _) in pages.items():
                first = client.get(base + url)
                assert first.status_code == 200, (url, first.status_code, first.text[-300:])
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    response = client.get(base + url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                page_ms = statistics.median(times)
                worst = max(worst, page_ms)
                print(f"{name:<26}{page_ms:>9.0f}{sql_ms[name]:>9.0f}{page_ms / max(sql_ms[name], 0.01):>10.1f}  "
                      f"{'yes' if page_ms <= TARGET_MS else 'NO'}", flush=True)
            # The first page after a pause reopens the warehouse (the explorer lets writers in between).
            time.sleep(3)
            started = time.perf_counter()
            client.get(base + "/runs")
            print(f"first page after a pause (reopens the file): {(time.perf_counter() - started) * 1000:.0f} ms")
            print(f"slowest page: {worst:.0f} ms (load average now {os.getloadavg()[0]:.1f})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
