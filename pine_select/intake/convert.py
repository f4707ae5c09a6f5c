"""Turn one cell of an export into the value an application holds (SPEC section 8 types).

Each conversion returns the value or raises :class:`Unfit` saying what is wrong with the
cell and what was expected; the importer adds the row and column. Nothing is guessed:
``45,000.50`` is refused (pence must be zero), not rounded; ``1,5`` is refused, not read
as 15 or 1.5.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pine_select.intake.export import CellValue
from pine_select.intake.mapping import fold
from pine_select.loading.checks import closest
from pine_select.model.base import ID_PATTERN, MAX_POUNDS

MAX_INTEGER = 10**15  # far above any count a form asks for; bounds what a typo can do
_MAX_DIGITS = 16  # more digits than this is too big whatever it says: no costly int()


class Unfit(Exception):
    """A cell that does not convert: what is wrong, and what was expected."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message, self.expected = message, expected


def text(value: CellValue) -> str:
    """The cell as text, trimmed ("" when empty); numbers as a person reads them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# A number written with thousands split by commas or spaces (one kind in a number), or not.
_SPACES = " \u00a0\u202f"  # Polish and French amounts use no-break spaces
_GROUPED = re.compile(rf"[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]{{1,3}}(?:[{_SPACES}][0-9]{{3}})+"
                      r"|[0-9]+")
_CURRENCY = r"(?:[£$€]|zł|[A-Za-z]{3})"
_MONEY = re.compile(
    rf"(?P<minus>[-\u2212])?[{_SPACES}]*(?P<before>{_CURRENCY})?[{_SPACES}]*(?P<minus2>[-\u2212])?"
    rf"(?P<number>[0-9][0-9,{_SPACES}]*?)(?:\.(?P<fraction>[0-9]+))?"
    rf"[{_SPACES}]*(?P<after>{_CURRENCY})?", re.IGNORECASE)
MONEY_EXPECTED = ("a whole amount such as £45,000, 45000, 45,000.00 or 45 000 zł "
                  f"(from 0 to {MAX_POUNDS:,})")


def money(value: CellValue) -> int:
    """A whole amount of money from a cell (SPEC 8: sign or code either side; no pence)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _whole_amount(value)
    written = text(value)
    match = _MONEY.fullmatch(written)
    if match is None or (match["before"] and match["after"]):
        raise Unfit(f"{written!r} is not an amount", MONEY_EXPECTED)
    if match["minus"] or match["minus2"]:
        raise Unfit(f"{written!r} is negative", MONEY_EXPECTED)
    if match["fraction"] is not None and len(match["fraction"]) > 2:
        # 45.000 is forty-five thousand where a point splits thousands: never guess.
        raise Unfit(f"{written!r} has {len(match['fraction'])} digits after the point",
                    "pence as two digits (45,000.00), or thousands split by commas or spaces")
    if match["fraction"] and set(match["fraction"]) != {"0"}:
        raise Unfit(f"{written!r} has pence (.{match['fraction']})", "a whole number of "
                    "pounds (pence must be zero: round it in the export)")
    return _bounded(_digits(match["number"], written, MONEY_EXPECTED), written, MAX_POUNDS,
                    MONEY_EXPECTED)


def _whole_amount(number: int | float) -> int:
    if number < 0:
        raise Unfit(f"{number!r} is negative", MONEY_EXPECTED)
    if isinstance(number, float) and not number.is_integer():
        raise Unfit(f"{number!r} has pence", "a whole number of pounds (pence must be zero)")
    if number > MAX_POUNDS:
        raise Unfit(f"{number!r} is too big", MONEY_EXPECTED)
    return int(number)


def _digits(number: str, written: str, expected: str) -> int:
    """The value of digits grouped by thousands (``45,000``, ``45 000``) or not (``45000``)."""
    if not _GROUPED.fullmatch(number):
        raise Unfit(f"{written!r} has its thousands split oddly", expected)
    digits = re.sub(f"[,{_SPACES}]", "", number)
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        raise Unfit(f"{written!r} is too big", expected)
    return int(digits)


def _bounded(number: int, written: str, most: int, expected: str) -> int:
    if number > most:
        raise Unfit(f"{written!r} is too big", expected)
    return number


INTEGER_EXPECTED = f"a whole number such as 14 or 1,200 (at most {MAX_INTEGER:,} either way)"
_INTEGER = re.compile(rf"(?P<minus>[-\u2212])?[{_SPACES}]*(?P<number>[0-9][0-9,{_SPACES}]*)")


def integer(value: CellValue) -> int:
    """A whole number from a cell (``14``, ``1,200``, ``-3``; an .xlsx ``14.0``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise Unfit(f"{value!r} is not a whole number", INTEGER_EXPECTED)
        if abs(value) > MAX_INTEGER:
            raise Unfit(f"{value!r} is too big", INTEGER_EXPECTED)
        return int(value)
    written = text(value)
    match = _INTEGER.fullmatch(written)
    if match is None:
        raise Unfit(f"{written!r} is not a whole number", INTEGER_EXPECTED)
    number = _bounded(_digits(match["number"], written, INTEGER_EXPECTED), written,
                      MAX_INTEGER, INTEGER_EXPECTED)
    return -number if match["minus"] else number


_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})
BOOLEAN_EXPECTED = "yes or no (also true/false, y/n, 1/0, in any case)"


def boolean(value: CellValue) -> bool:
    """True or false from a cell (``Yes``, ``no``, ``TRUE``, ``y``, ``1``...)."""
    if isinstance(value, bool):
        return value
    written = text(value).casefold()
    if written in _TRUE:
        return True
    if written in _FALSE:
        return False
    raise Unfit(f"{text(value)!r} is not yes or no", BOOLEAN_EXPECTED)


def parts(written: str, separator: str) -> list[str]:
    """A multi-select cell's answers: split, trimmed, empty ones dropped (``A;B;``)."""
    found = (part.strip() for part in written.split(separator))
    return [part for part in found if part]


@dataclass(frozen=True)
class Vocabulary:
    """The values a categorical key may take: export text (any case) -> the call's value.

    Made from a mapping's ``values:`` and, with a rubric, the key's declared categories
    (their own spelling in any case, too). ``choices`` are offered when a text is unknown.
    """

    key: str
    lookup: dict[str, str]
    choices: tuple[str, ...]

    @classmethod
    def of(cls, key: str, values: dict[str, str], declared: Iterable[str]) -> Vocabulary:
        declared = tuple(declared)
        lookup = {fold(c): c for c in (*declared, *values.values())}
        lookup.update({fold(export): value for export, value in values.items()})
        choices = tuple(dict.fromkeys((*declared, *values.values(), *values)))
        return cls(key, lookup, choices)

    def __call__(self, written: str) -> str:
        found = self.lookup.get(fold(written))
        if found is None:
            raise Unfit(f"{written!r} is not a value of {self.key}", closest(written, self.choices))
        return found


ID_EXPECTED = ("a letter or digit, then up to 63 letters, digits, '.', '_' or '-' "
               "(an id names the application's file)")
_ID = re.compile(ID_PATTERN)
_WHOLE = re.compile(r"[0-9]{1,18}")


def application_id(value: CellValue, template: str | None) -> str:
    """The id of a row from its id cell; a whole number (even as text) fills ``{:03d}``."""
    if is_empty(value):
        raise Unfit("the id is empty", "an id for every application")
    written = text(value)
    made = written if template is None else _filled(template, written)
    if not _ID.fullmatch(made):
        raise Unfit(f"{made!r} is not a valid id", ID_EXPECTED)
    return made


def _filled(template: str, written: str) -> str:
    try:
        return template.format(int(written) if _WHOLE.fullmatch(written) else written)
    except ValueError:
        raise Unfit(f"{written!r} does not fit the id template {template!r}",
                    "a whole number (the template formats a number)") from None
