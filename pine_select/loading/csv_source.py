"""Read a CSV file of the call (reviews, conflicts) with line numbers for every row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pine_select.errors import Problem
from pine_select.model.ids import ID_BODY

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


Records = Iterator[tuple[int, list[str]]]  # (line, values)


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read row by row: ``records`` yields ``(line, values)``, values stripped.

    Rows with the wrong number of columns and malformed CSV are added to ``problems`` as
    ``records`` meets them (so read it to the end before judging ``problems``). Reading
    record by record lets the loader turn 1.8 million review rows into models without
    holding a dict for each of them first.
    """

    header: tuple[str, ...]
    records: Records
    problems: list[Problem]


def open_csv(
    path: Path, label: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> CsvTable:
    """``path`` as a :class:`CsvTable` (without records if unreadable or its header is wrong)."""
    nul: list[Problem] = []  # a few NUL bytes: those lines, and every other problem too
    text = read_text(path, label, nul)
    if isinstance(text, Problem):
        return unreadable(text)
    table = parse_text(text, label, required, optional)
    table.problems[:0] = nul
    return table


def read_text(path: Path, label: str, problems: list[Problem] | None = None) -> str | Problem:
    """The text of ``path`` (UTF-8, a byte-order mark dropped), or why it cannot be had.

    Given ``problems``, a text with a few NUL bytes (at most ``MAX_NUL_BYTES``) is still
    read: each such line is a problem added to ``problems`` and its NULs are
    dropped, so that every other row is checked in the same run.
    """
    try:
        raw = _read_text_bytes(path, label, tolerate_nul=problems is not None)
    except OSError as exc:
        return Problem(label, None, f"cannot read the file ({exc.strerror})",
                       "a file you may read", code="io")
    if isinstance(raw, Problem):
        return raw
    if problems is not None and b"\0" in raw:
        problems += [_nul_problem(label, line, in_text=True) for line in _nul_lines(raw)]
        raw = raw.replace(b"\0", b"")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return Problem(label, line, f"not UTF-8 text ({exc.reason}: byte "
                       f"0x{raw[exc.start]:02x})", "UTF-8, as Excel's 'CSV UTF-8' saves it",
                       code="encoding")


# How much of a file is looked at for a NUL byte before the rest is read.
TEXT_PREFIX_BYTES = 64 * 1024
# More NUL bytes than this: not a text file (UTF-16, a binary spreadsheet).
MAX_NUL_BYTES = 10


def _read_text_bytes(path: Path, label: str, *, tolerate_nul: bool = False) -> bytes | Problem:
    """The bytes of ``path``, or the problem that stops it being read as CSV text.

    A NUL byte is never in text: a file of them (or a spreadsheet saved in a binary
    format) is refused from its first bytes, before the rest is read into memory. With
    ``tolerate_nul``, a few NUL bytes in a text are left for the caller to report.
    """
    if path.stat().st_size > MAX_CSV_BYTES:
        return Problem(label, None, "file is too large", f"at most {MAX_CSV_BYTES:,} bytes",
                       code="too_large")
    with path.open("rb") as handle:
        raw = handle.read(TEXT_PREFIX_BYTES)
        if b"\0" not in raw or (tolerate_nul and raw.count(b"\0") <= MAX_NUL_BYTES):
            raw += handle.read(MAX_CSV_BYTES + 1 - len(raw))
    nul = raw.find(b"\0")
    if nul >= 0 and not (tolerate_nul and raw.count(b"\0") <= MAX_NUL_BYTES):
        return _nul_problem(label, raw.count(b"\n", 0, nul) + 1)
    if len(raw) > MAX_CSV_BYTES:  # grew while being read
        return Problem(label, None, "file is too large", f"at most {MAX_CSV_BYTES:,} bytes",
                       code="too_large")
    return raw


def _nul_lines(raw: bytes) -> list[int]:
    """The lines holding a NUL byte (of a text with at most ``MAX_NUL_BYTES``)."""
    lines: list[int] = []
    line, counted, at = 1, 0, raw.find(b"\0")
    while at >= 0:
        line += raw.count(b"\n", counted, at)
        if not lines or lines[-1] != line:
            lines.append(line)
        counted, at = at, raw.find(b"\0", at + 1)
    return lines


def _nul_problem(label: str, line: int, *, in_text: bool = False) -> Problem:
    if in_text:
        return Problem(label, line, "a NUL byte (character #x0000) in this line",
                       "CSV text without NUL bytes, as a spreadsheet saves it ('CSV UTF-8')",
                       code="encoding")
    return Problem(label, line, "a NUL byte (character #x0000): this is not a text file",
                   "CSV text, as a spreadsheet saves it ('CSV UTF-8')", code="encoding")


def unreadable(problem: Problem) -> CsvTable:
    """A table with no header and no rows, and the problem that stopped its reading."""
    return CsvTable((), iter(()), [problem])


def parse_text(
    text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> CsvTable:
    """``text`` read with the csv module: quotes, commas and line breaks inside values."""
    # strict: a quote left open at the end of the file is an error, not one long last field.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return empty(label, required)
    except csv.Error as exc:
        return unreadable(_malformed(text, 1, reader.line_num, str(exc), label))
    return table(header, label, required, optional,
                  lambda problems: _records(reader, len(header), label, problems, text))


def table(header: list[str], label: str, required: tuple[str, ...],
           optional: tuple[str, ...], records: Callable[[list[Problem]], Records]) -> CsvTable:
    """The table under ``header``; ``records(problems)`` reads its rows if the header is right."""
    problems = _check_header(header, label, required, optional)
    if problems:
        return CsvTable(tuple(header), iter(()), problems)
    return CsvTable(tuple(header), records(problems), problems)


def empty(label: str, required: tuple[str, ...]) -> CsvTable:
    return unreadable(Problem(label, 1, "the file is empty",
                               f"a header: {','.join(required)}", code="csv_header"))


def _records(
    reader: Any, width: int, label: str, problems: list[Problem], text: str
) -> Records:
    start = reader.line_num + 1  # the line where the next record starts
    while True:
        try:
            for values in reader:
                line = reader.line_num  # the record's last line
                if line != start:  # a quoted value ran over several lines
                    problems.extend(_rows_inside_quotes(values, start, width, label))
                start = line + 1
                checked = checked_values(values, line, width, label, problems)
                if checked is not None:
                    yield line, checked
            return
        except csv.Error as exc:
            problems.append(_malformed(text, start, reader.line_num, str(exc), label))
            if FIELD_TOO_LONG not in str(exc):  # after any other error, nothing is sure
                return
            start = reader.line_num + 1  # the csv module reads on from the next record


def _too_long(line: int, label: str) -> Problem:
    limit = csv.field_size_limit()
    return Problem(label, line, f"a value is longer than {limit:,} characters",
                   f"values of at most {limit:,} characters (a comment of at most "
                   f"{limit // 1024} KiB)", code="csv_row")


def checked_values(values: list[str], line: int, width: int, label: str,
             problems: list[Problem]) -> list[str] | None:
    """A record's values stripped; None for a blank line, or (a problem) the wrong width."""
    strip = str.strip
    # Blank lines, often at the end, are not rows (the first value settles most rows).
    if not (values and strip(values[0])) and not any(map(strip, values)):
        return None
    if len(values) != width:
        problems.append(Problem(label, line, f"{len(values)} columns",
                                f"{width} as in the header", code="csv_row"))
        return None
    return list(map(strip, values))


UNCLOSED_QUOTE = 'a closing "'
FIELD_TOO_LONG = "field larger than field limit"  # the csv module's words
# The start of a row: an id (of an application or a reviewer) and its comma.
_ROW_START = re.compile(rf"\s*{ID_BODY}\s*,")


def _malformed(text: str, start: int, line: int, reason: str, label: str) -> Problem:
    """What is wrong with the record that starts on line ``start`` and failed on ``line``."""
    if FIELD_TOO_LONG in reason:
        return _too_long(start, label)
    opened = _unclosed_quote_line(text, start)
    if opened is None:
        return Problem(label, line, f"malformed CSV ({reason})",
                       'a comma after each closing quote, and "" for a quote inside quotes',
                       code="csv_row")
    return Problem(label, opened, f"unterminated quote: the field starting on line {opened} "
                   "runs to the end of the file", UNCLOSED_QUOTE, code="csv_quote")


def _unclosed_quote_line(text: str, start: int) -> int | None:
    """The line of the quote that opens and is never closed, from line ``start`` on, if any.

    A doubled quote inside a quoted value counts twice, so counting quotes line by line
    (each odd count opens or closes a value) finds where the last open value began.
    """
    lines = io.StringIO(text, newline="").readlines()
    opened = None
    for number, line in enumerate(lines[start - 1:], start):
        if line.count('"') % 2:
            opened = number if opened is None else None
    return opened


def _rows_inside_quotes(values: list[str], start: int, width: int, label: str) -> list[Problem]:
    """A problem if a value that spans lines holds what looks like further rows.

    A comment may run over several lines; but a line inside it that starts with an id and
    a comma, and has a comma per column, is almost surely a row swallowed by a stray
    opening quote, and would be lost.
    """
    for value in values:
        for inner in value.splitlines()[1:]:
            if inner.count(",") >= width - 1 and _ROW_START.match(inner):
                return [Problem(label, start, "a quoted value in this row runs over several "
                                f"lines that look like rows ({inner.strip()!r})",
                                f"{UNCLOSED_QUOTE} on the line where the value starts",
                                code="csv_quote")]
    return []


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
