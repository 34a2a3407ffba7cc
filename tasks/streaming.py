"""Low-level HTTP pieces of the fetcher: a connect-time address guard and a capped body reader.

- ``GuardedBackend`` wraps httpcore's network backend: at connect time it resolves the host
  itself, refuses any non-public address (unless the host is allowed) and connects to the very
  address it checked, so a DNS answer that changes between the check and the connect (DNS
  rebinding) cannot smuggle a request to a private address. TLS still uses the host name.
- ``read_body`` reads the raw (still compressed) stream and inflates it itself with a bounded
  ``max_length``: httpx's own decoders inflate each chunk whole, so a 10 KB gzip bomb would be
  expanded to gigabytes before any size check could see it.
"""

from __future__ import annotations

import ssl
import typing
import zlib

import httpcore
import httpx

from tasks.safety import Refused, address_problem, resolve

#: A compressed body that inflates past the size cap at more than this ratio is a bomb.
MAX_INFLATE_RATIO = 100


class BodyTooLarge(Exception):
    """The body passed the size cap (``str()`` is the recorded reason)."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that checks every address it connects to."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allowed: typing.Callable[[str, int], bool]) -> None:
        self.inner = inner
        self.allowed = allowed

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.AsyncNetworkStream:
        target = host
        if not self.allowed(host, port):
            addresses = await resolve(host, port)
            for address in addresses:
                problem = address_problem(address)
                if problem:
                    raise Refused(f"refused: {host} resolves to {problem} address {address} at connect time")
            target = addresses[0]
        return await self.inner.connect_tcp(target, port, timeout=timeout, local_address=local_address,
                                            socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise Refused("refused: unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


_SSL_CONTEXT: ssl.SSLContext | None = None


def ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every pool: loading the CA bundle costs ~70 ms each time."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


def guarded_client(headers: dict[str, str], timeout: float, limit: int,
                   allowed: typing.Callable[[str, int], bool]) -> httpx.AsyncClient:
    """An AsyncClient that never follows redirects itself and checks addresses at connect time."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context(),
                                         limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit))
    # httpx does not expose httpcore's network_backend; the pool keeps it in `_network_backend`
    # (httpcore 1.x), which every new connection reads, so swapping it here guards every connect.
    pool = transport._pool
    pool._network_backend = GuardedBackend(pool._network_backend, allowed)
    return httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=False,
                             transport=transport)


def _decompressor(encoding: str) -> typing.Any:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


async def read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body of a streamed response, at most ``max_bytes`` of it.

    Raises BodyTooLarge when the body (raw or inflated) passes the cap, Refused when a small
    compressed body inflates past ``MAX_INFLATE_RATIO`` (a decompression bomb)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"too large: Content-Length {declared} > {max_bytes} bytes")
    decoder = _decompressor(response.headers.get("content-encoding", ""))
    raw_size = 0
    out = bytearray()
    async for chunk in response.aiter_raw():
        raw_size += len(chunk)
        if raw_size > max_bytes:
            raise BodyTooLarge(f"too large: body over {max_bytes} bytes (download stopped)")
        if decoder is None:
            out += chunk
            continue
        data = chunk
        while data:
            room = max_bytes + 1 - len(out)
            out += decoder.decompress(data, room)
            data = decoder.unconsumed_tail
            if len(out) > max_bytes:
                # compare with the compressed bytes actually consumed, not the whole chunk
                _raise_inflated(raw_size - len(data), len(out), max_bytes)
    if decoder is not None:
        out += decoder.flush()
        if len(out) > max_bytes:
            _raise_inflated(raw_size, len(out), max_bytes)
    return bytes(out)


def _raise_inflated(raw: int, inflated: int, cap: int) -> typing.NoReturn:
    if inflated > MAX_INFLATE_RATIO * max(raw, 1):
        raise Refused(f"refused: decompression bomb ({raw} compressed bytes inflate past {cap} bytes)")
    raise BodyTooLarge(f"too large: body inflates past {cap} bytes")
