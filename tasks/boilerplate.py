"""Boilerplate: a structural pass over the page's DOM before trafilatura, and per-site profiles.

1. ``prune_tree(tree)`` (in: the parsed page; changes it in place; out: counts of what it did):
   - wraps an article's loose lead text in <p> (Indonesian CMSs print the first paragraph as
     bare text after a bold dateline, "<b>Kapanlagi.com</b> - Brandon ...", beside later <p>s;
     trafilatura keeps only the <p>s and loses the lead);
   - writes ruby annotations that carry ``<rp>`` brackets in line, as a browser without ruby
     support shows them ("尹錫悦（ユンソンニョル）"): trafilatura breaks the line at each such
     ``<ruby>`` and drops the reading;
   - marks link-dense blocks (``PRUNE_ATTR``): lists whose items are mostly links (related
     news, "BERITA LAINNYA", "Berita Terkait", indexes with dates), and small containers that
     are mostly link text; ``link_texts`` gives their headlines, which cleaning removes from
     the extracted text (rule ``link_block``).
2. Site profiles: lines that recur across many pages of one site are that site's boilerplate.
   ``line_key`` gives a line's key (case, digits and spacing ignored); ``SiteProfile`` holds the
   keys learned for a site (the load stage counts them, ``warehouse.profiles`` reads them back).
"""

from __future__ import annotations

import copy
import logging
import re

import lxml.html
from lxml.etree import _Element

from kabar.config import Warehouse
from kabar.records import MIN_PAGES, MIN_SHARE, SiteProfile
from kabar.signals import reraise_signal
from kabar.tasking import NO_CACHE, task
from kabar.text import line_key, site_of
from tasks.dedupe import identify
from tasks.normalise import clean_whitespace
from tasks.page_links import PageLinks, page_links

LOGGER = logging.getLogger(__name__)

_BLOCK = frozenset(
    "address article aside blockquote center dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr iframe li main nav ol p pre section table tbody td th tr ul "
    "script style noscript video audio object embed select textarea".split()
)
_WRAPPABLE = frozenset({"div", "span", "td", "article", "section", "main", "font", "center"})
_LIST_TAGS = frozenset({"ul", "ol"})
_CONTAINERS = frozenset({"div", "section", "aside", "nav", "dl", "ul", "ol", "span", "p", "center"})
#: Link boxes are small; a bigger link-dense element is a page wrapper whose article text is
#: merely split by links, and is left to trafilatura.
_MAX_BOX_CHARS = 1200
#: Class/id words of related-news, popular, tag and share boxes (Indonesian and English).
_BOX_WORDS = re.compile(
    r"terkait|lainnya|terpopuler|populer|rekomendasi|baca-?juga|bacajuga|related|popular|most-?read|"
    r"trending|newsfeed|tag-?list|tags|share|sharing|sosmed|social|breadcrumb|pagination|paging",
    re.IGNORECASE,
)
_MIN_LOOSE_CHARS = 60
_NO_TEXT = ("script", "style", "noscript")
PRUNE_ATTR = "data-kabar-prune"
#: For ``trafilatura.bare_extraction(prune_xpath=...)``.
PRUNE_XPATH = f"//*[@{PRUNE_ATTR}]"


def _length(text: str | None) -> int:
    return len(text.strip()) if text else 0


def _wrap_loose_text(element: _Element) -> bool:
    """The run of text and inline children before the first block child becomes a <p> when it
    opens with a bold dateline and is long enough to be a paragraph (the lead); True if changed.
    Only the leading run: later loose text is left to trafilatura, which keeps it."""
    # the cheap tests first (called for every div, span, td... of the page): no loose text before
    # the children, and the first element child is the bold dateline (it precedes any block)
    if _length(element.text):
        return False
    first = next((c for c in element if isinstance(c.tag, str) and c.tag != "br"), None)
    if first is None or first.tag not in ("b", "strong"):
        return False
    children = list(element)
    first_block = next((i for i, c in enumerate(children) if isinstance(c.tag, str) and c.tag in _BLOCK), None)
    if first_block is None:
        return False
    inline = children[:first_block]
    # Only a run that opens with a bold dateline ("<b>JAKARTA</b> - ..."): wrapping other loose
    # text (recipe steps, text inside <span>s) changed trafilatura's choices and lost text.
    opening = [c for c in inline if isinstance(c.tag, str) and c.tag != "br"][:1]
    if _length(element.text) or not opening or opening[0].tag not in ("b", "strong") \
            or not re.match(r"\s*(-{1,2}|–|—)\s", opening[0].tail or ""):
        return False
    loose = _length(element.text) + sum(_length(c.tail) for c in inline)
    loose += sum(len(c.text_content().strip()) for c in inline if isinstance(c.tag, str))
    if loose < _MIN_LOOSE_CHARS:
        return False
    lead = lxml.html.Element("p")
    lead.text, element.text = element.text, None
    for child in inline:
        lead.append(child)  # moves it, tail included
    element.insert(0, lead)
    return True


def _sizes(tree: _Element) -> dict[_Element, tuple[int, int, int, int]]:
    """Per element: (text chars, link text chars, links, longest run of text outside links),
    computed bottom-up in one pass."""
    # one Python step per node of the page (about 3,000): the helpers and max() are written out,
    # and every child is already in ``sizes`` (children come after their parent in iter())
    sizes: dict[_Element, tuple[int, int, int, int]] = {}
    nothing = (0, 0, 0, 0)
    for element in reversed(list(tree.iter())):
        tag = element.tag
        if not isinstance(tag, str) or tag in _NO_TEXT:
            sizes[element] = nothing
            continue
        own = element.text
        text = run = len(own.strip()) if own else 0
        link = 0
        links = 0
        for child in element:
            c_text, c_link, c_links, c_run = sizes[child]
            tail = child.tail
            tail = len(tail.strip()) if tail else 0
            text += c_text + tail
            link += c_link
            links += c_links
            if c_run > run:
                run = c_run
            if tail > run:
                run = tail
        if tag == "a":
            link, links, run = text, links + 1, 0
        sizes[element] = (text, link, links, run)
    return sizes


def _is_link_list(element: _Element, sizes: dict) -> bool:
    items = [c for c in element if c.tag == "li"]
    if len(items) < 4 or sizes[element][0] > 100 * len(items):  # many short items: headlines
        return False
    linked = sum(1 for li in items if sizes.get(li, (0, 0, 0, 0))[2] > 0)
    text, link, _, run = sizes[element]
    return linked >= 0.8 * len(items) and text > 0 and link >= 0.5 * text and run < _PROSE_RUN


#: A block holding a run of plain text this long holds prose, whatever its links.
_PROSE_RUN = 100


def _is_link_block(element: _Element, sizes: dict) -> bool:
    text, link, links, run = sizes[element]
    if links < 3 or text == 0 or run >= _PROSE_RUN or text > _MAX_BOX_CHARS:
        return False
    density = link / text
    if density >= 0.7:
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}"
    return density >= 0.35 and bool(_BOX_WORDS.search(names))


def _inline_ruby(body: _Element) -> int:
    """Each ``<ruby>`` with ``<rp>`` brackets becomes its text in line (base, then the reading in
    the brackets the page gives for browsers without ruby); how many there were. trafilatura
    breaks the line at such a ruby and drops the reading (its text became "韓国の\n尹錫悦\n大統領は")."""
    # only with <rp>: a ruby without the page's brackets written in line would run base and
    # reading together (子こども); trafilatura already drops a bare <rt> without breaking the line
    rubies = [ruby for ruby in body.iter("ruby") if ruby.find("rp") is not None]
    for ruby in rubies:
        text = "".join(ruby.itertext())
        parent, previous = ruby.getparent(), ruby.getprevious()
        if parent is None:
            continue
        joined = text + (ruby.tail or "")
        if previous is not None:
            previous.tail = (previous.tail or "") + joined
        else:
            parent.text = (parent.text or "") + joined
        parent.remove(ruby)
    return len(rubies)


def prune_tree(tree: _Element) -> dict[str, int]:
    """The structural pass (see the module docstring); returns what it did, by kind.

    Link-dense blocks are only marked (``PRUNE_ATTR``), not removed: removing them changes which
    container trafilatura picks as the article, and on trafilatura's own evaluation set that
    cost more recall than it gained. ``link_texts`` collects what they say instead, and the
    normalise stage drops output lines made of it (rule ``link_block``)."""
    done = {"wrapped": 0, "link_lists": 0, "link_blocks": 0, "ruby": 0}
    body = tree.find("body") if tree.tag == "html" else tree
    if body is None:
        body = tree
    done["ruby"] = _inline_ruby(body)
    sizes = _sizes(body)
    doomed: list[tuple[_Element, str]] = []
    skip: set[_Element] = set()
    for element in body.iter():
        if element in skip or not isinstance(element.tag, str):
            continue
        kind = None
        if element.tag in _LIST_TAGS and _is_link_list(element, sizes):
            kind = "link_lists"
        elif element.tag in _CONTAINERS and element is not body and _is_link_block(element, sizes):
            kind = "link_blocks"
        if kind:
            doomed.append((element, kind))
            skip.update(element.iter())
    for element, kind in doomed:
        element.set(PRUNE_ATTR, kind)
        done[kind] += 1
    for element in list(body.iter(*_WRAPPABLE)):
        if _wrap_loose_text(element):
            done["wrapped"] += 1
    return done


def link_texts(tree: _Element, min_chars: int = 15, links: PageLinks | None = None) -> list[str]:
    """The link texts (headlines) inside the lists ``prune_tree`` marked, and those of teaser
    paragraphs (``teaser_links``). ``links``: ``page_links(tree)`` when the caller has them."""
    texts: set[str] = set(teaser_links(tree, links=links))
    # Lists only: taking the link texts of marked blocks too cost recall on trafilatura-eval.
    for block in tree.xpath(f"//*[@{PRUNE_ATTR}='link_lists']"):
        for link in block.iter("a"):
            text = " ".join(link.text_content().split())
            if len(text) >= min_chars:
                texts.add(text)
    return sorted(texts)


#: A short label before a colon ("Les også:", "Baca juga:", "Read more:", "LIHAT JUGA:"), any language.
_TEASER_LABEL = re.compile(r"^\W*(?:\w+\W+){0,2}\w+\s*:\s*$")
_PARAGRAPHS = ("p", "li", "div", "h2", "h3", "h4", "h5", "h6")


def teaser_links(tree: _Element, min_chars: int = 20, links: PageLinks | None = None) -> list[str]:
    """Link texts of teaser paragraphs inside an article: a paragraph that is only a short label
    and a colon, then one link to another page ("<p><b>Les også: <a>Headline</a></b></p>").
    The shape says it, in any language; the label's words do not matter. ``links``:
    ``page_links(tree)`` when the caller has them."""
    found: list[str] = []
    for link, text in page_links(tree) if links is None else links:
        if len(text) < min_chars:
            continue
        block = next((a for a in link.iterancestors(*_PARAGRAPHS)), None)
        if block is None or sum(1 for _ in block.iter("a")) != 1:
            continue
        whole = " ".join(block.text_content().split())
        if whole.endswith(text) and _TEASER_LABEL.match(whole[: len(whole) - len(text)]):
            found.append(text)
    return found


# --- site profiles -------------------------------------------------------------------------

def learn_profile(site: str, pages: list[tuple[list[str], list[str]]]) -> SiteProfile:
    """A profile from pages given as (extracted lines, title affixes): the in-memory twin of what
    ``warehouse.profiles`` computes from stored counts (used by the benchmark and tests)."""
    line_pages: dict[str, int] = {}
    affix_pages: dict[str, int] = {}
    for lines, affixes in pages:
        for key in {line_key(line) for line in lines if line.strip()}:
            line_pages[key] = line_pages.get(key, 0) + 1
        for key in {line_key(a) for a in affixes}:
            affix_pages[key] = affix_pages.get(key, 0) + 1
    need = max(MIN_PAGES, MIN_SHARE * len(pages))
    return SiteProfile(
        site, len(pages),
        {k for k, n in line_pages.items() if n >= need},
        {k for k, n in affix_pages.items() if n >= need},
    )


def batch_profile_rows(articles: list) -> list[dict]:
    """The profile rows a batch of *extracted* (not yet normalised) articles would add, each
    under the id its page will be stored with, so a page already counted is recognised."""
    staged = []
    for article in articles:
        page = copy.copy(article)
        page.meta = {**article.meta, "extracted_text": clean_whitespace(article.text)}
        page.meta.setdefault("raw_title", article.title)
        identify(page)
        staged.append(page)
    from warehouse.profiles import profile_rows  # not at import: extraction workers import this module (kabar/tasking.py)

    return profile_rows(staged)


def _from_batch_only(sites: list[str], rows: list[dict]) -> dict[str, SiteProfile]:
    """Profiles learned from the batch's own pages (a warehouse with no profiles yet)."""
    by_site: dict[str, dict[str, tuple[list[str], list[str]]]] = {}
    for row in rows:
        lines, affixes = by_site.setdefault(row["site"], {}).setdefault(row["article_id"], ([], []))
        (lines if row["kind"] == "line" else affixes).append(row["sample"])
    return {site: learn_profile(site, list(pages.values())) for site, pages in by_site.items() if site in sites}


@task(name="site-profiles", cache_policy=NO_CACHE)
def site_profiles_task(path: Warehouse, articles: list) -> dict[str, SiteProfile]:
    """The profiles of the sites in this batch: stored counts (read-only) plus this batch's own
    pages, so what a batch teaches applies to that batch."""
    sites = sorted({s for a in articles if (s := site_of(a.meta.get("final_url") or a.url))})
    try:
        rows = batch_profile_rows(articles)
        from warehouse.profiles import load_profiles

        profiles = load_profiles(path, sites, rows)
        return _from_batch_only(sites, rows) if profiles is None else profiles
    except Exception as exc:  # a missing or busy warehouse means no profile, never a failed run
        reraise_signal(exc)  # but a SIGTERM that interrupted the query stops the run (kabar/signals.py)
        LOGGER.warning("site profiles not read: %s", exc)
        return {}
