"""The SQL of `kabar browse` (and of the report's charts): every query the explorer's pages run.

Each function takes an open read connection and plain values (bound as parameters) and returns
a :class:`Table` (column names and rows) or one row as a dict. Lists take ``limit``/``offset``
so every page pages; the web layer (kabar/commands/explorer/) renders them and exports them as
CSV or Parquet. Only the public views (warehouse/README.md) are read, never ``store.*``; views a
feature has not created yet read as empty tables, so every page renders on any warehouse.

Days are Asia/Jakarta calendar days of ``published_at``; undated articles are left out of
time axes (they have no day of their own) and counted apart.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from warehouse import summaries
from warehouse.summaries import jakarta_day

#: Rows of one list page; exports hold at most EXPORT_LIMIT rows.
PAGE_SIZE = 25
EXPORT_LIMIT = 100_000

DAY = jakarta_day("a.published_at")


@dataclass
class Table:
    """A list as the explorer shows it: ``more`` is true when another page follows."""

    name: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    more: bool = False

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@dataclass(frozen=True)
class Catalog:
    """What a read connection's warehouse has: its public views, whether ``articles`` has
    ``page_type``, and whether the explorer summaries (warehouse/summaries.py) are current."""

    views: frozenset[str]
    page_type: bool
    summaries: bool


#: Catalogs of locked (read-only, configuration frozen) connections, remembered per connection:
#: listing the views costs ~7 ms and pages asked it a dozen times. The explorer opens a cursor
#: per request, so this is per request there; a writable connection is never remembered (its
#: views may change under it).
_CATALOGS: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, Catalog]" = weakref.WeakKeyDictionary()


def catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    found = _CATALOGS.get(con)
    if found is not None:
        return found
    views = frozenset(r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall())
    page_type = bool(con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
                                 "AND table_name = 'articles' AND column_name = 'page_type'").fetchone()[0])
    found = Catalog(views, page_type, summaries.current(con))
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        _CATALOGS[con] = found
    return found


def share_catalog(con: duckdb.DuckDBPyConnection, known: Catalog | None) -> Catalog:
    """Let the cursor ``con`` use ``known`` (the catalog learnt on an earlier cursor of the same
    open reader: the file cannot change while a reader holds it), or learn it; returns it."""
    if known is None:
        return catalog(con)
    _CATALOGS[con] = known
    return known


def view_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in catalog(con).views


def _entities(con) -> str:
    """The relation of entity rows: the current summary copy, else the live view."""
    return "store.explorer_entities" if catalog(con).summaries else "main.entities"


def _stories(con) -> str:
    """The relation of story rows: the current summary copy, else the live view."""
    return "store.explorer_stories" if catalog(con).summaries else "main.stories"


def _table(con, name: str, sql: str, params: list[Any], limit: int, offset: int,
           needs: tuple[str, ...] = ()) -> Table:
    """Run ``sql`` for one page (one row more than ``limit`` tells whether another page follows)."""
    result = None
    if all(view_exists(con, v) for v in needs):
        result = con.execute(f"{sql} LIMIT ? OFFSET ?", [*params, limit + 1, offset])
    if result is None:
        return Table(name, [])
    columns = [d[0] for d in result.description]
    rows = result.fetchall()
    return Table(name, columns, rows[:limit], len(rows) > limit)


def _one(con, sql: str, params: list[Any]) -> dict[str, Any] | None:
    result = con.execute(sql, params)
    row = result.fetchone()
    return dict(zip([d[0] for d in result.description], row)) if row else None


# ---- search -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The search page's filters; None means no filter."""

    query: str | None = None
    since: date | None = None
    until: date | None = None
    outlet: str | None = None
    entity: str | None = None
    theme: str | None = None
    language: str | None = None


def _filtered_articles(con, f: Filters, scorer: str = "search_scores") -> tuple[str, list[Any]]:
    """SQL of the originals matching ``f`` (``article_id``, ``published_at``, and ``score`` when
    there is a query, scored by the table macro ``scorer``), and its params."""
    # Only the columns the filters use, named in a subquery: the search macro reads the
    # ``articles`` view too, and with the view named twice in one query DuckDB read every
    # column of it, texts included (0.9 s of a 1.2 s page at 100,000 articles).
    params: list[Any] = []
    articles = "(SELECT article_id, published_at, duplicate_of, outlet, language FROM main.articles) a"
    if f.query:
        base = f"SELECT a.article_id, a.published_at, s.score FROM {scorer}(?) s JOIN {articles} USING (article_id)"
        params.append(f.query)
    else:
        base = f"SELECT a.article_id, a.published_at, NULL::DOUBLE AS score FROM {articles}"
    where = ["a.duplicate_of IS NULL"]
    for value, clause in ((f.since, f"{DAY} >= ?"), (f.until, f"{DAY} <= ?"),
                          (f.outlet, "lower(a.outlet) = lower(?)"), (f.language, "a.language = ?"),
                          (f.entity, "a.article_id IN (SELECT article_id FROM main.mentions WHERE entity_id = ?)"),
                          (f.theme, "a.article_id IN (SELECT article_id FROM main.themes WHERE theme = ?)")):
        if value:  # each filter the form set: one clause, one bound value
            where.append(clause)
            params.append(value)
    return f"{base} WHERE {' AND '.join(where)}", params


#: The matches of the last query asked on a locked connection (the explorer's cursor of one
#: request): the page's hits and its counts per day share one scoring of the query.
_MATCHES: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, tuple[Filters, list]]" = weakref.WeakKeyDictionary()


def _matches(con, f: Filters) -> list[tuple[str, date | None, float]]:
    """Every original matching ``f`` (which has a query), best first: id, Jakarta day, score."""
    known = _MATCHES.get(con)
    if known is not None and known[0] == f:
        return known[1]
    def ranked(scorer: str) -> list[tuple]:
        sql, params = _filtered_articles(con, f, scorer)
        return con.execute(f"""SELECT article_id, {jakarta_day('published_at')}, score FROM ({sql})
                               WHERE score IS NOT NULL
                               ORDER BY score DESC, published_at DESC NULLS LAST, article_id""", params).fetchall()

    try:
        found = ranked("search_scores")
    except duckdb.CatalogException:  # an index built by an older kabar: its next index step adds the macro
        found = ranked("search_articles")
    if _CATALOGS.get(con) is not None:  # remembered for locked connections only (see catalog)
        _MATCHES[con] = (f, found)
    return found


def search_needs(f: Filters) -> tuple[str, ...]:
    """The relations a search with these filters reads (a missing one means no hits)."""
    return tuple(n for n, on in (("mentions", f.entity), ("themes", f.theme)) if on)


def search_hits(con, f: Filters, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Ranked hits (best first; newest first without a query): id, title, outlet, time, score, text."""
    sql, params = _filtered_articles(con, f)
    order = "score DESC, published_at DESC NULLS LAST, article_id" if f.query else \
        "published_at DESC NULLS LAST, article_id"
    # Order and cut the page on narrow rows first, then fetch the page's texts in a second query:
    # sorting every match with its text costs several times more on a large warehouse, and
    # joining the view again in the same query made DuckDB read every article's text.
    if not all(view_exists(con, v) for v in search_needs(f)):
        return Table("hits", [])
    if f.query:
        page = [(i, round(score, 3)) for i, _, score in _matches(con, f)[offset:offset + limit + 1]]
    else:
        page = con.execute(f"SELECT article_id, round(score, 3) FROM ({sql}) ORDER BY {order} LIMIT ? OFFSET ?",
                           [*params, limit + 1, offset]).fetchall()
    result = con.execute("""
        SELECT article_id, title, outlet, published_at, language, story_id, NULL::DOUBLE AS score, text
        FROM main.articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))""", [[r[0] for r in page[:limit]]])
    found = {row[0]: row for row in result.fetchall()}
    rows = [(*found[i][:6], score, found[i][7]) for i, score in page[:limit] if i in found]
    return Table("hits", [d[0] for d in result.description], rows, len(page) > limit)


def search_days(con, f: Filters, limit: int = EXPORT_LIMIT, offset: int = 0) -> Table:
    """How many matching originals per day (dated ones only), oldest first."""
    if f.query and all(view_exists(con, v) for v in search_needs(f)):
        days = Counter(day for _, day, _ in _matches(con, f) if day is not None)
        rows = sorted(days.items())[offset:offset + limit + 1]
        return Table("days", ["day", "articles"], rows[:limit], len(rows) > limit)
    sql, params = _filtered_articles(con, f)
    return _table(con, "days", f"SELECT {jakarta_day('published_at')} AS day, "
                  f"count(*) AS articles FROM ({sql}) WHERE published_at IS NOT NULL GROUP BY ALL ORDER BY day",
                  params, limit, offset, search_needs(f))


#: How many values of each filter the search form offers.
CHOICE_LIMITS = {"outlets": 200, "languages": 50, "themes": 100}


def choices(con) -> dict[str, list[str]]:
    """Values the search filters offer: outlets, languages, themes (most frequent first)."""
    if catalog(con).summaries:  # counted by the index step: three scans of every article cost 20-45 ms a page
        out: dict[str, list[str]] = {kind: [] for kind in CHOICE_LIMITS}
        for kind, value in con.execute(
                "SELECT kind, value FROM store.explorer_choices ORDER BY kind, articles DESC, value").fetchall():
            if kind in out and len(out[kind]) < CHOICE_LIMITS[kind]:
                out[kind].append(value)
        return out
    out = {"outlets": [r[0] for r in con.execute(
        "SELECT outlet FROM main.articles WHERE outlet IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 200"
    ).fetchall()], "languages": [r[0] for r in con.execute(
        "SELECT language FROM main.articles WHERE language IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 50"
    ).fetchall()], "themes": []}
    if view_exists(con, "themes"):
        out["themes"] = [r[0] for r in con.execute(
            "SELECT theme FROM main.themes GROUP BY ALL ORDER BY count(*) DESC LIMIT 100").fetchall()]
    return out


# ---- stories and entities ------------------------------------------------------------------

def stories_list(con, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Stories, most recent first report first, with how many outlets and articles each has."""
    return _table(con, "stories", f"""
        SELECT story_id, title, first_published_at, first_outlet, outlet_count, article_count, original_count
        FROM {_stories(con)} ORDER BY first_published_at DESC NULLS LAST, story_id""", [], limit, offset)


def entities_list(con, kind: str | None = None, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Entities (of one type, or all) by how many articles name them."""
    return _table(con, "entities", f"""
        SELECT entity_id, name, type, country, wikidata_id, articles FROM {_entities(con)}
        WHERE ? IS NULL OR type = ? ORDER BY articles DESC, name, entity_id""", [kind, kind], limit, offset,
                  ("entities",))


# ---- story ----------------------------------------------------------------------------------

def story(con, story_id: str) -> dict[str, Any] | None:
    """The story's row from ``stories`` (title, first report, counts), or None."""
    return _one(con, f"SELECT * FROM {_stories(con)} WHERE story_id = ?", [story_id])


def story_articles(con, story_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """The story's articles across outlets, first report first; copies say what they copy."""
    return _table(con, "articles", """
        SELECT article_id, outlet, title, coalesce(published_at, first_seen_at) AS reported_at,
               published_at IS NULL AS undated, duplicate_of, version, url
        FROM main.articles WHERE story_id = ? ORDER BY reported_at, outlet, article_id""",
                  [story_id], limit, offset)


def story_outlets(con, story_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Per outlet: its first report, rank and hours after the story's first report."""
    # The story_timeline view, filtered: DuckDB pushes the story filter through its grouping and
    # its windows (partitioned by story), so this reads one story's articles (14 ms CPU against
    # 7 ms for a copy of the view's logic written for one story, at 100,000 articles).
    return _table(con, "outlets", """
        SELECT outlet, article_id, title, reported_at, articles, outlet_rank, hours_after_first
        FROM main.story_timeline WHERE story_id = ? ORDER BY outlet_rank, outlet""", [story_id], limit, offset,
                  ("story_timeline",))


def story_entities(con, story_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Entities named in the story's articles, by how many of its articles name them."""
    if catalog(con).summaries:
        return _table(con, "entities", """
            SELECT c.entity_id, e.name, e.type, c.articles, c.mentions
            FROM store.explorer_story_entities c LEFT JOIN store.explorer_entities e USING (entity_id)
            WHERE c.story_id = ? ORDER BY c.articles DESC, c.mentions DESC, e.name, c.entity_id""",
                      [story_id], limit, offset)
    # Count the story's mentions first, then name the few entities found (naming before
    # grouping made the whole entities relation part of the join).
    return _table(con, "entities", f"""
        WITH counted AS (
            SELECT entity_id, count(DISTINCT article_id) AS articles, count(*) AS mentions FROM main.mentions
            WHERE article_id IN (SELECT article_id FROM main.articles WHERE story_id = ?) AND entity_id IS NOT NULL
            GROUP BY entity_id)
        SELECT c.entity_id, e.name, e.type, c.articles, c.mentions
        FROM counted c LEFT JOIN {_entities(con)} e USING (entity_id)
        ORDER BY c.articles DESC, c.mentions DESC, e.name, c.entity_id""",
                  [story_id], limit, offset, ("mentions", "entities"))


def story_quotes(con, story_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Quotes in the story's articles (originals), speaker first."""
    return _table(con, "quotes", f"""
        SELECT coalesce(e.name, q.speaker_text) AS speaker, q.speaker_entity_id, q.quote, a.outlet,
               q.article_id, a.published_at
        FROM main.quotes q JOIN main.articles a USING (article_id)
        LEFT JOIN {_entities(con)} e ON e.entity_id = q.speaker_entity_id
        WHERE a.story_id = ? AND a.duplicate_of IS NULL ORDER BY a.published_at NULLS LAST, q.article_id, q.char_start""",
                  [story_id], limit, offset, ("quotes", "entities"))


# ---- entity / place ---------------------------------------------------------------------------

def entity(con, entity_id: str) -> dict[str, Any] | None:
    """The entity's row from ``entities`` (name, type, wikidata id, country, articles), or None."""
    if not view_exists(con, "entities"):
        return None
    return _one(con, f"SELECT * FROM {_entities(con)} WHERE entity_id = ?", [entity_id])


def entity_days(con, entity_id: str, limit: int = EXPORT_LIMIT, offset: int = 0) -> Table:
    """Mentions and articles per day (dated originals only), oldest first."""
    if catalog(con).summaries:
        return _table(con, "days", """
            SELECT day, sum(mentions) AS mentions, count(*) AS articles FROM store.explorer_mentions
            WHERE entity_id = ? AND duplicate_of IS NULL AND published_at IS NOT NULL
            GROUP BY ALL ORDER BY day""", [entity_id], limit, offset)
    return _table(con, "days", f"""
        SELECT {DAY} AS day, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
        FROM main.mentions m JOIN main.articles a USING (article_id)
        WHERE m.entity_id = ? AND a.duplicate_of IS NULL AND a.published_at IS NOT NULL
        GROUP BY ALL ORDER BY day""", [entity_id], limit, offset, ("mentions",))


def entity_stories(con, entity_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """The stories whose articles name the entity, most recent first."""
    if catalog(con).summaries:
        return _table(con, "stories", """
            WITH mine AS (SELECT story_id, count(*) AS naming_articles FROM store.explorer_mentions
                          WHERE entity_id = ? AND story_id IS NOT NULL GROUP BY story_id)
            SELECT s.story_id, s.title, s.first_published_at, s.outlet_count, s.article_count, mine.naming_articles
            FROM mine JOIN store.explorer_stories s USING (story_id)
            ORDER BY s.first_published_at DESC NULLS LAST, s.story_id""", [entity_id], limit, offset)
    return _table(con, "stories", f"""
        WITH mine AS (SELECT DISTINCT a.story_id, m.article_id FROM main.mentions m
                      JOIN main.articles a USING (article_id) WHERE m.entity_id = ? AND a.story_id IS NOT NULL)
        SELECT s.story_id, s.title, s.first_published_at, s.outlet_count, s.article_count,
               count(DISTINCT mine.article_id) AS naming_articles
        FROM mine JOIN {_stories(con)} s USING (story_id) GROUP BY ALL
        ORDER BY s.first_published_at DESC NULLS LAST, s.story_id""", [entity_id], limit, offset, ("mentions",))


def entity_articles(con, entity_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """The originals naming the entity, newest first."""
    if catalog(con).summaries:
        return _table(con, "articles", """
            SELECT article_id, title, outlet, published_at, mentions FROM store.explorer_mentions
            WHERE entity_id = ? AND duplicate_of IS NULL
            ORDER BY published_at DESC NULLS LAST, article_id""", [entity_id], limit, offset)
    return _table(con, "articles", """
        SELECT a.article_id, a.title, a.outlet, a.published_at, count(*) AS mentions
        FROM main.mentions m JOIN main.articles a USING (article_id)
        WHERE m.entity_id = ? AND a.duplicate_of IS NULL GROUP BY ALL
        ORDER BY a.published_at DESC NULLS LAST, a.article_id""", [entity_id], limit, offset, ("mentions",))


def entity_cooccurring(con, entity_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Entities named in the same originals, by how many articles they share."""
    # Count first, then name the entities counted (see story_entities).
    if catalog(con).summaries:  # each row lists every entity its article names
        return _table(con, "cooccurring", """
            WITH counted AS (
                SELECT other AS entity_id, count(*) AS together
                FROM (SELECT unnest(entities) AS other FROM store.explorer_mentions
                      WHERE entity_id = ? AND duplicate_of IS NULL)
                WHERE other <> ? GROUP BY other)
            SELECT c.entity_id, e.name, e.type, c.together
            FROM counted c LEFT JOIN store.explorer_entities e USING (entity_id)
            ORDER BY c.together DESC, e.name, c.entity_id""", [entity_id, entity_id], limit, offset)
    return _table(con, "cooccurring", f"""
        WITH mine AS (SELECT DISTINCT m.article_id FROM main.mentions m JOIN main.articles a USING (article_id)
                      WHERE m.entity_id = ? AND a.duplicate_of IS NULL),
        counted AS (SELECT o.entity_id, count(DISTINCT o.article_id) AS together
                    FROM main.mentions o JOIN mine USING (article_id)
                    WHERE o.entity_id IS NOT NULL AND o.entity_id <> ? GROUP BY o.entity_id)
        SELECT c.entity_id, e.name, e.type, c.together
        FROM counted c LEFT JOIN {_entities(con)} e USING (entity_id)
        ORDER BY c.together DESC, e.name, c.entity_id""", [entity_id, entity_id], limit, offset,
                  ("mentions", "entities"))


def entity_quotes(con, entity_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """What the entity said: quotes whose speaker links to it, newest first."""
    return _table(con, "quotes", """
        SELECT q.quote, q.verb, a.outlet, a.title, q.article_id, a.published_at
        FROM main.quotes q JOIN main.articles a USING (article_id)
        WHERE q.speaker_entity_id = ? AND a.duplicate_of IS NULL
        ORDER BY a.published_at DESC NULLS LAST, q.article_id, q.char_start""", [entity_id], limit, offset,
                  ("quotes",))


def place_points(con, entity_ids: list[str] | None = None, since: date | None = None,
                 limit: int = 500, offset: int = 0) -> Table:
    """Places with coordinates and how many originals name them (all, or only ``entity_ids``)."""
    if since is None and catalog(con).summaries:
        where, params = ("", []) if entity_ids is None else \
            ("WHERE entity_id IN (SELECT unnest(?::VARCHAR[]))", [entity_ids])
        return _table(con, "places", f"""
            SELECT entity_id, name, country, lat, lon, articles FROM store.explorer_places {where}
            ORDER BY articles DESC, name, entity_id""", params, limit, offset)
    # Conditions are added only when asked for: "? IS NULL OR day >= ?" computed the Jakarta day
    # of every article, and list_contains() could not cut the scan as IN (...) does.
    params: list[Any] = []
    where = "p.lat IS NOT NULL AND p.lon IS NOT NULL AND a.duplicate_of IS NULL"
    if since is not None:
        where += f" AND {DAY} >= ?"
        params.append(since)
    if entity_ids is not None:
        where += " AND p.entity_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(entity_ids)
    return _table(con, "places", f"""
        SELECT p.entity_id, any_value(p.name) AS name, any_value(p.country) AS country,
               avg(p.lat) AS lat, avg(p.lon) AS lon, count(DISTINCT p.article_id) AS articles
        FROM main.places p JOIN main.articles a USING (article_id) WHERE {where}
        GROUP BY p.entity_id ORDER BY articles DESC, name, p.entity_id""", params, limit, offset, ("places",))


# ---- article ---------------------------------------------------------------------------------

def article(con, article_id: str) -> dict[str, Any] | None:
    """The article's row (latest version) plus the title of its story, or None."""
    # Two lookups: joining the stories relation made DuckDB scan it whole (25 ms), while the
    # article alone is found through the primary key.
    row = _one(con, "SELECT * FROM main.articles WHERE article_id = ?", [article_id])
    if row is not None:
        story = None if row.get("story_id") is None else \
            con.execute(f"SELECT title FROM {_stories(con)} WHERE story_id = ?", [row["story_id"]]).fetchone()
        row["story_title"] = story[0] if story else None
    return row


def article_spans(con, article_id: str) -> list[dict[str, Any]]:
    """Everything found in the text, as character spans: kind, start, end, label, entity_id."""
    parts = [("mentions", f"""SELECT 'entity' AS kind, m.char_start AS start, m.char_end AS "end",
                             coalesce(e.name, m.surface) || coalesce(' (' || m.type || ')', '') AS label,
                             m.entity_id FROM main.mentions m LEFT JOIN {_entities(con)} e USING (entity_id)
                             WHERE m.article_id = ?""", ("mentions", "entities")),
             ("quotes", """SELECT 'quote', char_start, char_end, 'quote: ' || coalesce(speaker_text, 'unknown speaker'),
                           speaker_entity_id FROM main.quotes WHERE article_id = ?""", ("quotes",)),
             ("amounts", """SELECT 'amount', char_start, char_end, 'amount: ' || value::VARCHAR
                            || coalesce(' ' || unit, '') || coalesce(' (' || qualifier || ')', ''), NULL
                            FROM main.amounts WHERE article_id = ?""", ("amounts",)),
             ("event_dates", """SELECT 'date', char_start, char_end, 'date: ' || resolved_date::VARCHAR
                                || ' (' || granularity || ')', NULL FROM main.event_dates WHERE article_id = ?""",
              ("event_dates",))]
    spans: list[dict[str, Any]] = []
    for _, sql, needs in parts:
        if all(view_exists(con, v) for v in needs):
            for kind, start, end, label, entity_id in con.execute(sql, [article_id]).fetchall():
                if start is not None and end is not None and end > start:
                    spans.append({"kind": kind, "start": start, "end": end, "label": label, "entity_id": entity_id})
    return spans


def article_removed(con, article_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """What cleaning removed from the article, and the rule that removed it."""
    return _table(con, "removed", """
        SELECT rule, position, length, text, run_id FROM main.removed_spans WHERE article_id = ?
        ORDER BY position, rule""", [article_id], limit, offset, ("removed_spans",))


def article_versions(con, article_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Every stored version of the article, newest first, with its text (for the diff)."""
    return _table(con, "versions", """
        SELECT version, fetched_at, changed_chars, content_hash, title, run_id, text
        FROM main.article_versions WHERE article_id = ? ORDER BY version DESC""", [article_id], limit, offset)


def article_fetches(con, urls: list[str], limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """The fetch records of the article's URLs (newest first), with their WARC capture ids."""
    if not urls:
        return Table("fetches", [])
    # One bound value per URL: IN (SELECT unnest(?)) became two semi joins over every fetch.
    marks = ", ".join("?" * len(urls))
    return _table(con, "fetches", f"""
        SELECT fetched_at, url, final_url, status_code, error, bytes, content_type, warc_record_id, run_id
        FROM main.fetches WHERE url IN ({marks}) OR final_url IN ({marks})
        ORDER BY fetched_at DESC""", [*urls, *urls], limit, offset)


def article_copies(con, article_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Articles that copy this one (or the original this one copies, and its other copies)."""
    # The original first (a primary-key lookup), then a plain filter: the original taken from a
    # joined subquery made DuckDB compare every article with it in a nested loop.
    me = con.execute("SELECT coalesce(duplicate_of, article_id) FROM main.articles WHERE article_id = ?",
                     [article_id]).fetchone()
    original = me[0] if me else None
    return _table(con, "copies", """
        SELECT article_id, outlet, title, published_at, duplicate_of, duplicate_similarity
        FROM main.articles WHERE (article_id = ? OR duplicate_of = ?) AND article_id <> ?
        ORDER BY published_at NULLS LAST, article_id""", [original, original, article_id], limit, offset)


# ---- runs and sources ---------------------------------------------------------------------------

def runs(con, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Runs, newest first, with their counts and state."""
    return _table(con, "runs", """
        SELECT run_id, flow, state, started_at, finished_at, discovered, fetched, failed, new, duplicate,
               updated, unchanged, skipped, message FROM main.runs ORDER BY started_at DESC, run_id""",
                  [], limit, offset)


def run(con, run_id: str) -> dict[str, Any] | None:
    return _one(con, "SELECT * FROM main.runs WHERE run_id = ?", [run_id])


def run_sources(con, run_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Per source in one run: fetches, failed fetches, later-stage failures, articles written."""
    return _table(con, "sources", """
        WITH f AS (SELECT source, count(*) AS fetches, count(*) FILTER (WHERE error IS NOT NULL) AS failed_fetches
                   FROM main.fetches WHERE run_id = ? GROUP BY ALL),
             e AS (SELECT source, count(*) AS stage_errors FROM main.stage_errors WHERE run_id = ? GROUP BY ALL),
             w AS (SELECT source, count(*) AS articles_written FROM main.articles WHERE run_id = ? GROUP BY ALL)
        SELECT coalesce(f.source, e.source, w.source) AS source, coalesce(fetches, 0) AS fetches,
               coalesce(failed_fetches, 0) AS failed_fetches, coalesce(stage_errors, 0) AS stage_errors,
               coalesce(articles_written, 0) AS articles_written
        FROM f FULL JOIN e USING (source) FULL JOIN w USING (source) ORDER BY source""",
                  [run_id] * 3, limit, offset)


def run_failures(con, run_id: str, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """The run's failures: failed fetches and later-stage errors, one row each."""
    return _table(con, "failures", """
        SELECT 'fetch' AS stage, source, url, error, fetched_at AS failed_at FROM main.fetches
        WHERE run_id = ? AND error IS NOT NULL
        UNION ALL SELECT stage, source, url, error, failed_at FROM main.stage_errors WHERE run_id = ?
        ORDER BY failed_at, url""", [run_id, run_id], limit, offset)


def sources(con, limit: int = PAGE_SIZE, offset: int = 0) -> Table:
    """Each source's health over all runs: fetches, failure share, articles, last success."""
    return _table(con, "sources", """
        WITH f AS (SELECT source, count(*) AS fetches, count(*) FILTER (WHERE error IS NOT NULL) AS failed_fetches,
                          max(fetched_at) FILTER (WHERE error IS NULL) AS last_success,
                          max(fetched_at) AS last_fetch, count(DISTINCT run_id) AS runs
                   FROM main.fetches GROUP BY ALL),
             a AS (SELECT source, count(*) AS articles, max(published_at) AS latest_article,
                          count(*) FILTER (WHERE published_at IS NULL) AS undated
                   FROM main.articles WHERE duplicate_of IS NULL GROUP BY ALL)
        SELECT coalesce(f.source, a.source) AS source, coalesce(runs, 0) AS runs, coalesce(fetches, 0) AS fetches,
               coalesce(failed_fetches, 0) AS failed_fetches,
               round(coalesce(failed_fetches, 0) / greatest(fetches, 1), 3) AS failure_share,
               coalesce(articles, 0) AS articles, coalesce(undated, 0) AS undated, latest_article,
               last_success, last_fetch
        FROM f FULL JOIN a USING (source) ORDER BY source""", [], limit, offset)


# ---- the report ------------------------------------------------------------------------------

#: Fewer words than this is not an article the report heads with (an index page's few lines, a stub).
MIN_ARTICLE_WORDS = 30


def articles_only(con, alias: str = "a", copies: bool = False) -> str:
    """SQL condition keeping real articles of ``alias``: with a title and a body, dated, originals
    unless ``copies``, and (once the page-type decision exists) typed ``article``."""
    condition = (f"{alias}.title IS NOT NULL AND {alias}.published_at IS NOT NULL "
                 f"AND coalesce({alias}.word_count, 0) >= {MIN_ARTICLE_WORDS}")
    if not copies:
        condition += f" AND {alias}.duplicate_of IS NULL"
    has_type = catalog(con).page_type
    return condition + (f" AND coalesce({alias}.page_type, 'article') = 'article'" if has_type else "")


def outlet_days(con, since: date | None = None) -> Table:
    """Dated articles per day per outlet (undated ones have no day: see :func:`undated_count`)."""
    return _table(con, "outlet_days", f"""
        SELECT {DAY} AS day, coalesce(a.outlet, '(unknown)') AS outlet, count(*) AS articles
        FROM main.articles a WHERE {articles_only(con)} AND (? IS NULL OR {DAY} >= ?)
        GROUP BY ALL ORDER BY day, outlet""", [since, since], EXPORT_LIMIT, 0)


def undated_count(con, since: date | None = None) -> int:
    """Originals without a publication date first seen on or after ``since`` (left off time axes)."""
    return con.execute("""SELECT count(*) FROM main.articles WHERE duplicate_of IS NULL AND published_at IS NULL
                          AND (? IS NULL OR CAST(first_seen_at AS DATE) >= ?)""", [since, since]).fetchone()[0]


def top_entity_days(con, since: date | None = None, top: int = 8) -> Table:
    """Mentions per day of the ``top`` most mentioned entities (dated articles only)."""
    return _table(con, "entity_days", f"""
        WITH m AS (SELECT {DAY} AS day, m.entity_id FROM main.mentions m JOIN main.articles a USING (article_id)
                   WHERE {articles_only(con)} AND m.entity_id IS NOT NULL AND (? IS NULL OR {DAY} >= ?)),
             top AS (SELECT entity_id FROM m GROUP BY ALL ORDER BY count(*) DESC, entity_id LIMIT ?)
        SELECT m.day, m.entity_id, coalesce(any_value(e.name), m.entity_id) AS name, count(*) AS mentions
        FROM m JOIN top USING (entity_id) LEFT JOIN main.entities e USING (entity_id)
        GROUP BY m.day, m.entity_id ORDER BY m.day""", [since, since, top], EXPORT_LIMIT, 0, ("mentions", "entities"))


def top_stories(con, since: date | None = None, limit: int = 15) -> Table:
    """The stories most outlets reported (articles only; an outlet's copy counts as its report),
    titled by the story or its first report, with their outlets in the order they reported."""
    return _table(con, "top_stories", f"""
        WITH reports AS (
            SELECT a.story_id, coalesce(a.outlet, '(unknown)') AS outlet, a.title, a.url, a.article_id,
                   a.published_at FROM main.articles a
            WHERE a.story_id IS NOT NULL AND {articles_only(con, copies=True)} AND (? IS NULL OR {DAY} >= ?)),
        per_outlet AS (SELECT story_id, outlet, min(published_at) AS first_at, count(*) AS articles
                       FROM reports GROUP BY ALL)
        SELECT r.story_id, coalesce(any_value(s.title), arg_min(r.title, r.published_at)) AS title,
               arg_min(r.article_id, r.published_at) AS article_id, arg_min(r.url, r.published_at) AS url,
               min(r.published_at) AS first_reported, arg_min(r.outlet, r.published_at) AS first_outlet,
               (SELECT string_agg(p.outlet, ', ' ORDER BY p.first_at) FROM per_outlet p
                WHERE p.story_id = r.story_id) AS outlets,
               count(DISTINCT r.outlet) AS outlet_count, count(*) AS articles
        FROM reports r LEFT JOIN main.stories s USING (story_id)
        GROUP BY r.story_id ORDER BY outlet_count DESC, articles DESC, first_reported DESC, r.story_id""",
                  [since, since], limit, 0)


def story_reports(con, story_ids: list[str]) -> Table:
    """Each outlet's reports of these stories (articles only), for a timeline."""
    return _table(con, "story_reports", f"""
        SELECT a.story_id, coalesce(a.outlet, '(unknown)') AS outlet, a.title, a.published_at
        FROM main.articles a WHERE list_contains(?, a.story_id) AND {articles_only(con, copies=True)}
        ORDER BY a.published_at""", [story_ids], EXPORT_LIMIT, 0)
