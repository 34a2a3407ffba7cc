"""Plain-text tables for the command line (no colour, never wrapped).

Drawn here rather than by rich: importing rich's Table and Console cost `kabar sql` about 30 ms
of CPU, a sixth of a bare DuckDB query (issue 11 asks `kabar sql` to stay within 2x of one), to
print what is only padded text. The layout is the one rich drew with the box kabar used
(a header line, a rule of "-" under it, one line per row, columns one space apart with one more
of padding, no edges; lines that are only spaces dropped): `tests/kabar/test_tables.py` checks
the two agree.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence


def _char_width(char: str) -> int:
    """Terminal cells one character takes: 2 for wide East Asian characters (and emoji), 0 for
    combining marks and format characters, 1 otherwise."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def _plain(text: str) -> str:
    """A cell's text on one line: control characters (tab, newline, escape) shown as a space."""
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


def text_table(columns: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[str] = ()) -> str:
    """``columns`` over ``rows`` (cells already text): a header line, a rule, then one line per
    row; columns named in ``right`` are right-aligned (numbers)."""
    if not columns:
        return ""
    lines = [[_plain(str(cell)) for cell in row] for row in [list(columns), *rows]]
    widths = [max(cell_width(line[i]) for line in lines) for i in range(len(columns))]
    widths = [max(1, width) for width in widths]
    aligned_right = [name in right for name in columns]

    def render(line: list[str]) -> str:
        cells = []
        for text, width, to_right in zip(line, widths, aligned_right):
            gap = " " * (width - cell_width(text))
            cells.append(gap + text if to_right else text + gap)
        return "  ".join(cells).rstrip()

    rendered = [render(line) for line in lines]
    # The rule under the header: the columns' widths with their padding and the spaces between
    # them, as rich drew it (the last column has no right padding).
    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    return "\n".join(line for line in [rendered[0], rule, *rendered[1:]] if line.strip())
