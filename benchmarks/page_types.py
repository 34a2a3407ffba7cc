"""Page types: what the pipeline's page-type decision says about every page of ../shared/corpus.

    python benchmarks/page_types.py                    # every set (trafilatura-eval: minutes on 2 workers)
    python benchmarks/page_types.py --set indonesian   # one set: indonesian | listings | fundus | zyte | trafilatura

Each page goes through exactly what `kabar extract` and ingest run (``tasks.extract.extract_article``):
an article comes out, or the page is recorded as listing / gallery / video / other with its
reason (a page with no text at all counts as ``other``). Every page of the article sets
(indonesian-news article pages, fundus-dev, extraction-benchmark, trafilatura-eval) should be
``article``; the corpus's listing and index pages (indonesian-news ``*-mainpage.html`` and
``listing-pages/``) should not be. Prints, per set, the pages of each type and every wrong one
with the pipeline's reason.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.extraction import _extract_or_reason  # noqa: E402
from benchmarks.extraction_sets import CORPUS, SETS, Page  # noqa: E402
from tasks.page_type import ARTICLE, PAGE_TYPES  # noqa: E402


def listing_pages(root: Path = CORPUS) -> list[Page]:
    """The corpus's listing and index pages: front pages (some saved feeds) and an index page."""
    base = root / "indonesian-news"
    paths = sorted(base.glob("pages/*/*-mainpage.html")) + sorted(base.glob("listing-pages/*.html"))
    return [Page("listing-pages", path.name, path.read_bytes(), None, path.parent.name) for path in paths]


def indonesian_article_pages(root: Path = CORPUS) -> list[Page]:
    """The Indonesian article pages: those with ground truth, and the others (zainoor/: a 2025
    kompas page and a fact-check page) that have none."""
    pages = SETS["indonesian"](root)
    known = {page.key for page in pages}
    for path in sorted((root / "indonesian-news" / "pages").glob("*/*.html")):
        if path.name not in known and not path.name.endswith("-mainpage.html"):
            pages.append(Page("indonesian-news", path.name, path.read_bytes(), None, path.parent.name))
    return pages


ARTICLE_SETS = {"indonesian": indonesian_article_pages, "fundus": SETS["fundus"], "zyte": SETS["zyte"],
                "trafilatura": SETS["trafilatura"]}
ALL_SETS = {**ARTICLE_SETS, "listings": listing_pages}


def page_type(page: Page) -> tuple[str, str]:
    """(type, reason) the pipeline gives ``page``."""
    article, reason = _extract_or_reason(page)
    if article is not None:
        return ARTICLE, article.meta.get("page_type_reason") or ARTICLE
    kind, _, why = (reason or "").partition(": ")
    return (kind, why) if kind in PAGE_TYPES else ("other", reason or "no text")


def report(name: str, pages: list[Page], types: list[tuple[str, str]]) -> int:
    """Print one set's table; returns how many pages got the wrong side of article / not article."""
    want_article = name != "listings"
    counts = Counter(kind for kind, _ in types)
    wrong = [(p, t) for p, t in zip(pages, types) if (t[0] == ARTICLE) != want_article]
    print(f"\n== {pages[0].set} ({len(pages)} pages; every one should {'' if want_article else 'NOT '}be article)")
    print("  " + "  ".join(f"{kind} {counts.get(kind, 0)}" for kind in PAGE_TYPES) + f"   wrong {len(wrong)}")
    for page, (kind, reason) in wrong:
        print(f"    {page.key[:60]:<60} {kind}: {reason[:110]}")
    return len(wrong)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(ALL_SETS), action="append", help="run only this set (repeatable)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    wrong = 0
    for name in args.set or ["listings", "indonesian", "fundus", "zyte", "trafilatura"]:
        pages = ALL_SETS[name]()
        with Pool(args.workers) as pool:
            types = pool.map(page_type, pages, chunksize=4)
        wrong += report(name, pages, types)
    print(f"\npages on the wrong side in all sets: {wrong}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
