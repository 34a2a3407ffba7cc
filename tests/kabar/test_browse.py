"""`kabar browse`: the explorer's pages over a real DuckDB warehouse, served by a real uvicorn
on 127.0.0.1 and fetched over HTTP (the browser-driven walk is in test_browse_chromium.py)."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from kabar.config import Warehouse
from tests.warehouse.test_analyst_views import T0, _fill_features, _warehouse
from warehouse.migrate import apply_views
from warehouse.search import build_index

TEXTS = {  # mention offsets of tests/warehouse/test_analyst_views.py hold in these texts
    "a1": 'Rusia Korut Moskow mengirim amunisi ke garis depan.\n"Kami siap membantu," kata Kim. '
          "Sebanyak 10.000 tentara dikerahkan pada Selasa (14/5).",
    "a2": "Korea Utara Kim Jong Un meninjau pabrik amunisi di Pyongyang.",
    "a3": "Rusia membantah laporan itu.",
    "a4": "Rusia Korut Moskow mengirim amunisi ke garis depan.",
    "a5": "Rusia Korut sepakat memperluas kerja sama pertahanan.",
}


def build(path: Path) -> None:
    """The analyst-views fixture warehouse plus texts, quotes, amounts, dates, cleaning audit,
    a second version, fetches, a run and the search index."""
    con = _warehouse(path)
    _fill_features(con)
    for article_id, text in TEXTS.items():
        con.execute("UPDATE store.articles SET text = ?, language = 'id' WHERE article_id = ?", [text, article_id])
    con.execute("UPDATE store.articles SET version = 2 WHERE article_id = 'a1'")
    con.execute("INSERT INTO store.article_versions VALUES ('a1', 1, 'h0', 'Judul a1', ?, ?, 'r'), "
                "('a1', 2, 'a1', 'Judul a1', ?, ?, 'r')",
                ["Rusia Korut Moskow mengirim senjata.", T0, TEXTS["a1"], T0 + timedelta(hours=5)])
    quote = TEXTS["a1"].index("Kami")
    con.execute("INSERT INTO store.quotes (article_id, quote, speaker_text, speaker_surface, speaker_entity_id, "
                "verb, char_start, char_end) VALUES ('a1', 'Kami siap membantu,', 'Kim Jong-un', 'Kim', 'kim', "
                "'kata', ?, ?)", [quote, quote + len("Kami siap membantu,")])
    amount = TEXTS["a1"].index("10.000")
    con.execute("INSERT INTO store.amounts (article_id, value, unit, qualifier, text, char_start, char_end) "
                "VALUES ('a1', 10000, 'tentara', NULL, '10.000 tentara', ?, ?)", [amount, amount + 14])
    con.execute("INSERT INTO store.removed_spans VALUES ('a1', 'related_links', 'Baca juga: Rusia ...', 40, 'a1', 'r')")
    con.execute("INSERT INTO store.fetches (url, source, status_code, error, bytes, content_type, final_url, "
                "fetched_at, run_id) VALUES ('https://x/a1', 's', 200, NULL, 5120, 'text/html', 'https://x/a1', ?, 'r'),"
                " ('https://x/gone', 's', 404, 'HTTP 404', 0, 'text/html', NULL, ?, 'r')", [T0, T0])
    con.execute("INSERT INTO store.runs (run_id, flow, started_at, finished_at, state, fetched, failed, new) "
                "VALUES ('r', 'ingest', ?, ?, 'completed_with_warnings', 5, 1, 5)", [T0, T0 + timedelta(minutes=3)])
    # the place of a1's dateline, cut from its text: a mention without offsets (issue 14)
    con.execute("INSERT INTO store.mentions (article_id, entity_id, surface, char_start, char_end, type, found_in) "
                "VALUES ('a1', 'ru', 'MOSKOW', NULL, NULL, 'place', 'dateline')")
    con.execute("INSERT INTO store.article_entities (article_id, entity_id, name, type, country, lat, lon, "
                "mention_count, kb_fingerprint) VALUES ('a2', 'pyongyang', 'Pyongyang', 'place', 'KP', 39.03, "
                "125.75, 1, 'kb1')")
    apply_views(con)
    build_index(con)
    con.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """(base URL, warehouse path) of the explorer served by uvicorn in a thread of this process."""
    import uvicorn

    from kabar.commands.explorer.app import create_app

    path = tmp_path_factory.mktemp("browse") / "w.duckdb"
    build(path)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Warehouse.file(path)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the explorer did not start"
    yield f"http://127.0.0.1:{port}", path
    server.should_exit = True
    thread.join(timeout=10)


def get(served, url: str, status: int = 200) -> httpx.Response:
    response = httpx.get(served[0] + url, timeout=60)
    assert response.status_code == status, (url, response.status_code, response.text[-500:])
    return response


def test_search_ranks_hits_with_snippets_and_counts_per_day(served) -> None:
    page = get(served, "/search?q=amunisi").text
    assert page.count('<tr><td class="col-title">') == 2  # a1 and a2 (a4 copies a1: copies are not searched)
    assert '<a class="title" href="/article/a1">Judul a1</a>' in page
    assert "<mark>amunisi</mark>" in page
    assert 'class="chart bars"' in page and page.count('class="bar"') >= 1
    assert "Judul a3" not in page  # no match


def test_search_filters(served) -> None:
    assert "Judul a2" in get(served, "/search?outlet=Warta+Nusantara").text
    assert "Judul a1" not in get(served, "/search?outlet=Warta+Nusantara").text
    by_entity = get(served, "/search?entity=kim").text
    assert "Judul a2" in by_entity and "Judul a1" not in by_entity and "Kim Jong-un" in by_entity
    by_theme = get(served, "/search?theme=diplomasi").text
    assert "Judul a2" in by_theme and "Judul a1" not in by_theme
    dated = get(served, "/search?since=2024-05-16&until=2024-05-16").text
    assert "Judul a5" in dated and "Judul a1" not in dated
    assert "No article matches." in get(served, "/search?q=amunisi&language=en").text


def test_story_page(served) -> None:
    page = get(served, "/story/s1").text
    # named after its first original report (a1), not the stored label (issue 14)
    assert '<h1 class="story-title">Judul a1</h1>' in page
    assert page.count('class="dot original"') == 3 and page.count('class="dot copy"') == 1  # a4 copies a1
    assert 'href="/article/a4"' in page and "copy of" in page
    assert '<a class="name" href="/entity/kim">Kim Jong-un</a>' in page  # shared entities
    assert "Kami siap membantu," in page  # quotes


def test_entity_page(served) -> None:
    page = get(served, "/entity/kim").text
    assert '<h1 class="entity-name">Kim Jong-un</h1>' in page
    assert "Kami siap membantu," in page  # what he said
    assert 'href="/story/s1"' in page or "Rusia-Korut" in page
    assert '<a class="name" href="/entity/kp">Korea Utara</a>' in page  # co-occurring
    place = get(served, "/entity/pyongyang").text
    assert 'class="chart map"' in place and 'class="place"' in place
    assert place.count('class="outline coast"') > 10  # offline outlines drawn


def test_article_page_highlights_and_audits(served) -> None:
    page = get(served, "/article/a1").text
    assert '<h1 class="article-title">Judul a1</h1>' in page
    assert '<a class="ent" href="/entity/ru"><span class="hl hl-entity"' in page
    assert "hl-quote" in page and "hl-amount" in page
    assert "related_links" in page and "Baca juga" in page  # what cleaning removed and why
    assert 'class="del">- Rusia Korut Moskow mengirim senjata.' in page  # the version diff
    assert "text/html" in page and "5120" in page  # the fetch record
    assert 'href="/story/s1">Judul a1</a>' in page


def test_runs_and_sources(served) -> None:
    runs = get(served, "/runs").text
    assert 'href="/runs/r"' in runs and "completed_with_warnings" in runs
    run = get(served, "/runs/r").text
    assert "HTTP 404" in run and "https://x/gone" in run
    sources = get(served, "/sources").text
    assert "<td class=\"col-source\">s</td>" in sources


def test_every_list_exports_csv_and_parquet(served) -> None:
    import pyarrow.parquet as pq

    csv_text = get(served, "/story/s1?export=articles&format=csv").text.splitlines()
    assert csv_text[0].startswith("article_id,outlet,title") and len(csv_text) == 5
    table = pq.read_table(io.BytesIO(get(served, "/search?q=amunisi&export=hits&format=parquet").content))
    assert set(table.column("article_id").to_pylist()) == {"a1", "a2"}
    assert get(served, "/runs?export=nope&format=csv", 404)
    assert get(served, "/runs?export=runs&format=xlsx", 400)


def test_lists_page(served, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse import explorer

    monkeypatch.setattr(explorer, "PAGE_SIZE", 2)
    first = get(served, "/story/s1").text
    assert 'href="/story/s1?articles_page=2#articles"' in first
    second = get(served, "/story/s1?articles_page=2").text
    assert 'href="/article/a3"' in second and 'rel="prev"' in second


def test_unknown_subjects_are_404_pages(served) -> None:
    assert "no story nope" in get(served, "/story/nope", 404).text
    assert "no article nope" in get(served, "/article/nope", 404).text
    assert "no entity nope" in get(served, "/entity/nope", 404).text


def test_a_writer_gets_the_file_between_requests(served) -> None:
    """The explorer holds the file only while pages are asked for: a writer in another process
    opens it once browsing pauses, and while the writer holds it pages say 'busy' (503)."""
    get(served, "/search")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         "for _ in range(200):\n"
         "    try:\n        con = duckdb.connect(sys.argv[1]); break\n"
         "    except duckdb.IOException:\n        time.sleep(0.1)\n"
         "else:\n    sys.exit(3)\n"
         "print('held', flush=True); time.sleep(8)", str(served[1])],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = get(served, "/search", 503).text
        assert "busy" in busy
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
    assert "Judul a1" in get(served, "/search").text  # and pages come back once the writer is gone


def test_browse_command_errors_are_one_line(tmp_path: Path, served) -> None:
    from tests.conftest import run_cli

    missing = run_cli("browse", "--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0
    assert "no warehouse at" in missing.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = run_cli("browse", "--warehouse", str(served[1]), "--port", str(taken.getsockname()[1]))
    assert busy.returncode == 2 and "cannot listen on 127.0.0.1:" in busy.stderr
    assert "Traceback" not in busy.stderr
