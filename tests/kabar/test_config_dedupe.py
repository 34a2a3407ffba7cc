"""The [dedupe] section of the sources file: defaults, overrides, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kabar import settings
from kabar.config import ConfigError, load_sources
from kabar.sources import resolve_sources
from tests.conftest import write_sources

SOURCES = """
[[sources]]
name = "local"
kind = "files"
glob = "pages/*.txt"
"""


def test_defaults_and_overrides_reach_the_run_plan(tmp_path: Path) -> None:
    assert load_sources(write_sources(tmp_path, SOURCES)).dedupe.near_duplicate_threshold == settings.NEAR_DUPLICATE_THRESHOLD
    path = write_sources(tmp_path, "[dedupe]\nnear_duplicate_threshold = 0.9\nstory_window_days = 7\n" + SOURCES)
    plan = resolve_sources(str(path), None, None)
    assert plan.dedupe.near_duplicate_threshold == 0.9 and plan.dedupe.story_window_days == 7


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("near_duplicate_threshold = 0.2", "dedupe.near_duplicate_threshold"),
        ("story_threshold = 0", "dedupe.story_threshold"),
        ("story_window_days = -1", "dedupe.story_window_days"),
        ("shingles = 3", "dedupe.shingles: unknown key"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, section: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_sources(write_sources(tmp_path, f"[dedupe]\n{section}\n" + SOURCES))
    assert key in str(err.value) and "\n" not in str(err.value)
