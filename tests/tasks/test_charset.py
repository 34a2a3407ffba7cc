"""Charset: header, BOM, <meta>, then detection; lying declarations do not win."""

from __future__ import annotations

from tasks.charset import decode

TEXT = "Kata “Andi”, harga naik – lagi – di kafé Señor, kata warga Bandung yang ditemui pagi ini."


def test_declared_utf8_but_sent_as_windows_1252() -> None:
    body = f"<html><head><meta charset=utf-8></head><body><p>{TEXT}</p></body></html>".encode("cp1252")
    assert TEXT in decode(body, "text/html; charset=utf-8")


def test_undeclared_latin1() -> None:
    body = "<html><body><p>Festival crêpe dan café di Malang ramai pengunjung.</p></body></html>".encode("latin-1")
    assert "crêpe dan café" in decode(body, "text/html")


def test_meta_declaration_is_used_when_the_header_says_nothing() -> None:
    body = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'.encode()
    body += "<p>“kutipan”</p>".encode("cp1252")
    assert "“kutipan”" in decode(body, None)


def test_bom_wins_over_a_wrong_header() -> None:
    body = "\ufeffBerita hari ini: café".encode("utf-16")
    assert decode(body, "text/html; charset=iso-8859-1").endswith("café")


def test_true_utf8_stays_utf8() -> None:
    assert decode(TEXT.encode("utf-8"), "text/html; charset=utf-8") == TEXT


def test_utf8_page_with_a_few_stray_windows_1252_bytes_stays_utf8() -> None:
    # a UTF-8 page with one byte pasted from an old windows-1252 template: strict UTF-8 fails,
    # and reading the whole page as windows-1252 turned every "ü" into "Ã¼"
    lead = "Warga Bandung menyambut Festival Kuliner: crêpe, café, jalapeño, Señor Müller, Zürich. " * 6
    body = ("<html><head><meta charset=utf-8></head><body><p>" + lead).encode("utf-8")
    body += "<p>Harga naik “dua kali” lipat.</p></body></html>".encode("cp1252")
    text = decode(body, None)
    assert "Señor Müller, Zürich" in text and "Ã" not in text
    assert "“dua kali”" in text  # the stray bytes themselves, read as windows-1252


def test_a_single_byte_page_is_not_taken_for_mostly_utf8() -> None:
    body = ("<html><body><p>" + "Müller aß Süßes in Zürich und Köln. " * 20 + "</p></body></html>").encode("cp1252")
    text = decode(body, None)
    assert "Müller aß Süßes" in text


def test_utf8_bytes_declared_as_latin1_are_utf8() -> None:
    # a stale template declaration: windows-1252 decodes any bytes, so only the bytes can say
    body = '<html><head><meta charset="iso-8859-1"></head><body><p>Tarif für nur 5,99 € – café</p></body></html>'
    text = decode(body.encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert "Tarif für nur 5,99 € – café" in text
    # a real windows-1252 page so declared stays windows-1252
    assert "für nur 5,99 €" in decode(body.encode("cp1252"), "text/html; charset=iso-8859-1")
