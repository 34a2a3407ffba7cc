"""The explorer's web app (Starlette + Jinja2, server-rendered): routes, paging and exports.

Every request opens its own short-lived read-only connection (``open_reader_for``) and closes it
before answering: DuckDB connections are not shared between the server's threads, and the file
is free between requests so a nightly run can take it for writing. While a run holds it, pages
answer 503 "warehouse busy" instead of failing.

URLs are stable and say everything a page shows (filters and page numbers are query
parameters), so an analyst can paste one into a note. Every list on a page pages with
``<list>_page=N`` and downloads with ``?export=<list>&format=csv|parquet`` (all its rows, up to
EXPORT_LIMIT).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from kabar import geo
from kabar.commands.explorer import render
from kabar.config import Warehouse
from warehouse import explorer as ex
from warehouse.connection import WarehouseError
from warehouse.reader_pool import ReaderPool
from warehouse.search import _fold, _stems, index_ready, snippet

LOGGER = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
Lister = Callable[[int, int], ex.Table]


class NotFound(Exception):
    """The page's subject (article, story, entity, run) is not in the warehouse."""


def _listers(con, key: str, **queries: Callable[..., ex.Table]) -> dict[str, Lister]:
    """The paged tables of one story, entity or run: each ``query(con, key, limit, offset)``."""
    return {name: (lambda n, o, query=query: query(con, key, n, o)) for name, query in queries.items()}


def _found(row: dict[str, Any] | None, kind: str, key: str) -> dict[str, Any]:
    """The row of the story, entity, article or run a page shows; NotFound (404) when there is none."""
    if row is None:
        raise NotFound(f"no {kind} {key} in this warehouse")
    return row


def _page_number(request: Request, name: str) -> int:
    try:
        return max(1, int(request.query_params.get(f"{name}_page", "1")))
    except ValueError:
        return 1


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _export(table: ex.Table, fmt: str, filename: str) -> Response:
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pylist(table.dicts()) if table.rows else pa.table({c: [] for c in table.columns})
        sink = io.BytesIO()
        pq.write_table(arrow, sink)
        return Response(sink.getvalue(), media_type="application/vnd.apache.parquet",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.parquet"'})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


class Explorer:
    """The app's state: which warehouse to read (a path or ducklake spec, resolved once by the
    command) and the templates."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.readers = ReaderPool(warehouse)
        self._index_ready = False
        self._catalog: tuple[int, ex.Catalog | None] = (0, None)
        self._stems: dict[str, str] = {}
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.globals["render"] = render

    def index_ready(self, con) -> bool:
        """Whether the search index exists; remembered once true (an index is never dropped), as
        the check scans DuckDB's function catalogue (about 0.1 s)."""
        if not self._index_ready:
            self._index_ready = index_ready(con)
        return self._index_ready

    def stems(self, con, words: list[str]) -> dict[str, str]:
        """The fts extension's stem of each word, remembered across requests: stemming a page of
        hits' words in DuckDB costs about 0.5 ms a word, and pages share most of their words."""
        unknown = [w for w in set(words) if w not in self._stems]
        if unknown:
            if len(self._stems) > 500_000:
                self._stems.clear()
            self._stems.update(_stems(con, unknown))
        return self._stems

    def reader(self):
        return self.readers.cursor()

    def page(self, request: Request, template: str, lists: dict[str, Lister], filename: str,
             extra: Callable[[], dict[str, Any]] | None = None, **context: Any) -> Response:
        """Render ``template`` with each list's current page, or answer an export of one list.
        ``extra`` computes the rest of the page (charts, maps): only when it is rendered."""
        wanted = request.query_params.get("export")
        if wanted:
            if wanted not in lists:
                return PlainTextResponse(f"no list named {wanted!r} on this page", status_code=404)
            fmt = request.query_params.get("format", "csv")
            if fmt not in ("csv", "parquet"):
                return PlainTextResponse("format must be csv or parquet", status_code=400)
            return _export(lists[wanted](ex.EXPORT_LIMIT, 0), fmt, f"{filename}-{wanted}")
        tables = {}
        for name, lister in lists.items():
            number = _page_number(request, name)
            tables[name] = lister(ex.PAGE_SIZE, (number - 1) * ex.PAGE_SIZE)
            tables[name].page = number  # type: ignore[attr-defined]
        if extra is not None:
            context.update(extra())
        return self.templates.TemplateResponse(request, template, {"tables": tables, **context})

    def guarded(self, handler: Callable[[Request, Any], Response]) -> Callable[[Request], Response]:
        """Open the reader around ``handler`` and turn warehouse problems into one-line pages."""

        def endpoint(request: Request) -> Response:
            try:
                with self.reader() as con:
                    # The warehouse's views and summary state, learnt once per opening of the
                    # reader (about 15-60 ms under load), not on every page.
                    generation, known = self._catalog
                    if generation != self.readers.generation:
                        known = None
                    self._catalog = (self.readers.generation, ex.share_catalog(con, known))
                    return handler(request, con)
            except NotFound as exc:
                return self.templates.TemplateResponse(request, "error.html", {"message": str(exc)}, status_code=404)
            except WarehouseError as exc:
                status = 503 if "busy" in str(exc) else 500
                return self.templates.TemplateResponse(
                    request, "error.html", {"message": f"{exc} (try again in a moment)"}, status_code=status)
            except Exception as exc:  # a page must answer in one line, never with a traceback
                LOGGER.exception("explorer page %s failed", request.url.path)
                return self.templates.TemplateResponse(
                    request, "error.html", {"message": f"this page failed: {type(exc).__name__}: {exc}"},
                    status_code=500)

        return endpoint

    # ---- pages --------------------------------------------------------------------------------

    def search(self, request: Request, con) -> Response:
        q = request.query_params
        filters = ex.Filters(query=(q.get("q") or "").strip() or None, since=_day(q.get("since")),
                             until=_day(q.get("until")), outlet=q.get("outlet") or None,
                             entity=q.get("entity") or None, theme=q.get("theme") or None,
                             language=q.get("language") or None)
        note = None
        if filters.query and not self.index_ready(con):
            note = "No search index yet: run `kabar ingest` (it builds the index at the end)."
            filters = ex.Filters(**{**filters.__dict__, "query": None})

        def extra() -> dict[str, Any]:
            days = ex.search_days(con, filters)
            return {"chart": render.bars([(r[0], r[1]) for r in days.rows]), "total": sum(r[1] for r in days.rows),
                    "choices": ex.choices(con), "entity": ex.entity(con, filters.entity) if filters.entity else None}

        def hits(limit: int, offset: int) -> ex.Table:
            table = _without_text(ex.search_hits(con, filters, limit, offset), keep_text=limit != ex.EXPORT_LIMIT)
            if limit == ex.EXPORT_LIMIT:  # exports carry no text or snippet: the article pages have it
                return table
            # The page shows a snippet around the first match (or the opening words) instead of the text.
            at = table.columns.index("text")
            table.columns[at] = "snippet"
            stems = None
            if filters.query:
                words = [_fold(w) for r in table.rows for w in re.findall(r"[^\W_]+", r[at] or "")]
                stems = self.stems(con, words + [_fold(w) for w in re.findall(r"[^\W_]+", filters.query)])
            table.rows = [(*r[:at], self.snippet(con, r[at], filters.query, stems), *r[at + 1:]) for r in table.rows]
            return table

        return self.page(request, "search.html", {"hits": hits}, "search", extra, filters=filters, note=note)

    @staticmethod
    def snippet(con, text: str | None, query: str | None, stems: dict[str, str] | None = None) -> str:
        """Words around the first match (matches in [brackets]), or the opening words."""
        if query:
            return snippet(con, text or "", query, stems=stems)
        words = (text or "").split()
        return " ".join(words[:30]) + (" ..." if len(words) > 30 else "")

    def story(self, request: Request, con) -> Response:
        story_id = request.path_params["story_id"]
        row = _found(ex.story(con, story_id), "story", story_id)

        def extra() -> dict[str, Any]:
            every = ex.story_articles(con, story_id, 500, 0)
            places = ex.place_points(con, [r[0] for r in ex.story_entities(con, story_id, 500, 0).rows])
            return {"timeline": render.timeline(every.dicts()),
                    "map": render.place_map(places.dicts()) if places.rows else None}

        return self.page(request, "story.html", _listers(
            con, story_id, articles=ex.story_articles, outlets=ex.story_outlets, entities=ex.story_entities,
            quotes=ex.story_quotes), f"story-{story_id}", extra, story=row)

    def entity(self, request: Request, con) -> Response:
        entity_id = request.path_params["entity_id"]
        row = _found(ex.entity(con, entity_id), "entity", entity_id)

        def extra() -> dict[str, Any]:
            days = ex.entity_days(con, entity_id)
            places = ex.place_points(con, [entity_id]) if row.get("type") == "place" else None
            return {"chart": render.bars([(r[0], r[1]) for r in days.rows], "mentions"),
                    "map": render.place_map(places.dicts()) if places and places.rows else None}

        return self.page(request, "entity.html", _listers(
            con, entity_id, stories=ex.entity_stories, articles=ex.entity_articles,
            cooccurring=ex.entity_cooccurring, quotes=ex.entity_quotes), f"entity-{entity_id}", extra, entity=row)

    def article(self, request: Request, con) -> Response:
        article_id = request.path_params["article_id"]
        row = _found(ex.article(con, article_id), "article", article_id)
        urls = [u for u in (row.get("url"), row.get("canonical_url")) if u]

        def extra() -> dict[str, Any]:
            spans = ex.article_spans(con, article_id)
            versions = ex.article_versions(con, article_id, 50, 0).dicts()
            return {"body": render.highlight(row.get("text") or "", spans),
                    "counts": {kind: sum(1 for s in spans if s["kind"] == kind) for kind in render.KINDS},
                    "diffs": [(newer, older, render.version_diff(older["text"], newer["text"]))
                              for newer, older in zip(versions, versions[1:])]}
        return self.page(request, "article.html", {
            "removed": lambda n, o: ex.article_removed(con, article_id, n, o),
            "versions": lambda n, o: _without_text(ex.article_versions(con, article_id, n, o)),
            "fetches": lambda n, o: ex.article_fetches(con, urls, n, o),
            "copies": lambda n, o: ex.article_copies(con, article_id, n, o),
        }, f"article-{article_id}", extra, article=row)

    def runs(self, request: Request, con) -> Response:
        return self.page(request, "runs.html", {"runs": lambda n, o: ex.runs(con, n, o)}, "runs")

    def run(self, request: Request, con) -> Response:
        run_id = request.path_params["run_id"]
        row = _found(ex.run(con, run_id), "run", run_id)
        return self.page(request, "run.html", _listers(con, run_id, sources=ex.run_sources, failures=ex.run_failures),
                         f"run-{run_id}", run=row)

    def sources(self, request: Request, con) -> Response:
        return self.page(request, "sources.html", {"sources": lambda n, o: ex.sources(con, n, o)}, "sources")

    def stories(self, request: Request, con) -> Response:
        return self.page(request, "stories.html", {"stories": lambda n, o: ex.stories_list(con, n, o)}, "stories")

    def entities(self, request: Request, con) -> Response:
        kind = request.query_params.get("type") or None
        return self.page(request, "entities.html", {"entities": lambda n, o: ex.entities_list(con, kind, n, o)},
                         "entities", kind=kind)


def _without_text(table: ex.Table, keep_text: bool = False) -> ex.Table:
    keep = [i for i, c in enumerate(table.columns) if c != "text" or keep_text]
    return ex.Table(table.name, [table.columns[i] for i in keep], [tuple(r[i] for i in keep) for r in table.rows],
                    table.more)


def create_app(warehouse: Warehouse) -> Starlette:
    """The explorer over ``warehouse`` (a resolved path or ducklake spec)."""
    app = Explorer(warehouse)
    routes = [
        Route("/", lambda request: RedirectResponse("/search")),
        Route("/search", app.guarded(app.search)),
        Route("/stories", app.guarded(app.stories)),
        Route("/story/{story_id}", app.guarded(app.story)),
        Route("/entities", app.guarded(app.entities)),
        Route("/entity/{entity_id}", app.guarded(app.entity)),
        Route("/article/{article_id}", app.guarded(app.article)),
        Route("/runs", app.guarded(app.runs)),
        Route("/runs/{run_id}", app.guarded(app.run)),
        Route("/sources", app.guarded(app.sources)),
        Route("/health", lambda request: PlainTextResponse("ok")),
    ]
    @asynccontextmanager
    async def lifespan(_):
        # Draw the map outlines once before the first page needs them (reading the shapes takes seconds).
        import threading

        threading.Thread(target=lambda: geo.outlines(geo.INDONESIA), daemon=True).start()
        yield
        app.readers.close()

    starlette = Starlette(routes=routes, lifespan=lifespan)
    starlette.state.explorer = app
    return starlette
