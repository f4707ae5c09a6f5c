"""Write one application as YAML (SPEC 2.1): the same values always give the same bytes.

Written by hand rather than by a YAML library so that the layout is the SPEC's own (keys
in its order, ``age_groups: [a, b]``, answers as readable blocks) and fixed forever, not
whatever a library's next version prefers. Every text that a plain YAML value could
misread (``yes``, ``2019``, ``a: b``, a leading space) is quoted; :func:`render` then reads
its own output back with the project's strict loader and refuses to return text that does
not give back exactly the values it was given.
"""

from __future__ import annotations

import re
from typing import Any

from pine_select.loading.yaml_source import parse_yaml
from pine_select.model.application import Application, Contact, Organisation

_NESTED_ORDER = {"organisation": tuple(Organisation.model_fields),
                 "contact": tuple(Contact.model_fields)}

# Plain (unquoted) text: starts with a letter; letters, digits, spaces and a few marks.
_PLAIN = re.compile(r"[^\W\d_][\w ,.'()/&+-]*")
# Words that a YAML 1.1 or 1.2 reader takes for true, false or nothing.
_LITERALS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
# Characters YAML takes as a line break, or may not hold unescaped.
_BREAKS = frozenset("\n\r\x85\u2028\u2029")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}


class RenderError(AssertionError):
    """The written text does not read back as the values: a bug here, never bad input."""


def render(values: dict[str, Any], origin: str) -> str:
    """``values`` (an application's keys) as YAML under a comment naming their origin."""
    lines = [f"# {comment_text(origin)}"]
    for key in _ordered(values, tuple(Application.model_fields)):
        lines += _entry(key, values[key], 0, _NESTED_ORDER.get(key))
    text = "\n".join(lines) + "\n"
    _check_round_trip(text, values)
    return text


def yaml_scalar(value: Any, flow: bool = False) -> str:
    """One value as YAML (quoted where a plain value could be misread; ``flow``: in a list)."""
    return _scalar(value, flow)


def comment_text(text: str) -> str:
    """``text`` safe inside a YAML comment: a line break would end the comment."""
    return text if text.isprintable() else _double_quoted(text)


def _ordered(values: dict[str, Any], order: tuple[str, ...] | None) -> list[str]:
    if order is None:  # facts and answers: in the order the mapping gives them
        return list(values)
    return [key for key in order if key in values]


def _entry(key: str, value: Any, indent: int, order: tuple[str, ...] | None) -> list[str]:
    head = f"{' ' * indent}{_scalar(key, flow=False)}:"
    if isinstance(value, dict):
        nested = [line for sub in _ordered(value, order)
                  for line in _entry(sub, value[sub], indent + 2, None)]
        return [head, *nested]
    if isinstance(value, list):
        return [f"{head} [{', '.join(_scalar(item, flow=True) for item in value)}]"]
    if isinstance(value, str) and _fits_literal_block(value):
        body = " " * (indent + 2)
        return [f"{head} |-", *(body + line if line else "" for line in value.split("\n"))]
    return [f"{head} {_scalar(value, flow=False)}"]


def _scalar(value: Any, flow: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "null"
    text = str(value)
    if _is_plain(text) and not (flow and "," in text):
        return text
    return _double_quoted(text)


def _is_plain(text: str) -> bool:
    return (_PLAIN.fullmatch(text) is not None and not text.endswith(" ")
            and text.casefold() not in _LITERALS)


def _fits_literal_block(text: str) -> bool:
    """Whether ``text`` reads back exactly from a ``|-`` block: several plain lines.

    Not when it starts or ends with white space (the block's indentation and chomping
    would change it), has a line of only spaces, or a character that needs escaping.
    """
    if "\n" not in text or text != text.strip():
        return False
    lines = text.split("\n")
    return all(_printable(line) and (not line or line.strip()) and not line.endswith((" ", "\t"))
               for line in lines)


def _printable(line: str) -> bool:
    return line.isprintable() and "\ufeff" not in line


def _double_quoted(text: str) -> str:
    return '"' + "".join(_escaped(ch) for ch in text) + '"'


def _escaped(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable() and ch not in _BREAKS and ch != "\ufeff":
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _check_round_trip(text: str, values: dict[str, Any]) -> None:
    doc, problems = parse_yaml(text, "application")
    if problems or doc is None or doc.data != values:
        raise RenderError(f"the application YAML does not read back as written: {problems}")
