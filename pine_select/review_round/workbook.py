"""The only module that imports openpyxl: reviewers' scoresheets written and read back.

Writing: sheet ``Scores`` (a header row, then one row per assigned application) and sheet
``Guidance``; score and comment cells are the only unlocked cells, score cells carry
whole-number validation in the scale, both sheets and the workbook's structure are
protected (no password: the protection prevents slips, and ``collect`` checks everything
anyway). The reviewer and the call are recorded as custom document properties. Every text
cell is written as a string cell (``data_type`` ``s``, with Excel's quote prefix when it
starts like a formula), so an applicant's ``=HYPERLINK(...)`` title stays text. The bytes
are the same on every run: the zip's entries carry a fixed date, and the document's
created and modified times are fixed.

Reading refuses what is not a plain workbook before openpyxl sees it: another suffix
(``.xlsm`` carries macros), a file that is not a zip, macro parts, and a zip whose parts
would unpack past :data:`MAX_UNPACKED_BYTES` (read from the zip directory, before any
part is opened). openpyxl parses the XML through defusedxml, which refuses entity tricks;
reading refuses to start if it would not.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from pine_select.errors import InputError, Problem
from pine_select.report.cells import require_defused_xml, spreadsheet_text, starts_a_formula

SCORES, GUIDANCE = "Scores", "Guidance"
REVIEWER_PROPERTY, CALL_PROPERTY = "pine_select_reviewer", "pine_select_call"
MAX_UNPACKED_BYTES = 100_000_000  # 100 MB: a scoresheet is a few kilobytes
MAX_PARTS = 1_000
MAX_ROWS = 100_000  # far more than any reviewer's list; reading stops there
FIXED_TIME = datetime(2000, 1, 1)  # a workbook records naive UTC times
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


@dataclass(frozen=True)
class SheetSpec:
    """Everything one reviewer's workbook shows."""

    reviewer: str
    call: str  # the rubric's call and version, recorded and checked on the way back
    header: tuple[str, ...]
    rows: tuple[tuple[str, str, str], ...]  # application id, title, organisation
    score_columns: tuple[int, ...]  # 0-based columns of score cells
    comment_columns: tuple[int, ...]
    scale: tuple[int, int]
    guidance: tuple[tuple[str, ...], ...]  # rows of the Guidance sheet


def workbook_bytes(spec: SheetSpec) -> bytes:
    """The workbook of ``spec`` as .xlsx bytes, the same bytes for the same spec."""
    require_defused_xml(openpyxl.DEFUSEDXML, openpyxl.LXML, f"to write {spec.reviewer}'s "
                        "scoresheet")
    book = openpyxl.Workbook()
    scores = book.worksheets[0]
    scores.title = SCORES
    _fill_scores(scores, spec)
    _fill_guidance(book.create_sheet(GUIDANCE), spec.guidance)
    book.security = WorkbookProtection(lockStructure=True)
    properties = book.custom_doc_props  # type: ignore[attr-defined]  # missing from the stubs
    properties.append(StringProperty(name=REVIEWER_PROPERTY, value=spec.reviewer))
    properties.append(StringProperty(name=CALL_PROPERTY, value=spec.call))
    book.properties.creator = "pine-select"
    book.properties.created = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return _fixed_times(out.getvalue())


def _fill_scores(sheet: Any, spec: SheetSpec) -> None:
    for column, name in enumerate(spec.header, 1):
        _text(sheet.cell(1, column), name).font = Font(bold=True)
    low, high = spec.scale
    validation = DataValidation(type="whole", operator="between", formula1=str(low),
                                formula2=str(high), allow_blank=True, showErrorMessage=True,
                                errorTitle="Score", error=f"A whole number from {low} to {high}")
    sheet.add_data_validation(validation)
    for row, texts in enumerate(spec.rows, 2):
        for column, text in enumerate(texts, 1):
            _text(sheet.cell(row, column), text)
        for column in spec.score_columns:
            cell = sheet.cell(row, column + 1)
            cell.protection = Protection(locked=False)
            validation.add(cell)
        for column in spec.comment_columns:
            cell = sheet.cell(row, column + 1)
            cell.protection = Protection(locked=False)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, name in enumerate(spec.header, 1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 40 if name.endswith("_comment") or column in (
            2, 3) else max(12, len(name) + 2)
    sheet.freeze_panes = "D2"
    sheet.protection.sheet = True


def _fill_guidance(sheet: Any, rows: Sequence[tuple[str, ...]]) -> None:
    for row, texts in enumerate(rows, 1):
        for column, text in enumerate(texts, 1):
            _text(sheet.cell(row, column), text).alignment = Alignment(wrap_text=True,
                                                                       vertical="top")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    sheet.protection.sheet = True


def _text(cell: Any, text: str) -> Any:
    """``text`` as a string cell, never a formula (openpyxl reads a leading = as one).

    Control characters (which openpyxl refuses) and bidi controls become U+FFFD, as in
    every spreadsheet cell pine-select writes."""
    cell.value = spreadsheet_text(text)
    cell.data_type = "s"
    if starts_a_formula(text):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is re-entered
    return cell


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_times(data: bytes) -> bytes:
    """``data`` re-packed with fixed entry dates, and a fixed modified time (openpyxl sets
    it to the time of saving)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "docProps/core.xml":
                part = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", part)
            target.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), part,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell as read: where it is, its value, and whether it holds a formula or an error
    value (``#N/A``, ``#DIV/0!``: neither is a value the reviewer gave)."""

    ref: str  # "C7"
    column: int  # 1 for A
    value: object
    formula: bool
    error: bool = False

    def unread(self) -> str | None:
        """What the cell holds instead of a value (a formula, an error), or None."""
        if self.formula:
            return f"a formula ({self.value})"
        return f"an error value ({self.value})" if self.error else None


@dataclass(frozen=True)
class ReturnedWorkbook:
    reviewer: str | None  # as recorded in the workbook (None: not recorded)
    call: str | None
    header: tuple[Cell, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (row number, cells), blank rows left out


def read_workbook(path: Path, label: str, columns: int) -> ReturnedWorkbook:
    """The ``Scores`` sheet (its first ``columns`` columns) and the recorded reviewer of
    ``path``; raises InputError for a file that is not a plain workbook (see the module's
    refusals)."""
    if path.suffix.lower() != ".xlsx":
        what = ("a macro-enabled workbook (macros are never run)"
                if path.suffix.lower() == ".xlsm" else f"a {path.suffix or 'suffix-less'} file")
        raise InputError([Problem(label, None, f"{what} is not a scoresheet",
                                  "the .xlsx workbook pine-select sheets wrote", code="suffix")])
    if not path.is_file():
        raise InputError([Problem(label, None, "no such file", "a returned scoresheet",
                                  code="io")])
    _check_package(path, label)
    require_defused_xml(openpyxl.DEFUSEDXML, openpyxl.LXML, f"to read {label}")
    with path.open("rb") as handle:
        book = _open(handle, label)
        try:
            return _returned(book, label, columns)
        finally:
            book.close()


def _check_package(path: Path, label: str) -> None:
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError([Problem(label, None, f"not an .xlsx workbook ({exc})",
                                  "the .xlsx workbook pine-select sheets wrote",
                                  code="not_xlsx")]) from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES or len(parts) > MAX_PARTS:
        raise InputError([Problem(label, None, f"the workbook would unpack to {unpacked:,} bytes "
                                  f"in {len(parts):,} parts", f"at most {MAX_UNPACKED_BYTES:,} "
                                  f"bytes (100 MB) in at most {MAX_PARTS:,} parts",
                                  code="zip_bomb")])
    if any(part.filename.lower().endswith("vbaproject.bin") for part in parts):
        raise InputError([Problem(label, None, "the workbook carries macros (vbaProject.bin)",
                                  "a workbook without macros", code="macros")])


def _open(handle: Any, label: str) -> Any:
    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=False,
                                      keep_links=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many kinds for a malformed or hostile file
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InputError([Problem(label, None, f"cannot read the workbook ({first_line})",
                                  "the .xlsx workbook pine-select sheets wrote",
                                  code="unreadable")]) from None


def _returned(book: Any, label: str, columns: int) -> ReturnedWorkbook:
    if SCORES not in book.sheetnames:
        raise InputError([Problem(label, None, f"no sheet {SCORES!r} (sheets: "
                                  f"{', '.join(book.sheetnames)})",
                                  "the Scores sheet pine-select sheets wrote", code="sheet")])
    properties = {p.name: p.value for p in book.custom_doc_props}
    rows = []
    sheet = book[SCORES]
    sheet.reset_dimensions()  # the declared size may be a lie (A1:XFD1048576): not padded to it
    # Numbered here: a row whose first cells are empty starts with cells that know no row.
    for number, row in enumerate(sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1,
                                                 max_col=columns), 1):
        if number > MAX_ROWS:
            raise InputError([Problem(label, None, f"the {SCORES} sheet has more than "
                                      f"{MAX_ROWS:,} rows", "one row per assigned "
                                      "application", code="too_large")])
        cells = tuple(Cell(c.coordinate, c.column, c.value, c.data_type == "f",
                           c.data_type == "e") for c in row if c.value is not None)
        if cells:
            rows.append((number, cells))
    header = rows[0][1] if rows and rows[0][0] == 1 else ()
    body = tuple(rows[1:] if header else rows)
    return ReturnedWorkbook(_text_or_none(properties.get(REVIEWER_PROPERTY)),
                            _text_or_none(properties.get(CALL_PROPERTY)), header, body)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
