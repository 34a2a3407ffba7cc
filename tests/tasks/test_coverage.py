"""tasks/coverage.py: naming the outlet of a listed item before extraction."""

from __future__ import annotations

from kabar.config import Source
from tasks.coverage import outlet_of
from tasks.dedupe import site_host


def test_a_listed_item_without_a_source_outlet_is_named_by_its_site() -> None:
    url = "https://regional.kabarpesisir.co.id/read/1"
    # sections and www. are one outlet (kabar.text.site_of), as tasks/outlets.py names it
    assert outlet_of(None, url) == outlet_of(None, "https://www.kabarpesisir.co.id/x") == "kabarpesisir.co.id"
    assert outlet_of(None, "http://127.0.0.1:8123/a") == "127.0.0.1"
    assert outlet_of(Source(name="pesisir", kind="feed", url=url, outlet="Kabar Pesisir"), url) == "Kabar Pesisir"
    assert outlet_of(Source(name="pesisir", kind="files", glob="*.html"), "file:///tmp/a.html") == "pesisir"


def test_canonical_hosts_keep_sections_unlike_outlets() -> None:
    # the difference is on purpose: one path on two sections may be two articles
    assert site_host("m.regional.kabarpesisir.co.id") == "regional.kabarpesisir.co.id"
