"""Read a CSV file of the call (reviews, conflicts) with line numbers for every row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pine_select.errors import Problem

MAX_CSV_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def read_csv(
    path: Path, label: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[CsvRow], list[Problem]]:
    """Rows of ``path`` as dicts keyed by the header; the header must hold ``required``.

    Accepts UTF-8 with or without a byte-order mark (Excel writes one), any line ending.
    """
    table = open_csv(path, label, required, optional)
    rows = [CsvRow(line, dict(zip(table.header, values, strict=True)))
            for line, values in table.records]
    return rows, table.problems


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read row by row: ``records`` yields ``(line, values)``, values stripped.

    Rows with the wrong number of columns and malformed CSV are added to ``problems`` as
    ``records`` meets them (so read it to the end before judging ``problems``). Reading
    record by record lets the loader turn 1.8 million review rows into models without
    holding a dict for each of them first.
    """

    header: tuple[str, ...]
    records: Iterator[tuple[int, list[str]]]
    problems: list[Problem]


def open_csv(
    path: Path, label: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> CsvTable:
    """``path`` as a :class:`CsvTable` (without records if unreadable or its header is wrong)."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            return _unreadable(Problem(label, None, "file is too large",
                                       f"at most {MAX_CSV_BYTES:,} bytes", code="too_large"))
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return _unreadable(Problem(label, None, f"cannot read the file ({exc.strerror})",
                                   code="io"))
    except UnicodeDecodeError as exc:
        return _unreadable(Problem(label, None, f"not UTF-8 text ({exc.reason})",
                                   "UTF-8, as Excel's 'CSV UTF-8' saves it", code="encoding"))
    return _parse(text, label, required, optional)


def _unreadable(problem: Problem) -> CsvTable:
    return CsvTable((), iter(()), [problem])


def _parse(
    text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> CsvTable:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return _unreadable(Problem(label, 1, "the file is empty",
                                   f"a header: {','.join(required)}", code="csv_header"))
    problems = _check_header(header, label, required, optional)
    if problems:
        return CsvTable(tuple(header), iter(()), problems)
    return CsvTable(tuple(header), _records(reader, len(header), label, problems), problems)


def _records(
    reader: Any, width: int, label: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    strip = str.strip
    try:
        for values in reader:
            # Blank lines, often at the end, are not rows (the first value settles most rows).
            if not (values and strip(values[0])) and not any(map(strip, values)):
                continue
            if len(values) != width:
                problems.append(Problem(label, reader.line_num, f"{len(values)} columns",
                                        f"{width} as in the header", code="csv_row"))
                continue
            yield reader.line_num, list(map(strip, values))
    except csv.Error as exc:
        problems.append(Problem(label, reader.line_num, f"malformed CSV ({exc})",
                                "well-formed CSV", code="csv_row"))


def _check_header(
    header: list[str], label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[Problem]:
    expected = ",".join((*required, *optional))
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(Problem(label, 1, f"missing column(s) {', '.join(missing)}",
                                f"the header {expected}", code="csv_header"))
    if unknown:
        problems.append(Problem(label, 1, f"unknown column(s) {', '.join(unknown)}",
                                f"only {expected}", code="csv_header"))
    if duplicated:
        problems.append(Problem(label, 1, f"repeated column(s) {', '.join(duplicated)}",
                                "each column once", code="csv_header"))
    return problems
