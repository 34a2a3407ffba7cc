"""AMP and mobile variants of an article resolve to one canonical URL."""

from __future__ import annotations

import pytest

from tasks.dedupe import canonical_url

CANONICAL = "https://detik.com/news/berita/d-123/judul"


@pytest.mark.parametrize("variant", [
    "https://www.detik.com/news/berita/d-123/judul",
    "https://m.detik.com/news/berita/d-123/judul",
    "https://amp.detik.com/news/berita/d-123/judul",
    "https://www.detik.com/news/berita/d-123/judul/amp",
    "https://www.detik.com/amp/news/berita/d-123/judul",
    "https://m.detik.com/news/berita/d-123/judul?amp=1&utm_source=wa",
    "https://detik.com/news/berita/d-123/judul?outputType=amp",
])
def test_variant_is_the_canonical_article(variant: str) -> None:
    assert canonical_url(variant) == CANONICAL


def test_a_real_path_segment_named_like_amp_is_kept() -> None:
    assert canonical_url("https://x.id/ampera/berita") == "https://x.id/ampera/berita"
