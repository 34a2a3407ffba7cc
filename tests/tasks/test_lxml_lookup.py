"""The C-level element class lookup (tasks/lxml_lookup.py) gives every node the class lxml.html's
Python lookup gives it, and extraction's output does not change with it."""

from __future__ import annotations

import lxml.html
import trafilatura
import trafilatura.utils
from lxml import etree

from tasks import lxml_lookup

PAGE = """<!DOCTYPE html><html><head><title>Banjir rob di pesisir Semarang</title>
<meta name="author" content="Rina Wulandari"></head><body>
<!-- navigasi -->
<nav><a href="/">Beranda</a> <a href="/daerah">Daerah</a></nav>
<article><h1>Banjir rob di pesisir Semarang</h1>
<p>Banjir rob kembali merendam permukiman warga di pesisir utara Semarang, Jawa Tengah, pada Senin pagi.
Ketinggian air mencapai 40 sentimeter di beberapa titik dan warga mengungsi ke balai desa.</p>
<p>"Air datang sejak subuh, kami belum sempat menyelamatkan barang," kata Suparno, warga Tambaklorok.</p>
<p>Badan Penanggulangan Bencana Daerah setempat menyiagakan pompa air dan perahu karet.</p>
<form action="/cari"><label for="q">Cari</label><input id="q" name="q"><select name="s"><option>x</option>
</select><textarea name="t">teks</textarea></form>
</article><?php echo 1 ?></body></html>"""


def _classes(tree) -> list[str]:
    return [type(node).__name__ for node in tree.iter()]


def _parser(lookup) -> lxml.html.HTMLParser:
    parser = lxml.html.HTMLParser()
    parser.set_element_class_lookup(lookup)
    return parser


def test_every_node_gets_the_class_the_python_lookup_gives() -> None:
    python = lxml.html.fromstring(PAGE, parser=_parser(lxml.html.HtmlElementClassLookup()))
    c_level = lxml.html.fromstring(PAGE, parser=_parser(lxml_lookup.html_class_lookup()))
    names = _classes(c_level)
    assert names == _classes(python)
    for special in ("FormElement", "InputElement", "LabelElement", "SelectElement", "TextareaElement",
                    "HtmlComment"):
        assert special in names
    assert {type(node) for node in c_level.iter("p")} == {lxml.html.HtmlElement}


def test_installed_on_the_parsers_extraction_uses(monkeypatch) -> None:
    import tasks.extract  # noqa: F401  (installs it)

    calls = []
    original = lxml.html.HtmlElementClassLookup.lookup
    monkeypatch.setattr(lxml.html.HtmlElementClassLookup, "lookup",
                        lambda self, *args: calls.append(args) or original(self, *args))
    tree = trafilatura.utils.load_html(PAGE)
    assert type(tree.find(".//form")).__name__ == "FormElement"
    assert len(list(tree.iter())) > 15
    assert calls == []  # no Python call per node
    python = lxml.html.fromstring(PAGE, parser=_parser(lxml.html.HtmlElementClassLookup()))
    list(python.iter())
    assert calls  # the Python lookup, for comparison, is called


def test_extraction_output_unchanged() -> None:
    import htmldate.utils

    parsers = (trafilatura.utils.HTML_PARSER, htmldate.utils.HTML_PARSER, lxml.html.html_parser)
    outputs = []
    for lookup in (lxml.html.HtmlElementClassLookup(), lxml_lookup.html_class_lookup()):
        for parser in parsers:
            parser.set_element_class_lookup(lookup)
        outputs.append(trafilatura.extract(PAGE, output_format="json", with_metadata=True, include_tables=True))
    lxml_lookup._INSTALLED = False
    lxml_lookup.install()
    assert outputs[0] == outputs[1]
    assert "Tambaklorok" in outputs[1]
    assert etree.iselement(trafilatura.utils.load_html(PAGE))
