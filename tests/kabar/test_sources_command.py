"""`kabar sources` (bare: the source_health view), `kabar sources discover` / `kabar sources check`: the table, the exit codes, the block written
with --write (validated, comments kept) and that the written block really ingests."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from kabar.cli import main
from kabar.config import load_sources
from tests.discovery_sites import serve
from tests.site import Response, TestSite
from warehouse.connection import open_writer

EXISTING = """\
# Sumber berita saya: jangan hapus komentar ini.
[fetch]
timeout = 10   # detik
retries = 0

[[sources]]
name = "warta-khatulistiwa"   # the name discovery would pick: it must add a suffix
kind = "feed"
url = "https://contoh.id/rss"

# pengaturan duplikat
[dedupe]
shingle_size = 3
"""

EXPECTED = {  # site -> (kind, url path, outlet)
    "link_feed": ("feed", "/berita/rss.xml", "Warta Khatulistiwa"),
    "common_path": ("feed", "/feed.xml", "Suara Pesisir"),
    "robots_news": ("sitemap", "/peta/berita.xml", "Kabar Lembah"),
    "sitemap_index": ("sitemap", "/sitemap_index.xml", "Gema Timur"),
    "listing_only": ("listing", "/nasional.html", "Berita Lintas Kota"),
}


def discover_cli(site: TestSite, *extra: str) -> int:
    return main(["sources", "discover", site.base_url + "/", "--allow-host", site.host, *extra])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_discover_writes_a_block_that_validates(name: str, tmp_path: Path, capsys) -> None:
    written = tmp_path / "sources.toml"
    with serve(name, tmp_path) as site:
        assert discover_cli(site, "--write", str(written)) == 0
    out = capsys.readouterr().out
    kind, path, outlet = EXPECTED[name]
    assert f"best: {kind} {site.url(path)}" in out and "wrote [[sources]]" in out
    source = load_sources(written).sources[0]  # the project's own validation
    assert (source.kind, source.url, source.outlet, source.language) == (kind, site.url(path), outlet, "id")
    assert source.name == re.sub(r"\s+", "-", outlet.lower())
    if kind == "listing":
        assert re.search(source.link_pattern, site.url("/berita/harga-cabai-naik-menjelang-panen-raya.html"))


def test_write_keeps_comments_and_layout_and_picks_a_unique_name(tmp_path: Path, capsys) -> None:
    written = tmp_path / "sources.toml"
    written.write_text(EXISTING, encoding="utf-8")
    with serve("link_feed", tmp_path) as site:
        assert discover_cli(site, "--write", str(written)) == 0
        assert discover_cli(site, "--write", str(written)) == 2  # the same feed twice: refused
    text = written.read_text(encoding="utf-8")
    head = EXISTING.split("# pengaturan duplikat")[0]
    assert text.startswith(head)  # everything before the new block, byte for byte
    assert text.rstrip().endswith("# pengaturan duplikat\n[dedupe]\nshingle_size = 3")
    names = [s.name for s in load_sources(written).sources]
    assert names == ["warta-khatulistiwa", "warta-khatulistiwa-2"]
    assert "already reads" in capsys.readouterr().err


def test_write_file_with_only_fetch_settings_supplies_allow_hosts(tmp_path: Path, capsys) -> None:
    written = tmp_path / "sources.toml"
    with serve("robots_news", tmp_path) as site:
        written.write_text(f'[fetch]\nallow_hosts = ["{site.host}"]  # lokal\n', encoding="utf-8")
        assert main(["sources", "discover", site.base_url, "--write", str(written)]) == 0  # no --allow-host
    text = written.read_text(encoding="utf-8")
    assert text.startswith(f'[fetch]\nallow_hosts = ["{site.host}"]  # lokal\n')
    assert load_sources(written).sources[0].kind == "sitemap"


def test_nothing_found_writes_nothing_and_exits_1(tmp_path: Path, capsys) -> None:
    written = tmp_path / "sources.toml"
    with serve("nothing", tmp_path) as site:
        assert discover_cli(site, "--write", str(written)) == 1
    err = capsys.readouterr().err
    assert "passed its checks (nothing written)" in err and not written.exists()


def test_bad_input_is_one_line_with_its_exit_code(tmp_path: Path, capsys) -> None:
    assert main(["sources", "discover", "ftp://contoh.id/"]) == 2
    assert capsys.readouterr().err.strip() == "kabar: error: ftp://contoh.id/: scheme 'ftp' is not http or https"
    assert main(["sources", "discover", "contoh.invalid"]) == 1  # no scheme: https:// assumed
    err = capsys.readouterr().err.strip()
    assert err.startswith("kabar: home page https://contoh.invalid: ") and "\n" not in err
    broken = tmp_path / "rusak.toml"
    broken.write_text("[[sources]\nname = ", encoding="utf-8")
    with TestSite() as site:
        site.routes["/"] = Response(b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
        assert discover_cli(site, "--write", str(broken)) == 2  # checked before any request
        assert site.requests == []
        assert "invalid TOML" in capsys.readouterr().err
        assert discover_cli(site) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is not HTML (application/pdf)" in err


def test_sources_help_names_the_subcommands(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["sources", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "discover" in out and "check" in out and "source_health" in out


def test_check_reports_fresh_and_dead_sources(tmp_path: Path, capsys) -> None:
    config = tmp_path / "sources.toml"
    with serve("common_path", tmp_path) as site:
        config.write_text(
            f'[fetch]\nretries = 0\nallow_hosts = ["{site.host}"]\n\n'
            f'[[sources]]\nname = "pesisir"\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n\n'
            f'[[sources]]\nname = "peta"\nkind = "sitemap"\nurl = "{site.url("/sitemap.xml")}"\n\n'
            f'[[sources]]\nname = "hilang"\nkind = "feed"\nurl = "{site.url("/hilang.xml")}"\n\n'
            f'[[sources]]\nname = "arsip"\nkind = "files"\nglob = "{tmp_path}/common_path/berita/*.html"\n', encoding="utf-8")
        assert main(["sources", "check", "--config", str(config)]) == 1
        out, err = capsys.readouterr()
        assert main(["sources", "check", "--config", str(config), "--source", "pesisir"]) == 0
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 5}
    assert "fresh" in rows["pesisir"] and " 3 " in rows["pesisir"]
    assert "dead" in rows["hilang"] and "HTTP 404" in rows["hilang"]
    assert "dead" not in rows["peta"]
    assert "alive" in rows["arsip"] and " 3 " in rows["arsip"]
    assert err.strip() == "kabar: 1 of 4 sources dead: hilang"
    assert not any(p.startswith("/berita/") for p in site.paths_requested())  # nothing ingested


@pytest.mark.slow
@pytest.mark.parametrize("name, articles", [("link_feed", 3), ("listing_only", 2), ("robots_news", 3)])
def test_written_block_ingests(name: str, articles: int, tmp_path: Path, capsys) -> None:
    written, warehouse = tmp_path / "written.toml", tmp_path / "wh" / "kabar.duckdb"
    with serve(name, tmp_path) as site:
        assert discover_cli(site, "--write", str(written)) == 0
        assert main(["ingest", "--config", str(written), "--allow-host", site.host, "--warehouse", str(warehouse)]) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT canonical_url, source, language FROM articles ORDER BY 1").fetchall()
    finally:
        con.close()
    source = load_sources(written).sources[0].name
    assert len(rows) == articles and {r[1] for r in rows} == {source} and {r[2] for r in rows} == {"id"}
    assert all("/berita/" in r[0] for r in rows)


def add_run(path: Path, run_id: str, when: datetime, outcomes: dict[str, tuple[str, str | None]]) -> None:
    with open_writer(path) as con:
        for source, (status, reason) in outcomes.items():
            con.execute(
                "INSERT INTO store.run_sources VALUES (?, ?, ?, 3, 3, 3, 0, 3, ?, ?)",
                [run_id, source, status, reason, when])


def test_sources_prints_health_and_flags_a_failing_feed(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "kabar.duckdb"
    now = datetime.now(timezone.utc)
    add_run(warehouse, "r1", now - timedelta(days=2), {"antara": ("ok", None), "tempo": ("ok", None)})
    add_run(warehouse, "r2", now - timedelta(days=1), {"antara": ("failing", "HTTP 503 (3x)"), "tempo": ("ok", None)})
    add_run(warehouse, "r3", now, {"antara": ("failing", "HTTP 503 (3x)"), "tempo": ("ok", None)})
    assert main(["sources", "--warehouse", str(warehouse)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[2].split()[:2] == ["antara", "started_failing"]  # flagged first
    assert "HTTP 503" in lines[2]
    assert "1 source(s) need attention: antara" in out
    assert main(["sources", "--warehouse", str(warehouse), "--format", "json"]) == 1
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["antara"]["consecutive_failed_runs"] == 2 and rows["tempo"]["status"] == "ok"


def test_sources_all_healthy_exits_0_and_a_missing_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "kabar.duckdb"
    add_run(warehouse, "r1", datetime.now(timezone.utc), {"tempo": ("ok", None)})
    assert main(["sources", "--warehouse", str(warehouse)]) == 0
    assert main(["sources", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no warehouse" in err
