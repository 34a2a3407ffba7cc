"""The URL guard: which URLs the fetcher may request at all.

Feeds, sitemaps and pages link wherever they like, so every URL (and every redirect target) is
checked before a request: scheme http/https only, a length cap, and every address the host name
resolves to must be public (not loopback, private, link-local, multicast, reserved or
unspecified). ``allow_hosts`` (``HOST`` or ``HOST:PORT``, from ``[fetch] allow_hosts`` or
``--allow-host``) names the only exceptions. A refusal is a reason string starting with
``refused:``; the caller records it as the fetch's error and sends nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from urllib.parse import urlsplit

LOGGER = logging.getLogger(__name__)

MAX_URL_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(Exception):
    """A URL the guard will not let the fetcher request; ``str()`` is the recorded reason."""


def host_port(url: str) -> tuple[str, int]:
    """(lower-case host without brackets, port with the scheme's default) of an http(s) URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    return host, port


def is_allowed_host(url: str, allow_hosts: tuple[str, ...] | list[str]) -> bool:
    """Whether ``allow_hosts`` names this URL's host (any port) or host:port."""
    host, port = host_port(url)
    for entry in allow_hosts:
        entry = entry.strip().lower()
        if entry.startswith("["):  # [::1]:8080 or [::1]
            name, _, rest = entry[1:].partition("]")
            entry_port = rest.lstrip(":") or None
        elif entry.count(":") == 1:
            name, entry_port = entry.split(":")
        else:
            name, entry_port = entry, None
        if name.rstrip(".") == host and (entry_port is None or entry_port == str(port)):
            return True
    return False


def address_problem(address: str) -> str | None:
    """Why an IP address is not public (e.g. 'loopback'), or None when it is."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for label, flag in (
        # most specific first: Python counts loopback and link-local as "private" too
        ("loopback", ip.is_loopback), ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified), ("reserved", ip.is_reserved), ("private", ip.is_private),
    ):
        if flag:
            return label
    if not ip.is_global:  # shared address space (100.64/10) and the like
        return "not global"
    return None


def check_syntax(url: str, allow_hosts: tuple[str, ...] | list[str] = ()) -> None:
    """Checks that need no DNS: length, scheme, a host. Raises Refused."""
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"refused: URL longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise Refused(f"refused: malformed URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise Refused(f"refused: scheme {parts.scheme or '(none)'!r} is not http or https")
    if not parts.hostname:
        raise Refused("refused: URL has no host")
    if parts.username or parts.password:
        raise Refused("refused: URL carries credentials")


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


async def check_url(url: str, allow_hosts: tuple[str, ...] | list[str] = ()) -> None:
    """Refuse (raise Refused) a URL the fetcher must not request; return None when it may.

    Allowed hosts skip the address check; every other host must resolve only to public
    addresses (one private address among several is enough to refuse: DNS answers rotate)."""
    check_syntax(url, allow_hosts)
    if is_allowed_host(url, allow_hosts):
        return
    host, port = host_port(url)
    try:
        addresses = await resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"refused: cannot resolve {host} ({exc})") from None
    if not addresses:
        raise Refused(f"refused: {host} has no address")
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise Refused(f"refused: {host} resolves to {problem} address {address} (not in allow_hosts)")
