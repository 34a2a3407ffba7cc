"""A C-level element class lookup for the lxml HTML parsers extraction uses (issue 11, CPU).

lxml.html's ``HTMLParser`` picks each element's Python class with ``HtmlElementClassLookup``, a
``CustomElementClassLookup`` whose ``lookup`` method is Python code (lxml/html/__init__.py): lxml
calls it every time it makes a Python proxy for a node, i.e. on nearly every step of every tree
walk (``iter``, ``xpath`` results, ``getparent``, ``deepcopy``...). trafilatura parses every page
with such a parser (``trafilatura.utils.HTML_PARSER``; htmldate has its own, and
``lxml.html.fromstring`` uses ``lxml.html.html_parser``): in a profile of ``extract_batch`` on
real pages it was called about 13,000 times a page.

``install()`` gives those parsers the same mapping built from lxml's C lookups: tag name ->
class through an ``ElementNamespaceClassLookup`` (no namespace: the five special classes lxml.html
registers, ``form``, ``input``, ``select``, ``textarea``, ``label``), everything else through an
``ElementDefaultClassLookup`` with lxml.html's element, comment, PI and entity classes. Every
node gets the class it got before (the HTML parser lower-cases tag names, which is all the Python
lookup's ``name.lower()`` did for parsed nodes), so extraction's output is unchanged; only the
per-proxy Python call is gone. Installed once per process, at import, before any page is parsed.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

_INSTALLED = False


def html_class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes, looked up in C."""
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))
    plain = lookup.get_namespace(None)
    for name, cls in lxml_html.HtmlElementClassLookup._default_element_classes.items():
        plain[name] = cls
    return lookup


def install() -> None:
    """Give trafilatura's, htmldate's and lxml.html's module-level HTML parsers the C lookup."""
    global _INSTALLED
    if _INSTALLED:
        return
    import htmldate.utils
    import trafilatura.utils

    lookup = html_class_lookup()
    for parser in {id(p): p for p in (trafilatura.utils.HTML_PARSER, htmldate.utils.HTML_PARSER,
                                      lxml_html.html_parser)}.values():
        parser.set_element_class_lookup(lookup)
    _INSTALLED = True
