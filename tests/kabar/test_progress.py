"""Progress bars show on a terminal only, never under CI or in pipes."""

from __future__ import annotations

import io

import pytest

from kabar import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("KABAR_PROGRESS", raising=False)
    assert progress.wanted(_Terminal())
    assert not progress.wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted(_Terminal())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("KABAR_PROGRESS", "0")
    assert not progress.wanted(_Terminal())


def test_bars_count_what_the_flow_reports() -> None:
    with progress.show_progress(("fetch", "load"), enabled=True) as bars:
        progress.total("fetch", 10)
        progress.advance("fetch", 4)
        progress.advance("unknown-stage", 1)  # ignored, not an error
        tasks = {t.description: t for t in bars.progress.tasks}
        assert (tasks["fetch"].completed, tasks["fetch"].total) == (4, 10)
        assert tasks["load"].completed == 0
    progress.advance("fetch", 1)  # no display any more: a no-op
