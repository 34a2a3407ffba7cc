"""Extract: turn fetched HTML (or already-extracted text files) into Articles.

HTML goes through trafilatura with metadata (title, author, date, sitename, text); the
publication timestamp is taken from the page's own metadata when it has one with a time.
A page that yields no text is a per-item error, recorded by the caller.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta

import lxml.html
import trafilatura
from trafilatura.utils import load_html

from kabar.models import Article, Fetched, StageError
from kabar.tasking import NO_CACHE, task
from tasks import charset, lxml_lookup
from tasks.boilerplate import link_texts, prune_tree
from tasks.candidates import choose_body, graft_embedded_article, other_pages_headlines, without_headlines
from tasks.dates import JAKARTA, estimate_from_text, find_dates, find_dates_with_zone
from tasks.outlets import site_names
from tasks.page_links import page_links
from tasks.page_type import ARTICLE, LISTING, OTHER, PAGE_TYPE_STAGE, html_page_type, is_feed, text_file_type
from tasks.published import declared_published_at

LOGGER = logging.getLogger(__name__)
lxml_lookup.install()  # element classes looked up in C, not by a Python call per node (issue 11)


class ExtractionError(ValueError):
    """The page yielded no article (empty, not parseable, no main text)."""


class NotAnArticle(ExtractionError):
    """The page is a listing/index, gallery, video or other page: recorded, never an article."""

    def __init__(self, page_type: str, reason: str) -> None:
        super().__init__(f"{page_type}: {reason}")
        self.page_type, self.reason = page_type, reason


def decode(body: bytes, content_type: str | None) -> str:
    """Bytes to text: BOM, declared charset, <meta>, then detection (see tasks/charset.py)."""
    return charset.decode(body, content_type)


def meta_published_at(html: "str | lxml.html.HtmlElement") -> datetime | None:
    """The publication time a page (HTML text or parsed tree) declares in <meta> or JSON-LD,
    with its time of day (the best of its declarations: ``tasks.published``)."""
    if isinstance(html, str):
        try:
            html = lxml.html.fromstring(html)
        except (ValueError, lxml.etree.ParserError):
            return None
    return declared_published_at(html)


def _date_only(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value[:10], "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(tzinfo=JAKARTA)


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and len(line) <= 200 and not line.rstrip().endswith((".", ",", ";", ":"))


def extract_text_file(text: str, fetched: Fetched) -> Article:
    """An already-extracted .txt: first line is the title when it reads as a headline."""
    lines = text.strip().splitlines()
    if not lines:
        raise ExtractionError("empty file")
    kind, reason = text_file_type(fetched.item.path or fetched.item.url, text)
    if kind != ARTICLE:
        raise NotAnArticle(kind, reason)
    title = None
    if len(lines) > 1 and _looks_like_headline(lines[0]):
        title, lines = lines[0].strip(), lines[1:]
    body = "\n".join(lines).strip()
    if not body:
        raise ExtractionError("no text after the title")
    published, source = _with_estimate(fetched.item.published_hint, "metadata", body)
    return Article(url=fetched.item.url, source=fetched.item.source, fetched_at=fetched.fetched_at,
                   text=body, title=title, published_at=published, published_at_source=source)


def _with_estimate(published: datetime | None, source: str | None, text: str) -> tuple[datetime | None, str | None]:
    """``(published, source)`` as given when dated; else the date the text's lead states, as an
    estimate; else (None, None): an undated article stays undated, never the ingest day."""
    if published is not None:
        return published, source
    estimate = estimate_from_text(text)
    return (estimate, "estimate") if estimate else (None, None)


def _headings(tree: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(h.text_content().split()) for h in tree.iter("h1")][:5]


def _better_title(title: str | None, headings: list[str]) -> str | None:
    """The page's <h1> when the declared title is that headline plus site chrome around it."""
    if not title:
        return headings[0] if headings else None
    for heading in headings:
        if len(heading) >= 15 and heading != title and heading.casefold() in title.casefold():
            return heading
    return title


def extract_html(html: str, url: str | None) -> dict:
    """trafilatura's extraction with metadata, as a dict (text, title, author, date, sitename...),
    after the structural pass of ``tasks.boilerplate.prune_tree``. The page is parsed once: the
    tree goes to trafilatura (which copies it) and the dates and headline are read from it.
    Extra keys: ``published_at`` (datetime or None) and ``pruned`` (what the pass removed)."""
    if is_feed(html):  # a feed saved as .html (a directory ingest): its items are other pages
        raise NotAnArticle(LISTING, "an RSS/Atom feed, a list of other pages")
    tree = load_html(html)
    if tree is None:
        raise ExtractionError("not parseable as HTML")
    published = meta_published_at(tree)
    headings = _headings(tree)
    names = site_names(tree)
    pruned = prune_tree(tree)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
    )
    result = (document.as_dict() if hasattr(document, "as_dict") else dict(document)) if document is not None else {}
    if not (result.get("text") or "").strip() and graft_embedded_article(tree):
        # a page rendered by its scripts: the article is in the script payload, not the markup
        document = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
        )
        result = (document.as_dict() if hasattr(document, "as_dict") else dict(document)) if document is not None else {}
    if not (result.get("text") or "").strip():
        kind, reason = html_page_type(tree, " ")  # no text at all: what else the page is, if anything
        if kind not in (ARTICLE, OTHER):
            raise NotAnArticle(kind, reason)
        raise ExtractionError("no main text found")
    page = page_links(tree)  # the tree does not change from here on: its links read once
    links = link_texts(tree, links=page)
    result["text"], result["body_candidate"] = choose_body(tree, url, result["text"], links=page)
    result["page_type"], result["page_type_reason"] = html_page_type(tree, result["text"], page)
    if result["page_type"] != ARTICLE:
        raise NotAnArticle(result["page_type"], result["page_type_reason"])
    result["declared_title"] = result.get("title")
    result["title"] = _better_title(result.get("title"), headings)
    result["text"], result["dropped_headlines"] = without_headlines(result["text"], [result["title"], result["declared_title"]],
                                       other_pages_headlines(tree, url, page))
    source = "metadata" if published is not None else None
    if published is not None:
        published = _visible_zone(tree, published, result.get("title"))
    else:
        published, source = _indonesian_date(tree, result)
    result["published_at"], result["published_at_source"] = published, source
    result["pruned"] = pruned
    result["site_names"] = names
    result["header_text"] = _near_headline(tree, result["title"])[:1500]  # where bylines sit
    result["link_texts"] = links
    return result


def _visible_zone(tree: lxml.html.HtmlElement, declared: datetime, title: str | None = None) -> datetime:
    """The declared time, unless the page shows the same wall-clock time in another zone ("10:08
    WIB" shown, "T10:08:58Z" declared: the site wrote local time as UTC), or a time of day for a
    declared day that has none."""
    for shown, has_time, zone in _dates_near_headline(tree, title):
        # only a declared UTC time and a shown time with its zone written out: a time without one
        # is read as WIB by find_dates, and on a page in another zone ("20:00" beside a Spanish
        # headline) that is no evidence against the declared offset
        if has_time and zone and _local_written_as_utc(declared, shown):
            return shown
        # a declared day without a time (midnight): the time the page shows for that day, in the
        # zone it shows (WITA) or else the declared one
        if has_time and (declared.hour, declared.minute, declared.second) == (0, 0, 0) \
                and shown.date() == declared.date():
            return shown if zone else shown.replace(tzinfo=declared.tzinfo)
    if declared.utcoffset() == timedelta(0):
        # the headline's surroundings may show no time (a photo page dates its photo): the same
        # wall-clock minute anywhere on the page, with its zone written out ("16:00 WIB"), says
        # the same; a zone-less time elsewhere on the page (a list of other stories) does not
        for _, shown, has_time, zone in find_dates_with_zone(_spaced_text(tree)[:50000]):
            if has_time and zone and _local_written_as_utc(declared, shown):
                return shown
    return declared


def _local_written_as_utc(declared: datetime, shown: datetime) -> bool:
    return declared.utcoffset() == timedelta(0) and shown.utcoffset() != timedelta(0) \
        and shown.replace(tzinfo=None) == declared.replace(second=0, microsecond=0, tzinfo=None)


def _indonesian_date(tree: lxml.html.HtmlElement, result: dict) -> tuple[datetime | None, str | None]:
    """htmldate's day (via trafilatura), with the time of day an Indonesian date line beside the
    headline gives for that day; else the first Indonesian date of the page text. Returns the
    stamp and where it came from (``metadata`` when htmldate's day stands alone, else ``text``)."""
    day = _date_only(result.get("date"))
    if day is None:
        dates = [(found, has_time) for _, found, has_time in find_dates(" ".join(tree.text_content().split())[:20000])]
    else:
        dates = [(found, has_time) for found, has_time, _ in _dates_near_headline(tree, result.get("title"))]
    stamp = None
    for found, has_time in dates:
        if day is None or found.date() == day.date():
            if has_time:
                return found, "text"
            stamp = stamp or found
    if day is not None:  # the headline's surroundings gave no time: the page's first for that day
        page_text = " ".join(tree.text_content().split())[:20000]
        for _, found, has_time in find_dates(page_text):
            if has_time and found.date() == day.date():
                return found, "text"
    if day is not None:
        return day, "metadata"
    return stamp, "text" if stamp else None


def _near_headline(tree: lxml.html.HtmlElement, title: str | None = None) -> str:
    """Text of the headline's surroundings (its parent and grandparent), where bylines and the
    date line sit. The headline is the longest <h1> (the first one is often the masthead's logo);
    on a page with no <h1>, the element whose whole text is the title (or opens the declared
    title, "Headline | Section | Site")."""
    heading = _headline(tree, title)
    node = heading.getparent() if heading is not None else None
    if node is not None and node.getparent() is not None:
        node = node.getparent()
    return " ".join(node.text_content().split())[:5000] if node is not None else ""


def _headline(tree: lxml.html.HtmlElement, title: str | None) -> lxml.html.HtmlElement | None:
    heading = max(tree.iter("h1"), key=lambda h: len(h.text_content().strip()), default=None)
    if heading is None or not heading.text_content().strip():
        heading = _titled_element(tree, title)
    return heading


def _dates_near_headline(tree: lxml.html.HtmlElement, title: str | None) -> list[tuple[datetime, bool, bool]]:
    """The dates (with has_time and zone written out) in the headline's surroundings, nearest first: its own text, its
    siblings outwards (the one before, the one after, ...), then its parent's siblings. Nearest,
    not first in the page's order: a box of popular stories with their times often sits in the
    same container, above the headline."""
    heading = _headline(tree, title)
    found: list[tuple[datetime, bool, bool]] = []
    for text in _texts_outward(heading) if heading is not None else ():
        found += [(stamp, has_time, zone) for _, stamp, has_time, zone in find_dates_with_zone(" ".join(text.split()))]
    return found


def _spaced_text(element: lxml.html.HtmlElement) -> str:
    """The element's text with a space between its elements' texts (``text_content`` glues
    "16:00 WIB</li><li>Selasa" into "WIBSelasa", and the zone is then no word)."""
    return " ".join(" ".join(element.itertext()).split())


def _texts_outward(node: lxml.html.HtmlElement, levels: int = 2):
    yield _spaced_text(node)
    for _ in range(levels):
        parent = node.getparent()
        if parent is None:
            return
        before, after = list(node.itersiblings(preceding=True)), list(node.itersiblings())
        for i in range(max(len(before), len(after))):
            for side in (before, after):
                if i < len(side) and isinstance(side[i].tag, str):
                    yield _spaced_text(side[i])
        # loose text in the parent itself (a date printed between elements)
        yield " ".join([parent.text or ""] + [child.tail or "" for child in parent])
        node = parent


#: Elements a headline is printed in when a page has no <h1>.
_HEADLINE_TAGS = ("h2", "h3", "div", "span", "p", "td", "strong", "b")


def _titled_element(tree: lxml.html.HtmlElement, title: str | None) -> lxml.html.HtmlElement | None:
    """The first body element whose text is the title, or opens it (at least 15 characters), and
    is not a link (the same headline in a box of popular stories is one)."""
    wanted = " ".join((title or "").split()).casefold()
    if len(wanted) < 15:
        return None
    body = tree.find("body") if tree.tag == "html" else tree
    for element in (body if body is not None else tree).iter(*_HEADLINE_TAGS):
        text = " ".join(element.text_content().split()).casefold()
        if len(text) >= 15 and (text == wanted or wanted.startswith(text) and len(text) >= 0.5 * len(wanted)) \
                and next(element.iter("a"), None) is None and next(element.iterancestors("a"), None) is None:
            return element
    return None


def extract_article(fetched: Fetched) -> Article:
    """One fetched body to one Article; raises ExtractionError when there is no article."""
    if fetched.body is None:
        raise ExtractionError(fetched.error or "no body")
    text = decode(fetched.body, fetched.content_type)
    if (fetched.content_type or "").startswith("text/plain") or (fetched.item.path or "").endswith(".txt"):
        return extract_text_file(text, fetched)
    url = fetched.final_url or fetched.item.url
    result = extract_html(text, url if url.startswith("http") else None)
    published, source = result["published_at"], result["published_at_source"]
    hint = fetched.item.published_hint  # the feed's or sitemap's date
    if hint is not None and (published is None or _bare_day(published) and not _bare_day(hint)
                             and hint.astimezone(published.tzinfo).date() == published.date()):
        published, source = hint, "metadata"  # a page that states the day only: the feed's minute
    published, source = _with_estimate(published, source, result["text"])
    if fetched.extra_pages:  # a multi-page article: pages' text in order, repeated lead once
        result["text"] = _join_pages(result["text"], fetched, url)
    return Article(
        url=fetched.item.url,
        source=fetched.item.source,
        fetched_at=fetched.fetched_at,
        text=result["text"],
        title=result.get("title") or fetched.item.title_hint,
        author=result.get("author"),
        published_at=published,
        published_at_source=source,
        description=" ".join((result.get("description") or "").split()) or None,
        sitename=result.get("sitename"),
        meta={"html_canonical": _canonical_link(text), "final_url": fetched.final_url, "pruned": result["pruned"],
              "raw_title": result.get("declared_title"), "_link_texts": result["link_texts"],
              "body_candidate": result["body_candidate"], "page_type_reason": result["page_type_reason"],
              "dropped_headlines": result["dropped_headlines"],
              "site_names": result["site_names"], "_header_text": result["header_text"]},
    )


def _bare_day(stamp: datetime) -> bool:
    """A stamp that is a day without a time of day (midnight)."""
    return (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0)


def _join_pages(first: str, fetched: Fetched, url: str) -> str:
    from tasks.pages import join_pages

    texts = [first]
    for body in fetched.extra_pages:
        try:
            texts.append(extract_html(decode(body, fetched.content_type), url)["text"])
        except ExtractionError:
            continue  # a page without text adds nothing
    return join_pages(texts)


def _canonical_link(html: str) -> str | None:
    match = re.search(r'<link[^>]+rel=["\']canonical["\'][^>]*>', html[:200_000], re.IGNORECASE)
    if not match:
        return None
    href = re.search(r'href=["\']([^"\']+)["\']', match.group(0))
    return href.group(1).strip() if href else None


def extract_batch(batch: list[Fetched]) -> tuple[list[Article], list[StageError]]:
    """Extract every good fetch; pages without an article become StageErrors."""
    articles: list[Article] = []
    errors: list[StageError] = []
    for fetched in batch:
        if not fetched.ok:
            continue
        try:
            articles.append(extract_article(fetched))
        except NotAnArticle as exc:  # recorded on the fetch record by the load stage, not a failure
            errors.append(StageError(fetched.item.url, fetched.item.source, PAGE_TYPE_STAGE, str(exc)[:300]))
        except Exception as exc:  # one bad page never stops the batch
            reason = str(exc) if isinstance(exc, ExtractionError) else f"{type(exc).__name__}: {exc}"
            errors.append(StageError(fetched.item.url, fetched.item.source, "extract", reason[:300]))
    return articles, errors


def article_json(article: Article) -> str:
    """What `kabar extract --json` prints for one article."""
    return json.dumps(
        {
            "url": article.url,
            "canonical_url": article.canonical_url,
            "title": article.title,
            "author": article.author,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "published_at_source": article.published_at_source,
            "description": article.description,
            "outlet": article.outlet,
            "sitename": article.sitename,
            "language": article.language,
            "word_count": article.word_count,
            "content_hash": article.content_hash,
            "text": article.text,
            "meta": {k: v for k, v in article.meta.items()
                     if not k.startswith("_") and isinstance(v, (str, int, float, list, dict, type(None)))},
        },
        ensure_ascii=False,
        indent=2,
        default=str,
    )


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(batch: list[Fetched], stored: dict[str, tuple[str, str]] | None = None
                 ) -> tuple[list[Article], list[StageError]]:
    """Articles and errors of the batch's pages, except those whose body is the one ``stored``
    (URL -> (body hash, article id), tasks/unchanged.py) says their article came from."""
    # In worker processes, not in this runner thread: see tasks/extract_pool.py for the crash
    # (shared lxml/libxml2 state between threads) this avoids by design.
    from tasks.extract_pool import extract_in_workers
    from tasks.unchanged import changed

    return extract_in_workers(changed(batch, stored), extract_batch)
