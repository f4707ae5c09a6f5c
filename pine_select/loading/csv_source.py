"""Read a CSV file of the call (reviews, conflicts) with line numbers for every row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            return [], [Problem(label, None, "file is too large",
                                f"at most {MAX_CSV_BYTES:,} bytes", code="too_large")]
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [Problem(label, None, f"cannot read the file ({exc.strerror})", code="io")]
    except UnicodeDecodeError as exc:
        return [], [Problem(label, None, f"not UTF-8 text ({exc.reason})",
                            "UTF-8, as Excel's 'CSV UTF-8' saves it", code="encoding")]
    return _parse(text, label, required, optional)


def _parse(
    text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[list[CsvRow], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [Problem(label, 1, "the file is empty", f"a header: {','.join(required)}",
                            code="csv_header")]
    problems = _check_header(header, label, required, optional)
    if problems:
        return [], problems
    rows: list[CsvRow] = []
    try:
        for values in _records(reader):
            line = reader.line_num
            if len(values) != len(header):
                problems.append(Problem(label, line, f"{len(values)} columns",
                                        f"{len(header)} as in the header", code="csv_row"))
                continue
            rows.append(CsvRow(line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        problems.append(Problem(label, reader.line_num, f"malformed CSV ({exc})",
                                "well-formed CSV", code="csv_row"))
    return rows, problems


def _records(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    for values in reader:
        if any(v.strip() for v in values):  # blank lines, often at the end, are not rows
            yield values


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
