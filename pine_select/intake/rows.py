"""Turn the rows of an export into application values, collecting every problem.

A :class:`KeyReader` reads one application key from its column; :func:`convert_rows`
runs every reader on every row. A problem names the export, the row a person sees and
the column's header, so that a programme lead can find the cell and fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pine_select.errors import Problem
from pine_select.intake import convert
from pine_select.intake.convert import Unfit, Vocabulary
from pine_select.intake.export import CellValue, Export, ExportRow
from pine_select.intake.mapping import Mapping, Source, is_list_key, required_keys
from pine_select.model.rubric import Rubric

Progress = Callable[[str], None]
PROGRESS_EVERY = 1000

_CONVERSIONS: dict[str, Callable[[CellValue], Any]] = {
    "money": convert.money, "integer": convert.integer, "boolean": convert.boolean,
}


@dataclass(frozen=True)
class KeyReader:
    """How one application key is read from its column of the export."""

    key: str
    column: str
    index: int
    source: Source
    vocabulary: Vocabulary | None
    required: bool
    as_list: bool  # the application holds a list here (age_groups)

    def read(self, cell: CellValue) -> Any:
        """The key's value from ``cell``; None when empty and optional. Raises Unfit."""
        if convert.is_empty(cell):
            if self.required:
                raise Unfit("the cell is empty", f"an answer: every application needs {self.key}")
            # A question left blank is an answer of nothing (a gate says "is ''"); a fact
            # left blank has no value of its type, so the application does not have it.
            return "" if self.key.startswith("answers.") else None
        conversion = _CONVERSIONS.get(self.source.type)
        if conversion is not None:
            return conversion(cell)
        written = convert.text(cell)
        if self.source.split is not None:
            return self._list(convert.parts(written, self.source.split))
        value = self.vocabulary(written) if self.vocabulary else written
        return [value] if self.as_list else value

    def _list(self, answers: list[str]) -> list[str] | None:
        values = [self.vocabulary(a) if self.vocabulary else a for a in answers]
        if not values and self.required:
            raise Unfit("no answer is given", f"at least one answer: every application needs "
                        f"{self.key}")
        # An answer given twice counts once: a list counts each of its values in a quota.
        return list(dict.fromkeys(values)) or None


def key_readers(mapping: Mapping, columns: dict[str, int], rubric: Rubric | None,
                ) -> list[KeyReader]:
    """A reader for each mapped key (``columns``: header -> index, every mapped one there)."""
    required = set(required_keys())
    readers = []
    for key, source in mapping.fields.items():
        declared = rubric.categories.get(key, ()) if rubric is not None else ()
        vocabulary = (Vocabulary.of(key, source.values, declared)
                      if source.values or declared else None)
        readers.append(KeyReader(key, source.column, columns[source.column], source,
                                 vocabulary, key in required, is_list_key(key)))
    return readers


@dataclass
class Places:
    """Where each value came from: (row, column header, column index), by number (a
    document's "line").

    The loader's checks name a value by the line of its path; the intake gives each path
    the number of its place instead, and turns problems back into rows and cells.
    """

    export: Export
    places: list[tuple[int, str | None, int | None]] = field(default_factory=list)

    def add(self, row: int, column: str | None = None, index: int | None = None) -> int:
        self.places.append((row, column, index))
        return len(self.places)

    def problem(self, found: Problem) -> Problem:
        """``found`` (made with a place number for its line) as a row and cell problem."""
        row, column, index = self.places[(found.line or 1) - 1]
        message = found.message if index is None else self.export.at(row, index, found.message)
        return Problem(self.export.label, row, message, found.expected, code=found.code,
                       severity=found.severity, column=column)


@dataclass(frozen=True)
class RowValues:
    """One row's application: its id, values and the place number of each value's path."""

    row: int
    id: str
    values: dict[str, Any]
    lines: dict[tuple[str | int, ...], int]


def convert_rows(export: Export, id_reader: tuple[int, str | None],
                 readers: Sequence[KeyReader], places: Places,
                 progress: Progress) -> tuple[list[RowValues], list[Problem]]:
    """Every row's values, and every problem of every row (a refused cell's is the
    export's own: a row with one gives no application and no second problem there)."""
    results: list[RowValues] = []
    problems: list[Problem] = []
    for count, row in enumerate(export.rows, 1):
        if count % PROGRESS_EVERY == 0:
            progress(f"converted {count:,} of {len(export.rows):,} rows")
        converted = _convert_row(export, row, id_reader, readers, places, problems)
        if converted is not None:
            results.append(converted)
    return results, problems


def _convert_row(export: Export, row: ExportRow, id_reader: tuple[int, str | None],
                 readers: Sequence[KeyReader], places: Places,
                 problems: list[Problem]) -> RowValues | None:
    found = len(problems)
    index, template = id_reader
    id_column = export.header[index]
    refused = any((row.number, i) in export.refused_cells
                  for i in (index, *(reader.index for reader in readers)))
    app_id = ""
    if (row.number, index) not in export.refused_cells:
        try:
            app_id = convert.application_id(row.cells[index], template)
        except Unfit as exc:
            problems.append(_unfit(export, row.number, index, id_column, exc))
    values: dict[str, Any] = {"id": app_id}
    lines: dict[tuple[str | int, ...], int] = {(): places.add(row.number),
                                               ("id",): places.add(row.number, id_column, index)}
    for reader in readers:
        if (row.number, reader.index) in export.refused_cells:
            continue
        try:
            value = reader.read(row.cells[reader.index])
        except Unfit as exc:
            problems.append(_unfit(export, row.number, reader.index, reader.column, exc))
            continue
        if value is not None:
            path = tuple(reader.key.split("."))
            _put(values, path, value)
            lines[path] = places.add(row.number, reader.column, reader.index)
    if refused or len(problems) > found:
        return None
    return RowValues(row.number, app_id, values, lines)


def _put(values: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = values
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _unfit(export: Export, row: int, index: int, column: str, exc: Unfit) -> Problem:
    return Problem(export.label, row, export.at(row, index, exc.message), exc.expected,
                   code="export_value", column=column)


def duplicate_ids(rows: Sequence[RowValues], label: str, id_column: str) -> list[Problem]:
    """Rows whose ids are equal, or equal but for case (one file on Windows and macOS)."""
    first: dict[str, RowValues] = {}
    problems = []
    for row in rows:
        other = first.setdefault(row.id.casefold(), row)
        if other is row:
            continue
        same = "the id" if other.id == row.id else f"the id {other.id!r}, but for case,"
        problems.append(Problem(label, row.row, f"{row.id!r} is {same} of row {other.row}",
                                "a unique id per application (each names a file, and case "
                                "does not tell files apart on every system)",
                                code="duplicate_id", column=id_column))
    return problems
