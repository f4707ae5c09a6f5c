"""The rubric of a call (SPEC 2.2): criteria, gates, categories and selection rules.

Checks that need only the rubric itself live here as validators; checks that relate the
rubric to applications and reviews live in ``loading/checks.py``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from pine_select.model.application import is_known_field
from pine_select.model.base import (
    AsTuple,
    CriterionId,
    GrantPrefix,
    Id,
    IsoDate,
    Names,
    NonEmptyText,
    OrgId,
    Pounds,
    Scalar,
    Strict,
)

# Ceilings on numbers that would otherwise be unbounded: far above any real rubric (weights
# are relative; a call has thousands of applications, a scale a handful of points), and
# low enough that no arithmetic on them overflows or loses exactness.
MAX_WEIGHT = 1_000_000
MAX_COUNT = 10_000_000
MAX_SCALE = 1_000

NonNegative = Annotated[int | float, Field(ge=0, le=MAX_WEIGHT)]
Share = Annotated[int | float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
ScalePoint = Annotated[int, Field(ge=-MAX_SCALE, le=MAX_SCALE)]


# calibrated: the mean of scores less each reviewer's fitted leniency (scoring/calibration.py)
Aggregate = Literal["mean", "median", "calibrated"]


class Scale(Strict):
    min: ScalePoint
    max: ScalePoint

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min}); "
                             "expected a range such as {min: 1, max: 5}")
        return self


class Criterion(Strict):
    id: CriterionId
    name: NonEmptyText
    weight: NonNegative
    guidance: str = ""
    descriptors: dict[str, str] = {}

    @property
    def exact_weight(self) -> Fraction:
        return exact(self.weight)


class Gate(Strict):
    """An eligibility gate: every condition given must hold for the application."""

    id: Id
    field: NonEmptyText
    equals: Scalar = None
    in_: Annotated[tuple[Scalar, ...] | None, AsTuple, Field(alias="in")] = None
    at_least: int | float | None = None
    at_most: int | float | None = None
    not_empty: Literal[True] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _has_condition(self) -> Self:
        if not self.conditions():
            raise ValueError("a gate needs a condition; expected one of equals, in, at_least, "
                             "at_most or not_empty")
        if not is_known_field(self.field):
            raise ValueError(f"unknown field {self.field!r}; expected e.g. facts.NAME")
        return self

    def conditions(self) -> list[str]:
        """The names of the conditions this gate sets, in a fixed order."""
        given = self.model_fields_set
        names = ("equals", "in_", "at_least", "at_most", "not_empty")
        # `at_least: null` (a blank in a template) sets nothing; only `equals: null` can
        # mean something ("must be empty"), so only it counts when null.
        return [n.rstrip("_") for n in names
                if n in given and (n == "equals" or getattr(self, n) is not None)]


class SizeRange(Strict):
    min: Count = 0
    max: Count | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) must be at least min ({self.min}); "
                             "expected a range such as {min: 6, max: 10}")
        return self


class Rule(Strict):
    """A balance rule on one categorical field (SPEC 2.2)."""

    id: Id | None = None
    field: NonEmptyText
    # An empty list would silently mean every category (as leaving it out does).
    each: Annotated[Names, Field(min_length=1)] | None = None
    at_least: Count | None = None
    at_most: Count | None = None
    share_at_least: Share | None = None
    share_at_most: Share | None = None
    distinct_at_least: Count | None = None
    description: str = ""  # the rule in words, for the panel (SPEC 7)

    @model_validator(mode="after")
    def _has_bound(self) -> Self:
        bounds = (self.at_least, self.at_most, self.share_at_least, self.share_at_most,
                  self.distinct_at_least)
        if all(b is None for b in bounds):
            raise ValueError("a rule needs a bound; expected one or more of at_least, at_most, "
                             "share_at_least, share_at_most or distinct_at_least")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"at_least ({self.at_least}) is above at_most ({self.at_most}); "
                             "expected at_least no higher than at_most")
        return self

    @property
    def name(self) -> str:
        """The rule's id, or a readable name derived from what it says."""
        if self.id:
            return self.id
        parts = [self.field]
        if self.each:
            parts.append("[" + ",".join(self.each) + "]")
        for bound in ("at_least", "at_most", "share_at_least", "share_at_most",
                      "distinct_at_least"):
            value = getattr(self, bound)
            if value is not None:
                parts.append(f"{bound}={value}")
        return " ".join(parts)


class Selection(Strict):
    size: Count | SizeRange | None = None
    budget: Pounds | None = None
    tie_break_seed: int = 0
    rules: Annotated[tuple[Rule, ...], AsTuple] = ()

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.size is None and self.budget is None:
            raise ValueError("give a size, a budget, or both: without either every "
                             "application would be chosen; expected size:, budget: or both")
        return self

    @property
    def size_range(self) -> tuple[int, int | None]:
        if isinstance(self.size, int):
            return self.size, self.size
        if isinstance(self.size, SizeRange):
            return self.size.min, self.size.max
        return 0, None


class Funder(Strict):
    """Who makes the grants, as its published grant data names it (SPEC 11, 360Giving)."""

    id: OrgId  # its org-id.guide identifier, e.g. GB-CHC-1234567
    name: NonEmptyText
    grant_id_prefix: GrantPrefix  # 360Giving's prefix for its identifiers, e.g. 360G-ABC


class Rubric(Strict):
    call: NonEmptyText
    version: NonEmptyText
    scale: Scale
    aggregate: Aggregate = "mean"
    min_reviews: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 2
    disagreement: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    categories: dict[str, Annotated[Names, Field(min_length=1)]]
    criteria: Annotated[tuple[Criterion, ...], AsTuple, Field(min_length=1)]
    eligibility: Annotated[tuple[Gate, ...], AsTuple] = ()
    selection: Selection
    labels: dict[str, NonEmptyText] = {}  # words for people (SPEC 7), by identifier
    published_on: IsoDate | None = None
    funder: Funder | None = None  # needed only to publish the grants (export)

    @model_validator(mode="after")
    def _labels_name_what_is_declared(self) -> Self:
        unknown = sorted(set(self.labels) - self.labelled_names())
        if unknown:
            raise ValueError(f"labels for undeclared names: {', '.join(map(repr, unknown))}; "
                             "expected declared category values, fields, criteria, gates or "
                             "rules")
        return self

    def labelled_names(self) -> set[str]:
        """Every identifier the rubric declares that a label may give words for."""
        names = {value for values in self.categories.values() for value in values}
        names |= set(self.categories) | {"age_groups", "practice_type", "organisation.type",
                                         "organisation.region"}
        names |= {c.id for c in self.criteria} | {g.id for g in self.eligibility}
        names |= {g.field for g in self.eligibility}
        return names | {r.id for r in self.selection.rules if r.id}

    def label(self, name: str) -> str:
        """The words for ``name`` a person reads: its label, else the name as it stands."""
        return self.labels.get(name, name)

    @field_validator("criteria")
    @classmethod
    def _weights_make_sense(cls, criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
        # A field validator (not a model one) so that the error points at `criteria:`.
        if not any(c.weight > 0 for c in criteria):
            raise ValueError("every criterion weight is 0; expected at least one weight above 0")
        return criteria

    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    def weights(self) -> dict[str, Fraction]:
        return {c.id: c.exact_weight for c in self.criteria}


def exact(number: int | float) -> Fraction:
    """A weight as written in the file, exactly: 0.1 means one tenth, not 0.1000000000000000055."""
    return Fraction(number) if isinstance(number, int) else Fraction(repr(number))
