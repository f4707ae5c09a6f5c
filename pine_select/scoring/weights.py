"""What-if weights: ``--weights promise=40,need=10`` replaces some or all rubric weights.

Scaling every weight by the same factor changes no total, so weights need not sum to 100.
Weights are exact fractions: ``0.1`` means one tenth.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from fractions import Fraction

from pine_select.errors import UsageError
from pine_select.model.rubric import Rubric


def parse_weights(text: str, rubric: Rubric) -> dict[str, Fraction]:
    """The rubric's weights with those named in ``text`` (``id=w,id=w``) replaced.

    Raises :class:`UsageError` naming every bad part: an unknown id, a value that is not a
    number, a negative weight, an id given twice, or weights that are all zero.
    """
    given: dict[str, Fraction] = {}
    problems: list[str] = []
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise UsageError("--weights is empty; expected id=weight pairs such as "
                         f"{_example(rubric)}")
    for part in parts:
        problem = _parse_part(part, rubric, given)
        if problem:
            problems.append(problem)
    if problems:
        raise UsageError("--weights: " + "; ".join(problems))
    return resolve_weights(rubric, given, label="--weights")


def resolve_weights(
    rubric: Rubric, weights: Mapping[str, Fraction] | None, label: str = "weights"
) -> dict[str, Fraction]:
    """The weights to score with: the rubric's, with ``weights`` replacing some or all.

    Returned in rubric order. Raises :class:`UsageError` for unknown ids, negative weights
    or weights that are all zero; ``label`` names the weights' source in the message.
    """
    result = rubric.weights()
    for criterion, weight in (weights or {}).items():
        if criterion not in result:
            raise UsageError(f"{label}: {_unknown(criterion, rubric)}")
        if weight < 0:
            raise UsageError(f"{label}: {criterion}={weight} is negative; expected 0 or more")
        result[criterion] = Fraction(weight)
    if not any(result.values()):
        listed = ", ".join(f"{c}=0" for c in result)
        raise UsageError(f"{label}: every weight is 0 ({listed}); expected at least one above 0")
    return result


def _parse_part(part: str, rubric: Rubric, given: dict[str, Fraction]) -> str | None:
    """Add one ``id=w`` to ``given``; return what is wrong with it instead, if anything."""
    if not part:
        return "an empty entry (two commas in a row?); expected id=weight"
    criterion, equals, value = (s.strip() for s in part.partition("="))
    if not equals or not criterion:
        return f"{part!r} is not id=weight; expected e.g. {_example(rubric)}"
    if criterion not in rubric.criterion_ids():
        return _unknown(criterion, rubric)
    if criterion in given:
        return f"{criterion} is given twice; expected each criterion once"
    try:
        weight = Fraction(value)
    except (ValueError, ZeroDivisionError):
        return f"{criterion}={value!r} is not a number; expected a number such as 30 or 0.5"
    if weight < 0:
        return f"{criterion}={value} is negative; expected a weight of 0 or more"
    given[criterion] = weight
    return None


def _unknown(criterion: str, rubric: Rubric) -> str:
    ids = rubric.criterion_ids()
    near = difflib.get_close_matches(criterion, ids, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    listed = ", ".join(ids)
    return f"{criterion!r} is not a criterion of the rubric{hint}; expected one of: {listed}"


def _example(rubric: Rubric) -> str:
    first = rubric.criteria[0]
    return f"{first.id}={first.weight}"
