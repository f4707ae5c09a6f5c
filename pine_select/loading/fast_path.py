"""Every trick that makes loading a large call fast, behind this one boundary.

The rest of ``loading/`` is the careful path: plain, readable, and always right. The tricks
here give exactly what the careful path gives (tests/test_loading_speed.py and
tests/test_loading_properties.py compare them), and ``load_call`` is their only caller:

- :func:`paused_gc`: the cyclic collector paused while millions of acyclic objects are
  built (pine_select/gc_pause.py);
- :func:`reading_many`: the application files parsed by a pool of forked processes, which
  inherit the list of files as they fork and send their results back as marshal data;
- :func:`open_csv`: a CSV file without quotes split at commas and line breaks by hand,
  instead of through the csv module;
- :func:`load_reviews`: reviews.csv read straight into columns (a ``ReviewTable``): split
  as a whole, each distinct value validated once against the model's field types, no
  object made per row.

What each trick saves is measured in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import csv
import itertools
import marshal
import multiprocessing
import os
import pickle
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from sys import intern
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from pine_select.errors import Problem, display_path
from pine_select.gc_pause import paused_gc
from pine_select.loading import csv_source
from pine_select.loading.csv_source import CsvTable, Records
from pine_select.loading.parsed import Reviews
from pine_select.loading.review_table import REVIEW_COLUMNS, load_review_table, score_value
from pine_select.loading.yaml_source import Result, Results, YamlDocument, read_yaml
from pine_select.model.reviews import CodedColumn, Review, ReviewTable, frozen_codes

__all__ = ["load_reviews", "open_csv", "paused_gc", "reading_many", "reviews_of_text",
           "valid_review_values"]


# --- Parsing many YAML files in parallel ------------------------------------------------

# Forking and collecting results costs about as much as parsing a few hundred files
# in-process (benchmarks/RESULTS.md), so smaller calls stay in one.
PARALLEL_FROM = 2000
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 4


def read_many(files: Sequence[tuple[Path, str]]) -> Results:
    """``read_yaml`` of every ``(path, label)``, in order; in parallel when it pays."""
    with reading_many(files) as results:
        return list(results())


@contextmanager
def reading_many(files: Sequence[tuple[Path, str]]
                 ) -> Iterator[Callable[[], Iterator[Result]]]:
    """:func:`read_many` started in the background: the block gets a function that gives
    the results in order, each as soon as it is read (use them inside the block).

    Above :data:`PARALLEL_FROM` files the work is shared out over the machine's cores, in
    contiguous chunks whose results come back in order: the same answer as one process.
    The caller can do other work (read reviews.csv) while the workers parse, and then
    validate each chunk's files while the workers parse the next. When parsing stays in
    this process, each file is parsed when its result is asked for.
    """
    workers = _workers_for(len(files))
    if workers <= 1:
        yield lambda: (read_yaml(path, label) for path, label in files)
        return
    size = -(-len(files) // (workers * CHUNKS_PER_WORKER))
    chunks = [(start, min(start + size, len(files))) for start in range(0, len(files), size)]
    # The pool forks its workers before it starts its own threads, so this process is
    # still single-threaded when it forks; the caller works while those threads run.
    # Each worker inherits the list of files as it forks (_inherit: nothing pickled), so a
    # task is two numbers, not a chunk of paths pickled to each worker.
    with multiprocessing.get_context("fork").Pool(workers, initializer=_inherit,
                                                  initargs=(files,)) as pool:
        pending = pool.imap(_read_chunk, chunks)  # every chunk is sent to the workers now
        yield lambda: (result for part in pending for result in _unpacked(part))


_INHERITED: list[Sequence[tuple[Path, str]]] = []  # in a worker: the files it may be given


def _inherit(files: Sequence[tuple[Path, str]]) -> None:
    _INHERITED[:] = [files]


def _read_chunk(chunk: tuple[int, int]) -> bytes:
    start, stop = chunk
    return _packed([read_yaml(path, label) for path, label in _INHERITED[0][start:stop]])


# A worker's results go back to this process as marshal data rather than pickled objects:
# a parsed file is plain values (text, numbers, true/false, null, lists, mappings), which
# marshal writes and reads several times faster than pickle writes a YamlDocument per
# file, and at 100,000 files sending the results took about a quarter of the parse
# (benchmarks/RESULTS.md). Marshal data is only ever read from this process's own workers,
# by the same interpreter. A file with problems (rare) travels pickled, as it is.

def _packed(results: Results) -> bytes:
    plain = [(doc.data, doc.text) if doc is not None and _plain(doc) and not problems
             else None for doc, problems in results]
    others = {i: result for i, result in enumerate(results) if plain[i] is None}
    try:
        return marshal.dumps((plain, pickle.dumps(others, pickle.HIGHEST_PROTOCOL)))
    except ValueError:  # a value marshal cannot write (none such comes from read_yaml)
        return marshal.dumps(([None] * len(results),
                              pickle.dumps(dict(enumerate(results)), pickle.HIGHEST_PROTOCOL)))


def _plain(doc: YamlDocument) -> bool:
    """Whether ``doc`` is its values and text alone (its lines not worked out yet)."""
    return doc.text is not None and doc.known_lines is None


def _unpacked(packed: bytes) -> Results:
    plain, pickled = marshal.loads(packed)
    others = pickle.loads(pickled)
    return [others[i] if item is None else (YamlDocument(item[0], text=item[1]), [])
            for i, item in enumerate(plain)]


def _workers_for(files: int) -> int:
    """How many processes to parse ``files`` files with (1: in this process).

    Only by forking: a new interpreter would cost more than it saves. Forking a process
    that runs other threads (a solver's, say) is unsafe and deprecated since Python 3.12,
    so a process with more than one thread, or a system without fork, parses alone.
    """
    if (files < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods()
            or multiprocessing.current_process().daemon):  # a pool's worker may not fork
        return 1
    try:
        threads = len(os.listdir("/proc/self/task"))
        cores = len(os.sched_getaffinity(0))
    except (OSError, AttributeError):  # not Linux: no cheap, sure way to count threads
        return 1
    return min(cores, MAX_WORKERS) if threads == 1 else 1


# --- CSV without quotes, split by hand --------------------------------------------------


def open_csv(
    path: Path, label: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> CsvTable:
    """``csv_source.open_csv``, splitting by hand a file that the csv module would split
    at every comma and line break anyway."""
    text = csv_source.read_text(path, label)
    if isinstance(text, Problem):
        return csv_source.unreadable(text)
    return parse_csv_text(text, label, required, optional)


def parse_csv_text(
    text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> CsvTable:
    """``csv_source.parse_text`` of ``text``, by hand when it has no quotes."""
    lines = _plain_lines(text)
    if lines is None:
        return csv_source.parse_text(text, label, required, optional)
    if not lines:
        return csv_source.empty(label, required)
    header = [h.strip() for h in _plain_fields(lines[0])]
    trimmed = _EDGE_SPACE.search("\n".join(lines)) is None
    return csv_source.table(header, label, required, optional,
                            lambda problems: _plain_records(lines, len(header), label,
                                                            problems, trimmed))


def _plain_lines(text: str) -> list[str] | None:
    """The lines of ``text`` if the csv module would read each as one row split at commas.

    That holds without a quote character, the only way a value can hold a comma or a line
    break, and with no line longer than the csv module's field limit (an error there).
    None: read ``text`` with the csv module. A line ends at CR LF, CR or LF, as the csv
    module reads them; a break at the end does not start one.
    """
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


def _plain_fields(line: str) -> list[str]:
    # The csv module reads an empty line as no values at all, not as one empty value.
    return line.split(",") if line else []


# Whitespace (but a line break) at the edge of a value: next to a comma, or at either end
# of a line. What str.strip would remove: both follow str.isspace.
_SPACE = r"[^\S\n]"
_EDGE_SPACE = re.compile(f"{_SPACE},|,{_SPACE}|^{_SPACE}|{_SPACE}$", re.MULTILINE)


def _plain_records(
    lines: list[str], width: int, label: str, problems: list[Problem], trimmed: bool
) -> Records:
    """The rows of ``lines`` after the header; ``trimmed``: no value has space to strip.

    Then a row of the header's width whose first value is not empty is already what
    ``csv_source.checked_values`` would make of it (not blank, nothing to strip), and
    skips it: most of the cost of a large reviews.csv.
    """
    for line, text in enumerate(lines[1:], 2):
        values = _plain_fields(text)
        if trimmed and len(values) == width and values[0]:
            yield line, values
            continue
        checked = csv_source.checked_values(values, line, width, label, problems)
        if checked is not None:
            yield line, checked


# --- reviews.csv read straight into columns ------------------------------------------


def load_reviews(path: Path | None, problems: list[Problem]) -> Reviews:
    """reviews.csv as a table of columns; the problems of its rows in ``problems``.

    A file with no quotes, every row of the header's width, no value with space to strip
    and every distinct value valid is read column by column (:func:`plain_review_table`);
    any other file by the careful path, row by row (``review_table.load_review_table``),
    which then says what is wrong where. Both give the same table.
    """
    if path is None:
        return Reviews(ReviewTable.of_reviews(()))
    label = display_path(path)
    # A few NUL lines are problems, and the rest is still read.
    return reviews_of_text(csv_source.read_text(path, label, problems), label, problems)


def reviews_of_text(text: str | Problem, label: str, problems: list[Problem]) -> Reviews:
    """:func:`load_reviews` of a file's text (or of the problem that stopped its reading)."""
    if isinstance(text, Problem):
        problems.append(text)
        return Reviews(ReviewTable.of_reviews(()), label)
    table = plain_review_table(text, label)
    if table is None:
        table = load_review_table(parse_csv_text(text, label, REVIEW_COLUMNS, ("comment",)),
                                  label, problems)
    return Reviews(table, label)


def plain_review_table(text: str, label: str) -> ReviewTable | None:
    """The table of a plain reviews.csv, column by column; None: read it the careful way.

    Plain: no quote character, a right header, every row the header's width (no blank
    line), no value with space at its edges and no empty first value, so that the csv
    module would split it at commas and line breaks and strip nothing; and every
    distinct value valid for :class:`Review`, checked once against the model's own field
    types. The table is then exactly what validating every row would give.
    """
    lines = _plain_lines(text)
    if not lines:
        return None
    header = [h.strip() for h in _plain_fields(lines[0])]
    width = len(header)
    if csv_source.table(header, label, REVIEW_COLUMNS, ("comment",), lambda _: iter(())
                        ).problems:
        return None
    body = lines[1:]
    if not body or set(map(str.count, body, itertools.repeat(","))) - {width - 1}:
        return None
    flat = ",".join(body).split(",")
    columns = [flat[k::width] for k in range(width)]
    # Each column's distinct texts, in order of first row: checked and validated once each.
    distinct = [list(dict.fromkeys(column)) for column in columns]
    if not _nothing_to_strip(distinct):
        return None
    try:
        app, reviewer, criterion, score = (
            _ValidColumn(name).encoded(columns[header.index(name)], distinct[header.index(name)])
            for name in REVIEW_COLUMNS)
    except NotValid:
        return None
    comment = (CodedColumn.encoded(columns[header.index("comment")],
                                   distinct[header.index("comment")])
               if "comment" in header
               else CodedColumn(("",), frozen_codes(itertools.repeat(0, len(body)),
                                                     len(body))))
    lines_of_rows = frozen_codes(range(2, len(body) + 2), len(body))
    return ReviewTable(app, reviewer, criterion, score, comment, lines_of_rows)


def _nothing_to_strip(distinct: list[list[str]]) -> bool:
    """No value of any column (``distinct``: each column's distinct values) has space at
    its edges, and the first column none empty."""
    if distinct and "" in distinct[0]:
        return False
    strip = str.strip
    return all(v == strip(v) for values in distinct for v in values)


class NotValid(Exception):
    """A value is not valid: read the file the careful way, to say what is wrong where."""


def valid_review_values(table: ReviewTable) -> bool:
    """Whether every distinct value of ``table`` is what validating it as its
    :class:`Review` field gives (a table stored by the parse cache is checked so)."""
    columns: tuple[CodedColumn[Any], ...] = (table.application_id, table.reviewer,
                                              table.criterion, table.score, table.comment)
    return all(_ValidColumn(name).holds(column.values)
               for name, column in zip((*REVIEW_COLUMNS, "comment"), columns, strict=True))


class _ValidColumn:
    """The texts of one column of reviews.csv, each checked once, made a coded column.

    The field's own type and constraints, strict as in the model (Strict's config), check
    each distinct text; equal values (a reviewer id in two cases) share one code.
    """

    def __init__(self, field: str) -> None:
        field_type: Any = Review.model_fields[field].rebuild_annotation()
        self._adapter: TypeAdapter[list[Any]] = TypeAdapter(list[field_type],
                                                            config=ConfigDict(strict=True))
        self._convert: Callable[[str], Any] = score_value if field == "score" else intern

    def holds(self, values: Sequence[Any]) -> bool:
        """Whether ``values`` are valid and validation leaves each as it is."""
        try:
            return self._adapter.validate_python(list(values)) == list(values)
        except ValidationError:
            return False

    def encoded(self, texts: list[str], distinct: list[str]) -> CodedColumn[Any]:
        """The coded column of ``texts``, whose distinct values are ``distinct`` (in order
        of first row); raises NotValid for a text its field refuses or changes."""
        try:  # one call for every distinct text: far cheaper than a call each
            values = self._adapter.validate_python(list(map(self._convert, distinct)))
        except ValidationError:
            raise NotValid from None
        code_of_value: dict[Any, int] = {}
        code_of_text = {text: code_of_value.setdefault(value, len(code_of_value))
                        for text, value in zip(distinct, values, strict=True)}
        codes = frozen_codes(map(code_of_text.__getitem__, texts), len(texts))
        return CodedColumn(tuple(code_of_value), codes)
