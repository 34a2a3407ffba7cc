"""Appending a ``[[sources]]`` block to a sources file without disturbing the rest of it.

tomlkit parses and re-emits TOML round-trip: comments, blank lines, key order and the other
tables stay exactly as the user wrote them; the new block goes after the last ``[[sources]]``.
The result is validated with the same checks as ``kabar ingest --config`` (kabar/config.py)
before the file is replaced (atomically: a temporary file in the same folder, then a rename).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from pydantic import ValidationError

from kabar.config import ConfigError, FetchSettings, parse_sources

_NAME_START = re.compile(r"^[^A-Za-z0-9]+")


def read_document(path: Path) -> tomlkit.TOMLDocument:
    """The sources file as an editable document (an empty one when the file does not exist).
    Raises ConfigError for unreadable or invalid TOML, or a ``sources`` key that is no array of tables."""
    if not path.exists():
        return tomlkit.document()
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if "sources" in document and not isinstance(document["sources"], tomlkit.items.AoT):
        raise ConfigError(f"{path}: `sources` is not an array of [[sources]] tables")
    return document


def fetch_settings(path: Path) -> FetchSettings:
    """The ``[fetch]`` table of a sources file that may have no sources yet (defaults when the
    file or the table is missing). Raises ConfigError naming a bad key."""
    document = read_document(path)
    try:
        return FetchSettings.model_validate(document.get("fetch", {}).unwrap() if "fetch" in document else {})
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in ("fetch", *error["loc"]))
        raise ConfigError(f"{path}: {key}: {error['msg'].removeprefix('Value error, ')}") from None


def source_names(document: tomlkit.TOMLDocument) -> set[str]:
    return {str(t.get("name")) for t in document.get("sources", []) if t.get("name") is not None}


def unique_name(wanted: str, taken: set[str]) -> str:
    """A valid source name (letters, digits, . _ -, at most 64) from ``wanted``, not in ``taken``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", wanted.lower()).strip("-._")
    stem = _NAME_START.sub("", stem)[:56].rstrip("-._") or "outlet"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}-{n}", n + 1
    return name


def append_source(path: Path, fields: dict[str, Any], comment: str | None = None) -> str:
    """Append ``[[sources]]`` with ``fields`` (its ``name`` made unique) to the file at ``path``
    (created when missing) and return the name used. Raises ConfigError, writing nothing, when
    the file is invalid before or after."""
    path = Path(path)
    document = read_document(path)
    for existing in document.get("sources", []):
        if fields.get("url") and existing.get("url") == fields["url"]:
            raise ConfigError(f"{path}: source {existing.get('name')!r} already reads {fields['url']} (file not written)")
    fields = {**fields, "name": unique_name(str(fields["name"]), source_names(document))}
    table = tomlkit.table()
    if comment:
        table.add(tomlkit.comment(comment))
    for key, value in fields.items():
        if value is not None:
            table.add(key, value)
    if "sources" in document:
        _move_trailing_trivia(document["sources"][-1], table)
        document["sources"].append(table)
    else:
        if len(document):
            document.add(tomlkit.nl())
        document.add("sources", tomlkit.aot())
        document["sources"].append(table)
    text = tomlkit.dumps(document)
    try:
        parse_sources(tomllib.loads(text), str(path), path.parent.resolve())
    except tomllib.TOMLDecodeError as exc:  # should not happen: tomlkit wrote it
        raise ConfigError(f"{path}: the new block would make invalid TOML ({exc}); not written") from None
    except ConfigError as exc:
        raise ConfigError(f"{exc} (file not written)") from None
    _replace(path, text)
    return str(fields["name"])


def _move_trailing_trivia(previous: tomlkit.items.Table, table: tomlkit.items.Table) -> None:
    """tomlkit keeps the comments and blank lines after a table's last key inside that table,
    though they usually introduce what follows (``# dedupe settings`` above ``[dedupe]``): move
    them below the new table, and leave one blank line between the two [[sources]] blocks."""
    body = previous.value.body
    trailing = []
    while body and body[-1][0] is None:
        trailing.insert(0, body.pop()[1])
    previous.add(tomlkit.nl())
    if not trailing:
        return
    for item in trailing:
        table.value.body.append((None, item))


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
