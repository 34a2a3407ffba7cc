"""kabar/tables.py draws the tables rich drew for kabar (issue 11: without importing rich)."""

from __future__ import annotations

import io

import pytest

from kabar.tables import cell_width, text_table


def rich_table(columns: list[str], rows: list[list[str]], right: tuple[str, ...] = ()) -> str:
    """The table as kabar drew it with rich before (the reference layout)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    rule_under_head = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
    table = Table(box=rule_under_head, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    out = io.StringIO()
    Console(file=out, width=100_000, color_system=None, highlight=False, markup=False, emoji=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines() if line.strip())


CASES = [
    (["sumber", "diambil", "gagal"], [["kompas-id", "120", "3"], ["tempo", "7", "0"], ["TOTAL", "127", "3"]], ("diambil", "gagal")),
    (["judul", "n"], [["Banjir rob merendam pesisir Jakarta Utara", "1"], ["", "22"]], ("n",)),
    (["a"], [], ()),
    (["kata", "x"], [["", ""], ["ada", ""]], ()),  # a row of empty cells is dropped, as rich dropped it
    (["judul"], [["Pemilu café déjà vu"], ["e\u0301 combining"], ["漢字とかな"], ["emoji 😀 ok"]], ()),
    (["a", "panjang sekali kolomnya", "c"], [["x", "y", "z"]], ("c",)),
    (["  spasi", "b"], [["  lead", "trail  "]], ()),
]


@pytest.mark.parametrize(("columns", "rows", "right"), CASES)
def test_same_layout_as_rich(columns: list[str], rows: list[list[str]], right: tuple[str, ...]) -> None:
    assert text_table(columns, rows, right=right) == rich_table(columns, rows, right)


def test_layout() -> None:
    assert text_table(["nama", "n"], [["banjir", "12"], ["gempa", "3"]], right=["n"]).splitlines() == [
        "nama     n", "----------", "banjir  12", "gempa    3"]


def test_control_characters_are_spaces() -> None:
    assert text_table(["a", "b"], [["x\ty\x1b", "z"]]).splitlines()[-1] == "x y   z"


def test_wide_characters_take_two_cells() -> None:
    assert cell_width("漢字") == 4
    assert cell_width("e\u0301") == 1
    assert text_table(["漢字", "b"], [["x", "y"]]).splitlines()[-1] == "x     y"
