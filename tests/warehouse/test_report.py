"""`kabar report`: one self-contained HTML file whose charts draw in headless Chromium (offline)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.warehouse.test_analyst_views import _fill_features, _warehouse
from warehouse.migrate import apply_views

pytestmark = pytest.mark.chromium


def _chromium() -> str:
    """The chromium binary; installed with apt-get (Debian's `chromium`) when missing and root."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and apt-get cannot run here (not root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"cannot install chromium: `{' '.join(cmd)}` failed: {done.stderr[-300:]}")
    return shutil.which("chromium") or pytest.skip("chromium installed but not on PATH")


def _headless(binary: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp / 'chromium-profile'}", "--virtual-time-budget=10000", *args],
        capture_output=True, text=True, timeout=180)


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): width, height, rows."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i:i + 3]) for r in rows[::8] for i in range(0, stride, bpp * 8)]


def test_report_renders_all_charts_offline(tmp_path: Path) -> None:
    binary = _chromium()
    path = tmp_path / "w.duckdb"
    con = _warehouse(path)
    _fill_features(con)
    # places with coordinates, as the entities enricher stores them (the `places` view reads them)
    con.execute("INSERT INTO store.article_entities (article_id, entity_id, name, type, country, lat, lon, "
                "mention_count, kb_fingerprint) VALUES ('a1','moskow','Moskow','place','RU',55.75,37.62,1,'kb1'), "
                "('a2','pyongyang','Pyongyang','place','KP',39.03,125.75,1,'kb1'), "
                "('a5','pyongyang','Pyongyang','place','KP',39.03,125.75,1,'kb1'), "
                "('a3','jakarta','Jakarta','place','ID',-6.2,106.8,1,'kb1')")
    con.execute("UPDATE store.articles SET word_count = 200")  # real articles, not stubs
    # An undated original (a local file) and a story without a title: neither may show as "today"
    # or as an id.
    con.execute("INSERT INTO store.articles (article_id, url, canonical_url, source, outlet, title, published_at, "
                "text, word_count, content_hash, story_id, fetched_at, first_seen_at, last_seen_at, run_id) VALUES "
                "('u1', 'file:///x/u1.txt', 'file:///x/u1.txt', 'f', 'Berkas', 'Tanpa tanggal', NULL, 'teks', 200, "
                "'u1', NULL, now(), now(), now(), 'r'), ('a6', 'https://x/a6', 'https://x/a6', 's', 'Warta Nusantara', "
                "'Judul a6', TIMESTAMPTZ '2024-05-20 03:00:00+00', 'teks', 200, 'a6', 's9f3e2a', "
                "now(), now(), now(), 'r')")
    con.execute("INSERT INTO store.stories (story_id, title, first_article_id, first_date, last_date, members, norm, "
                "created_at, updated_at, run_id) VALUES ('s9f3e2a', NULL, 'a6', now(), now(), 1, 1.0, now(), now(), 'r')")
    apply_views(con)
    con.close()
    out = tmp_path / "report.html"
    result = run_cli("report", "--out", str(out), "--warehouse", str(path))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "cdn.plot.ly/plotly" not in page and "<script src=\"http" not in page  # self-contained
    assert page.count("Plotly.newPlot") == 4
    assert '<a href="https://x/a1">Judul a1</a>' in page  # top stories link their first report, by its title
    assert ">Judul a6</a>" in page and "s9f3e2a" not in page.split("Top stories")[-1]  # untitled story: its article's title
    assert "Tanpa tanggal" not in page and "1 undated not shown" in page  # the undated item is not on today
    assert "Articles per day per outlet" in page  # a few days of data: daily bins
    assert '"name":"outline: coast"' in page and '"name":"outline: borders"' in page  # offline map outlines

    # one Chromium run prints the DOM and writes the screenshot of the same page load (two runs
    # cost a second browser start and page load: issue 11, `make test`)
    shot = tmp_path / "report.png"
    dom = _headless(binary, tmp_path, "--dump-dom", f"--screenshot={shot}", "--window-size=1400,2400", out.as_uri())
    assert dom.returncode == 0 and shot.exists(), dom.stderr[-500:]
    assert dom.stdout.count('class="main-svg"') >= 8  # plotly draws two svg layers per chart
    assert len(re.findall(r'class="point"', dom.stdout)) >= 4  # bars of articles per day
    assert len(re.findall(r"<path class=\"point\"[^>]*d=\"M", dom.stdout)) >= 7  # scatter markers
    assert "Moskow" in dom.stdout and "Pyongyang" in dom.stdout  # map labels drawn
    # the outlines are drawn as long svg paths (coastlines: thousands of points)
    assert max(len(d) for d in re.findall(r'<path class="js-line" d="([^"]+)"', dom.stdout)) > 5000

    width, height, samples = _png_pixels(shot)
    assert (width, height) == (1400, 2400)
    colours = {p for p in samples}
    coloured = [p for p in samples if max(p) - min(p) > 60]  # saturated pixels: chart marks, not text
    assert len(colours) > 20 and len(coloured) > 50, (len(colours), len(coloured))
    shutil.copy(shot, Path(os.environ.get("KABAR_REPORT_SHOT", str(tmp_path / "copy.png"))))


def test_report_without_feature_data_still_renders(tmp_path: Path) -> None:
    """Every view exists (the migrations create the feature tables) but holds no feature rows:
    the articles chart is drawn and each other chart is replaced by a note saying why."""
    path = tmp_path / "w.duckdb"
    con = _warehouse(path)
    con.execute("UPDATE store.articles SET story_id = NULL, word_count = 200")  # no story clustering either
    assert {"story_timeline", "daily_entity_mentions", "places"} <= set(apply_views(con))
    con.close()
    out = tmp_path / "r.html"
    result = run_cli("report", "--out", str(out), "--since", "2024-05-16", "--warehouse", str(path))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("Plotly.newPlot") == 1  # articles per day only
    for note in ("No entity mentions in this period.", "No stories in this period.",
                 "No places with coordinates in this period."):
        assert note in page, note


def test_report_over_years_bins_by_month_and_keeps_gaps(tmp_path: Path) -> None:
    """Articles spread over twelve years: monthly bars, and the months without articles are
    gaps (no bar), not bars one day wide nor lines drawn across them."""
    import json

    path = tmp_path / "w.duckdb"
    con = _warehouse(path)
    _fill_features(con)
    con.execute("UPDATE store.articles SET word_count = 200")
    con.execute("UPDATE store.articles SET published_at = TIMESTAMPTZ '2013-03-10 03:00:00+00' WHERE article_id = 'a1'")
    apply_views(con)
    con.close()
    out = tmp_path / "r.html"
    assert run_cli("report", "--out", str(out), "--warehouse", str(path)).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "Articles per month per outlet" in page and "mentions per month" in page
    charts = []  # the data of each Plotly.newPlot call
    for match in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page):
        charts.append(json.JSONDecoder().raw_decode(page, match.end())[0])
    bars = [t["y"] for t in charts[0] if t.get("type") == "bar"]
    assert bars and all(len(y) > 130 for y in bars)  # one bar slot per month from 2013 to 2024
    assert sum(1 for y in bars for v in y if v is None) > 100  # months without articles stay empty
    lines = [t["y"] for t in charts[1] if t.get("mode") == "lines+markers"]
    assert lines and all(None in y for y in lines)  # lines break where there was no article
@pytest.mark.parametrize("where", ["folder", "under-a-file", "proc", "sys"])
def test_report_to_an_odd_or_unwritable_path_is_one_line(seeded: Path, tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("x")
    out = {"folder": tmp_path, "under-a-file": tmp_path / "a-file" / "report.html",
           "proc": Path("/proc/kabar-report.html"), "sys": Path("/sys/kabar/report.html")}[where]
    result = run_cli("report", "--out", str(out), "--warehouse", str(seeded))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kabar: error: --out") and "Traceback" not in result.stderr
