"""Eligibility gates (SPEC 2.2): every gate must hold, or the application is ineligible.

A gate that cannot be judged because the application lacks the field fails, with a reason
that says so: an applicant who leaves out ``based_in_england`` has not shown that they are.
Comparisons are strict about types, so ``equals: true`` is not met by ``1`` or ``"yes"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from pine_select.model.application import MISSING, Application, field_value
from pine_select.model.rubric import Gate


@dataclass(frozen=True)
class GateFailure:
    gate: str
    reason: str  # "ineligible: gate in_england (facts.based_in_england is false; expected true)"


def gate_failures(app: Application, gates: tuple[Gate, ...]) -> tuple[GateFailure, ...]:
    """The gates ``app`` fails, in rubric order, each with its reason in plain words."""
    failures = []
    for gate in gates:
        reason = failed_gate_reason(app, gate)
        if reason is not None:
            failures.append(GateFailure(gate.id, reason))
    return tuple(failures)


def failed_gate_reason(app: Application, gate: Gate) -> str | None:
    """Why ``app`` fails ``gate``, or None when it passes."""
    value = field_value(app, gate.field)
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
