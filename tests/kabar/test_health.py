"""kabar/health.py: per-source statuses and the run verdict against the [run] thresholds."""

from __future__ import annotations

import pytest

from kabar.config import ConfigError, parse_sources
from kabar.health import SourceOutcome, judge


def outcome(name: str, listed: int, discovery: str = "ok", reason: str | None = None, **counts: int) -> SourceOutcome:
    return SourceOutcome(name, listed, counts, discovery, reason)


def test_every_page_failing_is_a_failed_run_naming_the_source() -> None:
    health = judge([outcome("antara", 20, fetched=0, failed=20, reason="HTTP 404 (20x)")], 0.2, 0.25)
    assert health.state == "failed"
    assert health.attention == [{"source": "antara", "status": "failing", "listed": 20, "failed": 20,
                                 "reason": "HTTP 404 (20x)"}]
    assert "antara failing (HTTP 404 (20x))" in health.message()


def test_pages_fetched_but_none_extracted_is_failed_too() -> None:
    assert judge([outcome("a", 3, fetched=3, failed=3)], 0.2, 0.25).state == "failed"


def test_thresholds_decide_completed_with_errors() -> None:
    sources = [outcome("a", 10, fetched=8, failed=2, new=8), outcome("b", 10, fetched=10, new=10)]
    assert judge(sources, 0.2, 0.25).state == "completed"  # 2 / 20 = 10%
    verdict = judge(sources, 0.05, 0.25)
    assert verdict.state == "completed_with_errors" and "2 of 20 items failed" in verdict.reasons[0]


def test_silent_and_unreadable_sources_count_against_the_silent_share() -> None:
    sources = [outcome("a", 5, fetched=5, new=5), outcome("b", 0), outcome("c", 0, "failing", "HTTP 503", failed=1),
               outcome("d", 0, "unchanged")]
    verdict = judge(sources, 1.0, 0.25)
    assert verdict.state == "completed_with_errors"
    assert [(a["source"], a["status"]) for a in verdict.attention] == [("c", "failing"), ("b", "silent")]
    assert judge(sources, 1.0, 0.5).state == "completed"  # 2 of 4 is not more than half


def test_run_thresholds_are_validated() -> None:
    data = {"run": {"max_failed_share": 1.5}, "sources": [{"name": "a", "kind": "feed", "url": "https://x.id/rss"}]}
    with pytest.raises(ConfigError, match=r"run.max_failed_share"):
        parse_sources(data, "sources.toml", __import__("pathlib").Path("."))
    data["run"] = {"max_silent_share": 0.5}
    assert parse_sources(data, "sources.toml", __import__("pathlib").Path(".")).run.max_failed_share == 0.2


def test_a_quiet_healthy_source_beside_a_broken_one_is_not_a_failed_run() -> None:
    # the second run of a day: the frontier held every item of "a" back, "b" could not be read
    sources = [outcome("a", 6), outcome("b", 0, "failing", "refused: XML declares entities", failed=1)]
    verdict = judge(sources, 1.0, 0.25)
    assert verdict.state == "completed_with_errors" and verdict.attention[0]["source"] == "b"
    assert judge(sources, 1.0, 0.5).state == "completed"
