"""Every trick that makes loading a large call fast, behind this one boundary.

The rest of ``loading/`` is the careful path: plain, readable, and always right. The tricks
here give exactly what the careful path gives (tests/test_loading_speed.py and
tests/test_loading_properties.py compare them), and ``load_call`` is their only caller:

- :func:`paused_gc`: the cyclic collector paused while millions of acyclic objects are
  built (pine_select/gc_pause.py);
- :func:`reading_many`: the application files parsed by a pool of forked processes;
- :func:`open_csv`: a CSV file without quotes split at commas and line breaks by hand,
  instead of through the csv module;
- :func:`load_reviews`: review rows made into models by writing pydantic's slots
  directly, each distinct value validated once, instead of validating every row.

The slot writes rely on pydantic 2's model internals (the ``__dict__``,
``__pydantic_fields_set__``, ``__pydantic_extra__`` and ``__pydantic_private__`` slots of
``BaseModel``): pyproject.toml pins the pydantic versions they were checked against.
What each trick saves is measured in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import csv
import itertools
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from sys import intern
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from pine_select.errors import Problem, display_path
from pine_select.gc_pause import paused_gc
from pine_select.loading import csv_source
from pine_select.loading.csv_source import CsvTable, Records
from pine_select.loading.parsed import Reviews
from pine_select.loading.review_table import (
    REVIEW_COLUMNS,
    review_fields,
    score_value,
    validated_reviews,
)
from pine_select.loading.yaml_source import Results, read_yaml
from pine_select.model.reviews import Review

__all__ = ["load_reviews", "open_csv", "paused_gc", "reading_many"]


# --- Parsing many YAML files in parallel ------------------------------------------------

# Forking and collecting results costs about as much as parsing a few hundred files
# in-process (benchmarks/RESULTS.md), so smaller calls stay in one.
PARALLEL_FROM = 2000
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 4


def read_many(files: Sequence[tuple[Path, str]]) -> Results:
    """``read_yaml`` of every ``(path, label)``, in order; in parallel when it pays."""
    with reading_many(files) as results:
        return results()


@contextmanager
def reading_many(files: Sequence[tuple[Path, str]]) -> Iterator[Callable[[], Results]]:
    """:func:`read_many` started in the background: the block gets a function that waits.

    Above :data:`PARALLEL_FROM` files the work is shared out over the machine's cores, in
    contiguous chunks whose results come back in order: the same answer as one process.
    The caller can do other work (read reviews.csv) while the workers parse. When parsing
    stays in this process, it happens when the results are asked for.
    """
    workers = _workers_for(len(files))
    if workers <= 1:
        yield lambda: [read_yaml(path, label) for path, label in files]
        return
    size = -(-len(files) // (workers * CHUNKS_PER_WORKER))
    chunks = [files[start:start + size] for start in range(0, len(files), size)]
    # The pool forks its workers before it starts its own threads, so this process is
    # still single-threaded when it forks; the caller works while those threads run.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending = pool.map_async(_read_chunk, chunks, chunksize=1)
        yield lambda: [result for part in pending.get() for result in part]


def _read_chunk(files: Sequence[tuple[Path, str]]) -> Results:
    return [read_yaml(path, label) for path, label in files]


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


# --- Review models, made without validating every row -----------------------------------

# Batches with a value that is not valid go through one adapter (a call per row costs a
# third more), and row by row only if that fails.
REVIEW_BATCH_SIZE = 4096

Record = tuple[int, list[str]]  # (line, values) as csv_source yields them


def load_reviews(path: Path | None, problems: list[Problem]) -> Reviews:
    """The valid rows of reviews.csv as models; the problems of the others in ``problems``.

    A batch whose every value is valid is made by :class:`ReviewRows`; a batch with any
    value that is not is validated by the careful path, to say what is wrong where.
    """
    if path is None:
        return Reviews([])
    label = display_path(path)
    table = open_csv(path, label, REVIEW_COLUMNS, ("comment",))
    models: list[Review] = []
    if set(REVIEW_COLUMNS) <= set(table.header):  # else a header problem, and no rows
        review_rows = ReviewRows(table.header)
        fields_of = review_fields(table.header)
        while batch := list(itertools.islice(table.records, REVIEW_BATCH_SIZE)):
            try:
                models += review_rows.models(batch)  # sharing review_rows.fields_set
            except NotValid:
                valid = validated_reviews([fields_of(*record) for record in batch], label,
                                          problems)
                models += _sharing_fields_set(valid, review_rows.fields_set)
    problems.extend(table.problems)
    return Reviews(models, label)


def _sharing_fields_set(models: list[Review], common: set[str]) -> list[Review]:
    """``models``, made to share one record of which fields their row gave.

    Pydantic keeps, in each model, a set of the fields its input gave: twice the size of
    the review itself. Every row of a file gives the same columns, so the sets are all
    equal; models are frozen, so one set serves them all (pydantic copies it before any
    change, in ``model_copy``).
    """
    for model in models:
        object.__setattr__(model, "__pydantic_fields_set__", common)
    return models


class NotValid(Exception):
    """A value of the batch is not valid: validate it row by row to say what is wrong."""


class _ValidColumn(dict[str, Any]):
    """The texts of one column found valid so far, each mapped to its field value.

    A text not seen before is checked when it is first looked up (``__missing__``); rows
    that repeat it cost one dictionary lookup, and share one value object.
    """

    def __init__(self, field: str, convert: Callable[[str], Any]) -> None:
        super().__init__()
        # The field's own type and constraints, strict as in the model (Strict's config).
        field_type: Any = Review.model_fields[field].rebuild_annotation()
        self._adapter: TypeAdapter[Any] = TypeAdapter(field_type, config=ConfigDict(strict=True))
        self._convert = convert

    def __missing__(self, text: str) -> Any:
        try:
            # The validated value: a reviewer id comes back in its canonical case.
            value = self._adapter.validate_python(self._convert(text))
        except ValidationError:
            raise NotValid from None
        self[text] = value
        return value


class ReviewRows:
    """Makes the Review models of batches of rows under one header (with REVIEW_COLUMNS).

    A few thousand distinct application ids and reviewers, a few criteria and a handful of
    score spellings fill a large reviews.csv: each distinct value is checked once, against
    the field types of the Review model itself, and the models are then made without
    validating every row again.
    """

    def __init__(self, header: Sequence[str]) -> None:
        self._indexes = [header.index(column) for column in REVIEW_COLUMNS]
        self._comment = header.index("comment") if "comment" in header else None
        converts: dict[str, Callable[[str], Any]] = {
            "application_id": intern, "reviewer": intern, "criterion": intern,
            "score": score_value}
        self._columns = [_ValidColumn(name, converts[name]) for name in REVIEW_COLUMNS]
        # What pydantic records as given for such a row: the columns, and the line.
        given = ["comment"] if self._comment is not None else []
        self.fields_set = {*REVIEW_COLUMNS, "line", *given}

    def models(self, batch: Sequence[Record]) -> list[Review]:
        """The models of ``batch``; raises :class:`NotValid` if any value is not valid."""
        (app, reviewer, criterion, score), comment = self._indexes, self._comment
        apps, reviewers, criteria, scores = self._columns
        fields_set = self.fields_set
        made = []
        for line, values in batch:
            # What Review.model_construct does, without its per-field Python loop: every
            # value is already known valid, and the keys are in field order. The slots
            # are set through their descriptors, as pydantic sets them.
            review = _new(Review)
            _set_dict(review, {
                "application_id": apps[values[app]], "reviewer": reviewers[values[reviewer]],
                "criterion": criteria[values[criterion]], "score": scores[values[score]],
                "comment": "" if comment is None else values[comment], "line": line})
            _set_fields_set(review, fields_set)
            _set_extra(review, None)
            _set_private(review, None)
            made.append(review)
        return made


_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
