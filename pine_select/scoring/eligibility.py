"""Eligibility gates (SPEC 2.2): every gate must hold, or the application is ineligible.

A gate that cannot be judged because the application lacks the field fails, with a reason
that says so: an applicant who leaves out ``based_in_england`` has not shown that they are.
Comparisons are strict about types, so ``equals: true`` is not met by ``1`` or ``"yes"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeGuard

from pine_select.model.application import MISSING, Application, field_value
from pine_select.model.rubric import Gate


@dataclass(frozen=True)
class GateFailure:
    gate: str
    reason: str  # "ineligible: gate in_england (facts.based_in_england is false; expected true)"


def gate_failures(app: Application, gates: tuple[Gate, ...],
                  judged: GateMemo | None = None) -> tuple[GateFailure, ...]:
    """The gates ``app`` fails, in rubric order, each with its reason in plain words.

    ``judged``: the verdicts already reached on other applications of the call (a gate's
    verdict depends only on the gate and the value), filled in as new values are met.
    """
    failures = []
    for gate in gates:
        value = field_value(app, gate.field)
        key = _value_key(value)
        if key is None or judged is None:
            failure = _failure(value, gate)
        else:
            failure = judged.get((gate.id, key), _UNJUDGED)
            if failure is _UNJUDGED:
                failure = judged[(gate.id, key)] = _failure(value, gate)
        if failure is not None:
            failures.append(failure)
    return tuple(failures)


GateMemo = dict[tuple[str, Hashable], "GateFailure | None"]
_UNJUDGED: Any = object()  # not yet judged (None is a verdict: the gate holds)


def _failure(value: object, gate: Gate) -> GateFailure | None:
    reason = _reason(value, gate)
    return None if reason is None else GateFailure(gate.id, reason)


def _value_key(value: object) -> Hashable | None:
    """What decides a gate's verdict and the reason's text: the value with the type of
    each part (True is not 1) and a float's spelling (-0.0 equals 0.0 but shows
    otherwise). None: a value not to remember (none such comes from a valid file)."""
    if isinstance(value, tuple):
        parts = tuple(map(_value_key, value))
        return None if None in parts else (tuple, parts)
    if isinstance(value, float):
        return (float, repr(value))
    if value is None or value is MISSING or isinstance(value, str | int):
        return (type(value), value)
    return None


def failed_gate_reason(app: Application, gate: Gate) -> str | None:
    """Why ``app`` fails ``gate``, or None when it passes."""
    return _reason(field_value(app, gate.field), gate)


def _reason(value: object, gate: Gate) -> str | None:
    unmet = [name for name in gate.conditions()
             if value is MISSING or not _CHECKS[name](value, gate)]
    if not unmet:
        return None
    seen = "missing" if value is MISSING else show(value)
    expected = " and ".join(_EXPECTATIONS[name](gate) for name in unmet)
    return f"ineligible: gate {gate.id} ({gate.field} is {seen}; expected {expected})"


def show(value: object) -> str:
    """A value as the rubric's author wrote it: true, 14, "London", ["a", "b"], null."""
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


def same(a: object, b: object) -> bool:
    """Equality that does not let True pass for 1 (Python's bool is an int)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals(value: object, gate: Gate) -> bool:
    return same(value, gate.equals)


def _in(value: object, gate: Gate) -> bool:
    allowed = gate.in_ or ()
    # A list field (age_groups) is in the set when every one of its values is.
    items = value if isinstance(value, tuple) else (value,)
    return bool(items) and all(any(same(v, a) for a in allowed) for v in items)


def _at_least(value: object, gate: Gate) -> bool:
    return _is_number(value) and gate.at_least is not None and value >= gate.at_least


def _at_most(value: object, gate: Gate) -> bool:
    return _is_number(value) and gate.at_most is not None and value <= gate.at_most


def _not_empty(value: object, gate: Gate) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not (isinstance(value, tuple) and not value)


_CHECKS: dict[str, Callable[[object, Gate], bool]] = {
    "equals": _equals, "in": _in, "at_least": _at_least, "at_most": _at_most,
    "not_empty": _not_empty,
}
_EXPECTATIONS: dict[str, Callable[[Gate], str]] = {
    "equals": lambda g: show(g.equals),
    "in": lambda g: "one of " + ", ".join(show(v) for v in g.in_ or ()),
    "at_least": lambda g: f"at least {show(g.at_least)}",
    "at_most": lambda g: f"at most {show(g.at_most)}",
    "not_empty": lambda g: "a value",
}
