"""Build ``samples/warc/samples.warc.gz`` from the sample article pages.

The WARC holds one ``warcinfo`` record followed by, for every entry in
``samples/manifest.json`` whose file lives under ``pages/`` (the first
published version of each article; the later versions under ``updates/`` are
deliberately left out), a ``response`` record carrying the page with
realistic HTTP/1.1 headers and the matching ``request`` record
(``WARC-Concurrent-To`` points at the response).  ``WARC-Target-URI`` is the
canonical URL from the manifest.

The output is deterministic: record ids are ``uuid5`` values derived from the
URL, and every record's ``WARC-Date`` (and the HTTP ``Date`` header) is fixed
at 17:30:00Z on the manifest's ``published`` day, i.e. 00:30 WIB the next
morning, after any article published that day.  Re-running the script on
unchanged pages therefore reproduces the file byte for byte.

Regenerate after editing any page or the manifest (from the project root)::

    .venv/bin/python samples/make_warc.py            # writes samples/warc/samples.warc.gz
    .venv/bin/python samples/make_warc.py -o /tmp/x.warc.gz

Only the standard library and ``warcio`` are needed.
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "warc" / "samples.warc.gz"
USER_AGENT = "kabar-samples/1.0 (+https://kabar.example/bot)"
SOFTWARE = "kabar samples/make_warc.py (warcio)"
WARCINFO_DATE = "2025-11-01T00:00:00Z"


def record_id(kind: str, url: str) -> str:
    """Stable WARC-Record-ID for ``kind`` ('request'/'response') of ``url``."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + ':' + url)}>"


def fetch_time(published: str) -> datetime:
    """Fixed capture instant for an article published on ``published`` (YYYY-MM-DD)."""
    day = datetime.strptime(published, "%Y-%m-%d")
    return day.replace(hour=17, minute=30, second=0, tzinfo=timezone.utc)


def load_entries(manifest_path: Path) -> list[dict]:
    entries = json.loads(manifest_path.read_text(encoding="utf-8"))
    return [e for e in entries if e["file"].startswith("pages/")]


def write_warcinfo(writer: WARCWriter, filename: str, count: int) -> None:
    fields = (
        f"software: {SOFTWARE}\r\n"
        "format: WARC File Format 1.0\r\n"
        "description: kabar demo corpus, Indonesian-language sample articles "
        f"({count} pages, fictional outlets on .example domains)\r\n"
        "isPartOf: kabar-samples\r\n"
    ).encode("utf-8")
    record = writer.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(fields),
        length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": record_id("warcinfo", "kabar-samples/" + filename),
            "WARC-Date": WARCINFO_DATE,
            "WARC-Filename": filename,
        },
    )
    writer.write_record(record)


def write_pair(writer: WARCWriter, entry: dict, body: bytes) -> None:
    url = entry["url"]
    parts = urlsplit(url)
    when = fetch_time(entry["published"])
    warc_date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    http_date = format_datetime(when, usegmt=True)

    resp_headers = StatusAndHeaders(
        "200 OK",
        [
            ("Date", http_date),
            ("Server", "nginx"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "public, max-age=60"),
            ("Vary", "Accept-Encoding"),
            ("X-Cache", "HIT"),
        ],
        protocol="HTTP/1.1",
    )
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=resp_headers,
        warc_headers_dict={
            "WARC-Record-ID": record_id("response", url),
            "WARC-Date": warc_date,
        },
    )

    req_headers = StatusAndHeaders(
        f"GET {parts.path or '/'} HTTP/1.1",
        [
            ("Host", parts.netloc),
            ("User-Agent", USER_AGENT),
            ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
            ("Accept-Language", "id-ID,id;q=0.9,en;q=0.5"),
            ("Connection", "close"),
        ],
        is_http_request=True,
    )
    request = writer.create_warc_record(
        url,
        "request",
        http_headers=req_headers,
        warc_headers_dict={
            "WARC-Record-ID": record_id("request", url),
            "WARC-Date": warc_date,
        },
    )
    # Writes the response, then the request with WARC-Concurrent-To set.
    writer.write_request_response_pair(request, response)


def build(out_path: Path, manifest_path: Path) -> int:
    entries = load_entries(manifest_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        write_warcinfo(writer, out_path.name, len(entries))
        for entry in entries:
            body = (manifest_path.parent / entry["file"]).read_bytes()
            write_pair(writer, entry, body)
    return len(entries)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    ap.add_argument("-m", "--manifest", type=Path, default=HERE / "manifest.json")
    args = ap.parse_args()
    n = build(args.output, args.manifest)
    print(f"wrote {n} response/request pairs to {args.output}")


if __name__ == "__main__":
    main()
