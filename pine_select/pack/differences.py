"""What differs between a pack's file and its re-run: fields of results.json, lines of the rest.

``verify`` names a file that does not re-run; an auditor then needs to know where. For
JSON the first differing fields are named by their path (``select.total_score``) with both
values; for text the first differing lines by number, each shown around the column where
it first differs (a change late in a long line would hide behind its start). Both are cut
short: a pack made from other inputs differs everywhere, and a few places say enough.
Untrusted content is shown through ``repr``, cut to a few dozen characters, so it can
neither flood nor forge lines.
"""

from __future__ import annotations

import json
from typing import Any

MOST_PLACES = 5
SHOWN_CHARACTERS = 40
CONTEXT_BEFORE = 10  # characters shown before the first differing column


def differences(name: str, found: bytes | None, rerun: bytes) -> tuple[str, ...]:
    """Up to MOST_PLACES sentences saying where ``found`` and ``rerun`` differ."""
    if found is None or name.endswith(".pdf"):
        return ()
    if name.endswith(".json"):
        places = _json_places(found, rerun)
        if places is not None:
            return places
    return _line_places(found, rerun)


def _json_places(found: bytes, rerun: bytes) -> tuple[str, ...] | None:
    try:
        ours, theirs = json.loads(found), json.loads(rerun)
    except (ValueError, RecursionError):
        return None  # not JSON any more: compare it as lines
    places: list[str] = []
    _walk("", ours, theirs, places)
    return tuple(places[:MOST_PLACES])


def _walk(path: str, ours: Any, theirs: Any, places: list[str]) -> None:
    if len(places) >= MOST_PLACES or ours == theirs:
        return
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs), key=str):
            _walk(f"{path}.{key}" if path else str(key), ours.get(key), theirs.get(key), places)
        return
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            _walk(f"{path}[{index}]", mine, other, places)
        return
    places.append(f"{path or '(the whole file)'}: {_shown(ours)} in the pack, "
                  f"{_shown(theirs)} on re-run")


def _line_places(found: bytes, rerun: bytes) -> tuple[str, ...]:
    ours = found.decode("utf-8", "replace").splitlines()
    theirs = rerun.decode("utf-8", "replace").splitlines()
    places = [_line_place(number, mine, other)
              for number, (mine, other) in enumerate(zip(ours, theirs, strict=False), start=1)
              if mine != other]
    if len(ours) != len(theirs):
        places.append(f"{len(ours)} lines in the pack, {len(theirs)} on re-run")
    return tuple(places[:MOST_PLACES])


def _line_place(number: int, mine: str, other: str) -> str:
    column = next((at for at, (a, b) in enumerate(zip(mine, other, strict=False)) if a != b),
                  min(len(mine), len(other)))
    start = max(0, column - CONTEXT_BEFORE)
    return (f"line {number}, column {column + 1}: {_window(mine, start)} in the pack, "
            f"{_window(other, start)} on re-run")


def _window(line: str, start: int) -> str:
    """``line`` from ``start``, escaped and cut, with "..." where it was cut."""
    shown = _shown(line[start:])
    return f"...{shown}" if start else shown


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "..."
