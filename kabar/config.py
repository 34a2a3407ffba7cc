"""The sources file (`sources.toml`): its schema, validation and one-line errors.

A source is one place articles come from:

- ``feed``: an RSS or Atom feed URL (``url``)
- ``sitemap``: a news sitemap or sitemap index URL (``url``)
- ``files``: a glob of local ``.html``/``.htm``/``.txt`` files (``glob``)
- ``warc``: a local WARC or WARC.gz file of HTTP responses, or a glob of them (``path``)

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

SourceKind = Literal["feed", "sitemap", "files", "warc"]
SOURCE_KINDS: tuple[str, ...] = ("feed", "sitemap", "files", "warc")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ConfigError(ValueError):
    """A user-caused configuration problem; ``str(err)`` is the one-line message to show."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FetchSettings(_Strict):
    """How politely and patiently to fetch."""

    user_agent: str = Field(default=settings.USER_AGENT, min_length=3)
    timeout: float = Field(default=settings.REQUEST_TIMEOUT_S, gt=0, le=600)
    retries: int = Field(default=settings.MAX_RETRIES, ge=0, le=10)
    per_host_concurrency: int = Field(default=settings.PER_HOST_CONCURRENCY, ge=1, le=64)
    global_concurrency: int = Field(default=settings.GLOBAL_CONCURRENCY, ge=1, le=1024)
    max_body_bytes: int = Field(default=settings.MAX_BODY_BYTES, ge=1024)
    #: Hosts (HOST or HOST:PORT) allowed even though they resolve to private or loopback addresses.
    allow_hosts: tuple[str, ...] = ()


class RunSettings(_Strict):
    """How a run executes: the task runner for fetch/extract/enrich batches (see docs/orchestration.md)."""

    #: "default" runs batches in threads of the flow process; "dask" on a Dask cluster.
    task_runner: Literal["default", "dask"] = settings.TASK_RUNNER
    #: A Dask scheduler address (tcp://host:8786); empty: a LocalCluster started for the run.
    dask_address: str | None = Field(default=None, pattern=r"^(tcp|tls|inproc|ws|wss)://\S+$")


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

    @field_validator("include", "exclude")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
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
        needed = {"feed": "url", "sitemap": "url", "files": "glob", "warc": "path"}[self.kind]
        if getattr(self, needed) is None:
            raise ValueError(f"a {self.kind} source needs `{needed}`")
        for other in {"url", "glob", "path"} - {needed}:
            if getattr(self, other) is not None:
                raise ValueError(f"`{other}` does not apply to a {self.kind} source (it takes `{needed}`)")
        return self

    def matches(self, text: str) -> bool:
        """Whether an article's title+text passes this source's include/exclude patterns."""
        if self.include and not any(re.search(p, text, re.IGNORECASE) for p in self.include):
            return False
        return not any(re.search(p, text, re.IGNORECASE) for p in self.exclude)


class SourcesFile(_Strict):
    """The whole sources file."""

    fetch: FetchSettings = FetchSettings()
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
    return parsed.model_copy(update={"sources": tuple(resolved)})


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
