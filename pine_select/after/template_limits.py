"""How much work a funder's letter template may do, and what it may call.

A template is someone else's program: the sandbox (``letter_render.py``) keeps it away from
Python's internals, and these limits keep it from hanging the run or filling the memory.
A letter is a few pages, so the limits are far above what a real template needs:

- ``MAX_STEPS`` steps for one letter, a step being one loop iteration, one call, or each
  1,000 characters of text an operation makes (nested loops, a macro calling itself
  twice, a text doubled in a loop all run out);
- ``MAX_TEXT`` characters for one value a template makes (``'a' * n``, ``x ~ x``,
  ``'%999999999s'|format(1)``, ``|center``, ``|indent``, ``|replace``, ``|join``,
  ``|wordwrap``) and ``MAX_LETTER`` for the letter as rendered;
- ``MAX_WIDTH`` for a format's width or precision, ``MAX_ITEMS`` for ``|batch``'s and
  ``|slice``'s counts, integers of at most ``MAX_INT_BITS`` bits.

Each is checked before the work is done: a refused template fails at once. Methods of
the letter's values (texts, numbers, lists) may be called only if they are in
``SAFE_METHODS`` (``str.format`` is not: the ``format`` filter is bounded instead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MAX_STEPS = 50_000
MAX_TEXT = 1_000_000
MAX_LETTER = 2_000_000
MAX_WIDTH = 1_000
MAX_ITEMS = 100_000
MAX_INT_BITS = 4_096
TEXT_PER_STEP = 1_000

SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({
        "capitalize", "casefold", "center", "count", "endswith", "find", "index", "isalnum",
        "isalpha", "isascii", "isdecimal", "isdigit", "islower", "isnumeric", "isspace",
        "istitle", "isupper", "join", "ljust", "lower", "lstrip", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
        "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
        "title", "upper", "zfill"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
}
# A printf-style conversion: its width and precision (a "*" takes them from the arguments).
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


class TooCostly(Exception):
    """A template asked for more than a letter may take (the message says what)."""


def check_text(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise TooCostly(f"{what} would make a text of about {size:,} characters "
                        f"(at most {MAX_TEXT:,})")


def check_width(width: Any, what: str) -> None:
    size = len(width) if isinstance(width, str) else width
    if isinstance(size, int) and size > MAX_WIDTH:
        raise TooCostly(f"{what}: a width of {size:,} (at most {MAX_WIDTH:,})")


def check_count(count: Any, what: str) -> None:
    if isinstance(count, int) and count > MAX_ITEMS:
        raise TooCostly(f"{what}: a count of {count:,} (at most {MAX_ITEMS:,})")


def check_printf(text: str, what: str = "a format") -> None:
    """Widths and precisions of a printf-style format (``'%5.2f'``) within ``MAX_WIDTH``."""
    for conversion in _PRINTF.finditer(text):
        for number in conversion.groups():
            if number == "*":
                raise TooCostly(f"{what}: a width taken from the arguments ('*') is not "
                                "allowed")
            if number is not None:
                check_width(int(number), what)


def length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def check_binop(operator: str, left: Any, right: Any) -> None:
    """``left operator right`` would not make a too-long text or list, or a huge integer."""
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "*":
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TooCostly(f"a product of too many digits (at most {MAX_INT_BITS:,} bits)")
        for seq, times in ((left, right), (right, left)):
            if isinstance(times, int) and not isinstance(times, bool) and length(seq):
                check_text(length(seq) * times, "repeating a text or list")
    elif operator == "**" and ints and abs(left) > 1 and right > 0 \
            and right * left.bit_length() > MAX_INT_BITS:
        raise TooCostly(f"a power of too many digits (at most {MAX_INT_BITS:,} bits)")
    elif operator == "+":
        check_text(length(left) + length(right), "joining two texts or lists")
    elif operator == "%" and isinstance(left, str):
        check_printf(left)


def joined_size(parts: Iterable[Any]) -> int:
    return sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts)


def check_method(obj: Any, args: tuple[Any, ...]) -> None:
    """A method of one of the letter's values may be called (``SAFE_METHODS``), and
    within the limits."""
    obj = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner = getattr(obj, "__self__", None)
    kind = next((t for t in SAFE_METHODS if isinstance(owner, t)), None)
    if kind is None:
        if isinstance(owner, int | float | bytes | set | frozenset):
            raise TooCostly(f"calling {type(owner).__name__}.{obj.__name__} is not allowed")
        return  # not a method of a value: Jinja's own objects (macros, loop, cycler)
    name = getattr(obj, "__name__", "")
    if name not in SAFE_METHODS[kind]:
        raise TooCostly(f"calling {kind.__name__}.{name} is not allowed"
                        + (" (use the format filter)" if name.startswith("format") else ""))
    if name in ("center", "ljust", "rjust", "zfill") and args:
        check_width(args[0], f"str.{name}")
    elif name == "replace" and len(args) >= 2:
        check_text(replaced_size(owner, *args[:3]), "str.replace")
    elif name == "join" and args and isinstance(args[0], list | tuple):
        check_text(joined_size(args[0]) + len(str(owner)) * len(args[0]), "str.join")


def wrapped_size(text: Any, wrapstring: Any) -> int:
    """At most one line per character, each ended by ``wrapstring``."""
    return len(str(text)) + (len(str(text)) + 1) * max(1, len(str(wrapstring or "")))


def replaced_size(text: Any, old: Any, new: Any, count: Any = None) -> int:
    text, old, new = str(text), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(0, len(new) - len(old))
