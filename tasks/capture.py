"""Raw capture: every HTTP response (status, headers, body) into per-run WARC files.

Files live in ``<data dir>/warc/<run id>.warc.gz`` (one gzip member per record, so each fetch
call appends safely). The body stored is the decoded one (Content-Encoding undone, the header
dropped), so a record can be re-read without the server's compression. Each record carries a
``WARC-Kabar-Source`` header naming the source, which ``kabar reextract`` uses to rebuild
articles with the current extraction code and no network. Files older than the retention
setting are deleted when a new run starts capturing.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from kabar.config import Warehouse
from kabar.models import Item
from kabar.text import PAGE_MIME_TYPES

LOGGER = logging.getLogger(__name__)

#: One lock per WARC file: discovery runs sources in threads that append to the same run file,
#: and a record is several buffered writes, so each record is written and flushed under the lock.
_FILE_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()

SOURCE_HEADER = "WARC-Kabar-Source"
PAGE_OF_HEADER = "WARC-Kabar-Page-Of"  # on page 2.. of a multi-page article: the first page's URL
_DROP = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class CaptureTarget:
    """Where one run's WARC records go: plain data, safe to pass to a task."""

    directory: str
    run_id: str
    retention_days: int | None = None

    @property
    def path(self) -> Path:
        return Path(self.directory) / f"{self.run_id}.warc.gz"


def warc_dir(warehouse: Warehouse) -> Path:
    """Where a warehouse's captures go: ``<data dir>/warc/<warehouse file name>/``, so two
    warehouses in one folder never share (and re-extract) each other's captures. A DuckLake's
    data dir is its own already (``<data path>.kabar/warc``)."""
    base = warehouse.data_dir / "warc"
    return base if warehouse.is_lake else base / warehouse.label


def capture_files(warehouse: Warehouse, run_ids: set[str]) -> list[Path]:
    """The WARC files of a warehouse: those in its own folder, plus files an older kabar wrote to
    the shared ``<data dir>/warc/`` folder for runs recorded in this warehouse (by run id)."""
    own = sorted(warc_dir(warehouse).glob("*.warc.gz"))
    legacy_dir = warc_dir(warehouse).parent
    legacy = [] if warehouse.is_lake else sorted(
        p for p in legacy_dir.glob("*.warc.gz") if p.name.removesuffix(".warc.gz") in run_ids)
    return legacy + own


def prune(directory: str | Path, retention_days: int | None) -> int:
    """Delete WARC files older than ``retention_days`` (None keeps everything); returns how many."""
    if not retention_days:
        return 0
    cutoff = time.time() - retention_days * 86400
    removed = 0
    for path in Path(directory).glob("*.warc.gz"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class WarcCapture:
    """Appends response records to one run's WARC file; ``write`` returns the WARC-Record-ID."""

    def __init__(self, target: CaptureTarget) -> None:
        self.target = target
        self._stream: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:  # opened on the first record: a run of local files makes no file
            Path(self.target.directory).mkdir(parents=True, exist_ok=True)
            self._stream = open(self.target.path, "ab")
            self._writer = WARCWriter(self._stream, gzip=True)
        return self._writer

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
              source: str, page_of: str | None = None) -> str:
        kept = [(k, v) for k, v in headers if k.lower() not in _DROP]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason or 'OK'}", kept, protocol="HTTP/1.1")
        writer = self._open()
        with _LOCKS_GUARD:
            lock = _FILE_LOCKS.setdefault(str(self.target.path), threading.Lock())
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http_headers,
            warc_headers_dict={SOURCE_HEADER: source, **({PAGE_OF_HEADER: page_of} if page_of else {})},
        )
        with lock:
            writer.write_record(record)
            self._stream.flush()
        return record.rec_headers.get_header("WARC-Record-ID")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


@dataclass
class Captured:
    """What ``kabar reextract`` rebuilds from: the newest capture of each article URL, and the
    records of pages 2.. of multi-page articles (first page URL -> [(file, offset)] in order)."""

    items: list[Item]
    pages: dict[str, list[tuple[str, int]]]


def captured_items(directory: str | Path | None, since: datetime | None = None,
                   files: list[Path] | None = None) -> Captured:
    """The newest captured 200 HTML response per URL, as ``warc`` Items with their source.

    Reads ``files`` when given, else every WARC file in ``directory``; ``since`` keeps records
    captured at or after that moment (by WARC-Date)."""
    newest: dict[str, tuple[str, Item]] = {}
    pages: dict[str, dict[str, tuple[str, str, int]]] = {}
    for path in files if files is not None else sorted(Path(directory).glob("*.warc.gz")):
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream)
            for record in iterator:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
                if mime not in (*PAGE_MIME_TYPES, ""):
                    continue
                stamp = record.rec_headers.get_header("WARC-Date") or ""
                if since is not None and _warc_date(stamp) < since:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                offset = iterator.get_record_offset()
                page_of = record.rec_headers.get_header(PAGE_OF_HEADER)
                if page_of:
                    pages.setdefault(page_of, {})[url] = (stamp, str(path.resolve()), offset)
                    continue
                source = record.rec_headers.get_header(SOURCE_HEADER) or path.stem
                item = Item(url=url, source=source, kind="warc", path=str(path.resolve()), offset=offset)
                if url not in newest or newest[url][0] <= stamp:
                    newest[url] = (stamp, item)
    ordered = {first: [(p, o) for _, p, o in sorted(found.values())] for first, found in pages.items()}
    return Captured([item for _, item in newest.values()], ordered)


def read_pages(records: list[tuple[str, int]]) -> list[bytes]:
    """The bodies of these (file, offset) records, in order; unreadable ones are skipped."""
    bodies = []
    for path, offset in records:
        try:
            with open(path, "rb") as stream:
                stream.seek(offset)
                record = next(iter(ArchiveIterator(stream)))
                bodies.append(record.content_stream().read())
        except Exception as exc:  # a damaged record loses a page, not the article
            LOGGER.warning("WARC page record %s@%s unreadable: %s", path, offset, exc)
    return bodies


def _warc_date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
