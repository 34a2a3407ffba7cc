"""Bytes to text for web pages whose servers lie about their encoding.

Order: a byte-order mark; the charset the HTTP header declares; the page's own ``<meta>``
declaration; UTF-8; then detection (charset-normalizer). A declaration is only believed when the
bytes actually decode under it, so a page declared UTF-8 but sent as windows-1252 falls through to
detection instead of coming out with replacement characters. ISO-8859-1 is read as windows-1252,
as browsers do (the two differ only in 0x80-0x9F, where real pages mean curly quotes and dashes).
A page declared ISO-8859-1/windows-1252 whose bytes are valid UTF-8 with non-ASCII in them is
UTF-8. A page that is UTF-8 but for a few stray single-byte characters (a template pasted from an old
windows-1252 file into a UTF-8 page) stays UTF-8, the stray bytes read as windows-1252: strict
UTF-8 fails on it, and detection then read the whole page as windows-1252 ("MÃ¤scot", "grÃ¼n").
"""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

LOGGER = logging.getLogger(__name__)

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_ALIASES = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252", "latin1": "windows-1252",
            "us-ascii": "windows-1252", "ascii": "windows-1252"}
#: Detection results that mean "some Western single-byte page"; read those as windows-1252.
_WESTERN = {"cp1252", "windows-1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250", "mac_roman", "ascii"}
#: Mostly UTF-8: at least this many well-formed multi-byte characters per byte that is not UTF-8.
#: (Measured on ../shared/corpus: mixed pages had 25-500 per bad byte; real single-byte pages
#: have none, as a windows-1252 letter is almost never followed by a UTF-8 continuation byte.)
MIXED_UTF8_RATIO = 10
#: More stray bytes than this and the page is not "UTF-8 with a few strays" (and the loop below,
#: which copies the rest of the page at each stray byte, stays cheap).
MAX_STRAY_BYTES = 64


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (<meta charset> or http-equiv)."""
    match = _META.search(body[:4096])
    return match.group(1).decode("ascii", errors="ignore").lower() if match else None


def _try(body: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    charset = _ALIASES.get(charset, charset)
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def mostly_utf8(body: bytes) -> str | None:
    """``body`` as UTF-8 with its few stray non-UTF-8 bytes read as windows-1252, when it is
    UTF-8 but for those (``MIXED_UTF8_RATIO`` well-formed multi-byte characters per stray byte,
    at most ``MAX_STRAY_BYTES``); else None."""
    parts: list[str] = []
    stray = multibyte = start = 0
    while True:
        try:
            rest = body[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            good = body[start:start + error.start].decode("utf-8")
            bad = body[start + error.start:start + error.end]
            parts += [good, bad.decode("windows-1252", errors="replace")]
            multibyte += sum(1 for c in good if ord(c) > 127)
            stray += len(bad)
            start += error.end
            if stray > MAX_STRAY_BYTES:
                return None
            continue
        parts.append(rest)
        multibyte += sum(1 for c in rest if ord(c) > 127)
        break
    return "".join(parts) if stray and multibyte >= MIXED_UTF8_RATIO * stray else None


def decode(body: bytes, content_type: str | None = None) -> str:
    """The text of ``body``; never raises (the last resort replaces undecodable bytes)."""
    for bom, charset in _BOMS:
        if body.startswith(bom):
            text = _try(body, charset)
            if text is not None:
                return text
    for declared in (header_charset(content_type), meta_charset(body)):
        if _ALIASES.get(declared or "", declared) == "windows-1252" and (utf8 := _try(body, "utf-8")) \
                and not utf8.isascii():
            # every byte string decodes as windows-1252, so that declaration never fails; bytes that
            # are valid UTF-8 with non-ASCII in them are UTF-8 (a stale template declaration), not
            # "fÃ¼r" (a windows-1252 text is valid UTF-8 only by a rare accident)
            return utf8
        text = _try(body, declared)
        if text is not None:
            return text
    text = _try(body, "utf-8")
    if text is None:
        text = mostly_utf8(body)
    if text is not None:
        return text
    best = from_bytes(body[:200_000]).best()
    encoding = best.encoding if best is not None else None
    if encoding is None or encoding.lower() in _WESTERN:
        # Short Indonesian pages are mostly ASCII; detectors then pick an arbitrary
        # single-byte code page. windows-1252 is what such pages almost always are.
        text = _try(body, "windows-1252")
        if text is not None:
            return text
    return body.decode(encoding or "utf-8", errors="replace")
