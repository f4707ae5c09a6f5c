"""Read a form export (``.csv`` or ``.xlsx``) into rows of cells, never evaluating a cell.

The only module that imports the spreadsheet library. An export is untrusted: it may
hold formulas, macros, XML entity tricks or a zip that unpacks to gigabytes. So:

- ``.xlsm`` (and an ``.xlsx`` that carries macros) is refused;
- an ``.xlsx`` whose parts would unpack past :data:`MAX_UNPACKED_BYTES` is refused from
  the sizes in its zip directory, before any part is read (zipfile stops at the declared
  size of a part, so a directory that lies only makes the read fail);
- openpyxl parses the XML through defusedxml (entity declarations refused); if that has
  been switched off (``OPENPYXL_DEFUSEDXML=False``), no workbook is read at all;
- a formula or error cell is refused, naming the cell: its cached value may not be what it
  shows. The rest of the export is still read (such a cell is never), so that one run
  lists these cells and every other problem of the import together.

Row numbers are those a person sees: the spreadsheet's row in an ``.xlsx``, the record's
place in a ``.csv`` (a quoted cell that spans lines is still one row, as Excel shows it).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from defusedxml.common import DefusedXmlException

from pine_select.errors import InputError, Problem, UsageError, display_path
from pine_select.loading.checks import closest
from pine_select.loading.csv_source import FIELD_TOO_LONG, MAX_CSV_BYTES
from pine_select.report.cells import require_defused_xml

CellValue = (str | int | float | bool | datetime.datetime | datetime.date | datetime.time
             | datetime.timedelta | None)
Progress = Callable[[str], None]

MAX_UNPACKED_BYTES = 100_000_000
PROGRESS_EVERY = 1000  # rows between two progress messages
_MACRO_PARTS = ("xl/vbaProject.bin", "xl/vbaProjectSignature.bin")


@dataclass(frozen=True)
class ExportRow:
    """One row of the export: the number a person sees, and its cells under the header."""

    number: int
    cells: tuple[CellValue, ...]


Place = tuple[int, int]  # (row a person sees, 0-based column index)


@dataclass(frozen=True)
class Export:
    """The header and the non-blank rows under it; ``name`` is the file's own name.

    ``refused`` names each formula or error cell of a workbook; such a cell reads as empty
    and is at one of ``refused_cells``: whoever reads a value there adds nothing to the
    problem already named (and whoever reads the export reports ``refused``).
    """

    label: str
    name: str
    header: tuple[str, ...]
    rows: tuple[ExportRow, ...]
    sheet: str | None = None
    refused: tuple[Problem, ...] = ()
    refused_cells: frozenset[Place] = frozenset()

    def at(self, row: int, index: int, message: str) -> str:
        """``message`` about one cell, naming it as its spreadsheet does (``Form1!L2``)."""
        if self.sheet is None:  # a CSV: its row and column header name the cell
            return message
        return f"cell {sheet_cell(self.sheet, row, index)}: {message}"


def sheet_cell(sheet: str, row: int, index: int) -> str:
    """A cell as Excel names it across sheets: ``Form1!L2``, ``'Form 1'!L2``."""
    simple = re.fullmatch(r"[^\W\d]\w*", sheet) is not None
    name = sheet if simple else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{column_letter(index)}{row}"


def column_letter(index: int) -> str:
    """``A`` for the first column (index 0), ``AA`` for the 27th."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class ReadOptions:
    """What the mapping says about the layout of the export."""

    sheet: str | None = None
    header_row: int = 1
    delimiter: str | None = None


def read_export(path: Path, options: ReadOptions = ReadOptions(),
                progress: Progress | None = None, *, with_refused: bool = False) -> Export:
    """Read ``path``; raises InputError with every problem of its layout.

    Formula and error cells (a refused cell reads as empty) raise InputError naming each,
    unless ``with_refused``: then they do not stop the reading but are the export's
    ``refused`` problems, for the caller to raise with its own (the importer does, so that
    one run names them and every other problem). Any other problem raised here comes with
    them.
    """
    label = display_path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError([Problem(label, None, "no such file", "a .csv or .xlsx form export")])
    if suffix in (".csv", ".xlsx"):
        report = progress or (lambda _: None)
        export = (_read_csv(path, label, options) if suffix == ".csv"
                  else _read_xlsx(path, label, options, report))
        if export.refused and not with_refused:  # a formula's answers are unknown
            raise InputError(export.refused)
        if len(export.rows) >= PROGRESS_EVERY:  # a short import says nothing on the way
            report(f"read {len(export.rows):,} rows of {export.name}")
        return export
    what = ("a macro-enabled workbook (macros are never run)" if suffix == ".xlsm"
            else f"not a form export ({suffix or 'no extension'})")
    raise InputError([Problem(label, None, what, "a .csv or .xlsx export (save as .xlsx)",
                              code="export_type")])


# --- CSV ------------------------------------------------------------------------------


def _read_csv(path: Path, label: str, options: ReadOptions) -> Export:
    text = _csv_text(path, label)
    delimiter = options.delimiter or _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] = ()
    rows: list[ExportRow] = []
    problems: list[Problem] = []
    for number, values in enumerate(_records(reader), 1):
        if isinstance(values, csv.Error):
            problems.append(_malformed(label, number, str(values), delimiter))
        elif number == options.header_row:
            header = tuple(value.strip() for value in values)
        elif number > options.header_row:
            rows += _csv_row(number, values, header, label, problems)
    problems += _header_problems(header, label, options.header_row)
    if problems:
        raise InputError(problems)
    return Export(label, path.name, header, tuple(rows))


def _records(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """Each record, or the error in its place: after a cell too long the csv module
    reads on from the next record, so that every row is checked; after any other
    error the rest cannot be trusted."""
    while True:
        try:
            yield from reader
            return
        except csv.Error as exc:
            yield exc
            if not _too_long(str(exc)):
                return


def _too_long(reason: str) -> bool:
    return FIELD_TOO_LONG in reason


def _malformed(label: str, row: int, reason: str, delimiter: str) -> Problem:
    if _too_long(reason):
        limit = csv.field_size_limit()
        return Problem(label, row, f"a cell is too long (over {limit:,} characters)",
                       f"cells of at most {limit:,} characters", code="csv_row")
    return Problem(label, row, f"malformed CSV ({reason})",
                   f'a {delimiter!r} after each closing quote, and "" for a quote inside quotes',
                   code="csv_row")


def _csv_text(path: Path, label: str) -> str:
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InputError([Problem(label, None, "file is too large",
                                      f"at most {MAX_CSV_BYTES:,} bytes", code="too_large")])
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(label, None, f"cannot read the file ({exc.strerror})",
                                  "a file you may read", code="io")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError([Problem(label, line, f"not UTF-8 text ({exc.reason})",
                                  "UTF-8, as Excel's 'CSV UTF-8' and Google Forms save it",
                                  code="encoding")]) from None


def _delimiter(text: str) -> str:
    """``;`` when the first line has more of them than commas outside quotes, else ``,``.

    Excel in much of Europe saves "CSV" with semicolons; the header decides, because a
    question's wording may hold commas only inside quotes.
    """
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    commas = len(first) - 1
    semicolons = sum(value.count(";") for value in first)
    return ";" if semicolons > commas else ","


def _csv_row(number: int, values: list[str], header: tuple[str, ...], label: str,
             problems: list[Problem]) -> list[ExportRow]:
    if not any(value.strip() for value in values):
        return []  # a blank row is not an application
    extra = values[len(header):]
    if any(value.strip() for value in extra):
        problems.append(Problem(label, number, f"{len(values)} cells, the header has "
                                f"{len(header)}", "a cell under each header and no more",
                                code="csv_row"))
        return []
    cells = tuple(values[:len(header)]) + ("",) * (len(header) - len(values))
    return [ExportRow(number, cells)]


def _header_problems(header: tuple[str, ...], label: str, header_row: int) -> list[Problem]:
    # A header used twice matters only if the mapping reads it: the importer judges that.
    if not any(header):
        return [Problem(label, header_row, "no header row here",
                        "the questions as column headers (or set header_row: in the mapping)",
                        code="export_header")]
    return []


# --- XLSX -----------------------------------------------------------------------------
#
# Two readers, each for what it does best (measured on a 10,000-row Microsoft Forms export:
# python-calamine reads it in 0.5 s, openpyxl through defusedxml in 7 s). Every workbook's
# values are read by calamine, whose XML parser (Rust quick-xml) expands no entities and
# fetches nothing; but calamine shows a formula only as its cached value. So a scan of the
# workbook's bytes first looks for anything that needs care: a formula or error cell, a
# DTD or an entity declaration. A workbook that has one is read by openpyxl through
# defusedxml as well, which names each such cell and refuses the entities.


def _read_xlsx(path: Path, label: str, options: ReadOptions, progress: Progress) -> Export:
    needs_care = _check_package(path, label)
    refused, seen = (_careful_pass(path, label, options, progress) if needs_care
                     else ({}, None))
    try:
        return _calamine_export(path, label, options, refused, seen)
    except InputError as exc:
        raise InputError([*refused.values(), *exc.problems]) from None


def _check_package(path: Path, label: str) -> bool:
    """Refuse a file that is not a zip, carries macros, or would unpack too far.

    Returns whether a part needs the careful pass (see above). Parts are read only after
    the directory has shown that all of them together unpack to little enough.
    """
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            _check_sizes_and_macros(package, parts, label)
            return any(_needs_care(package, part) for part in parts
                       if part.filename.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(label, exc) from None


def _check_sizes_and_macros(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo],
                            label: str) -> None:
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError([Problem(label, None, f"its parts would unpack to {unpacked:,} bytes",
                                  f"a workbook that unpacks to at most {MAX_UNPACKED_BYTES:,} "
                                  "bytes (100 MB)", code="zip_bomb")])
    if any(part.filename in _MACRO_PARTS for part in parts) or b"macroEnabled" in (
            _content_types(package, parts)):
        raise InputError([Problem(label, None, "a macro-enabled workbook saved as .xlsx "
                                  "(macros are never run)", "an .xlsx without macros",
                                  code="export_type")])


def _content_types(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> bytes:
    info = next((p for p in parts if p.filename == "[Content_Types].xml"), None)
    return b"" if info is None else package.read(info)


# A DTD or entity; a formula (<f>, or <x:f> under any namespace prefix, however long: the
# pattern starts at the colon); an error cell (t="e"). Every part is scanned, wherever a
# hostile package may put its sheets. A match in text ("note:f ") only costs the careful
# pass, which then finds nothing; a real tag is never missed, as "<" is escaped in text.
_CAREFUL = re.compile(rb"<!DOCTYPE|<!ENTITY|[<:]f[\s/>]|\st\s{0,20}=\s{0,20}[\"']e[\"']")
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any match, so one split across two chunks is still found


def _needs_care(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    tail = b""
    with package.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _CAREFUL.search(tail + chunk):
                return True
            tail = chunk[-_OVERLAP:]
    return False


Seen = dict[int, set[int]]  # by row a person sees: the column indexes of the cells it holds


def _careful_pass(path: Path, label: str, options: ReadOptions,
                  progress: Progress) -> tuple[dict[Place, Problem], Seen]:
    """openpyxl through defusedxml: every formula and error cell named, entities refused;
    and where openpyxl found a cell (see _misplaced)."""
    # The file is opened here, not by openpyxl, so that it is closed whatever openpyxl
    # raises on a hostile file (it leaves its own handle open when loading fails).
    with path.open("rb") as handle:
        workbook = _open_workbook(handle, label)
        try:
            sheet = _sheet(workbook.sheetnames, options.sheet, label, workbook.worksheets[0].title)
            rows = workbook[sheet]
            rows.reset_dimensions()  # read every cell, whatever size the file claims
            refused: dict[Place, Problem] = {}
            seen: Seen = {}
            header: tuple[str, ...] = ()
            for number, cells in _numbered(rows.iter_rows(), progress):
                if held := {i for i, c in enumerate(cells) if c.value is not None}:
                    seen[number] = held
                if number == options.header_row:
                    header = tuple("" if _kind(c) in ("f", "e") else text_of(c.value)
                                   for c in cells)
                refused |= _cell_problems(cells, number, header, label, sheet)
        except (InputError, UsageError):
            raise
        except Exception as exc:  # a malformed part: openpyxl may raise anything at all
            raise _unreadable(label, exc) from None
        finally:
            workbook.close()
    return refused, seen


def _open_workbook(handle: BinaryIO, label: str) -> Any:
    import openpyxl  # costly to import; only a workbook that needs care needs it

    require_defused_xml(openpyxl.DEFUSEDXML, openpyxl.LXML, f"to read {label}")
    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=False, keep_links=False,
                                      keep_vba=False)
    except Exception as exc:  # openpyxl raises many kinds for a malformed or hostile file
        raise _unreadable(label, exc) from None


def _unreadable(label: str, exc: BaseException) -> InputError:
    """The problem of a workbook that could not be read; the first cause says why."""
    causes = _causes(exc)
    if any(isinstance(cause, DefusedXmlException) for cause in causes):
        what = "unsafe XML inside the workbook (entities or a DTD)"
    else:
        root = causes[-1]
        # Its first line only: openpyxl's messages go on to name paths on this machine.
        reason = str(root).splitlines()[0][:200] if str(root) else "no reason given"
        what = f"cannot be read as an .xlsx workbook ({type(root).__name__}: {reason})"
    return InputError([Problem(label, None, what, "an .xlsx saved by Excel, Microsoft Forms "
                               "or Google Sheets", code="export_unreadable")])


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from or during, outermost first."""
    chain = [exc]
    while (cause := chain[-1].__cause__ or chain[-1].__context__) and len(chain) < 10:
        chain.append(cause)
    return chain


def _sheet(names: list[str], wanted: str | None, label: str, first: str) -> str:
    if wanted is None:
        return first
    if wanted not in names:
        raise InputError([Problem(label, None, f"no sheet {wanted!r}", closest(wanted, names),
                                  code="export_sheet")])
    return wanted


def _calamine_export(path: Path, label: str, options: ReadOptions,
                     refused: dict[Place, Problem], seen: Seen | None) -> Export:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        worksheets = [m.name for m in workbook.sheets_metadata
                      if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        name = _sheet(workbook.sheet_names, options.sheet, label,
                      worksheets[0] if worksheets else workbook.sheet_names[0])
        # skip_empty_area=False: the first list is row 1 and every list starts at column A.
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        workbook.close()
    except InputError:
        raise
    except Exception as exc:  # calamine's errors (zip, XML, sheet) all mean "not readable"
        raise _unreadable(label, exc) from None
    if seen is not None:
        _misplaced(values, seen, label, name)
    return _assembled(path, label, name, enumerate(values, 1), options.header_row, refused)


def _misplaced(values: Sequence[Sequence[CellValue]], seen: Seen, label: str,
               sheet: str) -> None:
    """Refuse a workbook whose cells calamine finds where openpyxl found none.

    openpyxl reads a sheet's rows, and a row's cells, in the order they are written: one
    written after a later one (rows 3 then 2, or cells B2 then A2, as no spreadsheet
    program writes them) it passes over, so a formula there would go unnamed, and calamine,
    which places each cell by its reference, would read its cached value.
    """
    misplaced = [(number, i) for number, row in enumerate(values, 1)
                 for i, value in enumerate(row)
                 if text_of(value) and i not in seen.get(number, ())]
    if misplaced:
        number, index = misplaced[0]
        more = f" (and {len(misplaced) - 1:,} more cells)" if len(misplaced) > 1 else ""
        raise InputError([Problem(
            label, number, f"cell {sheet_cell(sheet, number, index)}{more} is out of the "
            "order of the sheet's rows and cells, where a formula could go unseen",
            "an .xlsx saved by Excel, Microsoft Forms or Google Sheets", code="export_type")])


def _assembled(path: Path, label: str, sheet: str,
               numbered: Iterable[tuple[int, Sequence[CellValue]]],
               header_row: int, refused: dict[Place, Problem]) -> Export:
    """The header at ``header_row`` and every non-blank row below it; a refused cell is
    empty (calamine shows a formula's cached value, which is never to be read)."""
    header: tuple[str, ...] = ()
    rows: list[ExportRow] = []
    for number, values in numbered:
        if refused:
            values = [None if (number, i) in refused else v for i, v in enumerate(values)]
        if number == header_row:
            header = tuple(text_of(v) for v in values)
        elif number > header_row and any(text_of(v) for v in values):
            width = max(len(header), len(values))
            rows.append(ExportRow(number, tuple(values) + (None,) * (width - len(values))))
    problems = _header_problems(header, label, header_row)
    problems += _cells_past_header(rows, header, label, sheet)
    if problems:
        raise InputError(problems)
    return Export(label, path.name, header, tuple(rows), sheet, tuple(refused.values()),
                  frozenset(refused))


def text_of(value: CellValue) -> str:
    return "" if value is None else str(value).strip()


def _numbered(rows: Iterable[Any], progress: Progress) -> Iterator[tuple[int, Any]]:
    for number, cells in enumerate(rows, 1):
        if number % PROGRESS_EVERY == 0:
            progress(f"checked {number:,} rows for formulas")
        yield number, cells


def _kind(cell: Any) -> str:
    return str(getattr(cell, "data_type", "n"))  # an empty cell has no type: a number's


def _cell_problems(cells: Any, number: int, header: tuple[str, ...], label: str,
                   sheet: str) -> dict[Place, Problem]:
    """A problem for each formula or error cell of a row (never evaluated), by its place."""
    problems = {}
    for index, cell in enumerate(cells):
        kind = _kind(cell)
        if kind not in ("f", "e"):
            continue
        where = sheet_cell(sheet, number, index)
        column = header[index] if index < len(header) and header[index] else column_letter(index)
        shown = str(getattr(cell.value, "text", cell.value))[:60]
        if kind == "f":
            problems[number, index] = Problem(
                label, number, f"cell {where}: a formula ({shown}); formulas are never "
                "evaluated", "the value itself (paste as values)", code="formula",
                column=column)
        else:
            problems[number, index] = Problem(
                label, number, f"cell {where}: an error value ({shown})",
                "the value itself (paste as values, or fill the answer in)",
                code="error_cell", column=column)
    return problems


def _cells_past_header(rows: list[ExportRow], header: tuple[str, ...], label: str,
                       sheet: str) -> list[Problem]:
    problems = []
    for row in rows:
        for index in range(len(header), len(row.cells)):
            if row.cells[index] not in (None, ""):
                problems.append(Problem(label, row.number, f"cell "
                                        f"{sheet_cell(sheet, row.number, index)} has no "
                                        "header above it",
                                        "a header for every column that holds answers",
                                        code="export_header"))
    return problems
