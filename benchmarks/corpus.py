"""A generator of realistic Indonesian news article pages, for benchmarks and scale tests.

Pages look like an outlet's article template: header navigation, breadcrumbs, a dated byline,
varied body paragraphs built from a vocabulary of Indonesian news phrasing, a "Baca juga"
inline link, related-news and popular lists, tags and a footer. Every page is distinct (its own
title and paragraphs), deterministic for a given seed, and carries <meta> publication dates.
Written by this project; no third-party text.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Iterator

JAKARTA = timezone(timedelta(hours=7))
OUTLETS = ("kabarharian.test", "warta-nusantara.test", "suarakota.test")
SECTIONS = ("nasional", "internasional", "ekonomi", "politik", "daerah")

_SUBJECTS = ("Pemerintah", "Kementerian Luar Negeri", "Gubernur Jawa Barat", "Bank Indonesia", "DPR",
             "Kepolisian Daerah", "Wali Kota Surabaya", "Badan Pusat Statistik", "Menteri Keuangan",
             "Presiden", "Komisi Pemilihan Umum", "Pengamat ekonomi", "Warga setempat", "Tim SAR gabungan")
_VERBS = ("menyatakan", "menegaskan", "mengumumkan", "membantah", "meminta", "menjelaskan", "memastikan",
          "menyampaikan", "mengusulkan", "menargetkan")
_OBJECTS = ("kebijakan baru soal harga beras", "rencana pembangunan jalan tol", "kerja sama dagang dengan Jepang",
            "anggaran bantuan sosial tahun depan", "hasil pemeriksaan saksi", "penanganan banjir di wilayah utara",
            "pertumbuhan ekonomi kuartal ketiga", "pengamanan arus mudik", "revisi undang-undang penyiaran",
            "program makan bergizi di sekolah", "perbaikan jaringan listrik desa", "evaluasi ujian nasional")
_CLAUSES = ("pada Senin (12/5) di Jakarta", "dalam konferensi pers, Selasa pagi", "kepada wartawan usai rapat",
            "menurut keterangan resmi yang diterima redaksi", "setelah pertemuan tertutup selama tiga jam",
            "di hadapan ratusan peserta", "melalui siaran pers", "saat meninjau lokasi")
_TAILS = ("Langkah itu dinilai penting untuk menjaga stabilitas harga di daerah.",
          "Ia berharap masyarakat tetap tenang dan tidak terpancing kabar bohong.",
          "Sejumlah pihak meminta proses tersebut dilakukan secara terbuka.",
          "Data sementara menunjukkan angka yang lebih tinggi dibanding tahun lalu.",
          "Pihaknya akan berkoordinasi dengan pemerintah daerah dalam waktu dekat.",
          "Hingga berita ini diturunkan, belum ada tanggapan dari pihak terkait.",
          "Keputusan akhir akan diumumkan setelah kajian selesai pekan depan.")
_PLACES = ("Bandung", "Medan", "Makassar", "Denpasar", "Yogyakarta", "Palembang", "Semarang", "Pontianak", "Ambon")


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_CLAUSES)}. "
            f"{rng.choice(_TAILS)}")


def _paragraph(rng: random.Random, number: int) -> str:
    extra = f" Di {rng.choice(_PLACES)}, tercatat {rng.randint(3, 950)} kasus serupa sejak awal tahun ({number})."
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) + extra


def article(index: int, seed: int = 8, paragraphs: tuple[int, int] = (6, 14),
            published: datetime | None = None) -> tuple[str, str, datetime]:
    """Article ``index``: its URL, its HTML page and its publication time (default: 37 minutes
    after the previous article's, from 2024-05-01 06:00 Asia/Jakarta)."""
    rng = random.Random(seed * 1_000_003 + index)
    outlet, section = rng.choice(OUTLETS), rng.choice(SECTIONS)
    published = published or datetime(2024, 5, 1, 6, tzinfo=JAKARTA) + timedelta(minutes=37 * index)
    title = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} di {rng.choice(_PLACES)} #{index}"
    url = f"https://{outlet}/{section}/{published:%Y/%m/%d}/{index}/{title.lower().replace(' ', '-').replace('#', '')[:70]}"
    body = "\n".join(f"<p>{_paragraph(rng, n)}</p>" for n in range(rng.randint(*paragraphs)))
    related = "".join(f'<li><a href="https://{outlet}/{section}/{index + k}">{rng.choice(_OBJECTS).capitalize()}</a></li>'
                      for k in range(1, 7))
    nav = "".join(f'<li><a href="https://{outlet}/{s}">{s.capitalize()}</a></li>' for s in SECTIONS)
    html = f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{title} - {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published.isoformat()}">
<link rel="canonical" href="{url}"></head>
<body><header><div class="logo">{outlet}</div><nav><ul>{nav}</ul></nav>
<form class="search"><input name="q" placeholder="Cari berita"></form></header>
<div class="breadcrumb"><a href="/">Beranda</a> &raquo; <a href="/{section}">{section.capitalize()}</a></div>
<main><article><h1>{title}</h1>
<div class="byline">Reporter: Redaksi {outlet.split('.')[0].title()} | {published:%A, %d %B %Y %H:%M} WIB</div>
{body}
<p class="baca-juga"><strong>Baca juga:</strong> <a href="https://{outlet}/{section}/{index + 99}">Berita terkait lainnya</a></p>
<div class="tags">Tag: <a href="/tag/{section}">{section}</a> <a href="/tag/{rng.choice(_PLACES).lower()}">daerah</a></div>
</article>
<aside><h3>Berita Terkait</h3><ul>{related}</ul><h3>Terpopuler</h3><ol>{related}</ol></aside></main>
<footer><p>&copy; 2024 {outlet}. Seluruh hak cipta dilindungi.</p><a href="/redaksi">Redaksi</a> <a href="/pedoman">Pedoman Media Siber</a></footer>
</body></html>"""
    return url, html, published


def articles(count: int, seed: int = 8, paragraphs: tuple[int, int] = (6, 14)) -> Iterator[tuple[str, str, datetime]]:
    """``count`` articles, index 0 to count-1."""
    for index in range(count):
        yield article(index, seed, paragraphs)


def write_warc(path: Path, count: int, seed: int = 8, paragraphs: tuple[int, int] = (6, 14)) -> Path:
    """Write ``count`` article pages as HTTP response records of a gzipped WARC file."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, html, published in articles(count, seed, paragraphs):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(html.encode("utf-8")),
                                               http_headers=headers,
                                               warc_headers_dict={"WARC-Date": published.astimezone(timezone.utc)
                                                                  .strftime("%Y-%m-%dT%H:%M:%SZ")})
            writer.write_record(record)
    return path


def write_files(directory: Path, count: int, seed: int = 8) -> list[Path]:
    """Write ``count`` article pages as .html files (named by index) under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (_, html, _) in enumerate(articles(count, seed)):
        target = directory / f"artikel-{index:06d}.html"
        target.write_text(html, encoding="utf-8")
        paths.append(target)
    return paths
