"""The discovery fixture sites (tests/fixtures/discovery): one small Indonesian outlet per way of
announcing articles, rendered into a temporary folder and served on 127.0.0.1.

Fixture files carry placeholders the renderer fills: ``{{ISO-N}}`` / ``{{RFC-N}}`` (N days before
now, ISO 8601 or RFC 822, so "fresh" stays fresh on any date) and ``{{OUTLET}}``; ``{{BASE}}`` is
left for the server. Every site also serves the three shared articles under /berita/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from tests.site import Response, TestSite

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
SITES = ("link_feed", "common_path", "robots_news", "sitemap_index", "listing_only", "nothing")


def _fill(text: str, now: datetime, outlet: str) -> str:
    def stamp(match: re.Match) -> str:
        when = (now - timedelta(days=int(match.group(2)), hours=2)).replace(microsecond=0)
        return when.isoformat() if match.group(1) == "ISO" else format_datetime(when)

    return re.sub(r"\{\{(ISO|RFC)-(\d+)\}\}", stamp, text).replace("{{OUTLET}}", outlet)


def render(name: str, target: Path, now: datetime | None = None) -> Path:
    """Copy site ``name`` plus the shared articles into ``target`` with dates filled in."""
    now = now or datetime.now(timezone.utc)
    for folder in (FIXTURES / "articles", FIXTURES / name):
        for path in folder.rglob("*"):
            if path.is_file():
                out = target / path.relative_to(folder)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(_fill(path.read_text(encoding="utf-8"), now, name), encoding="utf-8")
    return target


def serve(name: str, tmp_path: Path) -> TestSite:
    """A started TestSite serving site ``name``; "/" answers with its index.html. Use with ``with``."""
    root = render(name, tmp_path / name)
    site = TestSite(root)
    index = (root / "index.html").read_text(encoding="utf-8")
    site.routes["/"] = lambda handler: Response(index.replace("{{BASE}}", site.base_url))(handler)
    return site
