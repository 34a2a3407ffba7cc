"""Damaged WARCs keep what is good: a bad record in the middle, a truncated file, a wrong
Content-Length and an empty file each report a one-line, printable problem with its offset,
and every good record before and after is still loaded; truncated payloads are refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from kabar.config import FetchSettings, Source
from kabar.models import Item
from tasks.discover import discover_source, plan_items, warc_items
from tasks.fetch import read_warc_record

N = 12


def _warc(gzip: bool = False) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    for i in range(N):
        body = (f"<html><head><title>Berita {i}</title></head><body><article><p>Berita nomor {i}: "
                + "warga desa bergotong royong memperbaiki jalan. " * 30 + "</p></article></body></html>").encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://contoh.id/berita/{i}", "response",
                                                      payload=io.BytesIO(body), http_headers=headers))
    return out.getvalue()


def _starts(data: bytes, marker: bytes = b"WARC/1.") -> list[int]:
    return [i for i in range(len(data)) if data.startswith(marker, i)]


def _source(path: Path) -> Source:
    return Source(name="arsip", kind="warc", path=str(path))


def _urls(items: list[Item]) -> list[int]:
    return [int(i.url.rsplit("/", 1)[1]) for i in items]


def test_a_bad_record_in_the_middle_loses_only_itself(tmp_path: Path) -> None:
    data = bytearray(_warc())
    bad = _starts(bytes(data))[6]
    data[bad:bad + 10] = b"\x00\xff\xfeRUSAK\x07\x1b"
    path = tmp_path / "rusak.warc"
    path.write_bytes(bytes(data))
    items, problems = warc_items(_source(path))
    assert _urls(items) == [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]
    assert len(problems) == 1 and problems[0].stage == "discover"
    assert "offset" in problems[0].error and problems[0].error.isprintable()
    assert all(read_warc_record(i).ok for i in items)


def test_a_truncated_file_refuses_the_cut_record_and_keeps_the_rest(tmp_path: Path) -> None:
    data = _warc()
    cut = _starts(data)[7] + 500
    path = tmp_path / "potong.warc"
    path.write_bytes(data[:cut])
    items, problems = warc_items(_source(path))
    assert _urls(items) == list(range(7))
    assert len(problems) == 1 and "truncated record https://contoh.id/berita/7" in problems[0].error
    assert f"offset {_starts(data)[7]}" in problems[0].error
    # Read as an item anyway (an older discovery listed it): refused, not stored short.
    cut_item = Item(url="https://contoh.id/berita/7", source="arsip", kind="warc", path=str(path),
                    offset=_starts(data)[7])
    fetched = read_warc_record(cut_item)
    assert fetched.body is None and fetched.error.startswith("truncated WARC record")


def test_a_wrong_content_length_drops_only_that_record(tmp_path: Path) -> None:
    data = _warc()
    start = _starts(data)[4]
    at = data.index(b"Content-Length: ", start)
    end = data.index(b"\r\n", at)
    path = tmp_path / "salah.warc"
    path.write_bytes(data[:at] + b"Content-Length: 99999" + data[end:])
    items, problems = warc_items(_source(path))
    assert _urls(items) == [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
    assert len(problems) == 1 and "berita/4" in problems[0].error


def test_a_damaged_gzip_warc_keeps_the_other_records(tmp_path: Path) -> None:
    data = bytearray(_warc(gzip=True))
    member = _starts(bytes(data), b"\x1f\x8b\x08")[5]
    data[member + 20:member + 60] = b"\x00" * 40
    path = tmp_path / "rusak.warc.gz"
    path.write_bytes(bytes(data))
    items, problems = warc_items(_source(path))
    assert _urls(items) == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert problems and all(p.error.isprintable() for p in problems)


@pytest.mark.parametrize("content", [b"", b"bukan warc sama sekali\n"])
def test_a_file_that_held_nothing_says_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kosong.warc"
    path.write_bytes(content)
    discovery = discover_source(_source(path), FetchSettings())
    assert discovery.items == []
    _, _, errors, _ = plan_items([discovery])
    assert any("held no HTML response record" in e.error for e in errors), errors
