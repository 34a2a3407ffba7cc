"""Extraction quality: the pipeline's extraction beside bare trafilatura, on ../shared/corpus.

    python benchmarks/extraction.py                     # all four sets (trafilatura-eval: ~1 min on 2 workers)
    python benchmarks/extraction.py --set fundus        # one set: indonesian | fundus | zyte | trafilatura
    python benchmarks/extraction.py --quick             # trafilatura-eval sampled (every 5th page)
    python benchmarks/extraction.py --set indonesian --pages   # per-page figures too
    python benchmarks/extraction.py --set fundus --losses 20  # the 20 lowest pages: lines gained and missed, by kind

"Pipeline" is exactly what `kabar extract` and ingest run: ``tasks.extract.extract_article``
then ``tasks.normalise.normalise_article``. "trafilatura" is ``trafilatura.extract`` with the
settings each set's own runner uses, measured in the same run.

Every set is scored leave-one-outlet-out: the pipeline line uses no site-specific learning at
all (no site profile, no learned boilerplate) for the outlet it scores, so nothing it knows
came from that outlet's pages. For the Indonesian and fundus sets a second line adds a profile
learned from the *other* pages of the same site (leave-one-page-out: what ingest does once a
site has been seen; that line is not outlet-out). Titles are compared exactly (after the same
Unicode/quote/space normalisation on both sides); dates by calendar day; times to the minute
where the ground truth has a time of day. The floor check lists every page where the pipeline
scores body F1 < 0.2 while bare trafilatura scores > 0.5.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from benchmarks.extraction_sets import (  # noqa: E402
    JAKARTA, SETS, Page, shingle_counts, shingle_scores, snippet_counts, snippet_scores, words,
)
from kabar.models import Fetched, Item  # noqa: E402
from tasks.boilerplate import learn_profile, site_of  # noqa: E402
from tasks.extract import ExtractionError, extract_article  # noqa: E402
from tasks.normalise import clean_whitespace, normalise_article, title_affixes  # noqa: E402

TARGETS = {"indonesian-news": 0.95, "extraction-benchmark": 0.958, "trafilatura-eval": 0.924, "fundus-dev": 0.95}
FLOOR_OURS, FLOOR_BARE = 0.2, 0.5


def _fetched(page: Page) -> Fetched:
    url = page.url or f"file:///corpus/{page.key}"
    return Fetched(Item(url=url, source="benchmark"), datetime.now(timezone.utc), 200, None,
                   page.html, "text/html", url)


def pipeline_extract(page: Page):
    """The extracted (not yet normalised) Article, or None when extraction finds nothing."""
    return _extract_or_reason(page)[0]


def _extract_or_reason(page: Page):
    """(Article, None), or (None, the one-line reason the pipeline records for the page)."""
    try:
        return extract_article(_fetched(page)), None
    except ExtractionError as exc:  # NotAnArticle included: "listing: ...", "video: ..."
        return None, str(exc)
    except Exception as exc:  # as extract_batch does: one bad page is an error row, not a stop
        return None, f"error {type(exc).__name__}: {exc}"


def _bare(page: Page) -> str | None:
    if page.set == "trafilatura-eval":  # that set's canonical runner
        return trafilatura.extract(page.html, include_comments=False, include_tables=True, fast=False)
    if page.set == "extraction-benchmark":  # the Zyte repo's run_trafilatura.py (decoded text)
        return trafilatura.extract(page.html.decode("utf-8", errors="replace"), include_comments=False)
    return trafilatura.extract(page.html, url=page.url, include_comments=False)


def _day(stamp: datetime | None, page: Page):
    if stamp is None:
        return None
    return stamp.astimezone(JAKARTA).date() if page.set == "indonesian-news" else stamp.date()


def _bare_stamp(value: str | None, page: Page) -> datetime | None:
    """trafilatura's date as a timestamp (it gives a day; the page's zone at midnight)."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=page.stamp.tzinfo if page.stamp else JAKARTA)


def run_page(page: Page) -> dict:
    """Both extractors on one page: texts, titles, days and seconds spent."""
    started = time.perf_counter()
    article, reason = _extract_or_reason(page)
    extracted = copy.deepcopy(article) if article is not None else None
    if article is not None:
        normalise_article(article)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    bare_text = _bare(page)
    bare_s = time.perf_counter() - started
    bare_title = bare_day = bare_stamp = None
    if page.title or page.day:
        meta = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
        if meta is not None:
            bare_title = meta.title
            bare_day = datetime.fromisoformat(meta.date[:10]).date() if meta.date else None
            bare_stamp = _bare_stamp(meta.date, page)
    return {
        "text": article.text if article else "", "title": article.title if article else None,
        "day": _day(article.published_at, page) if article else None,
        "stamp": article.published_at if article else None, "outlet": article.outlet if article else None,
        "bare_text": bare_text or "", "bare_title": bare_title, "bare_day": bare_day, "bare_stamp": bare_stamp,
        "ours_s": ours_s, "bare_s": bare_s, "extracted": extracted, "reason": reason,
    }


def _with_profiles(pages: list[Page], results: list[dict]) -> list[str]:
    """Texts after normalising with a profile learned from the *other* pages of the same site
    (leave-one-page-out: what ingest does once a site has been seen; not leave-one-outlet-out)."""
    by_site = defaultdict(list)
    for i, page in enumerate(pages):
        by_site[site_of(page.url)].append(i)
    texts = []
    for i, page in enumerate(pages):
        extracted = results[i]["extracted"]
        if extracted is None:
            texts.append("")
            continue
        others = [results[j]["extracted"] for j in by_site[site_of(page.url)] if j != i and results[j]["extracted"]]
        profile = learn_profile(site_of(page.url) or "", [
            (clean_whitespace(a.text).split("\n"), title_affixes(a.title or "")) for a in others
        ])
        texts.append(normalise_article(copy.deepcopy(extracted), None, profile).text)
    return texts


def _fmt(scores) -> str:
    return "P %.3f  R %.3f  F1 %.3f" % scores


def _score(pages: list[Page], texts: list[str]):
    if pages[0].set == "trafilatura-eval":
        return snippet_scores([snippet_counts(p, t) for p, t in zip(pages, texts)])
    return shingle_scores([shingle_counts(p.body or "", t) for p, t in zip(pages, texts)])


def _page_f1(page: Page, text: str) -> float:
    if page.set == "trafilatura-eval":
        tp, fp, fn = snippet_counts(page, text)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    tp, fp, fn = shingle_counts(page.body or "", text)
    p, r = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def _accuracy(pages: list[Page], results: list[dict], key: str, ours: str) -> tuple[float, int]:
    judged = [(p, r) for p, r in zip(pages, results) if getattr(p, key)]
    if not judged:
        return float("nan"), 0
    if key == "title":
        hits = sum(1 for p, r in judged if r[ours] and clean_whitespace(r[ours]) == clean_whitespace(p.title))
    elif key == "stamp":
        hits = sum(1 for p, r in judged if r[ours] and abs((r[ours] - p.stamp).total_seconds()) < 60)
    else:
        hits = sum(1 for p, r in judged if r[ours] == p.day)
    return hits / len(judged), len(judged)


def _outlet_labels(pages: list[Page], results: list[dict]) -> dict[str, set]:
    hosts = defaultdict(set)
    for page, r in zip(pages, results):
        if r["outlet"] is not None:
            hosts[site_of(page.url) or page.group].add(r["outlet"])
    return hosts


#: What a line of the pipeline's text the ground truth's body lacks is, in fundus-dev's terms.
LOSS_KINDS = ("summary", "subheading", "list item", "other")


def loss_parts(page: Page, text: str) -> tuple[dict[str, list[str]], list[str]]:
    """fundus-dev: the pipeline's lines its ground-truth body does not hold, by kind (the summary
    or subheadings fundus keeps apart from the body, a list item trafilatura writes as "- ...",
    anything else), and the ground truth's paragraphs the text misses."""
    body, summary = words(page.body), words(page.summary)
    subheadings = {words(h) for h in page.subheadings}
    extra: dict[str, list[str]] = {kind: [] for kind in LOSS_KINDS}
    for line in text.split("\n"):
        tokens = words(line)
        if not tokens or tokens in body:
            continue
        kind = ("summary" if summary and tokens in summary else "subheading" if tokens in subheadings
                else "list item" if line.lstrip().startswith("- ") else "other")
        extra[kind].append(line)
    got = words(text)
    missed = [line for line in (page.body or "").split("\n") if words(line) and words(line) not in got]
    return extra, missed


def _losses(pages: list[Page], results: list[dict], lowest: int) -> None:
    """Where fundus-dev's F1 goes: the extra words by kind, the score without the kinds the ground
    truth files apart (its convention: an oracle line, not the pipeline's figure), the missed
    paragraphs, and the ``lowest`` pages with their lines."""
    totals = dict.fromkeys(LOSS_KINDS, 0)
    missed_words, oracle, rows = 0, [], []
    for page, r in zip(pages, results):
        extra, missed = loss_parts(page, r["text"])
        for kind, lines in extra.items():
            totals[kind] += sum(len(words(line).split()) for line in lines)
        missed_words += sum(len(words(line).split()) for line in missed)
        apart = {line for kind in ("summary", "subheading", "list item") for line in extra[kind]}
        oracle.append(shingle_counts(page.body or "", "\n".join(l for l in r["text"].split("\n") if l not in apart)))
        rows.append((_page_f1(page, r["text"]), page, r, extra, missed))
    extra_words = sum(totals.values()) or 1
    print("  words of the pipeline's lines not in the ground-truth body: "
          + ", ".join(f"{kind} {n} ({n / extra_words:.0%})" for kind, n in totals.items())
          + f"; ground-truth paragraph words missed: {missed_words}")
    print(f"  without the lines the ground truth files apart (summary, subheadings, list items; "
          f"an oracle, NOT the pipeline)  {_fmt(shingle_scores(oracle))}")
    for f1, page, r, extra, missed in sorted(rows, key=lambda row: row[0])[:lowest]:
        tp, fp, fn = shingle_counts(page.body or "", r["text"])
        loss = "precision" if fp > fn else "recall"
        print(f"    {page.key:<45} F1 {f1:.2f}  P {tp / (tp + fp) if tp + fp else 0:.2f}  "
              f"R {tp / (tp + fn) if tp + fn else 0:.2f}  loss: {loss}")
        for kind, lines in extra.items():
            for line in lines[:4]:
                print(f"        + {kind:<10} {line[:100]}")
            if len(lines) > 4:
                print(f"        + {kind:<10} ... {len(lines) - 4} more")
        for line in missed[:4]:
            print(f"        - missed     {line[:100]}")


def report(name: str, pages: list[Page], results: list[dict], show_pages: bool, losses: int = 0) -> list[str]:
    """Print one set's figures; returns the keys of pages below the floor."""
    ours = _score(pages, [r["text"] for r in results])
    bare = _score(pages, [r["bare_text"] for r in results])
    ratio = sum(r["ours_s"] for r in results) / max(1e-9, sum(r["bare_s"] for r in results))
    target = TARGETS[pages[0].set]
    print(f"\n== {pages[0].set} ({len(pages)} pages, {len({p.group or site_of(p.url) for p in pages})} outlets)")
    print(f"  pipeline, leave-one-outlet-out  {_fmt(ours)}   target F1 >= {target}  "
          f"{'OK' if ours[2] >= target else 'BELOW'}")
    print(f"  trafilatura.extract             {_fmt(bare)}")
    print(f"  pipeline / trafilatura.extract time: {ratio:.2f}x")
    if pages[0].set in ("indonesian-news", "fundus-dev"):
        warm = _score(pages, _with_profiles(pages, results))
        print(f"  + profile from the same site's other pages (leave-one-page-out, NOT outlet-out)  {_fmt(warm)}")
        groups = defaultdict(list)
        for i, page in enumerate(pages):
            groups[page.group.split("/")[0]].append(i)
        for group, idx in sorted(groups.items()):
            sub = [pages[i] for i in idx]
            print(f"    {group:<14} n={len(idx):<3} pipeline {_fmt(_score(sub, [results[i]['text'] for i in idx]))}"
                  f" | trafilatura {_fmt(_score(sub, [results[i]['bare_text'] for i in idx]))}")
    if pages[0].set == "fundus-dev":
        _losses(pages, results, losses)
    for key, label in (("title", "title exact"), ("day", "date right day"), ("stamp", "time to minute")):
        acc, n = _accuracy(pages, results, key, key)
        if n:
            bare_acc, _ = _accuracy(pages, results, key, f"bare_{key}")
            print(f"  {label:<15} pipeline {acc:.3f}  trafilatura {bare_acc:.3f}  (n={n})")
    if pages[0].set == "indonesian-news":
        labels = _outlet_labels(pages, results)
        many = {h: sorted(v) for h, v in labels.items() if len(v) > 1}
        print(f"  outlet labels: {sum(len(v) for v in labels.values())} for {len(labels)} hosts"
              f"{'  more than one: ' + repr(many) if many else '  (one per host)'}")
    floor = []
    for page, r in zip(pages, results):
        mine, theirs = _page_f1(page, r["text"]), _page_f1(page, r["bare_text"])
        if mine < FLOOR_OURS and theirs > FLOOR_BARE:
            why = f"  (recorded as {r['reason']})" if r.get("reason") else ""
            floor.append(f"{page.key} ours {mine:.2f} bare {theirs:.2f}{why}")
    print(f"  pages with pipeline F1 < {FLOOR_OURS} where trafilatura > {FLOOR_BARE}: {len(floor)}")
    for line in floor:
        print(f"    {line}")
    if show_pages:
        for page, r in zip(pages, results):
            one = _score([page], [r["text"]])
            two = _score([page], [r["bare_text"]])
            print(f"    {page.key[:40]:<40} ours {_fmt(one)} | bare {_fmt(two)}  title={r['title']!r}")
    return floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="run only this set (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="every set, but only every 5th page of trafilatura-eval (a sample, not the figure)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--pages", action="store_true", help="print per-page figures")
    parser.add_argument("--losses", type=int, default=0, metavar="N",
                        help="fundus-dev: the N lowest pages with the lines they gain and miss, by kind")
    args = parser.parse_args(argv)
    chosen = args.set or ["indonesian", "fundus", "zyte", "trafilatura"]
    below = 0
    for name in chosen:
        pages = SETS[name]()
        if args.quick and name == "trafilatura":
            pages = pages[::5]
            print(f"\n(--quick: trafilatura-eval sampled, {len(pages)} pages)")
        with Pool(args.workers) as pool:
            results = pool.map(run_page, pages, chunksize=4)
        below += len(report(name, pages, results, args.pages, args.losses))
    print(f"\npages below the floor in all sets: {below}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
