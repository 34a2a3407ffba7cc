"""The HTML report: one self-contained file with plotly charts (plotly.js embedded inline).

Charts: articles per day per outlet (``daily_articles``); top entities over time
(``daily_entity_mentions``); stories and their outlets on a timeline (``story_timeline``); places
mentioned (``places``); and a table of the top stories with links. A chart whose view does not
exist (a feature not installed) or has no rows is replaced by a short note, so the report always
renders.

The map is a scatter on longitude/latitude axes, not ``scattergeo``: plotly.js fetches the
world topojson for geo charts from cdn.plot.ly at view time (the Python package ships none), so a
geo chart would stay blank offline.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timezone
from typing import Any

import duckdb

LOGGER = logging.getLogger(__name__)

TOP_ENTITIES = 8
TOP_STORIES = 15


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _since_day(since: datetime | None) -> str:
    return since.date().isoformat() if since else "0001-01-01"


def articles_per_day(con, since):
    import plotly.graph_objects as go

    rows = _rows(con, "SELECT day, outlet, articles FROM daily_articles WHERE day >= CAST(? AS DATE) ORDER BY day",
                 [_since_day(since)])
    if not rows:
        return None, "No articles yet."
    fig = go.Figure()
    for outlet in sorted({r["outlet"] for r in rows}):
        mine = [r for r in rows if r["outlet"] == outlet]
        fig.add_bar(x=[r["day"] for r in mine], y=[r["articles"] for r in mine], name=outlet)
    fig.update_layout(barmode="stack", title="Articles per day per outlet", xaxis_title="day",
                      yaxis_title="articles")
    return fig, None


def top_entities(con, since):
    import plotly.graph_objects as go

    if not _exists(con, "daily_entity_mentions"):
        return None, "Entity mentions are not in this warehouse yet (the entities feature adds them)."
    rows = _rows(con, f"""
        WITH top AS (SELECT entity_id FROM daily_entity_mentions WHERE day >= CAST(? AS DATE)
                     GROUP BY entity_id ORDER BY sum(mentions) DESC LIMIT {TOP_ENTITIES})
        SELECT d.day, coalesce(d.name, d.entity_id) AS name, d.mentions
        FROM daily_entity_mentions d JOIN top USING (entity_id) WHERE d.day >= CAST(? AS DATE) ORDER BY d.day""",
                 [_since_day(since)] * 2)
    if not rows:
        return None, "No entity mentions in this period."
    fig = go.Figure()
    for name in sorted({r["name"] for r in rows}):
        mine = [r for r in rows if r["name"] == name]
        fig.add_scatter(x=[r["day"] for r in mine], y=[r["mentions"] for r in mine], mode="lines+markers", name=name)
    fig.update_layout(title=f"Top {TOP_ENTITIES} entities: mentions per day", xaxis_title="day", yaxis_title="mentions")
    return fig, None


def story_outlets(con, since):
    import plotly.graph_objects as go

    if not _exists(con, "story_timeline"):
        return None, "Stories are not in this warehouse yet (the stories feature adds them)."
    rows = _rows(con, f"""
        WITH top AS (SELECT story_id FROM story_timeline WHERE reported_at >= CAST(? AS TIMESTAMPTZ)
                     GROUP BY story_id ORDER BY count(*) DESC, min(reported_at) DESC LIMIT {TOP_STORIES})
        SELECT t.story_id, coalesce(t.story_title, t.title, t.story_id) AS story, t.outlet, t.reported_at,
               t.outlet_rank, t.title
        FROM story_timeline t JOIN top USING (story_id) ORDER BY t.reported_at""", [_since_day(since)])
    if not rows:
        return None, "No stories in this period."
    fig = go.Figure()
    for outlet in sorted({r["outlet"] for r in rows}):
        mine = [r for r in rows if r["outlet"] == outlet]
        fig.add_scatter(x=[r["reported_at"] for r in mine], y=[str(r["story"])[:60] for r in mine], mode="markers",
                        marker={"size": 12}, name=outlet, text=[r["title"] for r in mine],
                        hovertemplate="%{text}<br>%{x}<extra>" + html.escape(outlet) + "</extra>")
    fig.update_layout(title="Stories and the outlets that reported them", xaxis_title="first report",
                      height=max(400, 40 * len({r["story_id"] for r in rows}) + 150))
    return fig, None


def places_map(con, since):
    import plotly.graph_objects as go

    if not _exists(con, "places"):
        return None, "Places are not in this warehouse yet (the entities feature adds them)."
    rows = _rows(con, """
        SELECT p.name, any_value(p.country) AS country, avg(p.lat) AS lat, avg(p.lon) AS lon,
               count(DISTINCT p.article_id) AS articles
        FROM places p JOIN articles a USING (article_id)
        WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL AND coalesce(a.published_at, a.first_seen_at) >= CAST(? AS TIMESTAMPTZ)
        GROUP BY p.name""", [_since_day(since)])
    if not rows:
        return None, "No places with coordinates in this period."
    top = max(r["articles"] for r in rows)
    fig = go.Figure(go.Scatter(
        x=[r["lon"] for r in rows], y=[r["lat"] for r in rows], mode="markers+text",
        text=[r["name"] for r in rows], textposition="top center",
        marker={"size": [10 + 30 * r["articles"] / top for r in rows], "opacity": 0.7},
        customdata=[[r["country"], r["articles"]] for r in rows],
        hovertemplate="%{text} (%{customdata[0]})<br>%{customdata[1]} articles<extra></extra>"))
    fig.update_layout(title="Places mentioned (marker size: articles)", xaxis={"title": "longitude", "range": [-180, 180]},
                      yaxis={"title": "latitude", "range": [-90, 90], "scaleanchor": "x"}, height=600)
    return fig, None


def top_stories_table(con, since) -> str:
    """An HTML table of the top stories (or, without stories, the latest articles) with links."""
    if _exists(con, "story_timeline"):
        rows = _rows(con, f"""
            SELECT coalesce(any_value(story_title), arg_min(title, reported_at)) AS title,
                   arg_min(url, reported_at) AS url, arg_min(outlet, reported_at) AS first_outlet,
                   min(reported_at) AS first_reported, count(DISTINCT outlet) AS outlets, sum(articles) AS articles
            FROM story_timeline WHERE reported_at >= CAST(? AS TIMESTAMPTZ)
            GROUP BY story_id ORDER BY outlets DESC, articles DESC, first_reported DESC LIMIT {TOP_STORIES}""",
                     [_since_day(since)])
        heading, columns = "Top stories", ["first_outlet", "first_reported", "outlets", "articles"]
    else:
        rows = _rows(con, f"""
            SELECT coalesce(title, url) AS title, url, outlet, published_at FROM articles
            WHERE duplicate_of IS NULL AND coalesce(published_at, first_seen_at) >= CAST(? AS TIMESTAMPTZ)
            ORDER BY published_at DESC NULLS LAST LIMIT {TOP_STORIES}""", [_since_day(since)])
        heading, columns = "Latest articles (no stories in this warehouse yet)", ["outlet", "published_at"]
    head = "".join(f"<th>{c}</th>" for c in ["title", *columns])
    body = "".join(
        "<tr><td><a href=\"{}\">{}</a></td>{}</tr>".format(
            html.escape(str(r["url"] or ""), quote=True), html.escape(str(r["title"] or "")),
            "".join(f"<td>{html.escape('' if r[c] is None else str(r[c]))}</td>" for c in columns))
        for r in rows)
    return f"<h2>{html.escape(heading)}</h2><table class=\"stories\"><tr>{head}</tr>{body}</table>"


CHARTS = (articles_per_day, top_entities, story_outlets, places_map)


def render_report(con: duckdb.DuckDBPyConnection, since: datetime | None = None) -> str:
    """The whole report as one HTML document (plotly.js inline: works offline)."""
    parts: list[str] = []
    embedded = False
    for chart in CHARTS:
        fig, note = chart(con, since)
        if fig is None:
            parts.append(f"<div class=\"note\">{html.escape(note)}</div>")
            continue
        fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 60, "b": 50})
        parts.append(fig.to_html(full_html=False, include_plotlyjs=not embedded, config={"displaylogo": False}))
        embedded = True
    parts.append(top_stories_table(con, since))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    period = f"since {since.date().isoformat()}" if since else "all time"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kabar report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}} .note{{color:#666;padding:1em;border:1px dashed #ccc;margin:1em 0}}
table.stories{{border-collapse:collapse}} .stories td,.stories th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}}</style>
</head><body><h1>kabar report</h1><p>{period}; generated {stamp}</p>
{''.join(parts)}
</body></html>
"""
