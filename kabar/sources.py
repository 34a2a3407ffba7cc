"""Which sources a run reads: a sources file, ad-hoc paths and URLs, or both."""

from __future__ import annotations

import glob as globlib
import re
from pathlib import Path

from kabar.config import ConfigError, DedupeSettings, EnrichSettings, FetchSettings, Source, SourcesFile, load_sources


def _adhoc_name(target: str, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(target.rstrip("/")).name or target).strip("-.") or "adhoc"
    name, n = stem[:60], 2
    while name in taken:
        name, n = f"{stem[:56]}-{n}", n + 1
    taken.add(name)
    return name


def adhoc_source(target: str, taken: set[str]) -> Source:
    """A source for one command-line argument: a URL, a WARC file, a directory, a file or a glob.
    Raises ConfigError (one line naming the argument) for anything else."""
    from pydantic import ValidationError

    try:
        return _adhoc_source(target, taken)
    except ValidationError as exc:
        reasons = "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(reasons if repr(target) in reasons else f"{target!r}: {reasons}") from None


def _adhoc_source(target: str, taken: set[str]) -> Source:
    name = _adhoc_name(target, taken)
    if re.match(r"^https?://", target):
        kind = "sitemap" if "sitemap" in target.lower() else "feed"
        return Source(name=name, kind=kind, url=target)
    path = Path(target).expanduser()
    if target.endswith((".warc", ".warc.gz")):
        if not globlib.glob(str(path)):
            raise ConfigError(f"{target}: no such WARC file")
        return Source(name=name, kind="warc", path=str(path.resolve()))
    if path.is_dir():
        return Source(name=name, kind="files", glob=str(path.resolve() / "**" / "*"))
    if path.is_file():
        return Source(name=name, kind="files", glob=str(path.resolve()))
    if globlib.has_magic(target):
        return Source(name=name, kind="files", glob=str(path))
    raise ConfigError(f"{target}: no such file, directory, glob or http(s) URL")


def resolve_sources(
    config: str | None,
    names: list[str] | None,
    targets: list[str] | None,
    allow_hosts: list[str] | None = None,
) -> SourcesFile:
    """The sources of one run: the named sources of ``config`` (all its enabled ones when neither
    names nor targets are given) plus the ad-hoc ``targets``; ``allow_hosts`` adds to the file's
    ``fetch.allow_hosts``.
    Raises ConfigError (one line) for anything a user got wrong."""
    if config:
        sources_file = load_sources(config)
        # ``paths`` (ad-hoc targets) without ``sources`` names select only those targets: the
        # config then supplies settings, never its sources (a `paths` run touches no feed).
        chosen = [] if targets and not names else sources_file.select(names)
        fetch, enrich, dedupe = sources_file.fetch, sources_file.enrich, sources_file.dedupe
        extra = {"run": sources_file.run, "notify": sources_file.notify, "warehouse": sources_file.warehouse}
    else:
        extra = {}
        if names:
            raise ConfigError("--source needs --config FILE (a sources file to pick the sources from)")
        chosen, fetch, enrich, dedupe = [], FetchSettings(), EnrichSettings(), DedupeSettings()
    taken = {s.name for s in chosen}
    chosen += [adhoc_source(t, taken) for t in targets or []]
    if not chosen:
        raise ConfigError("nothing to ingest: give PATH_OR_URL arguments or --config FILE")
    if allow_hosts:
        for host in allow_hosts:
            if not re.match(r"^[A-Za-z0-9.\-\[\]:]+$", host):
                raise ConfigError(f"--allow-host {host!r}: expected HOST or HOST:PORT")
        fetch = fetch.model_copy(update={"allow_hosts": tuple(dict.fromkeys([*fetch.allow_hosts, *allow_hosts]))})
    return SourcesFile(fetch=fetch, enrich=enrich, dedupe=dedupe, sources=tuple(chosen), **extra)
