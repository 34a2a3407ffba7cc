"""Reading WARC files that may be damaged: every good record kept, every bad one reported.

warcio's ArchiveIterator stops at the first record it cannot parse, and it takes a record whose
Content-Length runs past the end of the file (a truncated download) or past the next record (a
wrong length) as whole. Here each record's block is read to its declared length: one that comes
up short is refused as truncated, and after any bad record reading resumes at the next record
header ("WARC/1." in a plain file, a gzip member start in a .warc.gz), so the good records
before and after a damaged one are all found. Problems carry the file offset and printable text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

LOGGER = logging.getLogger(__name__)

_PLAIN_START = b"WARC/1."
_GZIP_START = b"\x1f\x8b\x08"
_SCAN_CHUNK = 1024 * 1024


@dataclass
class WarcRecord:
    """A readable response record: where it starts and what it says about itself."""

    offset: int
    url: str | None
    status: str | None
    mime: str


@dataclass
class WarcProblem:
    """A record that could not be used, at ``offset`` of the file."""

    offset: int
    error: str


def printable(text: str, limit: int = 240) -> str:
    """One line of printable text (control and undecodable bytes shown as escapes)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    out = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text.replace("\r", " ").replace("\n", " "))
    return out[:limit]


def missing_bytes(record) -> int:
    """How many bytes of the record's declared block were not there (0 for a whole record).
    Call after reading the content: warcio's LimitReader counts down what it delivered."""
    stream = record.raw_stream
    while stream is not None:
        if hasattr(stream, "limit"):
            remaining = stream.limit
            if remaining > 0:
                # The reader may just not have been drained (content read through a decoder):
                # drain it; bytes still missing after that are not in the file.
                while stream.read(_SCAN_CHUNK):
                    pass
                remaining = stream.limit
            return max(int(remaining), 0)
        stream = getattr(stream, "stream", None)
    return 0


def _next_start(handle, after: int, marker: bytes) -> int | None:
    """Offset of the next record start at or after ``after``, or None."""
    position = after
    while True:
        handle.seek(position)
        chunk = handle.read(_SCAN_CHUNK + len(marker))
        if not chunk:
            return None
        found = chunk.find(marker)
        if found >= 0:
            return position + found
        if len(chunk) <= len(marker):
            return None
        position += _SCAN_CHUNK


def scan(path: str | Path) -> Iterator[WarcRecord | WarcProblem]:
    """Every response record of the file, and a WarcProblem for every record that is not usable."""
    from warcio.archiveiterator import ArchiveIterator

    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(3)
        marker = _GZIP_START if head == _GZIP_START else _PLAIN_START
        start: int | None = 0
        after: int | None = None  # a pass failed after the good record at this offset
        while start is not None:
            handle.seek(start)
            iterator = ArchiveIterator(handle)
            offset, first = start, True
            resume: int | None = None
            try:
                for record in iterator:
                    offset = iterator.get_record_offset()  # absolute: warcio starts from tell()
                    if after is not None and first and offset == start:
                        # The pass resumed on a readable record: what failed lay in between.
                        yield WarcProblem(after, f"damaged bytes between the record at offset {after} and "
                                                 f"the next readable one at {start} (skipped)")
                    after, first = None, False
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    record.content_stream().read()
                    short = missing_bytes(record)
                    if short:
                        yield WarcProblem(offset, f"truncated record {printable(url or '?')}: {short} bytes of its "
                                                  "declared length are missing (refused)")
                        resume = offset + 1
                        break
                    mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
                    yield WarcRecord(offset, url, record.http_headers.get_statuscode(), mime)
            except Exception as exc:  # a damaged record: report it, look for the next one
                if first:  # the record this pass started on is the damaged one
                    yield WarcProblem(start, f"damaged record: {type(exc).__name__}: {printable(str(exc))}")
                    after = None
                else:  # somewhere after the record at `offset`: the next pass tells where
                    after = offset
                resume = (start if first else offset) + 1
            start = _next_start(handle, resume, marker) if resume is not None else None
        if after is not None:
            yield WarcProblem(after, f"damaged or cut-off data after the record at offset {after}")
