"""`kabar browse` in a real browser: ingest the shipped samples, start the real command on
127.0.0.1, and walk headless Chromium search -> story -> article -> entity by following the links
each page's DOM (as Chromium built it) offers. Screenshots are kept under tmp_path/shots."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, run_main
from tests.kabar.test_browse import free_port
from tests.warehouse.test_report import _chromium, _headless, _png_pixels

pytestmark = [pytest.mark.slow, pytest.mark.chromium, pytest.mark.timeout(1800)]  # ingest + 8 Chromium runs


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse made as `make demo` makes it: `kabar ingest` of samples/sources.toml, in
    process (tests/conftest.py run_main; the browser and `kabar browse` are this file's point,
    and tests/test_quickstart.py runs the demo's ingest as a whole process)."""
    path = tmp_path_factory.mktemp("demo") / "kabar.duckdb"
    result = run_main("ingest", "--config", str(ROOT / "samples" / "sources.toml"), "--warehouse", str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    return path


@pytest.fixture(scope="module")
def browse(demo: Path):
    """The real `kabar browse` process over the demo warehouse; yields its base URL."""
    port = free_port()
    exe = Path(sys.executable).parent / "kabar"
    process = subprocess.Popen([str(exe), "browse", "--port", str(port), "--warehouse", str(demo)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kabar browse exited: {process.stderr.read()[-1000:]}")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("kabar browse did not answer within 180 s")
    yield base
    process.terminate()
    process.wait(timeout=30)


def visit(binary: str, tmp: Path, url: str, shot: str) -> str:
    """The DOM Chromium built for ``url``; a screenshot of it is kept as ``shots/<shot>.png``.

    One Chromium run does both (headless Chromium writes the screenshot and prints the DOM of
    the same page load): a run each cost a browser start and a page load twice per page, 16
    Chromium starts for the walk, most of this file's time (issue 11, `make test`)."""
    shots = tmp / "shots"
    shots.mkdir(exist_ok=True)
    done = _headless(binary, tmp, "--dump-dom", f"--screenshot={shots / shot}.png", "--window-size=1280,1600", url)
    assert done.returncode == 0 and (shots / f"{shot}.png").exists(), done.stderr[-500:]
    assert "</html>" in done.stdout, done.stderr[-500:]  # the DOM was printed too
    width, _, samples = _png_pixels(shots / f"{shot}.png")
    assert width == 1280 and len({p for p in samples}) > 5  # a drawn page, not a blank one
    return done.stdout


def first(pattern: str, dom: str) -> str:
    found = re.search(pattern, dom)
    assert found, f"no {pattern!r} in the page"
    return found.group(1)


def test_search_story_article_entity_in_chromium(browse: str, tmp_path: Path) -> None:
    binary = _chromium()
    search = visit(binary, tmp_path, f"{browse}/search?q=amunisi", "1-search")
    assert "<mark>amunisi</mark>" in search.lower() or "<mark>Amunisi</mark>" in search
    assert len(re.findall(r'<rect class="bar"', search)) >= 2  # counts over time drawn
    hits = re.findall(r'<a class="title" href="/article/([0-9a-f]+)">([^<]+)</a>', search)
    assert len(hits) >= 3 and all(not re.fullmatch(r"[0-9a-f]{16}", title) for _, title in hits)

    story_id = first(r'<a class="story" href="/story/([0-9a-f]+)">', search)
    story = visit(binary, tmp_path, f"{browse}/story/{story_id}", "2-story")
    title = first(r'<h1 class="story-title">([^<]+)</h1>', story)
    assert title != story_id and not title.startswith("(untitled")
    assert re.search(r'<circle class="dot (original|copy)"', story)  # the timeline
    assert 'data-list="entities"' in story

    article_id = first(r'<td class="col-title"><a class="title" href="/article/([0-9a-f]+)">', story)
    article = visit(binary, tmp_path, f"{browse}/article/{article_id}", "3-article")
    assert first(r'<h1 class="article-title">([^<]+)</h1>', article)
    assert len(re.findall(r'class="hl hl-entity', article)) >= 3  # names highlighted in the text
    assert re.search(r'class="hl [^"]*hl-(quote|amount|date)', article)
    assert 'id="fetches"' in article and 'id="removed"' in article

    entity_id = first(r'<a class="ent" href="/entity/([^"]+)">', article)
    entity = visit(binary, tmp_path, f"{browse}/entity/{entity_id}", "4-entity")
    name = first(r'<h1 class="entity-name">([^<]+)</h1>', entity)
    assert name and 'class="chart bars"' in entity
    assert f'href="/article/{article_id}"' in entity  # the article we came from names it

    places = visit(binary, tmp_path, f"{browse}/entities?type=place", "5-places")
    place_id = first(r'<a class="name" href="/entity/([^"]+)">', places)
    place = visit(binary, tmp_path, f"{browse}/entity/{place_id}", "6-place")
    assert len(re.findall(r'class="outline (coast|borders|provinces)"', place)) > 50  # a real map, offline
    assert '<circle class="place"' in place

    for page, shot in (("/runs", "7-runs"), ("/sources", "8-sources")):
        dom = visit(binary, tmp_path, browse + page, shot)
        assert '<table class="data"' in dom
    if os.environ.get("KABAR_BROWSE_SHOTS"):  # keep the screenshots somewhere outside tmp
        shutil.copytree(tmp_path / "shots", os.environ["KABAR_BROWSE_SHOTS"], dirs_exist_ok=True)
