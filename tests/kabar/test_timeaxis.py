"""kabar/timeaxis.py: bins fitted to the span, every bin present, gaps kept."""

from datetime import date

from kabar.timeaxis import bin_unit, binned


def test_unit_follows_the_span() -> None:
    assert bin_unit(date(2024, 5, 1), date(2024, 6, 30)) == "day"
    assert bin_unit(date(2024, 1, 1), date(2025, 6, 30)) == "week"
    assert bin_unit(date(2013, 1, 1), date(2025, 6, 30)) == "month"


def test_bins_cover_the_span_with_gaps() -> None:
    unit, starts, values = binned([(date(2024, 1, 15), 2), (date(2024, 1, 20), 1), (date(2024, 12, 3), 4),
                                   (date(2013, 6, 1), 1)])
    assert unit == "month" and starts[0] == date(2013, 6, 1) and starts[-1] == date(2024, 12, 1)
    assert len(starts) == 12 * 11 + 7  # every month from June 2013 to December 2024
    assert values[starts.index(date(2024, 1, 1))] == 3 and values[starts.index(date(2024, 12, 1))] == 4
    assert values[starts.index(date(2020, 1, 1))] == 0


def test_weeks_start_on_monday_and_fill_can_be_none() -> None:
    unit, starts, values = binned([(date(2024, 5, 15), 1), (date(2024, 5, 30), 1)], "week", fill=None)
    assert unit == "week" and starts == [date(2024, 5, 13), date(2024, 5, 20), date(2024, 5, 27)]
    assert values == [1, None, 1]
    assert binned([]) == ("day", [], [])
