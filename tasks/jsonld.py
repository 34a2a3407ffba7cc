"""The page's JSON-LD, read once way for every stage that needs it (dates, outlet names, page
types, an ``articleBody`` candidate): each ``<script type="application/ld+json">`` parsed as
JSON (broken blocks are common and skipped: evidence we simply do not have) and walked. A block
wrapped for old XHTML parsers (``//<![CDATA[ ... //]]>``, ``<!-- ... -->``) is unwrapped first, and
raw line breaks inside strings are allowed (``strict=False``): browsers and search engines read
both, so pages ship them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml.etree import _Element

_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")


def jsonld_nodes(tree: _Element, follow: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks, in document order: the top-level ones
    (and those in top-level lists), then the objects under the keys named in ``follow`` (e.g.
    ``("@graph",)``); ``follow=None`` walks into every nested value."""
    keys = None if follow is None else tuple(follow)
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            stack: list[Any] = [json.loads(_WRAPPER.sub("", script.text or ""), strict=False)]
        except ValueError:
            continue
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                children = node.values() if keys is None else (node.get(key) for key in keys)
                stack.extend(reversed([c for c in children if isinstance(c, (dict, list))]))
