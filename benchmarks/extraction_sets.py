"""The evaluation sets of ../shared/corpus and their own metrics (read in place, never copied).

- extraction-benchmark (Zyte): 4-token shingles of ``\\w+`` tokens (both texts in Unicode NFC
  first, so composed and decomposed accents tokenise alike) as multisets, per-page
  TP/FP/FN normalised to sum 1, precision and recall each averaged over pages (pages with
  nothing predicted do not count for precision), F1 their harmonic mean.
- trafilatura-eval: whitespace-normalised substring test of the ``with``/``without`` snippets,
  counts summed over the corpus, F1 = 2TP / (2TP + FP + FN).
- indonesian-news: the extraction-benchmark metric on the ground truth's ``content``.
- fundus-dev: the extraction-benchmark metric on the expected body (paragraphs of all sections,
  joined by newlines; the summary/lead is kept apart, as fundus does). A publisher's parser
  versions and saved pages are paired in sorted order, newest with newest.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass
class Page:
    """One page to extract, with what its ground truth says."""

    set: str
    key: str
    html: bytes
    url: str | None
    group: str = ""  # outlet, for per-outlet figures
    body: str | None = None  # shingle metric
    with_: list[str] = field(default_factory=list)  # snippet metric
    without: list[str] = field(default_factory=list)
    title: str | None = None
    day: date | None = None
    stamp: datetime | None = None  # publication time, where the ground truth has a time of day
    summary: str = ""  # fundus-dev: the lead/summary its ground truth keeps apart from the body
    subheadings: list[str] = field(default_factory=list)  # fundus-dev: sections' headlines, not in the body


def indonesian_pages(root: Path = CORPUS) -> list[Page]:
    base = root / "indonesian-news" / "pages"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for name, item in truth.items():
        if not item.get("content"):
            continue  # listing pages carry only expected URLs
        path = next(base.rglob(name))
        stamp = datetime.fromtimestamp(item["date"] / 1000, timezone.utc).astimezone(JAKARTA) if item.get("date") else None
        pages.append(Page("indonesian-news", name, path.read_bytes(), item.get("url"), path.parent.name,
                          body=item["content"], title=item.get("title"), day=stamp.date() if stamp else None,
                          stamp=stamp if stamp and (stamp.hour, stamp.minute) != (0, 0) else None))
    return pages


def zyte_pages(root: Path = CORPUS) -> list[Page]:
    base = root / "extraction-benchmark"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((base / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page("extraction-benchmark", key, html, item.get("url"), body=item.get("articleBody", "")))
    return pages


def trafilatura_pages(root: Path = CORPUS) -> list[Page]:
    base = root / "trafilatura-eval"
    truth = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in truth.items():
        for path in (base / "cache" / item["file"], base / "eval" / item["file"], base / "eval" / f"{item['file']}.gz"):
            if path.is_file():
                html = path.read_bytes()
                html = gzip.decompress(html) if path.suffix == ".gz" else html
                break
        else:
            continue
        day = _iso_day(item.get("date"))
        pages.append(Page("trafilatura-eval", item["file"], html, url, with_=item["with"],
                          without=item["without"], title=item.get("title") or None, day=day))
    return pages


def _iso_stamp(value: str | None) -> datetime | None:
    """A timestamp with a time of day and an offset, else None (a bare day is no time)."""
    try:
        stamp = datetime.fromisoformat(value) if value and len(value) > 10 else None
    except ValueError:
        return None
    return stamp if stamp and stamp.tzinfo else None


def _iso_day(value: str | None) -> date | None:
    match = re.match(r"(\d{4})\D(\d{2})\D(\d{2})", value or "")
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name))


def fundus_pages(root: Path = CORPUS) -> list[Page]:
    """126 pages of 87 publishers; ``group`` is the publisher (the unit left out)."""
    base = root / "fundus-dev"
    pages = []
    for truth_path in sorted(base.glob("*/*.json")):
        publisher, folder = truth_path.stem, truth_path.parent
        versions = json.loads(truth_path.read_text(encoding="utf-8"))
        meta_path = folder / "meta.info"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        saved = sorted(p for p in folder.iterdir()
                       if re.fullmatch(re.escape(publisher) + r"_\d{4}_\d{2}_\d{2}\.html\.gz", p.name))
        ordered = sorted(versions, key=_version_key)
        # newest page with newest version, going back; a lone page takes the newest version
        for path, version in zip(reversed(saved), reversed(ordered)):
            expected = versions[version]
            sections = (expected.get("body") or {}).get("sections") or []
            body = "\n".join(p for s in sections for p in s.get("paragraphs") or [])
            pages.append(Page("fundus-dev", f"{folder.name}/{path.name}", gzip.decompress(path.read_bytes()),
                              (meta.get(path.name) or {}).get("url"), f"{folder.name}/{publisher}",
                              body=body, title=expected.get("title") or None,
                              summary="\n".join((expected.get("body") or {}).get("summary") or []),
                              subheadings=[h for s in sections for h in s.get("headline") or []],
                              day=_iso_day(expected.get("publishing_date")),
                              stamp=_iso_stamp(expected.get("publishing_date"))))
    return pages


SETS = {"indonesian": indonesian_pages, "zyte": zyte_pages, "trafilatura": trafilatura_pages,
        "fundus": fundus_pages}

# --- metrics ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE)


def words(text: str | None) -> str:
    """The text's ``\\w+`` tokens (NFC first), space-joined: what the shingle metric sees."""
    return " ".join(_TOKEN.findall(unicodedata.normalize("NFC", text or "")))


def _shingles(text: str, n: int = 4) -> Counter:
    # NFC on both sides: a ground truth kept in decomposed form ("u" + U+0308 for "ü", as two
    # fundus-dev pages are) splits \w+ tokens at every accent (U+0308 is no word character), so
    # an extractor that outputs the same text composed scored 0.5 on those pages
    tokens = _TOKEN.findall(unicodedata.normalize("NFC", text or ""))
    return Counter(tuple(tokens[i: i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i: i + n])


def shingle_counts(true: str, pred: str) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn), normalised to sum 1 (the Zyte benchmark's own definition)."""
    a, b = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in set(a) | set(b):
        x, y = a.get(key, 0), b.get(key, 0)
        tp, fp, fn = tp + min(x, y), fp + max(0, y - x), fn + max(0, x - y)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)


def shingle_scores(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1) over pages, averaged the benchmark's way."""
    ps = [_precision(*r) for r in rows if r[0] + r[1] > 0]
    rs = [_recall(*r) for r in rows if r[0] + r[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def snippet_counts(page: Page, pred: str | None) -> tuple[int, int, int]:
    """(tp, fp, fn) of trafilatura's with/without snippet test."""
    if not pred:
        return 0, 0, len(page.with_)
    text = _norm(pred)
    tp = sum(1 for w in page.with_ if _norm(w) in text)
    fp = sum(1 for w in page.without if _norm(w) in text)
    return tp, fp, len(page.with_) - tp


def snippet_scores(rows: list[tuple[int, int, int]]) -> tuple[float, float, float]:
    tp, fp, fn = (sum(r[i] for r in rows) for i in range(3))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)
