"""Safe, exact cells for any output: decimals, spreadsheet cells and terminal text.

Shared by every renderer so that a number shows the same way, and applicant text is made
harmless the same way, in every output. Numbers are rounded by ``scoring.rounding`` alone
(half up on the exact value): :func:`fixed` for text, :func:`json_number` for JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from fractions import Fraction

from pine_select.errors import UsageError
from pine_select.scoring.rounding import fixed, half_up, hundredths_text

__all__ = ["FORMULA_STARTS", "columns", "csv_text", "exact_number", "fixed", "json_number",
           "json_text", "points", "points_text", "require_defused_xml", "spreadsheet_cell",
           "spreadsheet_text", "starts_a_formula", "terminal_text"]

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection):
# `=HYPERLINK(...)` in an organisation's name must stay text when the panel opens the file.
# The full-width forms count (U+FF1D, U+FF0B, U+FF0D, U+FF20): spreadsheets set up for East
# Asian input can take them for formula starts (input methods fold them to ASCII). A tab or
# CR before a sign is dropped by some importers, and some trim leading spaces, leaving the
# sign first: a sign after spaces, tabs or line breaks is a formula start too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n",
                  "\uff1d", "\uff0b", "\uff0d", "\uff20")
_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_BLANKS = " \t\r\n\u3000"


def starts_a_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (the one home of this rule).

    Every writer of spreadsheet cells (CSV here, xlsx sheets) asks this, then neutralises
    the cell with :func:`spreadsheet_cell` (CSV) or a quote prefix (xlsx), its characters
    with :func:`spreadsheet_text` in both.
    """
    return text.startswith(FORMULA_STARTS) or text.lstrip(_BLANKS)[:1] in _SIGNS


# Characters that act on a terminal or on the order of what is shown, rather than being
# shown: C0 controls but the tab and line breaks a quoted cell keeps (ESC starts a terminal
# escape: a CSV printed to standard output could retitle or clear the screen; BEL rings),
# DEL, the C1 controls (U+009B is a one-character CSI), and the bidi embeddings, overrides,
# isolates and marks (U+202A-202E, U+2066-2069, U+200E/F, U+061C) that reorder a cell.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                       "\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"


def spreadsheet_text(text: str) -> str:
    """``text`` with every control and bidi character (``_CONTROLS``) as U+FFFD.

    The replacement character, one for one, rather than a space or nothing: a reader sees
    that something was there, and nothing else in the cell moves. Tabs and line breaks stay
    (a CSV writer quotes the cell; a leading one is a formula start, see below).
    """
    return _CONTROLS.sub(REPLACEMENT, text)


def spreadsheet_cell(value: object) -> str:
    """``value`` as cell text that Excel, LibreOffice and Sheets show as plain text.

    Control and bidi characters become U+FFFD (:func:`spreadsheet_text`); a cell that could
    start a formula gets a leading apostrophe, which every spreadsheet reads as "this is
    text" and does not show.
    """
    text = spreadsheet_text("" if value is None else str(value))
    return "'" + text if starts_a_formula(text) else text


def require_defused_xml(defusedxml: bool, lxml: bool, work: str) -> None:
    """Refuse ``work`` ("to read export.xlsx") unless openpyxl parses through defusedxml,
    never lxml: the one home of this rule, for every module that reads or writes a workbook.

    defusedxml refuses the entity tricks of an untrusted workbook; lxml, when installed,
    would parse and write through other code (other refusals, other bytes on a machine that
    happens to have it): pine_select/__init__.py sets OPENPYXL_LXML off before openpyxl is
    first imported. The caller passes ``openpyxl.DEFUSEDXML`` and ``openpyxl.LXML``, so
    that openpyxl stays behind the modules that use it (architecture.md).
    """
    if not defusedxml or lxml:
        raise UsageError("openpyxl is not parsing through defusedxml (is defusedxml "
                         "installed? is OPENPYXL_DEFUSEDXML set to False, or OPENPYXL_LXML to "
                         f"True?): refusing {work}; expected it, to read untrusted workbooks "
                         "and write the same bytes on every machine (unset them, or install "
                         "defusedxml)")


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """CSV with every cell neutralised (:func:`spreadsheet_cell`), lines ending in CRLF.

    CRLF (RFC 4180) also makes the writer quote any cell holding a lone CR or LF, so a
    line break inside applicant text cannot start a new row. Write the result as bytes
    (a text stream on Windows would turn CRLF into CR CR LF: a blank row in Excel).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(c) for c in header])
    writer.writerows([spreadsheet_cell(c) for c in row] for row in rows)
    return out.getvalue()


def json_text(data: object) -> str:
    """JSON laid out for reading and diffing: one record per line.

    Like ``json.dumps(indent=2)`` for the outer levels, but each record (an item of a list
    of objects) stays on one line: a 10,000-application result is 10,000 lines rather
    than 300,000, and is written by json's C encoder (``indent`` forces the slow Python
    one, a second at that size). Parsing gives exactly the same data.
    """
    return _json_node(data, 0)


def _json_node(node: object, depth: int) -> str:
    inner, outer = "  " * (depth + 1), "  " * depth
    if isinstance(node, dict) and node and depth < 2:
        items = [f"{inner}{_compact(key)}: {_json_node(value, depth + 1)}"
                 for key, value in node.items()]
        return "{\n" + ",\n".join(items) + "\n" + outer + "}"
    if (isinstance(node, list) and node and depth < 3
            and all(isinstance(item, dict | list) for item in node)):
        items = [inner + _json_node(item, depth + 1) for item in node]
        return "[\n" + ",\n".join(items) + "\n" + outer + "]"
    return _compact(node)


# One encoder for every value: json.dumps with options builds a new encoder per call,
# which is most of the cost of writing 10,000 small records. Reports are trees built
# afresh, so the check for cycles (a fifth of the encoding time) would never find one.
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False).encode


def _compact(value: object) -> str:
    return _ENCODE(value)


def json_number(value: Fraction | int | float, places: int) -> float:
    """``value`` rounded half up to ``places`` decimals, as a JSON number."""
    return half_up(value, places)


def exact_number(value: Fraction) -> int | float:
    """A weight as the user wrote it: 30 stays 30, 0.5 is 0.5."""
    return int(value) if value.denominator == 1 else float(value)


def neutralised(value: str, keep: str = "") -> str:
    """``value`` with every control or format character and every space but " " as a space.

    The one neutraliser of applicant text for display (terminal and HTML): escape codes,
    bidi embeddings, overrides, isolates and marks (U+202A-202E, U+2066-2069, U+200E/F,
    U+061C) and zero-width characters cannot reorder or hide what is shown. Characters in
    ``keep`` (the HTML keeps line breaks) stay as they are.
    """
    if value.isprintable():  # false exactly when a C or Z character other than " " is in it
        return value
    return "".join(" " if ch not in keep and unicodedata.category(ch)[0] in "CZ" and ch != " "
                   else ch for ch in value)


def terminal_text(value: str, width: int | None = None) -> str:
    """Applicant text safe for a terminal (no escape codes or line breaks), cut to ``width``."""
    clean = " ".join(neutralised(value).split())
    if width is not None and len(clean) > width:
        return clean[: width - 1] + "…"
    return clean


def columns(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """A plain-text table: padded columns (``right`` holds the right-aligned ones)."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if i in right else c.ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(padded).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def points(cents: int | None) -> float | None:
    """A score kept in hundredths (``total_cents``) as points, for JSON and templates."""
    return None if cents is None else float(hundredths_text(cents))


def points_text(cents: int) -> str:
    """A score kept in hundredths as text with 2 decimals (exact: no float on the way)."""
    return hundredths_text(cents)
