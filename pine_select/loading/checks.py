"""Checks that relate the files of a call to each other.

Each check returns problems rather than raising, so that the loader can report every
problem in the call at once. Categorical mistakes come with the closest declared value,
because a misspelt category is the commonest error and the costliest one: it silently
drops an application out of a quota.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from pine_select.errors import Problem, Severity
from pine_select.loading.messages import shown
from pine_select.loading.parsed import Parsed, Reviews, Row
from pine_select.model.application import (
    CATEGORICAL_FIELDS,
    MISSING,
    field_value,
    is_known_field,
)
from pine_select.model.base import ID_PATTERN, WHOLE_NUMBER
from pine_select.model.reviews import Review, ReviewTable
from pine_select.model.rubric import Gate, Rubric

AddProblem = Callable[[tuple[Any, ...], str, str, str], None]


def check_call(
    parsed_rubric: Parsed | None,
    apps: Sequence[Parsed],
    reviews: Reviews,
    conflicts: Sequence[Row],
    overrides: Parsed | None,
    unloadable: Set[str] = frozenset(),
) -> list[Problem]:
    """Problems between files. ``apps`` may hold invalid models (``model`` None).

    ``unloadable``: ids that application files with problems may have (see the loader).
    Rows naming them are not flagged as naming an unknown application: that would only
    echo, once per row, the problem already reported for the file. Without a valid
    rubric, every check that does not need it still runs.
    """
    valid_apps = [app for app in apps if app.model is not None]
    broken = set(unloadable)
    problems = _duplicate_ids(valid_apps, broken)
    valid_ids = {p.model.id for p in valid_apps}
    known_ids = KnownIds(frozenset(valid_ids | broken), tuple(sorted(valid_ids)))
    rubric: Rubric | None = None
    if parsed_rubric is not None and parsed_rubric.model is not None:
        rubric = parsed_rubric.model
        problems += _check_against_rubric(parsed_rubric.model, parsed_rubric, apps, valid_apps)
    problems += _check_reviews(rubric, reviews, conflicts, known_ids)
    problems += _check_conflicts(conflicts, known_ids)
    problems += _check_overrides(overrides, known_ids)
    problems += _unreviewed(valid_apps, reviews)
    return problems


def _check_against_rubric(rubric: Rubric, parsed_rubric: Parsed, apps: Sequence[Parsed],
                          valid_apps: Sequence[Parsed]) -> list[Problem]:
    """The rubric's own cross-checks, and the applications' values against it."""
    return check_rubric(rubric, parsed_rubric) + check_applications(rubric, apps)


def check_applications(rubric: Rubric, apps: Sequence[Parsed]) -> list[Problem]:
    """What an application must hold for the rubric: declared categories, gates' types.

    ``apps`` may hold invalid models (``model`` None): their raw categories are still
    checked. Used by :func:`check_call`, and by the intake on applications not yet written.
    """
    problems = []
    categorised = _categorised_fields(rubric)
    for app in apps:
        problems += _check_categories(categorised, app)
    kinds = [_gate_kinds(gate) for gate in rubric.eligibility]
    for app in apps:
        if app.model is not None:
            problems += _check_gate_types(rubric, app, kinds)
    return problems


@dataclass(frozen=True)
class KnownIds:
    """Ids a row may name (``named``), and the valid ones to suggest (``valid``, sorted).

    An id that is not valid is never offered as what was expected.
    """

    named: frozenset[str]
    valid: tuple[str, ...]

    def __contains__(self, application_id: object) -> bool:
        return application_id in self.named

    def closest(self, value: str) -> str:
        if not self.valid:
            return "the id of a valid application (the call has none yet)"
        return closest(value, self.valid, limit=ID_LIST_LIMIT)


# How many application ids an "expected one of" lists: a call may have thousands.
ID_LIST_LIMIT = 8


def closest(value: str, choices: Iterable[str], limit: int | None = None) -> str:
    """'did you mean' text for a value that is not one of ``choices`` (at most ``limit``)."""
    options = list(choices)
    if not options:
        return "a declared value (none is declared)"
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    listed = ", ".join(options[:limit])
    if limit is not None and len(options) > limit:
        listed += f", ... ({len(options) - limit} more)"
    return f"{match[0]!r} (one of: {listed})" if match else f"one of: {listed}"


def _duplicate_ids(apps: Sequence[Parsed], broken: set[str]) -> list[Problem]:
    """Ids used by two files, even in different case (their files would collide on macOS
    and Windows); ``broken`` gains the later file's name (its rows are echoes)."""
    first_seen: dict[str, Parsed] = {}
    problems = []
    for app in apps:
        other = first_seen.setdefault(app.model.id.lower(), app)
        if other is app:
            continue
        broken.add(PurePath(app.label).stem)
        if other.model.id == app.model.id:
            message = f"id {app.model.id!r} is also used by {other.label}"
        else:
            message = (f"id {app.model.id!r} differs only in case from {other.model.id!r} "
                       f"in {other.label} (their files collide on macOS and Windows)")
        problems.append(Problem(app.label, app.doc.line_of(("id",)), message,
                                "a unique id per application", code="duplicate_id"))
    return problems


def check_rubric(rubric: Rubric, parsed: Parsed) -> list[Problem]:
    """What is wrong inside the rubric itself (categories, ids, descriptors, rules)."""
    label, doc = parsed.label, parsed.doc
    problems = []

    def add(path: tuple[Any, ...], message: str, expected: str, code: str) -> None:
        problems.append(Problem(label, doc.line_of(path), message, expected, code=code))

    _check_declared_categories(rubric, add)
    for kind, ids in (("criteria", [c.id for c in rubric.criteria]),
                      ("eligibility", [g.id for g in rubric.eligibility]),
                      ("selection.rules", [r.name for r in rubric.selection.rules])):
        for name, count in Counter(ids).items():
            if count > 1:
                add((kind.split(".")[0],), f"{kind}: {name!r} is used {count} times",
                    "unique ids", "duplicate_id")
    _check_descriptors(rubric, add)
    _check_rules(rubric, add)
    return problems


def _check_declared_categories(rubric: Rubric, add: AddProblem) -> None:
    for field, values in rubric.categories.items():
        if not (field in CATEGORICAL_FIELDS or field.startswith("facts.")) or not is_known_field(
            field
        ):
            add(("categories", field), f"categories: {field!r} is not a categorical field",
                f"{closest(field, CATEGORICAL_FIELDS)} or facts.NAME", "unknown_field")
        for value, count in Counter(values).items():
            if count > 1:
                add(("categories", field), f"categories.{field}: {value!r} is listed twice",
                    "each category once", "duplicate_category")
    for field in CATEGORICAL_FIELDS:
        if field not in rubric.categories:
            add(("categories",), f"categories: {field} is not declared",
                f"the allowed values of {field}", "missing_categories")


def _check_descriptors(rubric: Rubric, add: AddProblem) -> None:
    low, high = rubric.scale.min, rubric.scale.max
    for i, criterion in enumerate(rubric.criteria):
        for key in criterion.descriptors:
            if not (WHOLE_NUMBER.fullmatch(key) and low <= int(key) <= high):
                add(("criteria", i, "descriptors", key),
                    f"criteria.{criterion.id}.descriptors: {shown(key)} is not a score",
                    f"whole numbers from {low} to {high}", "bad_descriptor")


def _check_rules(rubric: Rubric, add: AddProblem) -> None:
    for i, rule in enumerate(rubric.selection.rules):
        where = ("selection", "rules", i)
        declared = rubric.categories.get(rule.field)
        if declared is None:
            add((*where, "field"), f"rule {rule.name!r}: field {rule.field!r} has no declared "
                "categories", f"{closest(rule.field, rubric.categories)}", "unknown_field")
            continue
        for j, value in enumerate(rule.each or ()):
            if value not in declared:
                add((*where, "each", j), f"rule {rule.name!r}: {value!r} is not a declared "
                    f"category of {rule.field}", closest(value, declared), "unknown_category")


# A categorised field: its name, its path of keys, its declared categories (in order,
# for messages) and the same as a set (for lookups).
Categorised = tuple[str, tuple[str, ...], tuple[str, ...], frozenset[str]]


def _categorised_fields(rubric: Rubric) -> list[Categorised]:
    """Each field with declared categories, worked out once for every application."""
    return [(field, tuple(field.split(".")), tuple(declared), frozenset(declared))
            for field, declared in rubric.categories.items()]


def _check_categories(categorised: Sequence[Categorised], app: Parsed) -> list[Problem]:
    problems = []
    for field, path_of_field, declared, known in categorised:
        node = _raw_value(app.doc.data, path_of_field)
        for i, value in enumerate(node if isinstance(node, list) else (node,)):
            if not isinstance(value, str) or value in known:
                continue  # a non-text value (maybe a list: unhashable) is the model's
            path: tuple[str | int, ...] = ((*path_of_field, i) if isinstance(node, list)
                                           else path_of_field)
            problems.append(Problem(app.label, app.doc.line_of(path),
                                    f"{field}: {value!r} is not a declared category",
                                    closest(value, declared), code="unknown_category"))
    return problems


def _check_gate_types(rubric: Rubric, app: Parsed,
                      kinds: Sequence[set[str]] | None = None) -> list[Problem]:
    """A value a gate compares must be of the gate's type.

    ``based_in_england: yes`` is text under YAML 1.2, not true: without this check the
    applicant would be ruled ineligible for how they spelt "yes", with no error to say so.
    ``kinds``: :func:`_gate_kinds` of each gate, worked out once for every application.
    """
    problems = []
    for gate, wanted in zip(rubric.eligibility, kinds or [_gate_kinds(g) for g in
                                                          rubric.eligibility], strict=True):
        value = field_value(app.model, gate.field)
        kind = _kind(value)
        if value is MISSING or kind is None or not wanted or kind in wanted:
            continue
        problems.append(Problem(
            app.label, app.doc.line_of(tuple(gate.field.split("."))),
            f"{gate.field}: {value!r} is {kind}, but eligibility gate {gate.id!r} compares it "
            f"with {' or '.join(sorted(wanted))}", _KIND_EXPECTED[sorted(wanted)[0]]
            if len(wanted) == 1 else " or ".join(sorted(wanted)), code="gate_type"))
    return problems


_KIND_EXPECTED = {
    "true or false": "true or false, unquoted (yes, no, on and off are text)",
    "a number": "a number, unquoted",
    "text": "text",
}


def _kind(value: object) -> str | None:
    """What sort of value this is, in the words of an error message (None: not compared)."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "text" if isinstance(value, str) else None


def _gate_kinds(gate: Gate) -> set[str]:
    """The sorts of value a gate can compare with (empty: any value, e.g. not_empty)."""
    conditions = gate.conditions()
    compared: list[object] = []
    if "equals" in conditions:
        compared.append(gate.equals)
    if "in" in conditions:
        compared.extend(gate.in_ or ())
    if "at_least" in conditions or "at_most" in conditions:
        compared.append(0)
    return {kind for value in compared if (kind := _kind(value)) is not None}


def _raw_value(data: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in a file's raw data (a list stays a list); None if absent."""
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _check_reviews(
    rubric: Rubric | None, reviews: Reviews, conflicts: Sequence[Row], known_ids: KnownIds
) -> list[Problem]:
    """Problems of review rows; those that need the rubric only if it is valid."""
    scale = Scale(rubric) if rubric is not None else None
    conflicted = {(c.model.reviewer, c.model.application_id): c for c in conflicts}
    if not _may_be_wrong(reviews.table, scale, conflicted, known_ids.named):
        return []
    first_row: dict[tuple[str, str, str], int] = {}
    problems: list[Problem] = []
    for review in reviews.table:
        key = (review.application_id, review.reviewer, review.criterion)
        first = first_row.setdefault(key, review.line)
        conflict = conflicted.get((review.reviewer, review.application_id))
        if (review.application_id not in known_ids or first != review.line or conflict
                or (scale is not None and not scale.fits(review))):
            problems += _review_problems(review, reviews.label, scale, conflict, first,
                                         known_ids)
    return problems


@dataclass(frozen=True)
class Scale:
    """What a valid rubric allows a review: its criteria and the range of its scale."""

    criteria: tuple[str, ...]
    low: int
    high: int

    def __init__(self, rubric: Rubric) -> None:
        object.__setattr__(self, "criteria", rubric.criterion_ids())
        object.__setattr__(self, "low", rubric.scale.min)
        object.__setattr__(self, "high", rubric.scale.max)

    def fits(self, review: Review) -> bool:
        return review.criterion in self.criteria and self.low <= review.score <= self.high


def _may_be_wrong(table: ReviewTable, scale: Scale | None,
                  conflicted: dict[tuple[str, str], Row], known_ids: frozenset[str]) -> bool:
    """Whether any review row could have a problem, judged on the columns' distinct values.

    A few thousand distinct values stand for a million rows; the row-by-row loop then
    runs only when something is wrong.
    """
    return bool(
        not known_ids.issuperset(table.application_id.values)
        or (scale is not None and _off_the_rubric(table, scale))
        or (conflicted and not conflicted.keys().isdisjoint(table.distinct_pairs()))
        or table.repeats_a_score()
    )


def _off_the_rubric(table: ReviewTable, scale: Scale) -> bool:
    scores = table.score.values
    return bool(not set(scale.criteria).issuperset(table.criterion.values)
                or (scores and (min(scores) < scale.low or max(scores) > scale.high)))


def _review_problems(review: Review, label: str, scale: Scale | None, conflict: Row | None,
                     first: int, known_ids: KnownIds) -> list[Problem]:
    """What is wrong with one review row (the messages of :func:`_check_reviews`)."""
    problems = []

    def add(message: str, expected: str, code: str) -> None:
        problems.append(Problem(label, review.line, message, expected, code=code))

    if review.application_id not in known_ids:
        add(f"application_id {review.application_id!r} is not an application of this call",
            known_ids.closest(review.application_id), "unknown_application")
    if scale is not None:
        problems += _off_scale_problems(review, label, scale)
    if conflict is not None:
        add(f"{review.reviewer} scored {review.application_id} but declared a conflict "
            f"with it ({conflict.label}:{conflict.line})",
            "no scores from a conflicted reviewer", "conflicted_review")
    if first != review.line:
        add(f"{review.reviewer} scored {review.application_id} on {review.criterion} twice "
            f"(first on line {first})", "one score per reviewer and criterion",
            "duplicate_review")
    return problems


def _off_scale_problems(review: Review, label: str, scale: Scale) -> list[Problem]:
    problems = []
    if review.criterion not in scale.criteria:
        problems.append(Problem(label, review.line,
                                f"criterion {review.criterion!r} is not in the rubric",
                                closest(review.criterion, scale.criteria),
                                code="unknown_criterion"))
    if not scale.low <= review.score <= scale.high:
        problems.append(Problem(label, review.line, f"score {review.score} is off the scale",
                                f"a whole number from {scale.low} to {scale.high}",
                                code="score_off_scale"))
    return problems


def _check_conflicts(conflicts: Sequence[Row], known_ids: KnownIds) -> list[Problem]:
    return [
        Problem(row.label, row.line,
                f"application_id {row.model.application_id!r} is not an application of this call",
                known_ids.closest(row.model.application_id), code="unknown_application")
        for row in conflicts
        if row.model.application_id not in known_ids
    ]


def _check_overrides(overrides: Parsed | None, known_ids: KnownIds) -> list[Problem]:
    if overrides is None:
        return []
    problems = []
    seen: dict[str, str] = {}
    for side, index, app_id in _override_ids(overrides):
        line = overrides.doc.line_of((side, index, "id"))
        if app_id not in known_ids:
            problems.append(Problem(overrides.label, line,
                                    f"{side}: {app_id!r} is not an application of this call",
                                    known_ids.closest(app_id),
                                    code="unknown_application"))
        if app_id in seen:
            problems.append(Problem(overrides.label, line,
                                    f"{side}: {app_id!r} is already under {seen[app_id]}",
                                    "each application overridden once", code="duplicate_id"))
        seen.setdefault(app_id, side)
    return problems


def _override_ids(overrides: Parsed) -> Iterator[tuple[str, int, str]]:
    """Each override's side, place and id, read from the raw values: an invalid file (a
    blank reason) still gets these checks, so that one run reports every problem."""
    data = overrides.doc.data
    for side in ("include", "exclude"):
        items = data.get(side) if isinstance(data, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            app_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(app_id, str) and re.fullmatch(ID_PATTERN, app_id):  # else: said
                yield side, index, app_id


def _unreviewed(apps: Sequence[Parsed], reviews: Reviews) -> list[Problem]:
    reviewed = set(reviews.table.application_id.values)
    return [
        Problem(app.label, None, f"{app.model.id} has no reviews yet",
                "scores in reviews.csv before selection", code="unreviewed",
                severity=Severity.WARNING)
        for app in apps
        if app.model.id not in reviewed
    ]
