"""The URL guard: schemes, length, private addresses, allow_hosts (no network needed)."""

from __future__ import annotations

import asyncio

import pytest

from tasks.safety import Refused, address_problem, check_url, is_allowed_host


def refusal(url: str, allow: tuple[str, ...] = ()) -> str | None:
    try:
        asyncio.run(check_url(url, allow))
    except Refused as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/x", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),  # cloud metadata
        ("http://224.0.0.1/", "multicast"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://100.64.0.1/", "not global"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("gopher://example.org/", "scheme 'gopher'"),
        ("http://user:pw@example.org/", "credentials"),
        ("http://example.org/" + "a" * 3000, "longer than"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    message = refusal(url)
    assert message is not None and message.startswith("refused:") and reason in message


def test_public_address_passes() -> None:
    assert refusal("http://93.184.216.34/berita") is None
    assert address_problem("8.8.8.8") is None


def test_allow_hosts_names_host_or_host_and_port() -> None:
    assert refusal("http://127.0.0.1:8080/x", ("127.0.0.1:8080",)) is None
    assert refusal("http://127.0.0.1:8081/x", ("127.0.0.1:8080",)) is not None
    assert refusal("http://127.0.0.1:9/x", ("127.0.0.1",)) is None
    assert is_allowed_host("http://[::1]:81/", ("[::1]:81",))
    assert not is_allowed_host("http://10.0.0.1/", ("127.0.0.1",))
    # allow_hosts never opens other schemes
    assert refusal("ftp://127.0.0.1/", ("127.0.0.1",)) is not None
