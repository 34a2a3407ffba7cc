"""benchmarks/places_index.py runs both kinds of process to its figures: the shipped gazetteer
read through its index, and the reference that folds every name again."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import places_index  # noqa: E402


def test_the_benchmark_prints_paired_ratios(capsys: pytest.CaptureFixture) -> None:
    assert places_index.main(["--rounds", "1"]) == 0
    out = capsys.readouterr().out
    for what in ("CPU s", "wall s"):
        line = next(line for line in out.splitlines() if line.startswith(what))
        ratio = float(re.search(r"ratio index/build median ([0-9.]+)", line).group(1))
        assert ratio > 0, line


def test_a_failing_child_is_an_error_not_a_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places_index, "CHILD", "raise SystemExit(3)")
    with pytest.raises(SystemExit, match="exit 3"):
        places_index.run("index")
