"""What the per-run search-index rebuild costs, against loading the same articles.

Builds a warehouse of N synthetic Indonesian articles (sentences of ../shared/seeds reshuffled),
then times (a) the bulk load of those articles through Arrow (the reference) and (b)
``warehouse.search.build_index`` over them, and a query. Prints the figures and ratios.

    .venv/bin/python benchmarks/search_index.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    from warehouse.connection import open_writer
    from warehouse.search import build_index, search

    sentences = [s.strip() for p in sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
                 for s in p.read_text(encoding="utf-8").split(".") if len(s.strip()) > 20]
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    rows = [{"article_id": f"a{i}", "url": f"https://x/{i}", "canonical_url": f"https://x/{i}", "source": "bench",
             "title": rng.choice(sentences)[:90], "text": ". ".join(rng.choices(sentences, k=25)),
             "word_count": 400, "content_hash": f"h{i}", "fetched_at": now, "first_seen_at": now,
             "last_seen_at": now, "run_id": "bench", "version": 1} for i in range(args.articles)]
    table = pa.Table.from_pylist(rows)
    with tempfile.TemporaryDirectory() as tmp, open_writer(Path(tmp) / "b.duckdb") as con:
        con.register("rows", table)
        started = time.perf_counter()
        con.execute("INSERT INTO store.articles BY NAME SELECT * FROM rows")
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        build_index(con)
        index_s = time.perf_counter() - started
        started = time.perf_counter()
        hits = search(con, "persenjataan produksi", limit=20)
        query_s = time.perf_counter() - started
    mb = sum(len(r["text"]) for r in rows) / 1e6
    print(f"articles: {args.articles} ({mb:.1f} MB of text)")
    print(f"load (Arrow insert, reference): {load_s:.3f} s")
    print(f"search index rebuild:           {index_s:.3f} s  = {index_s / load_s:.1f}x the load")
    print(f"query 'persenjataan produksi' with snippets, top 20: {query_s * 1000:.0f} ms ({len(hits)} hits)")
    print(f"rebuild per 1,000 articles: {index_s / args.articles * 1000:.3f} s")


if __name__ == "__main__":
    main()
