"""The page's links with their texts, read once per page (issue 11, extraction CPU).

In: a parsed page. Out: each ``<a>`` element in document order with its text, whitespace
normalised (``" ".join(text_content().split())``). Six extraction steps look at the page's links
by their text (teaser links, headline anchors, other pages' headlines, headline links, listing
items and lines): each walked the tree and read every link's text itself, about 150 links a
page six times over. ``extract_html`` reads them once, after the last change to the tree, and
passes them on; each step still reads them itself when called without them.
"""

from __future__ import annotations

from lxml.etree import _Element

#: (link element, its whitespace-normalised text), in document order.
PageLinks = list[tuple[_Element, str]]


def page_links(tree: _Element) -> PageLinks:
    """Every ``<a>`` of ``tree`` (in document order) with its whitespace-normalised text. The
    tree must not change while the list is used (the texts are read now)."""
    return [(link, " ".join(link.text_content().split())) for link in tree.iter("a")]
