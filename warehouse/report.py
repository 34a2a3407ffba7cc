"""The HTML report: one self-contained file with plotly charts (plotly.js embedded inline),
built on the explorer's queries (warehouse/explorer.py).

Charts: articles per outlet over time; the top entities' mentions over time; the top stories
and the outlets that reported them on a timeline; a map of the places mentioned; and a table of
the top stories with their outlets. A chart with no data is replaced by a short note.

- Time axes are binned to the span (days, weeks or months; kabar/timeaxis.py): one-day bars
  over years would be invisible. Bins without articles are gaps (bars absent, lines broken).
- Only articles are charted: originals with a title, a publication date and a body
  (explorer.articles_only); undated items are counted in a note, never put on "today".
- Stories are labelled by their title or their first report's title, never an id.
- The map draws coastlines, borders and Indonesian province lines from Natural Earth shapes
  shipped in a wheel (kabar/geo.py) as plain lines on longitude/latitude axes: plotly's geo
  charts fetch their outlines from a CDN when viewed, so they would be blank offline.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, timezone

import duckdb

from kabar import geo
from kabar.timeaxis import bin_start, binned
from warehouse import explorer as ex

LOGGER = logging.getLogger(__name__)

TOP_ENTITIES = 8
TOP_STORIES = 15
MAP_LABELS = 25
UNIT_WORDS = {"day": "day", "week": "week", "month": "month"}


def _since_day(since: datetime | None) -> date | None:
    return since.date() if since else None


def _axis_title(unit: str) -> str:
    return {"day": "day", "week": "week (starting Monday)", "month": "month"}[unit]


def articles_per_day(con, since):
    """Stacked bars of articles per outlet per bin (the name is kept from the first report)."""
    import plotly.graph_objects as go

    rows = ex.outlet_days(con, _since_day(since)).dicts()
    undated = ex.undated_count(con, _since_day(since))
    if not rows:
        return None, "No dated articles yet." + (f" ({undated} undated articles are not charted.)" if undated else "")
    unit, starts, _ = binned([(r["day"], r["articles"]) for r in rows])
    fig = go.Figure()
    for outlet in sorted({r["outlet"] for r in rows}):
        _, _, values = binned([(r["day"], r["articles"]) for r in rows if r["outlet"] == outlet] +
                              [(starts[0], 0), (starts[-1], 0)], unit, fill=0)
        fig.add_bar(x=starts, y=[v or None for v in values], name=outlet)
    note = f" ({undated} undated not shown)" if undated else ""
    fig.update_layout(barmode="stack", title=f"Articles per {unit} per outlet{note}",
                      xaxis_title=_axis_title(unit), yaxis_title="articles", bargap=0.1)
    return fig, None


def top_entities(con, since):
    """Lines of the top entities' mentions per bin; a bin with no article at all breaks the line."""
    import plotly.graph_objects as go

    rows = ex.top_entity_days(con, _since_day(since), TOP_ENTITIES).dicts()
    if not rows:
        return None, "No entity mentions in this period."
    covered = ex.outlet_days(con, _since_day(since)).rows
    unit, starts, _ = binned([(r[0], r[2]) for r in covered] or [(r["day"], 1) for r in rows])
    with_articles = {bin_start(r[0], unit) for r in covered}
    fig = go.Figure()
    for name in sorted({r["name"] for r in rows}):
        sums: dict[date, int] = {}
        for r in rows:
            if r["name"] == name:
                key = bin_start(r["day"], unit)
                sums[key] = sums.get(key, 0) + r["mentions"]
        # No articles that bin: no data, a gap. Articles but no mention: a real zero.
        values = [sums.get(s, 0) if s in with_articles or s in sums else None for s in starts]
        fig.add_scatter(x=starts, y=values, mode="lines+markers", name=name, connectgaps=False)
    fig.update_layout(title=f"Top {TOP_ENTITIES} entities: mentions per {unit}", xaxis_title=_axis_title(unit),
                      yaxis_title="mentions")
    return fig, None


def story_outlets(con, since):
    """The top stories (by title) and each outlet's reports on a time axis."""
    import plotly.graph_objects as go

    stories = ex.top_stories(con, _since_day(since), TOP_STORIES).dicts()
    if not stories:
        return None, "No stories in this period."
    titles = {s["story_id"]: _short(s["title"]) for s in stories}
    rows = ex.story_reports(con, list(titles)).dicts()
    fig = go.Figure()
    for outlet in sorted({r["outlet"] for r in rows}):
        mine = [r for r in rows if r["outlet"] == outlet]
        fig.add_scatter(x=[r["published_at"] for r in mine], y=[titles[r["story_id"]] for r in mine], mode="markers",
                        marker={"size": 12}, name=outlet, text=[r["title"] for r in mine],
                        hovertemplate="%{text}<br>%{x}<extra>" + html.escape(outlet) + "</extra>")
    fig.update_layout(title="Top stories and the outlets that reported them", xaxis_title="published",
                      height=max(400, 40 * len(titles) + 150),
                      yaxis={"categoryorder": "array", "categoryarray": list(titles.values())[::-1]})
    return fig, None


def _short(title: str | None, width: int = 70) -> str:
    title = title or "(untitled story)"
    return title if len(title) <= width else title[:width - 1] + "…"


def places_map(con, since):
    """Places as circles over coastlines, borders and Indonesian province lines (offline)."""
    import plotly.graph_objects as go

    rows = ex.place_points(con, since=_since_day(since)).dicts()
    if not rows:
        return None, "No places with coordinates in this period."
    view = geo.view_for([(r["lon"], r["lat"]) for r in rows])
    fig = go.Figure()
    styles = {"provinces": ("#9ab", 0.6, "dot"), "borders": ("#7a5c3a", 0.9, "solid"), "coast": ("#4a6b82", 0.8, "solid")}
    for layer, lines in geo.outlines(view).items():
        if not lines:
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for line in lines:
            xs += [p[0] for p in line] + [None]
            ys += [p[1] for p in line] + [None]
        colour, width, dash = styles[layer]
        fig.add_scatter(x=xs, y=ys, mode="lines", name=f"outline: {layer}", hoverinfo="skip", showlegend=False,
                        line={"color": colour, "width": width, "dash": dash})
    top = max(r["articles"] for r in rows)
    fig.add_scatter(
        x=[r["lon"] for r in rows], y=[r["lat"] for r in rows], mode="markers+text", name="places",
        # Labels for the most named places only: hundreds of labels would cover the map.
        text=[r["name"] if i < MAP_LABELS else "" for i, r in enumerate(rows)], textposition="top center",
        hovertext=[r["name"] for r in rows],
        marker={"size": [8 + 30 * (r["articles"] / top) ** 0.5 for r in rows], "opacity": 0.75, "color": "#d9480f"},
        customdata=[[r["country"], r["articles"]] for r in rows],
        hovertemplate="%{hovertext} (%{customdata[0]})<br>%{customdata[1]} articles<extra></extra>")
    fig.update_layout(title="Places mentioned (circle area: articles)", showlegend=False, height=620,
                      xaxis={"range": [view[0], view[2]], "visible": False},
                      yaxis={"range": [view[1], view[3]], "visible": False, "scaleanchor": "x"},
                      plot_bgcolor="#eaf2f8")
    return fig, None


def top_stories_table(con, since) -> str:
    """An HTML table of the top stories with their outlets (or, without stories, the latest articles)."""
    rows = ex.top_stories(con, _since_day(since), TOP_STORIES).dicts()
    if rows:
        heading, columns = "Top stories", ["first_reported", "outlets", "articles"]
    else:
        rows = ex.search_hits(con, ex.Filters(since=_since_day(since)), TOP_STORIES, 0).dicts()
        rows = [dict(r, url=None) for r in rows if r.get("title")]
        heading, columns = "Latest articles (no stories in this warehouse yet)", ["outlet", "published_at"]
    head = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in ["title", *columns])
    body = "".join(
        "<tr><td>{}</td>{}</tr>".format(
            f'<a href="{html.escape(str(r["url"]), quote=True)}">{html.escape(_short(r["title"], 120))}</a>'
            if r.get("url") else html.escape(_short(r["title"], 120)),
            "".join(f"<td>{html.escape(_cell(r[c]))}</td>" for c in columns))
        for r in rows)
    return f"<h2>{html.escape(heading)}</h2><table class=\"stories\"><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


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
