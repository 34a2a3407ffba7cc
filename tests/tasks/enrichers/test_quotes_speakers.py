"""Quote speakers by the general rules of Indonesian news writing (issue 14): "-nya" goes to the
paragraph's named subject, a subject phrase that names nobody stays nameless, a full name beats
its partial span, an organisation run into a person's name is cut off. The texts are written for
these tests (names invented), not taken from the annotated real-article set."""

from __future__ import annotations

import pytest

from tasks.enrichers.quotes import extract_quotes


def speakers(text: str) -> list[str | None]:
    return [row["speaker_text"] for row in extract_quotes(text)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "Raka Pratama, putra sulung aktor Dedi Pratama, mengaku gugup menjelang pemutaran perdana.\n"
        "“Saya belum pernah bermain di layar lebar sebelumnya,” jelasnya.",
        ["Raka Pratama"], id="apposition-describes-the-subject"),
    pytest.param(
        "Rina Wulandari mengaku senang dengan hasil syuting film LANGIT SENJA BIRU.\n"
        "“Semua pemain bekerja keras selama tiga bulan,” katanya.",
        ["Rina Wulandari"], id="title-in-capitals-is-not-a-person"),
    pytest.param(
        "Sutradara Bayu Aji kembali menggarap film Pelangi Tanpa Warna bersama rumah produksi lamanya.\n"
        "“Ceritanya saya tulis sendiri sejak dua tahun lalu,” ujarnya.",
        ["Bayu Aji"], id="title-after-film-is-not-a-person"),
    pytest.param(
        "Budi Santoso datang ke lokasi bersama Andi Wijaya dan Citra Lestari. "
        "“Kami ingin membantu para korban banjir di sini,” ujarnya.",
        ["Budi Santoso"], id="subject-beats-later-objects"),
    pytest.param(
        "Terkait lawan berikutnya, Dimas Saputra mengaku tidak gentar. Ia belum pernah bertemu pelatih "
        "tim lawan, Marco Rossi.\n“Kami akan bermain sesuai instruksi pelatih,” ujarnya.",
        ["Dimas Saputra"], id="subject-after-a-lead-clause"),
    pytest.param(
        "Wulan Sari menghadiri acara itu bersama adiknya. Kakak Nina Sari ini terlihat bahagia.\n"
        "“Kami sudah lama menunggu hari ini,” katanya.",
        ["Wulan Sari"], id="kin-description-refers-back"),
    pytest.param(
        "Raka Pratama, putra sulung aktor Dedi Pratama, kini sibuk syuting.\n"
        "SENJA BIRU adalah film kedua Raka setelah DUA HARI yang dibintanginya bareng Sinta Maharani dan "
        "Yoga Wibisono. Kakak Nadia Pratama ini akhirnya mau bermain dalam film itu. "
        "“Ceritanya tentang persahabatan, saya suka sekali,” tuturnya.",
        ["Raka Pratama"], id="kin-subject-after-others-stands-for-the-subject-before"),
])
def test_nya_goes_to_the_named_subject(text: str, expected: list[str]) -> None:
    assert speakers(text) == expected


def test_a_subject_that_names_nobody_stays_nameless_and_takes_its_nya_quotes() -> None:
    text = (
        "Salah satu warga sekitar mengatakan, “Suara ledakan terdengar sampai ke ujung desa pada malam itu.”\n"
        "“Kami langsung keluar rumah karena takut,” ujarnya."
    )
    assert speakers(text) == ["salah satu warga sekitar"] * 2


def test_a_word_the_text_writes_in_lower_case_does_not_start_a_name() -> None:
    text = (
        "Para tetangga dan petugas sudah lama mengenal keluarga itu.\n"
        "Tetangganya mengatakan, “Mereka jarang keluar rumah sejak bulan lalu.”\n"
        "Petugas lain mengatakan, “Kami masih menunggu hasil pemeriksaan dari laboratorium.”"
    )
    assert speakers(text) == ["tetangganya", "petugas lain"]


def test_a_single_name_the_model_knows_is_still_a_name() -> None:
    text = (
        "Kepala Desa Sukamaju Hendra Wijaya meninjau lokasi banjir. "
        "Hendra mengatakan, “Bantuan akan kami salurkan besok pagi kepada semua warga.”"
    )
    assert speakers(text) == ["Hendra Wijaya"]


def test_a_generic_subject_that_gives_a_name_is_that_person() -> None:
    text = "Seorang saksi yang bernama Joko Susilo mengatakan, “Api muncul dari dapur rumah makan itu.”"
    assert speakers(text) == ["Joko Susilo"]


def test_a_caption_quote_goes_to_the_one_who_wrote_it() -> None:
    text = ("Penyanyi Maya Anggraini mengunggah foto bersama ibunya dan menuliskan keterangan yang berbunyi, "
            "“Terima kasih untuk semua doa kalian.”")
    assert speakers(text) == ["Maya Anggraini"]


@pytest.mark.parametrize("after", [
    " Hal itu diungkapkan oleh Ketua Koperasi Slamet Riyadi di Solo.",
    " Ucapan itu datang dari Slamet Riyadi.",
])
def test_the_agent_of_a_passive_reporting_verb_after_the_quote(after: str) -> None:
    assert speakers("“Harga cabai di pasar naik dua kali lipat pekan ini.”" + after) == ["Slamet Riyadi"]


def test_an_initial_keeps_the_full_name() -> None:
    text = "“Kami akan mengajukan banding atas putusan itu,” kata kuasa hukum terdakwa, Rahmat S. Hidayat."
    assert speakers(text) == ["Rahmat S. Hidayat"]


def test_a_surname_resolves_to_the_full_name_not_the_models_shorter_reading() -> None:
    text = (
        "Juru bicara kementerian, Lalu Muhammad Iqbal, menjelaskan sikap pemerintah.\n"
        "“Kami mendorong dialog,” ujar Iqbal di Jakarta."
    )
    assert speakers(text) == ["Lalu Muhammad Iqbal"]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "“Kami menargetkan penjualan naik sepuluh persen tahun ini,” kata Direktur PT Sinar Maju Tbk Hendra Gunawan, "
        "di Jakarta, Selasa.Produk itu meliputi tiga tipe Lancar, Gesit, dan Tangguh.",
        "Hendra Gunawan", id="after-a-legal-form"),
    pytest.param(
        "Ketua Indonesian Film Academy Ratna Dewi Lestari membuka acara itu.\n"
        "“Film pendek adalah sekolah bagi sutradara muda,” kata Lestari.",
        "Ratna Dewi Lestari", id="after-an-english-head-word"),
    pytest.param(
        "“Bahan bakunya kami datangkan dari pabrik di Surabaya,” jelas R&D PT Karya Baru Anton Wibisono.\n"
        "Menurut Anton, pabrik itu sudah berdiri sejak 1990.",
        "Anton Wibisono", id="the-name-the-text-uses-alone"),
])
def test_an_organisation_run_into_the_speaker_is_cut_off(text: str, expected: str) -> None:
    assert speakers(text)[0] == expected


def test_a_bodys_name_is_not_cut_into_a_person() -> None:
    text = ("Kementerian Luar Negeri Korut menyebut laporan itu “fitnah yang tidak masuk akal”. "
            "Korut telah lama membantah tuduhan serupa.")
    assert speakers(text) == ["Kementerian Luar Negeri Korut"]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "Aktris Sinta Maharani kembali beradu akting dalam film terbarunya, Senja Di Kota Lama.\n"
        "“Syutingnya melelahkan tetapi menyenangkan,” ujarnya.",
        ["Sinta Maharani"], id="title-cased-title-after-film-and-a-comma"),
    pytest.param(
        "Kepala Dinas Pendidikan Kabupaten Sragen, Bambang Haryanto, meninjau sekolah yang rusak.\n"
        "“Perbaikan akan dimulai pekan depan,” katanya.",
        ["Bambang Haryanto"], id="the-name-after-a-role-head"),
    pytest.param(
        "Lewat akun Instagram miliknya, Dewi Kartika menuliskan keterangan yang berbunyi, "
        "“Terima kasih sudah menemani perjalanan kami.”",
        ["Dewi Kartika"], id="a-caption-after-a-preposition-phrase"),
])
def test_more_subjects(text: str, expected: list[str]) -> None:
    assert speakers(text) == expected


def test_a_quote_after_a_sentence_that_names_someone_is_theirs_not_a_continuation() -> None:
    text = (
        "Tetangga lain yang bernama Rini Astuti mengatakan, “Kami tidak bisa tidur semalaman karena musiknya.” "
        "Keluhan juga datang dari Bagus Wicaksono, warga yang tinggal dua blok dari rumah Sinta Maharani. "
        "“Suaranya terdengar sampai ke ujung kampung sampai pagi hari.”\n"
        "“Saya sudah melapor ke ketua RT tetapi belum ada tanggapan sampai sekarang.”"
    )
    rows = extract_quotes(text)
    assert [r["speaker_text"] for r in rows] == ["Rini Astuti", "Bagus Wicaksono", "Bagus Wicaksono"]
    assert [r["verb"] for r in rows][1:] == ["introduced", "continued"]
