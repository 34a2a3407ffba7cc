"""tasks/main_blocks.py: the body is trimmed to the page's main paragraph containers; an article
split into same-class chunks is kept whole, the next article of an endless-scroll page is not."""

from __future__ import annotations

from datetime import datetime, timezone

import lxml.html

from kabar.models import Fetched, Item
from tasks.extract import extract_article
from tasks.main_blocks import (
    declared_summaries, keep_main_blocks, main_chunk_texts, main_chunks, main_containers, main_paragraphs, restore_main_paragraphs,
)

URL = "https://kabarkita.example/2024/05/15/banjir-rob-makassar"
PARAGRAPHS = [
    "Banjir rob kembali menggenangi kawasan pesisir utara Makassar sejak Selasa pagi, merendam ratusan "
    "rumah warga dan memutus akses jalan utama menuju pelabuhan perikanan setempat.",
    "Kepala BPBD Kota Makassar mengatakan air laut naik lebih tinggi dari perkiraan, sehingga petugas "
    "mendirikan posko darurat di tiga kelurahan dan menyiapkan perahu karet untuk warga lanjut usia.",
    "Menurut prakiraan BMKG, pasang maksimum air laut masih akan terjadi hingga akhir pekan ini, terutama "
    "pada malam hari, sehingga warga diminta tetap waspada dan menjauhi tanggul yang retak.",
    "Warga Kelurahan Cambaya mengaku sudah tiga kali mengungsi bulan ini dan berharap pemerintah kota "
    "segera meninggikan tanggul laut yang jebol sejak musim hujan tahun lalu.",
    "Pemerintah provinsi menjanjikan bantuan beras, selimut dan air bersih yang akan disalurkan melalui "
    "posko kelurahan mulai Rabu pagi, sementara dinas kesehatan membuka layanan pengobatan gratis.",
]
#: A comment thread in the article's wrapper, as <p>s trafilatura keeps: author, text; time, reply.
COMMENTS = "<div class='komentar'>" + "".join(f"<p>{name}: {text}</p><p>2 jam lalu · Balas</p>" for name, text in [
    ("Daeng Rudi", "Setiap tahun begini terus, kapan tanggulnya dibangun ulang pak wali kota?"),
    ("Andi Mawar", "Semoga warga yang mengungsi cepat dapat bantuan makanan dan selimut ya."),
    ("Pak Haris", "Jalan ke pelabuhan sudah tidak bisa dilewati motor sejak subuh tadi."),
]) + "</div>"
#: A teaser row of other stories: headline, date and one sentence, repeated.
TEASERS = "<div class='kartu'>" + "".join(f"<h3>{title}</h3><p>15 Mei 2024 — {text}</p>" for title, text in [
    ("Harga Beras di Pasar Terong Naik", "Pedagang menyebut pasokan dari Sidrap berkurang sejak pekan lalu"),
    ("Nelayan Tak Melaut Tiga Hari", "Gelombang tinggi membuat ratusan perahu tertambat di dermaga"),
]) + "</div>"


def _extract(html: str):
    fetched = Fetched(Item(url=URL, source="uji"), datetime(2024, 5, 15, 3, 0, tzinfo=timezone.utc), 200,
                      None, html.encode("utf-8"), "text/html; charset=utf-8", URL)
    return extract_article(fetched)


def _paragraphs(items: list[str], css: str = "isi-berita") -> str:
    return f"<div class='{css}'>" + "".join(f"<p>{p}</p>" for p in items) + "</div>"


def test_comment_and_teaser_blocks_beside_the_paragraphs_are_dropped() -> None:
    html = ("<html><head><title>Banjir Rob Genangi Pesisir Utara Makassar</title></head><body><article>"
            "<h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>"
            f"{_paragraphs(PARAGRAPHS)}{COMMENTS}{TEASERS}</article></body></html>")
    article = _extract(html)
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    # trafilatura alone keeps all of these (they share the article's <article> wrapper)
    for noise in ("Balas", "kapan tanggulnya dibangun ulang", "Pedagang menyebut pasokan", "Nelayan Tak Melaut"):
        assert noise not in article.text
    assert article.meta["body_candidate"].endswith("+main")


def test_lines_before_the_main_container_and_prose_between_chunks_stay() -> None:
    chunks = ["\n".join(PARAGRAPHS[:2]), "\n".join(PARAGRAPHS[3:])]
    standfirst = "Ratusan rumah terendam dan akses pelabuhan terputus."
    wrapped = PARAGRAPHS[2]  # a paragraph the CMS put in another element: prose between two main lines
    text = "\n".join([standfirst, *PARAGRAPHS[:2], wrapped, *PARAGRAPHS[3:], "Baca berita lainnya", "Komentar (3)"])
    kept = keep_main_blocks(text, chunks).split("\n")
    assert kept == [standfirst, *PARAGRAPHS]
    # the header block's labels (kicker, headline, byline, date line) go; its sentences stay
    labels = ["Banjir Rob", "Banjir Rob Genangi Pesisir Utara Makassar", "Oleh Andi Mawar", "Rabu, 15 Mei 2024 10:24 WIB"]
    kept = keep_main_blocks("\n".join([*labels, standfirst, *PARAGRAPHS[:2], *PARAGRAPHS[3:]]), chunks).split("\n")
    assert kept == [standfirst, *PARAGRAPHS[:2], *PARAGRAPHS[3:]]
    # a box beside the article (less than MIN_SHARE of the text in the containers): nothing changes
    assert keep_main_blocks(text, ["Ratusan rumah terendam dan akses pelabuhan terputus."]) == text
    assert keep_main_blocks(text, []) == text


def test_a_standfirst_the_page_declares_as_its_summary_is_not_body() -> None:
    standfirst = ("Ratusan rumah terendam dan akses pelabuhan terputus setelah air laut naik lebih tinggi "
                  "dari perkiraan.")
    html = ("<html><head><meta name='description' content='" + standfirst + "'>"
            "<meta property='og:description' content='" + standfirst + "'></head><body><article>"
            "<h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>"
            f"<div class='ringkasan'><p>{standfirst}</p></div>{_paragraphs(PARAGRAPHS)}</article></body></html>")
    tree = lxml.html.fromstring(html)
    summaries = declared_summaries(tree)
    assert len(summaries) == 1  # description and og:description say the same: once
    chunks = main_chunk_texts(tree)
    other = "Warga diminta menjauhi tanggul yang retak sampai air surut pada akhir pekan ini."
    text = "\n".join([other, standfirst, "Rabu, 15 Mei 2024 10:24 WIB", *PARAGRAPHS])
    # printed right above the article's paragraphs and declared apart from them: the page's summary
    # goes; another sentence of the header block stays
    assert keep_main_blocks(text, chunks, summaries).split("\n") == [other, *PARAGRAPHS]
    assert keep_main_blocks(text, chunks).split("\n") == [other, standfirst, *PARAGRAPHS]
    # with a sentence between it and the containers it is the article's first paragraph (the
    # containers are then a row below the article, not its body): it stays
    assert keep_main_blocks("\n".join([standfirst, other, *PARAGRAPHS]), chunks, summaries).split("\n")[0] == standfirst
    # a description cut short ("...") still names the line it opens
    cut = " ".join(standfirst.split()[:13]) + " ..."
    assert keep_main_blocks(text, chunks, declared_summaries(lxml.html.fromstring(
        html.replace(f"content='{standfirst}'", f"content='{cut}'")))).split("\n") == [other, *PARAGRAPHS]
    # a lead paragraph the containers hold is the body, even when the description repeats it
    lead_html = html.replace(f"<div class='ringkasan'><p>{standfirst}</p></div><div class='isi-berita'>",
                             f"<div class='isi-berita'><p>{standfirst}</p>")
    lead_tree = lxml.html.fromstring(lead_html)
    assert standfirst in keep_main_blocks(text, main_chunk_texts(lead_tree), declared_summaries(lead_tree)).split("\n")
    # through the whole extraction
    article = _extract(html)
    assert standfirst not in article.text and PARAGRAPHS[0] in article.text
    # not lost: the page's declared summary is the article's description (articles.description)
    assert article.description == standfirst
    assert standfirst in _extract(lead_html).text


def test_an_article_split_into_same_class_chunks_is_kept_whole() -> None:
    # chunks of one article separated by a photo and an advertisement, as magazine CMSs print them
    html = ("<html><body><article><h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>"
            f"{_paragraphs(PARAGRAPHS[:3], 'isi-berita teks jarak-bawah')}"
            "<figure><img src='/foto.jpg'><figcaption>Warga mengungsi dengan perahu.</figcaption></figure>"
            "<div class='iklan'>Iklan</div>"
            f"{_paragraphs(PARAGRAPHS[3:], 'isi-berita teks')}</article></body></html>")
    tree = lxml.html.fromstring(html)
    chunks = main_chunks(tree)
    assert chunks == ["\n".join(PARAGRAPHS[:3]), "\n".join(PARAGRAPHS[3:])]
    # trafilatura kept the first chunk only (and a share row after it): the other chunk is added
    first_only = "\n".join([*PARAGRAPHS[:3], "Bagikan artikel ini"])
    assert keep_main_blocks(first_only, chunks).split("\n") == PARAGRAPHS
    text = _extract(html).text
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert text.index(PARAGRAPHS[0]) < text.index(PARAGRAPHS[4])


def test_the_next_article_of_an_endless_scroll_page_is_not_a_chunk() -> None:
    other = [
        "Harga beras premium di Pasar Terong naik dua ribu rupiah per kilogram dalam sepekan terakhir, "
        "menurut para pedagang yang ditemui pada Rabu pagi di lantai dasar pasar.",
        "Pedagang menyebut pasokan dari Sidrap dan Pinrang berkurang karena banyak sawah yang baru selesai "
        "ditanami kembali setelah banjir bulan lalu merusak sebagian besar tanaman padi.",
    ]
    html = ("<html><body>"
            f"<article><h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>{_paragraphs(PARAGRAPHS)}</article>"
            f"<article><h1>Harga Beras di Pasar Terong Naik</h1>{_paragraphs(other)}</article>"
            "</body></html>")
    tree = lxml.html.fromstring(html)
    assert main_chunks(tree) == ["\n".join(PARAGRAPHS)]
    text = _extract(html).text
    assert PARAGRAPHS[-1] in text and other[0] not in text


def test_nested_tables_stay_inside_and_nested_boxes_do_not() -> None:
    from tasks.main_blocks import main_chunk_texts

    table = "Kelurahan Cambaya 120 rumah terendam"
    box = "Baca juga berita banjir rob lainnya di Makassar minggu ini"
    html = ("<html><body><article><h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>"
            f"<div class='isi-berita'>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS[:3])}"
            f"<div class='tabel'><table><tr><td>{table}</td></tr></table></div>"
            f"<aside><p>{box}</p></aside>"
            f"{''.join(f'<p>{p}</p>' for p in PARAGRAPHS[3:])}</div></article></body></html>")
    chunks = main_chunk_texts(lxml.html.fromstring(html))
    assert len(chunks) == 1 and table in chunks[0][1] and box not in chunks[0][1]
    # as trafilatura prints it: the table row between paragraphs, the box after the last one
    text = "\n".join([*PARAGRAPHS[:3], table, *PARAGRAPHS[3:], box])
    assert keep_main_blocks(text, chunks).split("\n") == [*PARAGRAPHS[:3], table, *PARAGRAPHS[3:]]


#: A comment policy printed as one long paragraph beside the comment thread.
POLICY = ("<div class='kebijakan-komentar'><p>Redaksi berkomitmen menjaga ruang diskusi yang hidup namun "
          "santun. Komentar yang mengandung ujaran kebencian, fitnah, spam atau tautan promosi akan dihapus "
          "tanpa pemberitahuan, dan akun yang berulang kali melanggar akan diblokir dari seluruh layanan "
          "kami. Dengan mengirim komentar, Anda menyetujui pedoman komunitas dan kebijakan privasi kami "
          "yang berlaku sejak awal tahun ini.</p></div>")


def _one_paragraph_wrappers(items: list[str]) -> str:
    """A CMS that wraps every paragraph in an element of its own, all of one class."""
    return "<section class='isi'>" + "".join(f"<div class='blok-teks'><p>{p}</p></div>" for p in items) + "</section>"


def test_paragraphs_wrapped_one_by_one_are_the_main_container_not_a_long_policy_paragraph() -> None:
    html = (f"<html><body><article><h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>"
            f"{_one_paragraph_wrappers(PARAGRAPHS)}</article>{POLICY}</body></html>")
    tree = lxml.html.fromstring(html)
    containers = main_containers(tree)
    assert [c.get("class") for c in containers] == ["blok-teks"] * len(PARAGRAPHS)
    assert "Redaksi berkomitmen" not in main_chunks(tree)[0]


def test_inline_markup_inside_a_word_is_one_word_when_lines_are_matched_to_containers() -> None:
    # "me<strong>nggenangi</strong>": the text trafilatura gives has the word whole
    html = (f"<html><body><article><div class='isi-berita'><p>{PARAGRAPHS[0]}</p>"
            "<p>Air laut me<strong>nggenangi</strong> jalan menuju pelabuhan perikanan sejak subuh.</p>"
            f"<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p></div></article></body></html>")
    tree = lxml.html.fromstring(html)
    text = "\n".join([PARAGRAPHS[0], "Air laut menggenangi jalan menuju pelabuhan perikanan sejak subuh.",
                      PARAGRAPHS[1], PARAGRAPHS[2]])
    assert keep_main_blocks(text, main_chunk_texts(tree)) == text


def test_paragraphs_the_precision_run_dropped_or_cut_short_go_back_in_place() -> None:
    tree = lxml.html.fromstring(f"<html><body><article>{_paragraphs(PARAGRAPHS)}</article></body></html>")
    fuller = "\n".join(["15 Mei 2024 10:00 WIB", *PARAGRAPHS, "Bagikan artikel ini"])
    cut = PARAGRAPHS[3][:120]
    kept = "\n".join([PARAGRAPHS[0], PARAGRAPHS[2], cut, PARAGRAPHS[4]])
    restored, count = restore_main_paragraphs(kept, fuller, main_paragraphs(tree))
    assert restored == "\n".join(PARAGRAPHS) and count == 2
    # a paragraph after the last kept line is not put back (a sign-off as often as the article's)
    restored, count = restore_main_paragraphs("\n".join(PARAGRAPHS[:3]), fuller, main_paragraphs(tree))
    assert restored == "\n".join(PARAGRAPHS[:3]) and count == 0


def test_nothing_goes_back_when_the_containers_are_another_story() -> None:
    tree = lxml.html.fromstring(f"<html><body><article>{_paragraphs(PARAGRAPHS)}</article></body></html>")
    other = ["Tim nasional futsal Indonesia menang tipis atas Thailand dalam laga uji coba di Bangkok, "
             "berkat gol tunggal pada menit terakhir pertandingan yang berlangsung ketat.",
             "Pelatih menyebut hasil itu modal penting menjelang turnamen regional bulan depan."]
    fuller = "\n".join([other[0], PARAGRAPHS[0], other[1]])
    kept = "\n".join(other)
    assert restore_main_paragraphs(kept, fuller, main_paragraphs(tree)) == (kept, 0)
