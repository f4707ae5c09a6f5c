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
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            return _unreadable(Problem(label, None, "file is too large",
                                       f"at most {MAX_CSV_BYTES:,} bytes", code="too_large"))
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return _unreadable(Problem(label, None, f"cannot read the file ({exc.strerror})",
                                   "a file you may read", code="io"))
    except UnicodeDecodeError as exc:
        return _unreadable(Problem(label, None, f"not UTF-8 text ({exc.reason})",
                                   "UTF-8, as Excel's 'CSV UTF-8' saves it", code="encoding"))
    return _parse(text, label, required, optional)


def _unreadable(problem: Problem) -> CsvTable:
    return CsvTable((), iter(()), [problem])


def _parse(
    text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> CsvTable:
    lines = _plain_lines(text)
    if lines is None:
        return _parse_quoted(text, label, required, optional)
    if not lines:
        return _empty(label, required)
    header = [h.strip() for h in _plain_fields(lines[0])]
    trimmed = _EDGE_SPACE.search("\n".join(lines)) is None
    return _table(header, label, required, optional,
                  lambda problems: _plain_records(lines, len(header), label, problems,
                                                  trimmed))


def _plain_lines(text: str) -> list[str] | None:
    """The lines of ``text`` if the csv module would read each as one row split at commas.

    That holds without a quote character, the only way a value can hold a comma or a line
    break, and with no line longer than the csv module's field limit (an error there). The
    csv module then adds nothing but its cost (0.3 s for 180,000 reviews, splitting 0.2 s
    with the checks of each row). None: read ``text`` with the csv module. A line ends at
    CR LF, CR or LF, as the csv module reads them; a break at the end does not start one.
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
    :func:`_checked` would make of it (not blank, nothing to strip), and skips it: most of
    the cost of 180,000 review rows.
    """
    for line, text in enumerate(lines[1:], 2):
        values = _plain_fields(text)
        if trimmed and len(values) == width and values[0]:
            yield line, values
            continue
        checked = _checked(values, line, width, label, problems)
        if checked is not None:
            yield line, checked


def _parse_quoted(
    text: str, label: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> CsvTable:
    # strict: a quote left open at the end of the file is an error, not one long last field.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return _empty(label, required)
    except csv.Error as exc:
        return _unreadable(_malformed(text, 1, reader.line_num, str(exc), label))
    return _table(header, label, required, optional,
                  lambda problems: _records(reader, len(header), label, problems, text))


def _table(header: list[str], label: str, required: tuple[str, ...],
           optional: tuple[str, ...], records: Callable[[list[Problem]], Records]) -> CsvTable:
    """The table under ``header``; ``records(problems)`` reads its rows if the header is right."""
    problems = _check_header(header, label, required, optional)
    if problems:
        return CsvTable(tuple(header), iter(()), problems)
    return CsvTable(tuple(header), records(problems), problems)


def _empty(label: str, required: tuple[str, ...]) -> CsvTable:
    return _unreadable(Problem(label, 1, "the file is empty",
                               f"a header: {','.join(required)}", code="csv_header"))


def _records(
    reader: Any, width: int, label: str, problems: list[Problem], text: str
) -> Records:
    start = reader.line_num + 1  # the line where the next record starts
    try:
        for values in reader:
            line = reader.line_num  # the record's last line
            if line != start:  # a quoted value ran over several lines
                problems.extend(_rows_inside_quotes(values, start, width, label))
            start = line + 1
            checked = _checked(values, line, width, label, problems)
            if checked is not None:
                yield line, checked
    except csv.Error as exc:
        problems.append(_malformed(text, start, reader.line_num, str(exc), label))


def _checked(values: list[str], line: int, width: int, label: str,
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
# The start of a row: an id (of an application or a reviewer) and its comma.
_ROW_START = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]{0,63}\s*,")


def _malformed(text: str, start: int, line: int, reason: str, label: str) -> Problem:
    """What is wrong with the record that starts on line ``start`` and failed on ``line``."""
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
