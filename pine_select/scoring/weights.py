"""What-if weights: ``promise=40,need=10`` replaces some or all of the rubric's weights.

Scaling every weight by the same factor changes no total, so weights need not sum to 100.
Weights are exact fractions: ``0.1`` means one tenth. This module is the one home of what a
weight may be: a number from 0 to :data:`MAX_WEIGHT`, and, when a person types it, no finer
than :data:`MAX_DENOMINATOR` allows (``1e-400`` would print as 0 and silently mean nearly 0).
Text is read by a pattern of bounded length before any arithmetic, so that no input can ask
for a 5,000-digit integer or ``10**(10**9)``.

Messages name the weights as the options' field ``weights`` (``weights: ...``), never as a
command-line flag: the CLI says which flag that is (:attr:`UsageError.option`).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from fractions import Fraction

from pine_select.errors import UsageError
from pine_select.model.rubric import Rubric

OPTION = "weights"
MAX_WEIGHT = 10**6
MAX_DENOMINATOR = 10**6  # text weights: at most 6 decimals, or a/b with b up to this
SHOWN = 24  # characters of a bad value quoted in a message

# Bounded digits and exponent: parsing any accepted text costs microseconds.
# ASCII digits only: "٣" is a digit to Python's \d, but no one reviewing the run reads it.
_DECIMAL = re.compile(r"(?P<whole>\d{1,16})(?:\.(?P<part>\d{1,16}))?(?:[eE](?P<exp>[+-]?\d{1,4}))?",
                      re.ASCII)
_RATIO = re.compile(r"(?P<top>\d{1,16})/(?P<bottom>\d{1,16})", re.ASCII)
EXPECTED_NUMBER = "a number from 0 to 1,000,000 such as 30, 0.5 or 1/3"


class Weights(dict[str, Fraction]):
    """Resolved weights: every criterion of one rubric, in rubric order, each checked.

    What :func:`resolve_weights` returns. Scoring takes it as it is, so weights are
    resolved (and checked) once per run, however many steps pass them on. A dict (models
    that hold weights accept it) that refuses changes.
    """

    def fits(self, rubric: Rubric) -> bool:
        """Whether these are weights of ``rubric``'s criteria, in its order."""
        return tuple(self) == tuple(rubric.criterion_ids())

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("resolved weights cannot be changed; resolve new ones")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]


def parse_weights(text: str, rubric: Rubric) -> Weights:
    """The rubric's weights with those named in ``text`` (``id=w,id=w``) replaced.

    Raises :class:`UsageError` (option ``weights``) naming every bad part in one sentence:
    an unknown id, a value that is not a number or out of range, an id given twice, or
    weights that are all zero.
    """
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise UsageError(f"{OPTION}: nothing given; expected id=weight pairs such as "
                         f"{_example(rubric)}", option=OPTION)
    given: dict[str, Fraction] = {}
    problems = [p for p in (_parse_part(part, rubric, given) for part in parts) if p]
    if problems:
        raise UsageError(f"{OPTION}: " + "; ".join(problems), option=OPTION)
    return resolve_weights(rubric, given)


def parse_weight(text: str) -> Fraction:
    """One weight typed by a person (``30``, ``0.5``, ``1/3``, ``2.5e1``), exactly.

    Raises :class:`UsageError` with a sentence for anything else (e.g. a manifest's value).
    """
    weight, problem = _weight_of(text.strip())
    if weight is None:
        raise UsageError(f"{OPTION}: {_shown(text, problem)} {problem}; expected {EXPECTED_NUMBER}",
                         option=OPTION)
    return weight


def resolve_weights(rubric: Rubric, weights: Mapping[str, Fraction] | None) -> Weights:
    """The weights to score with: the rubric's, with ``weights`` replacing some or all.

    Returned in rubric order; already resolved :class:`Weights` of the same rubric are
    returned as they are. Raises :class:`UsageError` for unknown ids, and for weights that
    are not numbers, negative, above :data:`MAX_WEIGHT` or all zero.
    """
    if isinstance(weights, Weights) and weights.fits(rubric):
        return weights
    result = rubric.weights()
    for criterion, weight in (weights or {}).items():
        if criterion not in result:
            raise UsageError(f"{OPTION}: {_unknown(criterion, rubric)}", option=OPTION)
        result[criterion] = _checked(criterion, weight)
    if not any(result.values()):
        listed = ", ".join(f"{c}=0" for c in result)
        raise UsageError(f"{OPTION}: every weight is 0 ({listed}); expected at least one "
                         "above 0", option=OPTION)
    return Weights(result)


def _checked(criterion: str, weight: object) -> Fraction:
    """A weight given in code as an exact Fraction, or a UsageError saying why it cannot be."""
    exact = _exact(weight)
    if exact is None:
        raise UsageError(f"{OPTION}: {criterion}={weight!r} is not a finite number; expected "
                         f"{EXPECTED_NUMBER}", option=OPTION)
    problem = _out_of_range(exact)
    if problem:
        shown = _shown(str(weight), problem)
        raise UsageError(f"{OPTION}: {criterion}={shown} {problem}; expected {EXPECTED_NUMBER}",
                         option=OPTION)
    return exact


def _exact(weight: object) -> Fraction | None:
    if isinstance(weight, bool):
        return None
    if isinstance(weight, Fraction | int):
        return Fraction(weight)
    if isinstance(weight, float) and math.isfinite(weight):
        return Fraction(weight)
    return None


def _out_of_range(weight: Fraction) -> str | None:
    if weight < 0:
        return "is negative"
    if weight > MAX_WEIGHT:
        return f"is above {MAX_WEIGHT:,}"
    return None


def _parse_part(part: str, rubric: Rubric, given: dict[str, Fraction]) -> str | None:
    """Add one ``id=w`` to ``given``; return what is wrong with it instead, if anything."""
    if not part:
        return "an empty entry (two commas in a row?); expected id=weight"
    criterion, equals, value = (s.strip() for s in part.partition("="))
    if not equals or not criterion:
        return f"{_shown(part)} is not id=weight; expected e.g. {_example(rubric)}"
    if criterion not in rubric.criterion_ids():
        return _unknown(criterion, rubric)
    if criterion in given:
        return f"{criterion} is given twice; expected each criterion once"
    weight, problem = _weight_of(value)
    if weight is None:
        return f"{criterion}={_shown(value, problem)} {problem}; expected {EXPECTED_NUMBER}"
    given[criterion] = weight
    return None


def _weight_of(text: str) -> tuple[Fraction | None, str]:
    """A typed weight, or None and what is wrong with it."""
    if text.startswith("-") and _number(text[1:]) is not None:
        return None, "is negative"
    if ratio := _RATIO.fullmatch(text):
        if int(ratio["bottom"]) == 0:
            return None, "divides by zero"
        weight: Fraction | None = Fraction(int(ratio["top"]), int(ratio["bottom"]))
    else:
        weight = _number(text)
    if weight is None:
        return None, ("is not a number (write its digits as 0-9)"
                      if any(ch.isdigit() and not ch.isascii() for ch in text)
                      else "is not a number")
    problem = _out_of_range(weight)
    if problem is None and weight.denominator > MAX_DENOMINATOR:
        problem = "is more precise than a millionth"
    return (None, problem) if problem else (weight, "")


def _number(text: str) -> Fraction | None:
    """A decimal such as ``2.5e1``, exactly; None when ``text`` is not one."""
    found = _DECIMAL.fullmatch(text)
    if found is None:
        return None
    digits = found["whole"] + (found["part"] or "")
    exponent = int(found["exp"] or 0) - len(found["part"] or "")
    mantissa = int(digits)
    if mantissa == 0:
        return Fraction(0)
    if exponent > 22 or exponent < -40:  # surely out of range: say so without the arithmetic
        return Fraction(MAX_WEIGHT + 1) if exponent > 0 else Fraction(1, MAX_DENOMINATOR + 1)
    return Fraction(mantissa) * Fraction(10) ** exponent


_NOT_NUMBERS = ("is not a number", "is not a number (write its digits as 0-9)",
                "divides by zero")


def _shown(text: str, problem: str = "is not a number") -> str:
    """A bad value for a message: quoted unless it is a number, cut short when long."""
    quote = repr if problem in _NOT_NUMBERS else str
    if len(text) <= SHOWN:
        return quote(text)
    return f"{quote(text[:SHOWN])}… ({len(text):,} characters)"


def _unknown(criterion: str, rubric: Rubric) -> str:
    ids = rubric.criterion_ids()
    near = difflib.get_close_matches(criterion, ids, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    listed = ", ".join(ids)
    return f"{_shown(criterion)} is not a criterion of the rubric{hint}; expected one of: {listed}"


def _example(rubric: Rubric) -> str:
    first = rubric.criteria[0]
    return f"{first.id}={first.weight}"
