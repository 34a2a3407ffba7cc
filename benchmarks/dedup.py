"""Near-duplicate detection at scale: planted copies, recall/precision, cost per article.

    .venv/bin/python benchmarks/dedup.py            # 20k and 100k articles (a few minutes)
    .venv/bin/python benchmarks/dedup.py --full     # 100k and 1M articles (much longer)
    .venv/bin/python benchmarks/dedup.py --sizes 5000

Generated articles (about 120 words drawn from a Zipf vocabulary, so unrelated articles share
almost no 3-word shingles) arrive at ``--per-day`` articles a day; ``--rate`` of them are
planted copies of an original seen within the last days: a new dateline, a boilerplate line
and, for half of them, one sentence rewritten (true Jaccard 0.7-0.95). Each size runs in its own
process (so peak memory is its own) through the real code path in batches as ingest does:
``tasks.dedupe.sign`` -> ``warehouse.lookup.near_duplicate_candidates`` (band-key SQL join on
a real DuckDB file, read-only connection) -> ``tasks.dedupe.mark_near_duplicates`` ->
``warehouse.dedupe_store.write_signatures`` in a writer transaction. Printed: recall and
precision against the planted truth, time per article (whole run and last tenth), peak RSS,
and the ratio of per-article time at the largest size to the smallest (target <= 1.5).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from kabar.config import DedupeSettings, Warehouse  # noqa: E402
from kabar.models import Article  # noqa: E402
from tasks.dedupe import mark_near_duplicates, sign  # noqa: E402
from tasks.minhash import Banding, shingle_hashes  # noqa: E402
from warehouse.connection import open_writer  # noqa: E402
from warehouse.dedupe_store import write_signatures  # noqa: E402
from warehouse.lookup import near_duplicate_candidates  # noqa: E402

SENTENCES, SENTENCE = 16, 12  # about 190 words an article
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
DATELINES = ["Jakarta -", "JAKARTA, KOMPAS.com -", "Surabaya (ANTARA) -", "Suara.com -", "Bandung, detikcom -"]
BOILERPLATE = ["Baca berita selengkapnya di aplikasi kami.", "Ikuti kanal kami untuk kabar terbaru hari ini.",
               "Artikel ini telah tayang lebih dulu di situs mitra."]


class Generator:
    """Deterministic articles: originals from a Zipf vocabulary, copies of recent originals."""

    def __init__(self, seed: int, rate: float, per_day: int, vocab: int = 60000) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.words = np.array([f"k{i:x}a" for i in range(vocab)], dtype=object)
        weights = 1.0 / (np.arange(vocab) + 10.0)
        self.cum = np.cumsum(weights) / weights.sum()
        self.rate = rate
        self.recent: list[tuple[int, str]] = []  # (index, text) of recent originals
        self.keep = max(1000, per_day * 3)  # copies are made of originals up to ~3 days old

    def _sentence(self, n: int) -> str:
        picks = np.searchsorted(self.cum, self.np_rng.random(n))
        return " ".join(self.words[np.minimum(picks, len(self.words) - 1)])

    def article(self, i: int) -> tuple[str, int | None]:
        """Text of article ``i`` and the index of its original when it is a planted copy."""
        if self.recent and self.rng.random() < self.rate:
            original, text = self.rng.choice(self.recent)
            sentences = text.split("\n", 1)[1].split(". ")
            if self.rng.random() < 0.5:
                sentences[self.rng.randrange(len(sentences))] = self._sentence(SENTENCE)
            copy = f"{self.rng.choice(DATELINES)}\n" + ". ".join(sentences) + "\n" + self.rng.choice(BOILERPLATE)
            return copy, original
        text = f"{self.rng.choice(DATELINES)}\n" + ". ".join(self._sentence(SENTENCE) for _ in range(SENTENCES)) + "."
        self.recent.append((i, text))
        if len(self.recent) > self.keep:
            self.recent = self.recent[-self.keep:]
        return text, None


def true_jaccard(a: str, b: str, size: int) -> float:
    x, y = set(shingle_hashes(a, size).tolist()), set(shingle_hashes(b, size).tolist())
    return len(x & y) / max(len(x | y), 1)


def run(size: int, batch: int, rate: float, per_day: int, config: DedupeSettings, directory: Path) -> dict:
    path = directory / f"dedup-{size}.duckdb"
    gen = Generator(seed=size, rate=rate, per_day=per_day)
    banding = Banding.for_threshold(config.near_duplicate_threshold)
    truth: dict[str, str] = {}
    true_j: dict[str, float] = {}
    texts: dict[int, str] = {}
    found: dict[str, str] = {}
    starts = list(range(0, size, batch))
    tail_from, elapsed, tail = starts[int(len(starts) * 0.9)], 0.0, 0.0
    for lo in starts:
        articles = []
        for i in range(lo, min(size, lo + batch)):
            text, original = gen.article(i)
            seen = START + timedelta(days=i / per_day)
            article = Article(url=f"https://o.id/{i}", source="bench", fetched_at=seen, text=text, article_id=f"{i:016x}")
            article.meta["status"] = "new"
            articles.append(article)
            if original is None:
                texts[i] = text
            else:
                truth[article.article_id] = f"{original:016x}"
                if len(true_j) < 2000:  # a sample is enough to show the spread
                    true_j[article.article_id] = true_jaccard(texts[original], text, config.shingle_size)
        if len(texts) > gen.keep * 2:
            texts = {k: v for k, v in texts.items() if k >= lo - gen.keep}
        clock = time.perf_counter()
        # --- the measured path: what dedupe_batch and the load hook do for near-duplicates
        sign(articles, config.shingle_size, banding)
        since = articles[0].fetched_at - timedelta(days=config.near_duplicate_window_days) \
            if config.near_duplicate_window_days else None
        wanted = {pos: a.meta["bands"] for pos, a in enumerate(articles)}
        stored = near_duplicate_candidates(Warehouse.file(path), wanted, since) if path.exists() else {}
        mark_near_duplicates(articles, stored, config.near_duplicate_threshold)
        with open_writer(path) as con:
            con.execute("BEGIN TRANSACTION")
            write_signatures(con, "bench", [a.article_id for a in articles],
                             [a.duplicate_of or a.article_id for a in articles], [a.fetched_at for a in articles],
                             np.stack([a.meta["minhash"] for a in articles]), np.stack([a.meta["bands"] for a in articles]))
            con.execute("COMMIT")
        spent = time.perf_counter() - clock
        elapsed += spent
        if lo >= tail_from:
            tail += spent
        found.update({a.article_id: a.duplicate_of for a in articles if a.duplicate_of})
    correct = sum(1 for a, o in found.items() if truth.get(a) == o)
    above = [a for a, j in true_j.items() if j >= config.near_duplicate_threshold]
    return {
        "recall_above": sum(1 for a in above if found.get(a) == truth[a]) / max(len(above), 1),
        "sample_above": len(above), "sample": len(true_j),
        "jaccard_p5_p50": [float(np.percentile(list(true_j.values()), q)) for q in (5, 50)],
        "size": size, "planted": len(truth), "found": len(found), "correct": correct,
        "recall": correct / max(len(truth), 1), "precision": correct / max(len(found), 1),
        "us_per_article": elapsed / size * 1e6, "tail_us_per_article": tail / (size - tail_from) * 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "file_mb": path.stat().st_size / 2**20, "seconds": elapsed,
        "bands": banding.bands, "rows": banding.rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="run 100k and 1M articles")
    parser.add_argument("--sizes", type=int, nargs="+", help="article counts to run (default 20000 100000)")
    parser.add_argument("--batch", type=int, default=1000, help="articles per batch (default 1000)")
    parser.add_argument("--rate", type=float, default=0.1, help="share of planted copies (default 0.1)")
    parser.add_argument("--per-day", type=int, default=10000, help="articles arriving per simulated day")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    config = DedupeSettings()
    if args.one:
        print(json.dumps(run(args.one, args.batch, args.rate, args.per_day, config, Path(args.dir))))
        return
    sizes = args.sizes or ([100_000, 1_000_000] if args.full else [20_000, 100_000])
    print(f"threshold {config.near_duplicate_threshold}, window {config.near_duplicate_window_days} days, "
          f"{args.per_day} articles/day, planted copy rate {args.rate}, batch {args.batch}")
    results = []
    with tempfile.TemporaryDirectory(prefix="kabar-dedup-") as tmp:
        for size in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--dir", tmp, "--batch", str(args.batch),
                 "--rate", str(args.rate), "--per-day", str(args.per_day)],
                capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(r)
            print(f"{r['size']:>9,} articles: planted {r['planted']:,}, found {r['found']:,}, "
                  f"recall {r['recall']:.4f}, precision {r['precision']:.4f}; recall on the sampled copies "
                  f"with true Jaccard >= threshold {r['recall_above']:.4f} ({r['sample_above']}/{r['sample']} sampled, "
                  f"true Jaccard p5 {r['jaccard_p5_p50'][0]:.2f}, median {r['jaccard_p5_p50'][1]:.2f}) | "
                  f"{r['us_per_article']:.0f} us/article (last tenth {r['tail_us_per_article']:.0f}), "
                  f"{r['seconds']:.0f} s, peak RSS {r['peak_rss_mb']:.0f} MB, file {r['file_mb']:.0f} MB "
                  f"(LSH {r['bands']} bands x {r['rows']} rows)", flush=True)
    small, large = results[0], results[-1]
    print(f"per-article time ratio {large['size']:,} / {small['size']:,}: "
          f"{large['us_per_article'] / small['us_per_article']:.2f} (whole runs), "
          f"{large['tail_us_per_article'] / small['tail_us_per_article']:.2f} (last tenths); target <= 1.5")
    print("targets: recall >= 0.95 at precision >= 0.99")


if __name__ == "__main__":
    main()
