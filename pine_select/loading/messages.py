"""Pydantic's validation errors as problems: the file, the line of the bad value, in words.

Every message says what is wrong and what was expected instead, in the user's terms (the
keys of the file, not pydantic's locations), and never prints a value so long that it
would swamp the line.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pine_select.errors import Problem
from pine_select.loading.yaml_source import YamlDocument
from pine_select.model.base import MAX_POUNDS
from pine_select.model.ids import (
    CRITERION_ID_EXPECTED,
    CRITERION_ID_PATTERN,
    GRANT_PREFIX_PATTERN,
    ID_EXPECTED,
    ID_PATTERN,
    ORG_ID_EXPECTED,
    ORG_ID_PATTERN,
)


def row_problems(exc: ValidationError, label: str, line: int) -> list[Problem]:
    """The problems of one CSV row (``line`` of ``label``) that its model refused."""
    problems = []
    for error in exc.errors():
        column = str(error["loc"][0]) if error["loc"] else "row"
        details = dict(error)
        problems.append(Problem(label, line, f"{column}: {_describe(details)}",
                                _expectation(details), code="csv_value"))
    return problems


def validation_problems(exc: ValidationError, doc: YamlDocument, label: str) -> list[Problem]:
    """Turn pydantic's errors into problems that name the line of each bad value."""
    merged: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for error in exc.errors():
        path = _data_path(doc.data, error["loc"], missing=error["type"] == "missing")
        merged.setdefault(path, []).append(dict(error))
    problems = []
    for path, all_errors in merged.items():
        where = ".".join(str(p) for p in path) or "the file"
        line = doc.line_of(path)
        # A value of a union (size: 8 or {min, max}) that has the type of one branch is
        # judged by that branch alone: "not a valid integer" of a mapping is noise.
        errors = [e for e in all_errors if not e["type"].endswith("_type")] or all_errors
        first = errors[0]
        message = " or ".join(dict.fromkeys(_describe(e) for e in errors))
        problems.append(Problem(label, line, f"{where}: {message}", _expectation(first),
                                code=str(first["type"])))
    return problems


def _data_path(data: Any, loc: tuple[Any, ...], missing: bool) -> tuple[str, ...]:
    """The part of pydantic's ``loc`` that is a real path into the data.

    Pydantic inserts union-branch and validator names (``int``, ``function-after[...]``)
    into ``loc``; they are not keys of the file, so they are skipped.
    """
    path: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        if _has_step(node, part):
            node = node[part]
        elif isinstance(node, dict) and part == "in_" and "in" in node:
            part, node = "in", node["in"]
        elif not (missing and index == len(loc) - 1):
            continue
        path.append(part)
    return tuple(path)


def _has_step(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    if kind == "missing":
        return "missing"
    if _is_id_mismatch(error):
        return f"{shown(value)} is not a valid id{_first_foreign(value)}"
    shaped = _SHAPED.get(_pattern_of(error) or "")
    if kind == "string_pattern_mismatch" and shaped is not None:
        return f"{shown(value)} is not {shaped[0]}"
    if kind == "string_pattern_mismatch":
        return f"{shown(value)} is blank"
    if kind in _OUT_OF_RANGE:
        return f"{shown(value)} is {_OUT_OF_RANGE[kind]} {_number(error['ctx'][_BOUND[kind]])}"
    if kind in ("string_too_short", "too_short") and not value:
        return "the value is empty"
    if kind == "literal_error":
        return f"{shown(value)} is not one of the allowed values"
    message = _model_message(error)[0]
    if kind.endswith("_type") and value is not None and not isinstance(value, dict | list):
        return f"{message[0].lower()}{message[1:]}, got {shown(value)}"
    return message[0].lower() + message[1:]


def shown(value: object) -> str:
    """``repr(value)``, cut short: a 5,000-digit cell must not make a 5,000-character line."""
    text = repr(value)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else "cut short"
    return f"{text[:SHOWN_CHARACTERS - 20]}... ({size})"


SHOWN_CHARACTERS = 60


def _expectation(error: dict[str, Any]) -> str:
    """What to write instead: never empty, so every problem says what was expected."""
    kind = error["type"]
    fixed = _FIXED_EXPECTATIONS.get(kind)
    if fixed is not None:
        return fixed
    if kind == "string_pattern_mismatch":
        return _pattern_expected(error)
    key = str(error["loc"][-1]) if error["loc"] else ""
    if key in _MONEY_KEYS and kind in (*_OUT_OF_RANGE, "int_type", "int_from_float"):
        return f"a whole number of pounds, from 0 to {MAX_POUNDS:,}"
    if kind in _OUT_OF_RANGE:
        return "a fraction from 0 to 1" if key.startswith("share_") else _range_expected(error)
    return _other_expected(error, key)


_FIXED_EXPECTATIONS = {
    "extra_forbidden": "only the keys of the SPEC (see docs/formats.md)",
    "missing": "this key to be given",
}


# Patterns of a shape other than an id: what a value fails to be, and what to write.
_SHAPED = {
    ORG_ID_PATTERN: ("an organisation identifier", ORG_ID_EXPECTED),
    GRANT_PREFIX_PATTERN: ("a 360Giving prefix", "360G- then the code 360Giving gave you, "
                           "e.g. 360G-ABC"),
}


def _pattern_of(error: dict[str, Any]) -> str | None:
    pattern = error.get("ctx", {}).get("pattern")
    return pattern if isinstance(pattern, str) else None


def _pattern_expected(error: dict[str, Any]) -> str:
    shaped = _SHAPED.get(_pattern_of(error) or "")
    if shaped is not None:
        return shaped[1]
    if not _is_id_mismatch(error):
        return "some text"
    return CRITERION_ID_EXPECTED if error["ctx"]["pattern"] == CRITERION_ID_PATTERN else (
        ID_EXPECTED)


def _other_expected(error: dict[str, Any], key: str) -> str:
    """The expectation for a length, an allowed value, a model's own rule or a type."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind in ("string_too_short", "string_too_long"):
        return _length_expected(ctx, "character", "a reason in words" if key == "reason"
                                else "some text, not left empty")
    if kind in ("too_short", "too_long"):
        return _length_expected(ctx, "item", "a list of at least one item")
    if kind == "literal_error":
        return "true, or leave the key out" if ctx.get("expected") == "True" else (
            f"one of {ctx.get('expected', 'the values in docs/formats.md')}")
    if kind == "value_error":
        return _model_message(error)[1]
    return _TYPE_EXPECTATIONS.get(kind, "a value as described in docs/formats.md")


# Words for pydantic's range errors, and the name of the bound in the error's context.
_OUT_OF_RANGE = {"greater_than_equal": "below", "greater_than": "not above",
                 "less_than_equal": "above", "less_than": "not below"}
_BOUND = {"greater_than_equal": "ge", "greater_than": "gt",
          "less_than_equal": "le", "less_than": "lt"}
_MONEY_KEYS = ("requested_amount", "budget")


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _range_expected(error: dict[str, Any]) -> str:
    ctx = error["ctx"]
    words = {"ge": "{} or more", "gt": "above {}", "le": "at most {}", "lt": "below {}"}
    return "a number " + " and ".join(words[bound].format(_number(ctx[bound]))
                                      for bound in ("ge", "gt", "le", "lt") if bound in ctx)


def _length_expected(ctx: dict[str, Any], unit: str, not_empty: str) -> str:
    if ctx.get("min_length") == 1:
        return not_empty
    if "max_length" in ctx:
        return f"at most {ctx['max_length']} {unit}s"
    return f"at least {ctx.get('min_length', 1)} {unit}s"


def _model_message(error: dict[str, Any]) -> tuple[str, str]:
    """A model's own message split into what is wrong and what was expected.

    The models' validators write ``what is wrong; expected what`` (see model/rubric.py).
    """
    message = str(error["msg"]).removeprefix("Value error, ")
    wrong, _, expected = message.partition("; expected ")
    return wrong, expected or "a value as described in docs/formats.md"


# What to write instead of a value of the wrong type (strict models convert nothing).
_TYPE_EXPECTATIONS = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false, unquoted (yes, no, on and off are text)",
    "bool_parsing": "true or false, unquoted (yes, no, on and off are text)",
    "string_type": "text (in quotes if it looks like a number)",
    "dict_type": "keys and values (a mapping)",
    "model_type": "keys and values (a mapping)",
    "model_attributes_type": "keys and values (a mapping)",
    "tuple_type": "a list",
    "list_type": "a list",
    "none_required": "nothing (leave the value out)",
}


def _first_foreign(value: object) -> str:
    """Which character makes an id invalid, when ``repr`` would not show it.

    A Cyrillic "a" (U+0430) prints as a Latin "a": without its code point the message would show
    an id that looks valid.
    """
    if not isinstance(value, str):
        return ""
    for position, char in enumerate(value, 1):
        if not (char.isascii() and (char.isalnum() or char in "._-")):
            return f" (character {position} is U+{ord(char):04X}, not allowed)"
    return ""


def _is_id_mismatch(error: dict[str, Any]) -> bool:
    # Only the id patterns are worth explaining; other patterns (a reason) mean "not blank".
    pattern = error.get("ctx", {}).get("pattern")
    return error["type"] == "string_pattern_mismatch" and pattern in (ID_PATTERN,
                                                                      CRITERION_ID_PATTERN)
