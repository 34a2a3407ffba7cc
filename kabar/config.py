"""The sources file (`sources.toml`): its schema, validation and one-line errors.

A source is one place articles come from:

- ``feed``: an RSS or Atom feed URL (``url``)
- ``sitemap``: a news sitemap or sitemap index URL (``url``)
- ``files``: a glob of local ``.html``/``.htm``/``.txt`` files (``glob``)
- ``warc``: a local WARC or WARC.gz file of HTTP responses, or a glob of them (``path``)
- ``listing``: an HTML listing page (``url``) whose links matching ``link_pattern`` (a regular
  expression searched in the absolute URL) are articles; pagination followed up to ``max_pages``

Relative paths are resolved against the directory of the sources file. Any unknown key or bad
value raises :class:`ConfigError` whose message is one line naming the file, the key and what is
allowed; the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kabar import settings
# The warehouse value and its resolver live below the schema (read commands need no pydantic); re-exported.
from kabar.warehouse_spec import LAKE_PREFIX, ConfigError, Warehouse, resolve_warehouse, sources_file_decides  # noqa: F401

SourceKind = Literal["feed", "sitemap", "files", "warc", "listing"]
SOURCE_KINDS: tuple[str, ...] = ("feed", "sitemap", "files", "warc", "listing")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FetchSettings(_Strict):
    """How politely and patiently to fetch."""

    user_agent: str = Field(default=settings.USER_AGENT, min_length=3)
    timeout: float = Field(default=settings.REQUEST_TIMEOUT_S, gt=0, le=600)
    retries: int = Field(default=settings.MAX_RETRIES, ge=0, le=10)
    per_host_concurrency: int = Field(default=settings.PER_HOST_CONCURRENCY, ge=1, le=64)
    global_concurrency: int = Field(default=settings.GLOBAL_CONCURRENCY, ge=1, le=1024)
    #: Cap on a page, feed, sitemap or local file (bytes, after decompression).
    max_body_bytes: int = Field(default=settings.MAX_BODY_BYTES, ge=1024, le=settings.MAX_BODY_BYTES_LIMIT)
    #: Hosts (HOST or HOST:PORT) allowed even though they resolve to private or loopback addresses.
    allow_hosts: tuple[str, ...] = ()
    total_timeout: float = Field(default=settings.TOTAL_TIMEOUT_S, gt=0, le=3600)
    #: Seconds one URL may take, retries included.
    url_budget: float = Field(default=settings.URL_BUDGET_S, gt=0, le=3600)
    #: Seconds a host may lose to timeouts in one fetch call before its other URLs are skipped.
    host_budget: float = Field(default=settings.HOST_BUDGET_S, gt=0, le=24 * 3600)
    backoff_base: float = Field(default=settings.BACKOFF_BASE_S, ge=0, le=60)
    min_delay: float = Field(default=settings.MIN_HOST_DELAY_S, ge=0, le=600)
    respect_robots: bool = True
    max_redirects: int = Field(default=settings.MAX_REDIRECTS, ge=0, le=30)
    max_retry_after: float = Field(default=settings.MAX_RETRY_AFTER_S, ge=0, le=3600)
    max_article_pages: int = Field(default=settings.MAX_ARTICLE_PAGES, ge=1, le=100)
    capture: bool = True
    revisit_hours: float = Field(default=settings.REVISIT_HOURS, ge=0, le=24 * 365)
    warc_retention_days: int = Field(default=settings.WARC_RETENTION_DAYS, ge=0, le=36500)


class DedupeSettings(_Strict):
    """Near-duplicate and story grouping thresholds (``[dedupe]`` in the sources file)."""

    #: Estimated Jaccard similarity (word shingles) from which a copy is a near-duplicate.
    near_duplicate_threshold: float = Field(default=settings.NEAR_DUPLICATE_THRESHOLD, ge=0.5, le=1.0)
    #: Copies are looked for among articles first seen this many days back (0: all of them).
    near_duplicate_window_days: int = Field(default=settings.NEAR_DUPLICATE_WINDOW_DAYS, ge=0, le=36500)
    shingle_size: int = Field(default=settings.SHINGLE_SIZE, ge=1, le=8)
    #: Cosine similarity of salient terms from which an article joins a story.
    story_threshold: float = Field(default=settings.STORY_THRESHOLD, gt=0.0, le=1.0)
    #: An article joins a story whose publication dates are within this many days of its own.
    story_window_days: int = Field(default=settings.STORY_WINDOW_DAYS, ge=0, le=365)


class RunSettings(_Strict):
    """How a run executes: the task runner for fetch/extract/enrich batches (see docs/orchestration.md)."""

    #: "default" runs batches in threads of the flow process; "dask" on a Dask cluster.
    task_runner: Literal["default", "dask"] = settings.TASK_RUNNER
    #: A Dask scheduler address (tcp://host:8786); empty: a LocalCluster started for the run.
    dask_address: str | None = Field(default=None, pattern=r"^(tcp|tls|inproc|ws|wss)://\S+$")
    #: A run with a larger share of failed items (failed / (fetched + failed)) ends completed_with_errors.
    max_failed_share: float = Field(default=settings.MAX_FAILED_SHARE, ge=0.0, le=1.0)
    #: A run with a larger share of sources that listed nothing or could not be read ends completed_with_errors.
    max_silent_share: float = Field(default=settings.MAX_SILENT_SHARE, ge=0.0, le=1.0)
    #: Minutes a run may take (0: no budget); when spent, no new batch starts, the batches in flight
    #: are loaded, the rest is recorded as not attempted and left for the next run (completed_with_errors).
    max_run_minutes: float = Field(default=settings.MAX_RUN_MINUTES, ge=0.0, le=settings.MAX_RUN_MINUTES_LIMIT)


class NotifySettings(_Strict):
    """Where failed or crashed runs are reported (a Slack-compatible incoming webhook)."""

    webhook_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+\S*$")


class Source(_Strict):
    """One source of articles. See the module docstring for the kinds."""

    name: str = Field(pattern=NAME_PATTERN)
    kind: SourceKind
    url: str | None = None
    glob: str | None = None
    path: str | None = None
    outlet: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    enabled: bool = True
    link_pattern: str | None = None
    max_pages: int | None = Field(default=None, ge=1, le=1000)

    @field_validator("include", "exclude", "link_pattern")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...] | str | None) -> tuple[str, ...] | str | None:
        for pattern in (patterns,) if isinstance(patterns, str) else patterns or ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
        return patterns

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^\s/]+", url):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @model_validator(mode="after")
    def _location_matches_kind(self) -> "Source":
        needed = {"feed": "url", "sitemap": "url", "files": "glob", "warc": "path", "listing": "url"}[self.kind]
        if getattr(self, needed) is None:
            raise ValueError(f"a {self.kind} source needs `{needed}`")
        for other in {"url", "glob", "path"} - {needed}:
            if getattr(self, other) is not None:
                raise ValueError(f"`{other}` does not apply to a {self.kind} source (it takes `{needed}`)")
        if self.kind == "listing" and self.link_pattern is None:
            raise ValueError("a listing source needs `link_pattern` (a regular expression for article links)")
        if self.kind != "listing" and (self.link_pattern is not None or self.max_pages is not None):
            raise ValueError(f"`link_pattern` and `max_pages` apply only to listing sources, not {self.kind}")
        return self

    def matches(self, text: str) -> bool:
        """Whether an article's title+text passes this source's include/exclude patterns."""
        if self.include and not any(re.search(p, text, re.IGNORECASE) for p in self.include):
            return False
        return not any(re.search(p, text, re.IGNORECASE) for p in self.exclude)


class EnrichSettings(_Strict):
    """Enrichment options (the ``[enrich]`` table): extra knowledge-base files (CSV or TOML, see
    docs/enrichment.md) and a themes taxonomy replacing the shipped one."""

    knowledge_base: tuple[str, ...] = ()
    themes: str | None = None

    @field_validator("knowledge_base")
    @classmethod
    def _kb_files(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for path in paths:
            if not path.lower().endswith((".csv", ".toml")):
                raise ValueError(f"{path!r} is not a .csv or .toml knowledge-base file")
        return paths

    @field_validator("themes")
    @classmethod
    def _themes_file(cls, path: str | None) -> str | None:
        if path is not None and not path.lower().endswith(".toml"):
            raise ValueError(f"{path!r} is not a .toml themes file")
        return path


class WarehouseSettings(_Strict):
    """Where runs load to: a DuckDB file (default) or a DuckLake (PostgreSQL catalog + data path).

    ``catalog`` is what follows ``ducklake:`` in DuckDB's ATTACH: ``postgres:host=H port=P
    dbname=D user=U`` (several workers may load at once) or a local ``.ducklake`` file (one
    process at a time). ``data_path`` is the directory of the lake's Parquet files."""

    backend: Literal["duckdb", "ducklake"] = settings.WAREHOUSE_BACKEND
    path: str | None = Field(default=None, min_length=1)
    catalog: str | None = Field(default=None, min_length=1)
    data_path: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _keys_match_backend(self) -> "WarehouseSettings":
        if self.backend == "ducklake":
            for key in ("catalog", "data_path"):
                if getattr(self, key) is None:
                    raise ValueError(f"backend 'ducklake' needs `{key}`")
            if self.path is not None:
                raise ValueError("`path` does not apply to backend 'ducklake' (it takes `catalog` and `data_path`)")
            if "#" in self.catalog or "'" in self.catalog or "'" in self.data_path:
                raise ValueError("`catalog` may not contain '#' or quotes, nor `data_path` quotes")
        else:
            for key in ("catalog", "data_path"):
                if getattr(self, key) is not None:
                    raise ValueError(f"`{key}` applies to backend 'ducklake' only")
        return self


class SourcesFile(_Strict):
    """The whole sources file."""

    fetch: FetchSettings = FetchSettings()
    enrich: EnrichSettings = EnrichSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    dedupe: DedupeSettings = DedupeSettings()
    run: RunSettings = RunSettings()
    notify: NotifySettings = NotifySettings()
    sources: tuple[Source, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_unique(self) -> "SourcesFile":
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice")
            seen.add(source.name)
        return self

    def select(self, names: list[str] | None) -> list[Source]:
        """The enabled sources, or the named ones (named sources run even when disabled)."""
        if not names:
            return [s for s in self.sources if s.enabled]
        known = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"unknown source {unknown[0]!r}; known: {', '.join(known)}")
        return [known[n] for n in names]


def _location(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Render a pydantic error location as a TOML-ish key: sources[2].kind (name 'x')."""
    parts: list[str] = []
    for piece in loc:
        if isinstance(piece, int):
            parts[-1] = f"{parts[-1]}[{piece}]" if parts else f"[{piece}]"
        else:
            parts.append(str(piece))
    key = ".".join(parts) or "(top level)"
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        try:
            name = data["sources"][loc[1]].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = None
        if name:
            key += f" (source {name!r})"
    return key


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"{error.get('input')!r} is not allowed; expected one of {allowed}"
    if kind == "missing":
        return "is required"
    message = error["msg"].removeprefix("Value error, ")
    if "input" in error and kind not in {"value_error"} and not isinstance(error["input"], dict):
        message += f" (got {error['input']!r})"
    return message


def parse_sources(data: dict[str, Any], origin: str, base_dir: Path) -> SourcesFile:
    """Validate already-parsed TOML data; relative paths resolve against ``base_dir``."""
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{origin}: {_location(err['loc'], data)}: {_describe(err)}") from None
    resolved = []
    for source in parsed.sources:
        update: dict[str, str] = {}
        for key in ("glob", "path"):
            value = getattr(source, key)
            if value is not None and not Path(value).expanduser().is_absolute():
                update[key] = str(base_dir / value)
            elif value is not None:
                update[key] = str(Path(value).expanduser())
        resolved.append(source.model_copy(update=update))
    absolute = lambda p: str(Path(p).expanduser() if Path(p).expanduser().is_absolute() else base_dir / p)  # noqa: E731
    enrich = parsed.enrich.model_copy(update={
        "knowledge_base": tuple(absolute(p) for p in parsed.enrich.knowledge_base),
        "themes": absolute(parsed.enrich.themes) if parsed.enrich.themes else None,
    })
    section = parsed.warehouse
    update = {}
    if section.path:
        update["path"] = absolute(section.path)
    if section.data_path:
        update["data_path"] = absolute(section.data_path)
    if section.catalog and section.catalog.endswith(".ducklake"):
        update["catalog"] = absolute(section.catalog)
    return parsed.model_copy(update={"sources": tuple(resolved), "enrich": enrich,
                                     "warehouse": section.model_copy(update=update)})


def warehouse_of(explicit: str | None, config: str | Path | None, deployed: bool = False) -> Warehouse:
    """``resolve_warehouse`` for a command's --warehouse and --config options (or a flow's
    ``warehouse`` and ``config`` parameters)."""
    if not sources_file_decides(explicit, config):
        return resolve_warehouse(explicit, deployed=deployed)
    return resolve_warehouse(None, load_sources(config).warehouse, deployed=deployed)


def load_sources(path: str | Path) -> SourcesFile:
    """Read and validate a sources file. Raises ConfigError with a one-line message."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_sources(data, str(path), path.parent.resolve())
