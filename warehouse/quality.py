"""Data-quality checks run after each load and recorded per run in ``store.quality_checks``.

Each check is a query returning the ids of failing rows, over ``checked_articles``: the rows
this run wrote or saw again (``run_checks(con, run_id=...)``, what the flow does: the cost follows the run,
not the warehouse) or every article (no run given). A check may need relations another
feature adds (``stories``, ``mentions``); it is skipped (not recorded) while they are missing.
A failed check never fails the run: the flow marks it ``completed_with_warnings``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from kabar import settings
from kabar.warehouse_spec import Warehouse
from warehouse.backend import open_writer_for
from warehouse.connection import sql_strings
from warehouse.lake import retry_on_conflict
from warehouse.transaction import transaction

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    question: str
    #: A query selecting one id column (the failing rows); ``{tolerance}`` is filled in.
    sql: str
    requires: tuple[str, ...] = ()
    #: More failing rows, looked for only when every article is checked (no run given).
    whole: str = ""


CHECKS: tuple[Check, ...] = (
    Check("article_has_text", "every article has non-empty text",
          "SELECT article_id FROM checked_articles WHERE text IS NULL OR trim(text) = ''"),
    Check("published_not_in_future", "no publication date later than now plus the tolerance",
          "SELECT article_id FROM checked_articles WHERE published_at > now() + INTERVAL '{tolerance} hours'"),
    Check("duplicate_of_exists", "every duplicate_of points at a stored article",
          "SELECT a.article_id FROM checked_articles a LEFT JOIN articles o ON o.article_id = a.duplicate_of "
          "WHERE a.duplicate_of IS NOT NULL AND o.article_id IS NULL"),
    Check("story_id_exists", "every story_id points at a story",
          # store.stories, not the stories view: the view groups every article by story (0.08-0.12
          # CPU s at 100,000 articles); an article's story is in the view exactly when it is stored
          "SELECT a.article_id FROM checked_articles a LEFT JOIN store.stories s ON s.story_id = a.story_id "
          "WHERE a.story_id IS NOT NULL AND s.story_id IS NULL", requires=("stories",)),
    Check("mention_within_text", "every mention's span lies within its article's text (a dateline's place has none)",
          # length() once per article: per joined mention it counted a whole text's characters
          # again for each of its mentions. A mention has offsets exactly when it was found in the
          # text (found_in 'text'); the dateline's places have none (issue 14).
          "SELECT m.article_id || ':' || coalesce(m.char_start::VARCHAR, m.found_in) FROM mentions m "
          "JOIN (SELECT article_id, length(text) AS chars FROM checked_articles) a USING (article_id) "
          "WHERE m.char_start < 0 OR m.char_end < m.char_start OR m.char_end > a.chars "
          "OR (m.char_start IS NULL OR m.char_end IS NULL) <> (m.found_in = 'dateline')", requires=("mentions",),
          # Mentions whose article is gone: only when every article is checked. Run-scoped, this
          # joined every mention with every article's text (0.83 CPU s of an unchanged run at
          # 3,000 articles, linear in the warehouse: issue 11); a run's own mentions are written
          # with its articles, so they meet the join above.
          whole="SELECT m.article_id || ':' || coalesce(m.char_start::VARCHAR, m.found_in) FROM mentions m "
                "ANTI JOIN articles a USING (article_id)"),
)


@dataclass(frozen=True)
class CheckResult:
    check: str
    passed: bool
    failing_rows: int
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def run_checks(
    con: duckdb.DuckDBPyConnection, *, tolerance_hours: float = settings.FUTURE_TOLERANCE_HOURS,
    run_id: str | None = None,
) -> list[CheckResult]:
    """Run every check whose relations exist, over the articles ``run_id`` wrote or saw again
    (all articles when None); returns one result per check run."""
    present = _present(con)
    if run_id is None:
        con.execute("CREATE OR REPLACE TEMP VIEW checked_articles AS SELECT * FROM articles")
    else:
        # The rows the run wrote, and those it saw again unchanged (they keep the run_id of the
        # run that wrote them, but their last_seen_at is this run's fetch time).
        _checked_articles(con, run_id)
    try:
        return _run(con, present, tolerance_hours, whole=run_id is None)
    finally:
        con.execute("DROP VIEW IF EXISTS checked_articles" if run_id is None else "DROP TABLE IF EXISTS checked_articles")


#: Article ids per statement when the run's articles are copied for the checks.
_IDS_PER_STATEMENT = 500


def _checked_articles(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """``checked_articles``: the articles ``run_id`` wrote or saw again. Their ids first (three
    narrow columns), then their rows by id: selecting the rows with the run's condition in one
    statement read every article's text, 0.4-1.7 CPU s at 100,000 articles against 0.05 this way
    (an id list is filtered in the scan before the text is read; issue 11)."""
    started = con.execute("SELECT started_at FROM store.runs WHERE run_id = ?", [run_id]).fetchone()
    ids = [row[0] for row in con.execute(
        "SELECT article_id FROM articles WHERE run_id = ? OR last_seen_at >= ?",
        [run_id, started[0] if started else None]).fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE checked_articles AS SELECT * FROM articles LIMIT 0")
    for at in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[at:at + _IDS_PER_STATEMENT]
        con.execute(f"INSERT INTO checked_articles SELECT * FROM articles WHERE article_id IN ({sql_strings(chunk)})")


def _run(con: duckdb.DuckDBPyConnection, present: set[str], tolerance_hours: float, whole: bool) -> list[CheckResult]:
    results = []
    for check in CHECKS:
        missing = [r for r in check.requires if r not in present]
        if missing:
            LOGGER.info("quality check %s skipped: needs %s", check.name, ", ".join(missing))
            continue
        sql = f"{check.sql} UNION ALL {check.whole}" if whole and check.whole else check.sql
        failing = [r[0] for r in con.execute(sql.format(tolerance=float(tolerance_hours))).fetchall()]
        detail = check.question if not failing else (
            f"{len(failing)} failing: " + ", ".join(map(str, failing[:5])) + (" ..." if len(failing) > 5 else ""))
        results.append(CheckResult(check.name, not failing, len(failing), detail))
    return results


def check_and_record(path: Warehouse, run_id: str, con: duckdb.DuckDBPyConnection | None = None) -> list[CheckResult]:
    """Run the checks on the warehouse (a file or a DuckLake) and record them under
    ``run_id`` in one transaction; returns them. ``con``: the run's writer on a file, already
    open (tasks/wrapup.py)."""
    def on(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
        results = run_checks(con, run_id=run_id)  # this run's rows: cost follows the run
        with transaction(con):
            record_checks(con, run_id, results)
        return results

    if con is not None:
        return on(con)

    def attempt() -> list[CheckResult]:
        with open_writer_for(path) as con:
            return on(con)

    return retry_on_conflict(attempt)


def record_checks(con: duckdb.DuckDBPyConnection, run_id: str, results: list[CheckResult]) -> None:
    """Append the results for ``run_id`` to ``store.quality_checks``."""
    if not results:
        return
    now = datetime.now(timezone.utc)
    table = pa.Table.from_pylist(
        [{"run_id": run_id, "check_name": r.check, "passed": r.passed, "failing_rows": r.failing_rows,
          "detail": r.detail, "checked_at": now} for r in results]
    )
    con.register("quality_rows", table)
    con.execute("INSERT INTO store.quality_checks BY NAME SELECT * FROM quality_rows")
    con.unregister("quality_rows")
