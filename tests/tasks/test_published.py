"""Published time to the minute: the best of a page's declarations (tasks/published.py), and the
time the page shows beside its headline (tasks/extract.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import lxml.html

from tasks.extract import extract_html, meta_published_at
from tasks.published import declared_published_at

JAKARTA = ZoneInfo("Asia/Jakarta")
BODY = ("<p>Banjir rob kembali menggenangi kawasan pesisir utara kota sejak Selasa pagi, merendam ratusan "
        "rumah warga dan memutus akses jalan utama menuju pelabuhan perikanan.</p>"
        "<p>Kepala Badan Penanggulangan Bencana Daerah mengatakan air laut naik lebih tinggi dari perkiraan, "
        "sehingga petugas mendirikan posko darurat dan dapur umum bagi warga yang mengungsi.</p>"
        "<p>Warga berharap pemerintah segera memperbaiki tanggul laut yang jebol sejak tahun lalu agar "
        "banjir serupa tidak kembali terjadi ketika bulan purnama tiba pekan depan.</p>")


def _ld(node: str, wrap: bool = False) -> str:
    body = f"//<![CDATA[\n{node}\n//]]>" if wrap else node
    return f'<script type="application/ld+json">{body}</script>'


def _tree(head: str, body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_a_time_of_day_beats_a_bare_day_declared_first() -> None:
    head = ('<meta name="date" content="2024-05-15">'
            + _ld('{"@type": "NewsArticle", "datePublished": "2024-05-14T19:30:04+02:00"}'))
    assert declared_published_at(_tree(head)) == datetime(2024, 5, 14, 19, 30, 4, tzinfo=timezone(timedelta(hours=2)))


def test_the_articles_own_json_ld_beats_an_open_graph_update_time() -> None:
    # a live blog: og's time is its last update, the LiveBlogPosting node says when it began;
    # a related video's node on the same page is older and ranks last
    head = ('<meta property="article:published_time" content="2024-08-05T19:49:50Z">'
            + _ld('{"@type": "VideoObject", "datePublished": "2021-12-22T10:34:26+01:00"}')
            + _ld('{"@type": "LiveBlogPosting", "datePublished": "2024-08-04T13:23:00Z"}'))
    assert declared_published_at(_tree(head)) == datetime(2024, 8, 4, 13, 23, tzinfo=timezone.utc)


def test_a_time_without_offset_takes_the_offset_of_the_pages_other_times() -> None:
    naive = '<meta name="date" content="2025-06-17T18:24:10">'
    assert declared_published_at(_tree(naive)) == datetime(2025, 6, 17, 18, 24, 10, tzinfo=JAKARTA)
    # the page writes its modified time at +02:00: its publication time is at +02:00 too
    head = naive + _ld('{"@type": "WebPage", "dateModified": "2025-06-17T18:38:14.559+02:00"}')
    assert declared_published_at(_tree(head)) == datetime(2025, 6, 17, 18, 24, 10, tzinfo=timezone(timedelta(hours=2)))
    # and a declaration with its own offset beats the one without
    head += '<meta property="article:published_time" content="2025-06-17T18:25:00+02:00">'
    assert declared_published_at(_tree(head)).minute == 25


def test_json_ld_wrapped_in_cdata_is_read() -> None:
    head = _ld('{"@type": "NewsArticle", "datePublished": "2024-08-22T12:00:00+02:00"}', wrap=True)
    assert meta_published_at(lxml.html.tostring(_tree(head), encoding="unicode")) == \
        datetime(2024, 8, 22, 10, 0, tzinfo=timezone.utc)


def test_local_time_written_as_utc_is_read_in_the_zone_the_page_shows() -> None:
    # a photo page: beside the headline only the photo's time; the article's own minute, with
    # WIB written out, sits in a list further down. The declared "Z" was local time.
    html = ('<html><head><meta name="pubdate" content="2016-02-23 T16:00:20Z"></head><body>'
            '<div><div class="date">Selasa, 23/02/2016 15:32 WIB</div><h1>Gardu Induk Baru Resmi Beroperasi di Banten</h1>'
            f'<div>{BODY}</div></div><ul><li>Selasa, 23/02/2016 16:00 WIB</li><li>Selasa, 23/02/2016 15:44 WIB</li></ul>'
            '</body></html>')
    published = extract_html(html, "https://kabarkita.example/foto/gardu")["published_at"]
    assert published == datetime(2016, 2, 23, 16, 0, tzinfo=JAKARTA)


def test_a_zone_less_time_beside_the_headline_does_not_move_a_declared_utc_time() -> None:
    html = ('<html lang="es"><head><meta property="article:published_time" content="2025-05-29T20:00:27Z"></head>'
            '<body><div><h1>Un titular de prueba bastante largo</h1><span>Madrid</span> - <time>29/05/2025 20:00</time>'
            f'</div><div>{BODY}</div></body></html>')
    published = extract_html(html, "https://diario.example/noticia")["published_at"]
    assert published == datetime(2025, 5, 29, 20, 0, 27, tzinfo=timezone.utc)


def test_without_h1_the_date_line_nearest_the_headline_gives_the_minute() -> None:
    # no <h1>: the headline is the element whose text is the title; a box of popular stories
    # with their own times sits above it in the same container
    title = "Warga Pesisir Makassar Mengungsi Akibat Banjir Rob"
    html = (f"<html><head><title>{title} | Nasional | Kabar Kita</title>"
            '<meta name="date" content="2024-05-15"></head><body><div id="isi">'
            '<div class="populer"><div>Rabu, 15 Mei 2024 | 19:14</div><a href="/a">Harga Beras Naik Lagi di Pasar</a>'
            f'<div>Rabu, 15 Mei 2024 | 18:58</div><a href="/b">{title}</a></div>'
            f'<div class="tanggal">Rabu, 15 Mei 2024 | 07:28 WITA</div><div class="judul">{title}</div>'
            f"<div>{BODY}</div></div></body></html>")
    result = extract_html(html, "https://kabarkita.example/banjir")
    assert result["published_at"] == datetime(2024, 5, 15, 7, 28, tzinfo=ZoneInfo("Asia/Makassar"))


def test_a_feeds_minute_completes_a_page_that_states_only_the_day() -> None:
    from kabar.models import Fetched, Item
    from tasks.extract import extract_article

    html = (f'<html><head><meta name="date" content="2024-05-15"></head><body><h1>Banjir Rob di Pesisir Makassar Meluas</h1>'
            f"<div>{BODY}</div></body></html>").encode()
    fetched_at = datetime(2024, 5, 16, 1, 0, tzinfo=timezone.utc)

    def article(hint: datetime | None):
        item = Item(url="https://kabarkita.example/banjir", source="uji", published_hint=hint)
        return extract_article(Fetched(item, fetched_at, 200, None, html, "text/html", item.url))

    feed_time = datetime(2024, 5, 15, 9, 41, tzinfo=JAKARTA)
    assert article(feed_time).published_at == feed_time
    assert article(None).published_at == datetime(2024, 5, 15, tzinfo=JAKARTA)
    # a feed time for another day is no time of this page's day: the page's day stands
    assert article(datetime(2024, 5, 17, 9, 41, tzinfo=JAKARTA)).published_at == datetime(2024, 5, 15, tzinfo=JAKARTA)
