"""`kabar sources`: the health of every source (bare command, the ``source_health`` view),
`kabar sources discover` and `kabar sources check`: find an outlet's feeds and sitemaps, and
judge the configured sources, without ingesting anything. The logic is in
tasks/sources_discovery.py; this module parses arguments and prints tables (rich).

Exit status: 0 success; 1 nothing usable found (discover) or a configured source is dead
(check), or the home page could not be used; 2 bad arguments or sources file.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from kabar.cli import UserError, add_warehouse_option, warehouse_from

EXIT_CODES = "Exit status: 0 success, 1 nothing usable found / a source is dead, 2 bad arguments or sources file."


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="show each source's health; discover an outlet's feeds and sitemaps; check the configured sources",
        description=(
            "Without a sub-command: print the source_health view of the warehouse, sources needing "
            "attention first: status (ok, failing, started_failing, silent, low_output), last run and "
            "last success, consecutive failing and silent runs, new items on the last run day against "
            "the source's 30-day median, and the last failure reason; exits 1 when a source needs "
            "attention (for scripts and cron; see warehouse/README.md, source_health). "
            "`kabar sources discover URL` finds where an outlet announces its "
            "articles (feeds, sitemaps, listing pages) and can add it to a sources file; "
            "`kabar sources check` fetches every configured source once and judges it."
        ),
        epilog=EXIT_CODES,
    )
    add_warehouse_option(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="source health as table (default), csv, or json")
    commands = parser.add_subparsers(dest="sources_command", metavar="SUBCOMMAND",
                                     help="discover | check (run `kabar sources SUBCOMMAND --help`); "
                                          "without one, print the health of every source")
    parser.set_defaults(handler=show_health)

    discover = commands.add_parser(
        "discover",
        help="find an outlet's feeds, sitemaps and listing pages from its home page",
        description=(
            "Read the outlet's home page and find its <link rel=alternate> feeds, feed links, the "
            "usual feed and sitemap paths, robots.txt Sitemap: lines (news sitemaps and sitemap "
            "indexes followed) and, when none works, section listing pages. Each is fetched politely "
            "(robots.txt, the URL guard) and checked: items, article URLs on the outlet's host, newest "
            "item, items per day, language. Prints them ranked: news sitemap > fresh feed > stale "
            "feed > sitemap > listing page."
        ),
        epilog=EXIT_CODES,
    )
    discover.add_argument("url", metavar="URL", help="the outlet's home page (http or https; https:// is assumed when no scheme is given)")
    discover.add_argument("--allow-host", action="append", metavar="HOST[:PORT]", dest="allow_hosts",
                          help="permit this private/loopback host (repeatable; for tests and intranets)")
    discover.add_argument("--write", metavar="FILE",
                          help="append a [[sources]] block for the best candidate to this sources file "
                               "(created if missing; comments and layout kept; nothing written unless a "
                               "candidate passed its checks); its [fetch] settings are used for fetching")
    discover.set_defaults(handler=run_discover)

    check = commands.add_parser(
        "check",
        help="fetch every configured source once and say whether it is alive and fresh",
        description=(
            "Fetch each enabled source of the sources file once (feeds, sitemaps, listing pages; "
            "local files and WARCs are only counted) and judge it like `discover` does: alive, "
            "items, newest item, items per day, language. Nothing is ingested. Exits 1 when a "
            "source is dead."
        ),
        epilog=EXIT_CODES,
    )
    check.add_argument("--config", metavar="FILE", default="sources.toml",
                       help="the sources file (default: ./sources.toml)")
    check.add_argument("--source", action="append", metavar="NAME", dest="sources",
                       help="only this source (repeatable; disabled sources are checked when named)")
    check.add_argument("--allow-host", action="append", metavar="HOST[:PORT]", dest="allow_hosts",
                       help="permit this private/loopback host (repeatable; for tests and intranets)")
    check.set_defaults(handler=run_check)


def show_health(args: argparse.Namespace) -> int:
    """Print the source_health view; 1 when a source needs attention, 0 otherwise."""
    from kabar.commands.sql import format_rows
    from warehouse.backend import open_reader_for
    from warehouse.source_health import SHOWN, has_view, source_health

    warehouse = warehouse_from(args)
    if not warehouse.exists():
        raise UserError(f"no warehouse at {warehouse}: run `kabar ingest` first (or pass --warehouse)")
    with open_reader_for(warehouse) as con:
        if not has_view(con):
            raise UserError("this warehouse has no source_health view yet: run `kabar ingest` once with this version")
        rows = source_health(con)
    if not rows:
        print("no runs recorded yet: source health appears after the first `kabar ingest`")
        return 0
    print(format_rows(list(SHOWN), [tuple(r[c] for c in SHOWN) for r in rows], args.format), file=sys.stdout)
    flagged = [r["source"] for r in rows if r["status"] != "ok"]
    if flagged and args.format == "table":
        print(f"{len(flagged)} source(s) need attention: {', '.join(flagged)}")
    return 1 if flagged else 0


def _fetch_settings(config: str | None, allow_hosts: list[str] | None):
    """[fetch] of the sources file (when it exists) plus --allow-host; discovery retries once."""
    from kabar.config import ConfigError, FetchSettings
    from kabar.sources_edit import fetch_settings

    fetch = fetch_settings(Path(config)) if config else FetchSettings()  # a file with no sources yet is fine
    for host in allow_hosts or []:
        if not re.match(r"^[A-Za-z0-9.\-\[\]:]+$", host):
            raise ConfigError(f"--allow-host {host!r}: expected HOST or HOST:PORT")
    hosts = tuple(dict.fromkeys([*fetch.allow_hosts, *(allow_hosts or [])]))
    return fetch.model_copy(update={"allow_hosts": hosts, "retries": min(fetch.retries, 1), "capture": False})


def _when(stamp: datetime | None, now: datetime) -> str:
    if stamp is None:
        return "-"
    days = (now - stamp).total_seconds() / 86400
    age = f"{days * 24:.0f}h ago" if 0 <= days < 2 else f"{days:.0f}d ago"
    return f"{stamp:%Y-%m-%d} ({age})"


def _add_row(table, *cells: str) -> None:
    from rich.markup import escape

    table.add_row(*(escape(cell) for cell in cells))  # a URL with [brackets] is not rich markup


def _console_err():
    """stderr, for a spinner while fetching: rich shows it only on a terminal."""
    from rich.console import Console

    return Console(stderr=True)


def _console():
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160, highlight=False)


def run_discover(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    from tasks.safety import Refused, check_syntax
    from tasks.sources_discovery import discover_site

    if "://" not in args.url:
        args.url = "https://" + args.url  # "contoh.id" means the site's home page
    try:
        check_syntax(args.url)
    except Refused as exc:
        raise UserError(f"{args.url}: {str(exc).removeprefix('refused: ')}") from None
    settings = _fetch_settings(args.write, args.allow_hosts)  # a broken --write file fails before fetching
    now = datetime.now(timezone.utc)
    with _console_err().status(f"discovering the feeds and sitemaps of {args.url}"):
        report = discover_site(args.url, settings, now)
    console = _console()
    if report.error:
        print(f"kabar: {report.error}", file=sys.stderr)
        return 1
    for note in report.notes:
        print(f"kabar: note: {note}", file=sys.stderr)
    table = Table(title=escape(f"{report.outlet or report.home_url} ({report.home_url}, language {report.language or '?'})"))
    for column in ("#", "grade", "kind", "url", "found via", "items", "on host", "newest", "per day", "lang", "verdict"):
        table.add_column(column, overflow="fold", no_wrap=column in ("#", "items", "on host"))
    for number, candidate in enumerate(report.candidates, 1):
        verdict = "ok" if candidate.passed else (candidate.error or "failed")
        if candidate.note:
            verdict += f"; {candidate.note}"
        _add_row(table, str(number) if candidate.passed else "-", candidate.grade(now) if candidate.passed else "failed", candidate.kind, candidate.url,
                      candidate.via, str(candidate.items), str(candidate.on_host), _when(candidate.newest, now),
                      f"{candidate.per_day:g}" if candidate.per_day is not None else "-", candidate.language or "-",
                      verdict)
    if report.candidates:
        console.print(table)
    best = report.best
    if best is None:
        print(f"kabar: no feed, sitemap or listing page of {report.home_url} passed its checks"
              + (" (nothing written)" if args.write else ""), file=sys.stderr)
        return 1
    console.print(f"best: {best.kind} {best.url} ({best.grade(now)}, {best.on_host} article URLs)", markup=False)
    if args.write:
        name = _write(Path(args.write), report, best, now)
        console.print(f"wrote [[sources]] {name!r} ({best.kind} {best.url}) to {args.write}", markup=False)
    return 0


def _write(path: Path, report, best, now: datetime) -> str:
    from kabar.sources_edit import append_source
    from kabar.text import site_of

    host = site_of(report.home_url) or "outlet"
    wanted = report.outlet or host.split(".")[0]
    fields = {"name": wanted, "kind": best.kind, "url": best.url, "outlet": report.outlet,
              "language": best.language if best.language and re.match(r"^[a-z]{2,3}$", best.language) else None,
              "link_pattern": best.link_pattern if best.kind == "listing" else None}
    comment = f"{report.outlet or host}: {best.grade(now)} found by `kabar sources discover {report.url}` on {now:%Y-%m-%d}"
    return append_source(path, fields, comment)


def run_check(args: argparse.Namespace) -> int:
    from rich.table import Table

    from kabar.config import load_sources
    from tasks.sources_discovery import check_sources

    sources_file = load_sources(args.config)
    chosen = sources_file.select(args.sources)
    if not chosen:
        raise UserError(f"{args.config}: no enabled sources to check")
    settings = _fetch_settings(args.config, args.allow_hosts)
    now = datetime.now(timezone.utc)
    table = Table(title=f"sources of {args.config}")
    for column in ("source", "kind", "state", "items", "on host", "newest", "per day", "lang", "detail"):
        table.add_column(column, overflow="fold", no_wrap=column in ("items", "on host"))
    dead = []
    with _console_err().status(f"checking {len(chosen)} sources"):
        results = check_sources(chosen, settings, now)
    for source, result in zip(chosen, results):
        if not result.passed:
            state = "dead"
            dead.append(source.name)
        elif source.kind in ("files", "warc"):
            state = "alive"
        else:
            state = "fresh" if result.fresh(now) else ("alive" if source.kind == "listing" else "stale")
        detail = result.error or result.note or ""
        _add_row(table, source.name, source.kind, state, str(result.items), str(result.on_host),
                      _when(result.newest, now), f"{result.per_day:g}" if result.per_day is not None else "-",
                      result.language or "-", detail)
    _console().print(table)
    if dead:
        print(f"kabar: {len(dead)} of {len(chosen)} sources dead: {', '.join(dead)}", file=sys.stderr)
        return 1
    return 0
