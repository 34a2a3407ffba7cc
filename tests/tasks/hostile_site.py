"""A hostile news site for fetch tests: one local server (tests/site.py) playing every fault.

``HostileSite`` starts two servers on 127.0.0.1: the hostile site itself (to be allowed with
``--allow-host``) and a "forbidden" one on another port that the site's feed and a redirect
point to, and that must never receive a request. Every request to the hostile site is logged
with its arrival time (``log``), so tests can check retries, Retry-After and Crawl-delay.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.site import Response, TestSite

TEMPLATE = (Path(__file__).parent.parent / "fixtures" / "fetching" / "article.html").read_text(encoding="utf-8")
BOMB = gzip.compress(b"\0" * (30 * 1024 * 1024), compresslevel=9)  # ~30 KB that inflates to 30 MB

GOOD = ("/berita/jembatan", "/berita/pasar", "/berita/panjang", "/berita/antre", "/berita/goyah",
        "/berita/cp1252", "/berita/latin1", "/berita/tautan-rusak")
BAD = {
    "/berita/lambat": "timeout",  # slow headers
    "/berita/menetes": "timeout: over",  # slow-drip body
    "/berita/putus": "connection error",  # connection reset
    "/berita/putar": "redirect loop",
    "/berita/raksasa": "too large",  # 10 MB body
    "/berita/bom": "refused: decompression bomb",
    "/private/rahasia": "robots.txt disallows",
    "/dokumen/laporan.pdf": "not HTML: application/pdf",
    "/berita/keluar": "refused:",  # redirect to the forbidden port
    "/berita/hilang": "HTTP 404",
    # a Location no URL parser reads: httpx refuses it while reading the response (_redirect_url)
    "/berita/alamat-rusak": "connection error: RemoteProtocolError: Invalid URL in location header",
}


def article(title: str, lead: str, place: str, extra: str = "", charset: str = "utf-8", head: str = "") -> str:
    return (TEMPLATE.replace("{TITLE}", title).replace("{LEAD}", lead).replace("{PLACE}", place)
            .replace("{EXTRA}", extra).replace("{CHARSET}", charset).replace("{HEAD}", head))


def _quiet_write(handler: BaseHTTPRequestHandler, data: bytes) -> bool:
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
        return True
    except OSError:  # the client gave up: that is the point
        return False


@dataclass
class HostileSite:
    """The hostile site and the forbidden one; use as a context manager."""

    slow_s: float = 2.0  # how long slow headers take
    drip_s: float = 4.0  # how long the slow-drip body takes
    crawl_delay: float = 0.1
    site: TestSite = field(default_factory=TestSite)
    forbidden: TestSite = field(default_factory=TestSite)
    log: list[tuple[float, str]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.site.url(path)

    def __enter__(self) -> "HostileSite":
        self.site.__enter__()
        self.forbidden.__enter__()
        self._routes()
        return self

    def __exit__(self, *exc: object) -> None:
        self.site.__exit__(*exc)
        self.forbidden.__exit__(*exc)

    def times(self, path: str) -> list[float]:
        with self.lock:
            return [t for t, p in self.log if p == path]

    def _route(self, path: str, play) -> None:
        def logged(handler: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.log.append((time.monotonic(), path))
                self.hits[path] = self.hits.get(path, 0) + 1
                n = self.hits[path]
            play(handler, n)

        self.site.routes[path] = logged

    def feed(self) -> str:
        links = [self.url(p) for p in (*GOOD, *BAD)] + [self.forbidden.url("/curian")]
        items = "".join(
            f"<item><title>Berita {i}</title><link>{link}</link>"
            f"<pubDate>Fri, 20 Nov 2026 0{i % 10}:00:00 +0700</pubDate></item>"
            for i, link in enumerate(links)
        )
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Kabar Uji</title><link>{self.url('/')}</link>{items}</channel></rss>")

    def _routes(self) -> None:
        ok = lambda body, **h: Response(body, 200, {"Content-Type": "text/html; charset=utf-8", **h})  # noqa: E731
        html = {
            "/berita/jembatan": article("Jembatan baru untuk dua kecamatan", "Warga menyambut rencana jembatan.", "Sleman"),
            "/berita/pasar": article("Pasar terapung kembali ramai", "Pedagang kembali berjualan di sungai.", "Banjarmasin"),
            "/berita/antre": article("Antrean panjang di pelabuhan", "Kapal tertahan karena cuaca buruk.", "Merak"),
            "/berita/goyah": article("Server dinas sempat goyah", "Layanan daring pulih setelah gangguan.", "Bandung"),
        }
        for path in ("/berita/jembatan", "/berita/pasar"):
            self._route(path, self._etagged(html[path]))
        self._route("/robots.txt", lambda h, n: Response(
            f"User-agent: *\nDisallow: /private/\nCrawl-delay: {self.crawl_delay}\n", 200,
            {"Content-Type": "text/plain"})(h))
        self._route("/feed.xml", lambda h, n: Response(self.feed(), 200, {
            "Content-Type": "application/rss+xml", "ETag": '"feed-v1"'})(h) if h.headers.get("If-None-Match") != '"feed-v1"'
            else Response(b"", 304, {"ETag": '"feed-v1"'})(h))
        self._route("/evil.xml", lambda h, n: Response(BILLION_LAUGHS, 200, {"Content-Type": "application/rss+xml"})(h))
        self._route("/berita/panjang", self._multipage)
        self._route("/berita/antre", lambda h, n: (
            Response("sabar", 429, {"Retry-After": "1", "Content-Type": "text/plain"}) if n == 1
            else ok(html["/berita/antre"]))(h))
        self._route("/berita/goyah", lambda h, n: (
            Response("galat", 500, {"Content-Type": "text/plain"}) if n == 1 else ok(html["/berita/goyah"]))(h))
        cp1252 = article("Harga kopi naik lagi", "Kata “Andi”, harga naik – lagi – di kafé Señor.", "Medan")
        self._route("/berita/cp1252", lambda h, n: ok(cp1252.encode("cp1252"))(h))
        latin1 = article("Festival crêpe di kota", "Pengunjung memadati festival crêpe dan café.", "Malang",
                         charset="").replace('<meta charset="">', "")
        self._route("/berita/latin1", lambda h, n: Response(latin1.encode("latin-1"), 200, {"Content-Type": "text/html"})(h))
        self._route("/berita/lambat", self._slow_headers)
        self._route("/berita/menetes", self._slow_drip)
        self._route("/berita/putus", self._reset)
        self._route("/berita/putar", lambda h, n: Response(b"", 302, {"Location": "/berita/putar-lagi"})(h))
        self._route("/berita/putar-lagi", lambda h, n: Response(b"", 301, {"Location": self.url("/berita/putar")})(h))
        self._route("/berita/raksasa", self._huge)
        self._route("/berita/bom", lambda h, n: Response(BOMB, 200, {
            "Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})(h))
        self._route("/private/rahasia", lambda h, n: ok(html["/berita/jembatan"])(h))
        self._route("/dokumen/laporan.pdf", lambda h, n: Response(b"%PDF-1.4\n" + b"0" * 5000, 200,
                                                                  {"Content-Type": "application/pdf"})(h))
        self._route("/berita/keluar", lambda h, n: Response(b"", 302, {"Location": self.forbidden.url("/curian")})(h))
        self._route("/berita/hilang", lambda h, n: Response("tidak ada", 404)(h))
        # A link whose host is bracketed but not an IP address: urljoin raises ValueError on it
        # (seen on a real page in the soak benchmark: a consent-settings link).
        broken_link = article("Warga menanam mangrove", "Seribu bibit ditanam di pesisir.", "Demak",
                              extra='<a href="http://[pengaturan-privasi]/setel">Privasi</a>')
        self._route("/berita/tautan-rusak", lambda h, n: ok(broken_link)(h))
        self._route("/berita/alamat-rusak", lambda h, n: Response(b"", 302, {"Location": "http://[bukan-alamat]/x"})(h))

    def _etagged(self, body: str):
        etag = f'"v{abs(hash(body)) % 10**8}"'

        def play(handler: BaseHTTPRequestHandler, n: int) -> None:
            if handler.headers.get("If-None-Match") == etag:
                Response(b"", 304, {"ETag": etag})(handler)
            else:
                Response(body, 200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag})(handler)
        return play

    def _multipage(self, handler: BaseHTTPRequestHandler, n: int) -> None:
        page = int(parse_qs(urlsplit(handler.path).query).get("page", ["1"])[0])
        lead = "Banjir melanda tiga desa sejak Senin malam, kata petugas."
        nav = f'<a href="/berita/panjang?page={page + 1}">Halaman berikutnya</a>' if page < 3 else ""
        extra = f"Bagian {page}: laporan lapangan tentang banjir hari ke-{page} di desa nomor {page}. {nav}"
        body = article("Banjir di tiga desa", lead, f"Kabupaten Bagian{page}", extra)
        Response(body, 200)(handler)

    def _slow_headers(self, handler: BaseHTTPRequestHandler, n: int) -> None:
        time.sleep(self.slow_s)
        try:
            Response("terlambat", 200)(handler)
        except OSError:
            pass

    def _slow_drip(self, handler: BaseHTTPRequestHandler, n: int) -> None:
        steps = max(1, int(self.drip_s / 0.1))
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(steps))
        handler.end_headers()
        for _ in range(steps):
            if not _quiet_write(handler, b" "):
                return
            time.sleep(0.1)

    def _reset(self, handler: BaseHTTPRequestHandler, n: int) -> None:
        # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset".
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.connection.close()

    def _huge(self, handler: BaseHTTPRequestHandler, n: int) -> None:
        # No Content-Length: the cap must work on the stream itself.
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        for _ in range(160):  # 10 MB
            if not _quiet_write(handler, chunk):
                return


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://example.invalid/a</link></item></channel></rss>
"""
