"""Every error pine-select raises on purpose, in one tree.

    PineSelectError                 base: catch this to catch everything below
    ├── InputError                  the call's files (or options) are wrong; carries every Problem
    ├── UsageError                  an option or argument makes no sense (e.g. --weights x=-1)
    ├── SolverError                 the solver failed or ran out of time before proving optimality
    ├── PackError                   a briefing pack cannot be written or read
    └── SaveError                   the tuning page cannot save a tuned rubric (serve)

The CLI maps the tree to exit codes in one place (``cli.py``): InputError and UsageError
exit 2, the rest exit 2 too unless the library returned a negative answer (exit 1), which
is a result, not an exception.

A :class:`Problem` is one thing wrong with one place in one file. Loaders collect all of
them before raising, so a user fixes a broken call in one pass rather than one error a run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where it is, and what was expected instead."""

    file: str
    line: int | None
    message: str
    expected: str = ""
    code: str = field(default="invalid", compare=False)
    severity: Severity = field(default=Severity.ERROR, compare=False)
    # The column of a row of a spreadsheet or export (its header): FILE:ROW:COLUMN.
    column: str | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is not None:
            place = f"{place}:{self.column}"
        text = f"{place}: {self.message}"
        return escaped(f"{text}; expected {self.expected}" if self.expected else text)

    def sort_key(self) -> tuple[str, int, str, str]:
        """File, then line (a whole-file problem first), then column, then message."""
        return (self.file, self.line or 0, self.column or "", self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "expected": self.expected,
            # Only problems in a spreadsheet's cells have one: other keys stay as they were.
            **({"column": self.column} if self.column is not None else {}),
        }


def escaped(text: str) -> str:
    """``text`` on one line, safe for a terminal: control and format characters escaped.

    A file name may hold a newline (which would split a problem over two lines), a bidi
    mark or a byte that is not UTF-8 (a lone surrogate, which cannot be printed at all).
    """
    if text.isprintable():
        return text
    return "".join(map(_escaped_character, text))


def _escaped_character(char: str) -> str:
    if char.isprintable():
        return char
    if 0xDC80 <= ord(char) <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's escape)
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1]


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return p.resolve().relative_to(_resolved(os.getcwd())).as_posix()
    except ValueError:
        return p.as_posix()


@lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    # Resolving the working folder once per folder, not once per file: 10,000 application
    # files otherwise spend a fifth of a second on it.
    return Path(folder).resolve()


class PineSelectError(Exception):
    """Base of every error pine-select raises on purpose."""

    exit_code = 2


class InputError(PineSelectError):
    """The inputs are invalid. ``problems`` lists every problem found, sorted by place."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(PineSelectError):
    """An option or argument is wrong (the message says which and what was expected).

    ``option`` names the run option at fault as a field (``weights``, ``size``,
    ``explain_limit``), which the message starts with; the CLI says which flag that is.
    """

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class SolverError(PineSelectError):
    """The solver failed, or stopped before proving its answer optimal."""


class PackError(PineSelectError):
    """A briefing pack cannot be written, or a pack folder cannot be read."""


class SaveError(PineSelectError):
    """The tuning page could not save a tuned rubric (nothing was written)."""
