"""The parse cache: application files already parsed, found again by their content.

A second run on an unchanged call skips YAML parsing: each file's values are stored by
the hash of its bytes, for this version of the tool and of its YAML reader. What comes
back is exactly what parsing would give (a document with its values, and its text to
work its lines out from when a problem needs one), and goes through the same
validation into models and the same checks. So the cache never changes an answer; at
worst it costs the time to read it.

- **Where.** ``$PINE_SELECT_CACHE`` if set, else ``$XDG_CACHE_HOME/pine-select``, else
  ``~/.cache/pine-select``. ``--no-cache`` (or ``load_call(..., cache=False)``) neither
  reads nor writes it. Deleting the folder is always safe.
- **What.** One JSON file per applications folder (named by a hash of its resolved path),
  holding the values of its files that parsed without a problem, keyed by content hash.
  Only plain values are stored (text keys; text, whole numbers, finite floats, true/false,
  null, lists, mappings): any other file is parsed every time.
- **Untrusted.** An entry is read as JSON, never unpickled; its shape is checked (plain
  values, depth and size bounded) and anything else is ignored as if absent, then
  rewritten. The values then pass the same validation as freshly parsed ones.
- **Shared.** Two runs may use one cache at once: each writes a whole new file beside the
  old one and renames it into place (atomic on one file system), so a reader sees the
  old file or the new one, never half of one.
- **When.** Only calls of :data:`CACHED_FROM` files or more: below that, parsing costs
  less than the cache's own reading and writing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pine_select.loading import yaml_source
from pine_select.loading.yaml_source import MAX_DEPTH, MAX_FILE_BYTES, Results, YamlDocument

CACHED_FROM = 500
FORMAT = 1
# A cache file larger than this is not read (a real one holds about 1 KB an application).
MAX_CACHE_BYTES = 512 * 1024 * 1024

ReadMany = Callable[[Sequence[tuple[Path, str]]], Any]  # fast_path.reading_many


def cache_folder() -> Path:
    """Where the cache lives (see the module docstring)."""
    given = os.environ.get("PINE_SELECT_CACHE")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "pine-select"


@dataclass(frozen=True)
class _Read:
    """One application file's bytes read for the cache: its hash and its text."""

    key: str
    text: str


@contextmanager
def cached_reading(files: Sequence[tuple[Path, str]], folder: Path,
                   reading_many: ReadMany) -> Iterator[Callable[[], Results]]:
    """``reading_many(files)``, with the files found in the cache not parsed again.

    The block gets a function that waits for the results, in order (as ``reading_many``);
    files the cache did not have are parsed meanwhile (by ``reading_many``, in parallel
    when they are many), and stored when that function is first called.
    """
    store = _Store.opened(folder)
    read = [_read(path) for path, _ in files]
    hits = [store.entries.get(r.key) if r is not None else None for r in read]
    missing = [i for i, hit in enumerate(hits) if hit is None]
    with reading_many([files[i] for i in missing]) as parsed:
        done: Results = []

        def results() -> Results:
            if done:
                return done
            fresh = dict(zip(missing, parsed(), strict=True))
            for i, (hit, r) in enumerate(zip(hits, read, strict=True)):
                if hit is not None and r is not None:
                    done.append((YamlDocument(hit.data, text=r.text), []))
                else:
                    done.append(fresh[i])
            store.save_for(read, done)
            return done

        yield results


@dataclass(frozen=True)
class _Entry:
    data: Any


def _read(path: Path) -> _Read | None:
    """A file's content hash and text; None when it cannot be read as UTF-8 (the parser
    then reports why)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return _Read(hashlib.blake2b(raw, digest_size=16).hexdigest(), text)


class _Store:
    """One applications folder's cache file: the stored values by content hash."""

    def __init__(self, path: Path | None, entries: dict[str, _Entry]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def opened(cls, folder: Path) -> _Store:
        fingerprint = reader_fingerprint()
        if fingerprint is None:
            return cls(None, {})
        where = hashlib.blake2b(str(folder.resolve()).encode("utf-8", "surrogateescape"),
                                digest_size=16).hexdigest()
        path = cache_folder() / f"yaml-{fingerprint}" / f"{where}.json"
        return cls(path, _loaded(path))

    def save_for(self, read: Sequence[_Read | None], results: Results) -> None:
        """Store the plain values of every file that parsed without a problem, if that
        changes what is stored (only these files: entries of changed files go)."""
        if self.path is None:
            return
        entries: dict[str, Any] = {}
        for r, (doc, problems) in zip(read, results, strict=True):
            if r is not None and doc is not None and not problems and is_plain(doc.data):
                entries[r.key] = doc.data
        if entries.keys() == self.entries.keys():
            return
        _write_atomically(self.path, json.dumps(
            {"format": FORMAT, "entries": entries}, ensure_ascii=True,
            separators=(",", ":"), allow_nan=False).encode("ascii"))


def _loaded(path: Path) -> dict[str, _Entry]:
    """The entries of a cache file; none if it is missing, too large or not what it should
    be (it is then rewritten by the next save)."""
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:
            return {}
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not (isinstance(stored, dict) and stored.get("format") == FORMAT
            and isinstance(stored.get("entries"), dict)):
        return {}
    entries = stored["entries"]
    if not all(isinstance(key, str) and len(key) == 32 and is_plain(value)
               for key, value in entries.items()):
        return {}
    return {key: _Entry(value) for key, value in entries.items()}


def is_plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is plain data that JSON stores exactly (see the module docstring)."""
    if depth > MAX_DEPTH + 1:
        return False
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is list:
        return all(is_plain(item, depth + 1) for item in value)
    if kind is dict:
        return all(type(key) is str and is_plain(item, depth + 1)
                   for key, item in value.items())
    return False


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; a cache that cannot be written is
    simply not written (the run's answer does not depend on it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


_FINGERPRINT: list[str | None] = []


def reader_fingerprint() -> str | None:
    """A hash of the tool's version and of the YAML reader's own source: a cache written
    by another version, or by a changed reader, is never read. None: no source to hash."""
    if not _FINGERPRINT:
        from pine_select import __version__

        try:
            source = Path(yaml_source.__file__).read_bytes()
        except (OSError, TypeError):
            _FINGERPRINT.append(None)
        else:
            digest = hashlib.blake2b(__version__.encode() + b"\0" + source, digest_size=8)
            _FINGERPRINT.append(f"{FORMAT}-{digest.hexdigest()}")
    return _FINGERPRINT[0]
