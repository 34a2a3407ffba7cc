"""Does a run's cost grow with the warehouse? An unchanged run at 1,000 vs 100,000 articles.

    .venv/bin/python benchmarks/growth.py                          # 1,000 vs 100,000, 3 rounds
    .venv/bin/python benchmarks/growth.py --small 1000 --large 20000 --rounds 2
    .venv/bin/python benchmarks/growth.py --index-only --workdir /tmp/growth   # keep the volume for reruns

How the volume is made: one `kabar ingest` of ``--pages`` real pages (trafilatura-eval, see
benchmarks/realpages.py) builds a base warehouse and its search index. It is copied twice, and in
each copy SQL multiplies the stored articles up to the wanted count (``multiply``): every
article row is copied with ``-gN`` appended to its id, URL, canonical URL and content hash (same
text, so the same size per article), together with its rows in every per-article table (versions,
dedupe signatures and LSH bands, fetches, frontier, stored bodies, stories, enrichments, the
search index's postings and documents): one ``INSERT ... SELECT`` per table over ``range()``,
nothing tokenised again. Then, interleaved, in rounds:

- unchanged run: `kabar ingest PAGES --warehouse COPY` again (whole process; every page is
  fetched, found unchanged and nothing is written but the run's bookkeeping);
- indexing: one more copy of the base articles (``--pages`` new articles), logged in
  ``store.search_changes`` as the loader does, then ``update_index`` as the pipeline calls it
  (reading the change log) timed in-process; and, as the reference in the same run, another
  copy indexed by comparing every article with the index (``update_index`` without the log: what
  every run did before the change log).

Prints medians and the ratios large / small (issue 11's targets: unchanged run <= 1.3, indexing
the same N new articles about 1.0). ``--index-only`` skips the unchanged runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pipeline import KABAR, timed  # noqa: E402
from benchmarks.realpages import write_pages  # noqa: E402


def _copy_sql(table: str, key_columns: list[str], k: str) -> str:
    replaced = ", ".join(f"{c} || '-g' || {k} AS {c}" for c in key_columns)
    return f"SELECT * REPLACE ({replaced}) FROM {table}"


def _open(path: Path):
    """A writer on the file without the progress bar. Set per connection: since DuckDB 1.4
    ``enable_progress_bar`` is refused in ``connect(config=...)`` ("Could not set option ... as
    a global option")."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    return con


#: The per-article tables copied with the articles, so that every table a run reads or writes
#: (the frontier, fetches, stored bodies, stories, enrichments, the search index) holds the
#: large warehouse's volume, not only ``store.articles``.
PER_ARTICLE_TABLES = (
    "articles", "article_versions", "article_signatures", "article_bands", "article_entities", "amounts",
    "enrichment_log", "event_dates", "extracted_bodies", "extracted_texts", "fetches", "frontier", "mentions",
    "quotes", "removed_spans", "site_pages", "stories", "story_terms", "themes", "tone", "version_changes",
    "discovered_items", "search_postings",
)
#: The columns that name an article, a URL, a text or a story: suffixed with ``-gK`` in copy K
#: (so keys stay unique and rows point at their own copy).
KEY_COLUMNS = ("article_id", "url", "canonical_url", "content_hash", "original_id", "final_url", "duplicate_of",
               "story_id", "first_article_id")
#: A copied row's keys end with this (base rows never do: their ids are hashes, their URLs files).
COPY_SUFFIX = r"-g[0-9]+$"


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'store' "
                                      "AND table_name = ? ORDER BY column_index", [table]).fetchall()]


def multiply(path: Path, target: int, start: int = 1) -> int:
    """Copy the warehouse's base articles (and their rows in every per-article table, the search
    index's postings and documents included) until it holds ``target`` articles: one
    ``INSERT ... SELECT`` per table over a cross join with ``range()``, so no text is tokenised or
    stemmed again (indexing the copies with ``update_index`` took most of the 8-20 minutes it
    took at 30,000 articles under load)."""
    from warehouse.search import update_index
    from warehouse.summaries import refresh

    con = _open(path)
    try:
        base = con.execute("SELECT count(*) FROM store.articles WHERE NOT regexp_matches(article_id, ?)",
                           [COPY_SUFFIX]).fetchone()[0]
        have = con.execute("SELECT count(*) FROM store.articles").fetchone()[0]
        copies = max(0, (target - have) // base)
        if copies == 0:
            refresh(con)  # the explorer summaries as a run leaves them (an earlier --workdir run may not have)
            return have
        con.execute("CREATE TEMP TABLE k AS SELECT range AS k FROM range(?, ?)", [start, start + copies])
        con.execute("BEGIN TRANSACTION")
        for table in PER_ARTICLE_TABLES:
            columns = _columns(con, table)
            keys = [c for c in columns if c in KEY_COLUMNS]
            base_rows = " AND ".join(f"({c} IS NULL OR NOT regexp_matches({c}, '{COPY_SUFFIX}'))" for c in keys)
            values = ", ".join(f"{c} || '-g' || k" if c in keys else c for c in columns)
            con.execute(f"INSERT INTO store.{table} ({', '.join(columns)}) "
                        f"SELECT {values} FROM (SELECT * FROM store.{table} WHERE {base_rows}), k")
        # The index's documents: their signature is that of the copy's title and (suffixed) hash,
        # as update_index computes it, so the copies count as indexed and up to date.
        con.execute("""INSERT INTO store.search_docs
                       SELECT d.article_id || '-g' || k, hash(coalesce(a.title, ''), a.content_hash || '-g' || k), d.len
                       FROM (SELECT * FROM store.search_docs WHERE NOT regexp_matches(article_id, ?)) d
                       JOIN store.articles a ON a.article_id = d.article_id, k""", [COPY_SUFFIX])
        con.execute("COMMIT")
        # Compare every article with the index (finds the copies indexed) so that the appended
        # postings are re-sorted by term and the macro exists: an update reading the empty change
        # log returns at once (warehouse/search.py), and the first timed update then paid a
        # 34-million-row sort (50 CPU s).
        update_index(con)
        refresh(con)  # the explorer summaries, as the pipeline's index step leaves them
        return con.execute("SELECT count(*) FROM store.articles").fetchone()[0]
    finally:
        con.close()


def index_new(path: Path, n_copy: int, logged: bool = True) -> tuple[float, float]:
    """Wall and CPU seconds (all threads of this process) ``update_index`` takes for one more copy of the base articles: reading the change
    log the copy was logged in (``logged``, as the pipeline does), else comparing every article."""
    import duckdb

    from warehouse.connection import load_extension
    from warehouse.search import CHANGES_TABLE, update_index
    from warehouse.summaries import refresh

    have = duckdb.connect(str(path), read_only=True)
    total = have.execute("SELECT count(*) FROM store.articles").fetchone()[0]
    base = have.execute("SELECT count(*) FROM store.articles WHERE article_id NOT LIKE '%-g%'").fetchone()[0]
    have.close()
    multiply_without_index(path, total + base, n_copy, log=logged)
    con = _open(path)
    load_extension(con, "fts")
    try:
        start, cpu = time.perf_counter(), time.process_time()
        update_index(con, changes=CHANGES_TABLE if logged else None)
        timing = time.perf_counter() - start, time.process_time() - cpu
        # Untimed: the explorer summaries, as the pipeline's index step leaves them
        # (warehouse/backend.py update_search_index). Left stale, the next unchanged run found
        # articles added since and rebuilt them: the copies, not the run, were then measured.
        refresh(con)
        return timing
    finally:
        con.close()


def multiply_without_index(path: Path, target: int, start: int, log: bool = True) -> None:
    """One more copy of the base articles, logged in the index's change log as the loader does
    (tasks/load.py) unless ``log`` is False."""
    con = _open(path)
    try:
        con.execute("INSERT INTO store.articles " + _copy_sql(
            "(SELECT * FROM store.articles WHERE article_id NOT LIKE '%-g%'), (SELECT ? AS k)",
            ["article_id", "url", "canonical_url", "content_hash"], "k").replace("* REPLACE", "* EXCLUDE (k) REPLACE"), [start])
        if log:
            con.execute("INSERT INTO store.search_changes SELECT article_id || '-g' || ?, 'growth' FROM store.articles "
                        "WHERE article_id NOT LIKE '%-g%'", [start])
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index-only", action="store_true", help="time the index updates only")
    parser.add_argument("--workdir", type=Path, help="keep the pages and warehouses here and reuse them "
                        "(the volume takes minutes to make); default: a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kabar-growth-") as tmp:
        work = args.workdir or Path(tmp)
        pages = work / "pages"
        base = work / "base" / "kabar.duckdb"
        if not base.exists():
            write_pages(pages, args.pages)
            timed([KABAR, "ingest", str(pages), "--warehouse", str(base)])
        sizes = {}
        for name, count in (("small", args.small), ("large", args.large)):
            path = work / f"{name}-{count}" / "kabar.duckdb"
            if not path.exists():
                path.parent.mkdir(parents=True)
                shutil.copy(base, path)
            start = time.perf_counter()
            sizes[name] = (path, multiply(path, count))
            print(f"{name}: {sizes[name][1]:,} articles made by SQL in {time.perf_counter() - start:.1f} s", flush=True)
        runs = {"small": [], "large": []}
        index = {"small": [], "large": []}
        whole = {"small": [], "large": []}
        first_copy = 10_000_000 + int(time.time()) % 1_000_000 * 10  # ids new to a reused warehouse too
        for n in range(args.rounds):
            for name, (path, _) in sizes.items():
                if not args.index_only:
                    runs[name].append(timed([KABAR, "ingest", str(pages), "--warehouse", str(path)]))
                index[name].append(index_new(path, first_copy + 2 * n))
                whole[name].append(index_new(path, first_copy + 2 * n + 1, logged=False))
            print(f"round {n + 1}: " + ", ".join(
                (f"{k} run {runs[k][-1][0]:.1f}s/{runs[k][-1][1]:.1f}cpu " if runs[k] else f"{k} ")
                + f"index {index[k][-1][0]:.2f}s/{index[k][-1][1]:.2f}cpu "
                  f"(comparing all {whole[k][-1][0]:.2f}s/{whole[k][-1][1]:.2f}cpu)" for k in index), flush=True)
    if not args.index_only:
        wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
        print(f"\nunchanged run, large / small: CPU {cpu['large'] / cpu['small']:.2f}, wall {wall['large'] / wall['small']:.2f}"
              f"   (target <= 1.3; small {cpu['small']:.1f} CPU s, large {cpu['large']:.1f} CPU s)")
    for label, timings in ((f"indexing {args.pages} new articles (change log)", index),
                           ("  reference, comparing every article", whole)):
        wall = {k: statistics.median(w for w, _ in v) for k, v in timings.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in timings.items()}
        print(f"{label}, large / small: CPU {cpu['large'] / cpu['small']:.2f}, wall {wall['large'] / wall['small']:.2f}"
              f"   (small {cpu['small']:.2f} CPU s / {wall['small']:.2f} s, large {cpu['large']:.2f} CPU s / {wall['large']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
