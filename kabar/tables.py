"""Plain-text tables for the command line, drawn by rich (no colour, never wrapped)."""

from __future__ import annotations

import io
from typing import Iterable, Sequence

from rich import box
from rich.console import Console
from rich.table import Table

#: rich's SIMPLE_HEAD drawn in ASCII: a rule of "-" under the header, nothing else.
_RULE_UNDER_HEAD = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)


def text_table(columns: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[str] = ()) -> str:
    """``columns`` over ``rows`` (cells already text): a header line, a rule, then one line per
    row; columns named in ``right`` are right-aligned (numbers)."""
    table = Table(box=_RULE_UNDER_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    out = io.StringIO()
    Console(file=out, width=100_000, color_system=None, highlight=False, markup=False, emoji=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines() if line.strip())
