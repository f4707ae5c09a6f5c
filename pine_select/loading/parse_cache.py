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
  Only values that JSON gives back exactly are stored (text keys; text, whole numbers,
  finite floats, true/false, null, lists, mappings): any other file is parsed every time.
  And one per reviews.csv read without a problem: its table of columns
  (``ReviewTable.stored``) with the hash of the text it was read from
  (:func:`cached_reviews`), used only for text of that hash.
- **Untrusted.** A cache file is read as JSON, never unpickled, and only if it is of the
  right shape and size (no NaN or Infinity); else it is ignored as if absent, and
  rewritten. Its values then pass the same validation and checks as freshly parsed ones,
  so an edited cache can make no more mischief than an edited application file.
- **Shared.** Two runs may use one cache at once: each writes a whole new file beside the
  old one and renames it into place (atomic on one file system), so a reader sees the
  old file or the new one, never half of one.
- **When.** Only calls of :data:`CACHED_FROM` files or more: below that, parsing costs
  less than the cache's own reading and writing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pine_select.atomic import write_atomically
from pine_select.errors import Problem, display_path
from pine_select.loading import csv_source
from pine_select.loading.parsed import Reviews
from pine_select.loading.yaml_source import MAX_FILE_BYTES, Results, YamlDocument
from pine_select.model.reviews import ReviewTable

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
    when they are many), and stored when that function is first called. When the cache
    holds nothing for the folder (a first run), every file goes to the parser at once and
    is read for its hash while it is parsed, rather than before.
    """
    store = _Store.opened(folder)
    read = [_read(path) for path, _ in files] if store.entries else None
    hits = ([None] * len(files) if read is None
            else [store.entries.get(r.key) if r is not None else None for r in read])
    missing = [i for i, hit in enumerate(hits) if hit is None]
    with reading_many([files[i] for i in missing]) as parsed:
        done: Results = []

        def results() -> Results:
            nonlocal read
            if done:
                return done
            if read is None:
                read = [_read(path) for path, _ in files]
            fresh = dict(zip(missing, parsed(), strict=True))
            for i, (hit, r) in enumerate(zip(hits, read, strict=True)):
                if hit is not None and r is not None:
                    done.append((YamlDocument(hit.data, text=r.text), []))
                else:
                    done.append(fresh[i])
            store.save_for(read, done)
            return done

        yield results


ReadReviews = Callable[[str | Problem, str, list[Problem]], Reviews]  # fast_path.reviews_of_text
ValidTable = Callable[[ReviewTable], bool]  # fast_path.valid_review_values


def cached_reviews(path: Path, problems: list[Problem], read: ReadReviews,
                   valid: ValidTable) -> Reviews:
    """``read`` of reviews.csv's text, or the table it gave for the same text before.

    The table is stored by the hash of the text it was read from, only when that text had
    no problem; a stored table is used only for text of that hash, and only when every
    code names a value and every value is what validating it as its field gives
    (``valid``), so an edited cache gives no table that the file could not.
    """
    label = display_path(path)
    read_problems: list[Problem] = []  # a few NUL lines: problems, and the rest still read
    text = csv_source.read_text(path, label, read_problems)
    fingerprint = reader_fingerprint(_REVIEW_READERS)
    if isinstance(text, Problem) or fingerprint is None or read_problems:
        problems.extend(read_problems)
        return read(text, label, problems)
    key = _content_hash(text.encode("utf-8"))
    where = cache_folder() / f"reviews-{fingerprint}" / f"{_path_key(path)}.json"
    table = _stored_table(where, key)
    if table is not None and valid(table):
        return Reviews(table, label)
    found: list[Problem] = []
    reviews = read(text, label, found)
    problems.extend(found)
    if not found:
        stored = {"format": FORMAT, "hash": key, "table": reviews.table.stored()}
        _write_atomically(where, json.dumps(stored, ensure_ascii=True,
                                            separators=(",", ":")).encode("ascii"))
    return reviews


def _stored_table(where: Path, key: str) -> ReviewTable | None:
    """The table stored at ``where`` for text of hash ``key``; None if there is none, or it
    is for other text, too large, or not of the shape it should be."""
    try:
        if where.stat().st_size > MAX_CACHE_BYTES:
            return None
        stored = _parsed(where.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not (isinstance(stored, dict) and stored.get("format") == FORMAT
            and stored.get("hash") == key):
        return None
    return ReviewTable.from_stored(stored.get("table"))


@dataclass(frozen=True)
class _Entry:
    data: Any


def _read(path: Path) -> _Read | None:
    """A file's content hash and text; None when it cannot be read as UTF-8 (the parser
    then reports why)."""
    raw = _raw_bytes(path, MAX_FILE_BYTES)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return _Read(_content_hash(raw), text)


def _raw_bytes(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``; None if it cannot be read or holds more than ``limit``.

    Read with ``os.read`` on a descriptor: a whole call's files are read to learn their
    hashes, and a file object costs more to make than such a file takes to read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(descriptor, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    raw = b"".join(chunks)
    return None if len(raw) > limit else raw


def _content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


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
        path = cache_folder() / f"yaml-{fingerprint}" / f"{_path_key(folder)}.json"
        return cls(path, _loaded(path))

    def save_for(self, read: Sequence[_Read | None], results: Results) -> None:
        """Store the values of every file that parsed without a problem, if that changes
        what is stored (only these files: entries of changed files go)."""
        if self.path is None:
            return
        # Only values parsed from the very text that was hashed (a file edited between the
        # two readings is parsed again next time).
        entries = {r.key: doc.data for r, (doc, problems) in zip(read, results, strict=True)
                   if r is not None and doc is not None and not problems
                   and doc.text in (None, r.text)}
        if entries.keys() == self.entries.keys():
            return
        text = _stored_text(entries)
        if text is None:  # some values JSON would not give back as they are
            entries = {key: data for key, data in entries.items()
                       if _stored_text({key: data}) is not None}
            text = _stored_text(entries)
        if text is not None:
            _write_atomically(self.path, text.encode("ascii"))


def _path_key(path: Path) -> str:
    """The name of a file or folder's cache file: a hash of its resolved path."""
    return hashlib.blake2b(str(path.resolve()).encode("utf-8", "surrogateescape"),
                           digest_size=16).hexdigest()


def _stored_text(entries: dict[str, Any]) -> str | None:
    """The cache file of ``entries``; None if JSON would not give back exactly these
    values (a key that is not text, a float that is not finite)."""
    try:
        text = json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=True,
                          separators=(",", ":"), allow_nan=False)
        same = _parsed(text)["entries"] == entries
    except (ValueError, RecursionError):
        return None
    return text if same else None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value the cache stores")


def _parsed(text: str | bytes) -> Any:
    # NaN and Infinity are JSON's extensions (json.loads reads them by default): refused.
    return json.loads(text, parse_constant=_refuse_constant)


def _loaded(path: Path) -> dict[str, _Entry]:
    """The entries of a cache file; none if it is missing, too large or not what it should
    be (it is then rewritten by the next save).

    Its values are then whatever JSON holds (text keys; text, numbers, true/false, null,
    lists, mappings), as a parsed YAML file's are, and validated as they are.
    """
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:
            return {}
        stored = _parsed(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not (isinstance(stored, dict) and stored.get("format") == FORMAT
            and isinstance(stored.get("entries"), dict)):
        return {}
    entries = stored["entries"]
    if not all(len(key) == 32 for key in entries):
        return {}
    return {key: _Entry(value) for key, value in entries.items()}


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; a cache that cannot be written is
    simply not written (the run's answer does not depend on it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    except OSError:
        return  # a cache that cannot be written is only a slower next run


# The modules whose code decides what is read from a file: a cache written by another
# version of them is never read. YAML files: the YAML reader; reviews.csv: the CSV
# readers and the review table (with its field types).
_YAML_READERS = ("yaml_source.py",)
_REVIEW_READERS = ("csv_source.py", "fast_path.py", "review_table.py", "../model/reviews.py",
                   "../model/base.py")
_FINGERPRINTS: dict[tuple[str, ...], str | None] = {}


def reader_fingerprint(readers: tuple[str, ...] = _YAML_READERS) -> str | None:
    """A hash of the tool's version and of the source of ``readers`` (files beside this
    one): a cache written by another version, or by a changed reader, is never read.
    None: no source to hash."""
    if readers not in _FINGERPRINTS:
        try:
            version = metadata.version("pine-select")
        except metadata.PackageNotFoundError:  # run from a source tree: the source decides
            version = "unknown"
        here = Path(__file__).parent
        try:
            sources = b"".join(b"\0" + (here / name).read_bytes() for name in readers)
        except OSError:
            _FINGERPRINTS[readers] = None
        else:
            digest = hashlib.blake2b(version.encode() + sources, digest_size=8)
            _FINGERPRINTS[readers] = f"{FORMAT}-{digest.hexdigest()}"
    return _FINGERPRINTS[readers]
