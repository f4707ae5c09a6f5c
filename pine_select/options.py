"""The one options model of a run: every choice, besides the call's files, that shapes an answer.

``select``, ``score``, ``sensitivity``, ``pack`` and ``verify`` all take a :class:`RunOptions`:
the CLI maps its flags to one in one place (``cli.run_options``), a pack's manifest records
it (:meth:`RunOptions.as_recorded`) and ``verify`` reads it back
(:meth:`RunOptions.from_recorded`) through the same checks. A received manifest is
untrusted, so every count has a ceiling here: a pack cannot ask ``verify`` for a billion
weight draws.

Messages name the option by its field (``size``, ``sensitivity_samples``); the CLI, which
knows its own flags, translates them (:class:`OptionsError` carries the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)

from pine_select.errors import UsageError
from pine_select.limits import MAX_DRAWS, MAX_SEED
from pine_select.model.base import (
    CRITERION_ID_PATTERN,
    ID_PATTERN,
    MAX_POUNDS,
    AsTuple,
    ReviewerId,
)

# Ceilings: far above any real use, low enough that no option can make a run hang.
MAX_COUNT = 10**6  # portfolio size
MAX_ALTERNATIVES = 50
MAX_EXPLAIN_LIMIT = 100_000
MAX_SAMPLES = 100_000  # weight draws (each is a solve)
MAX_BREAKPOINT_LIMIT = 1_000
MAX_NUMBER_DIGITS = 30  # in an exact number's numerator or denominator
DEFAULT_CONCENTRATION = Fraction(50)
DEFAULT_BREAKPOINT_LIMIT = 10


def exact_number(value: Any) -> Fraction:
    """A finite, non-negative exact number from a Fraction, an int or text: "40", "2.5", "100/3".

    Floats are refused: they would not re-run to the same bytes. Text is bounded in length
    before it is converted (Python refuses integers of more than 4,300 digits with a
    traceback of its own).
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(value, Fraction | int):
        number = Fraction(value)
    elif isinstance(value, str):
        number = _fraction_text(value)
    else:
        raise ValueError(f"expected an exact number such as 40 or 100/3, not {value!r}")
    if number < 0:
        raise ValueError("expected a number >= 0")
    if max(len(str(number.numerator)), len(str(number.denominator))) > MAX_NUMBER_DIGITS:
        raise ValueError(f"expected at most {MAX_NUMBER_DIGITS} digits")
    return number


def _fraction_text(text: str) -> Fraction:
    numerator, _, denominator = text.strip().partition("/")
    if not denominator and _is_decimal(numerator):
        return Fraction(numerator)
    parts = [numerator] + ([denominator] if denominator else [])
    if not all(_is_whole(p) for p in parts):
        shown = text if len(text) <= 20 else text[:20] + "..."
        raise ValueError(f"expected a whole number or a fraction such as 100/3, not {shown!r}")
    if denominator and int(denominator) == 0:
        raise ValueError(f"{text!r} divides by zero")
    return Fraction(int(numerator), int(denominator) if denominator else 1)


def _is_whole(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= MAX_NUMBER_DIGITS


def _is_decimal(text: str) -> bool:
    whole, dot, places = text.partition(".")
    return bool(dot) and _is_whole(whole or "0") and _is_whole(places)


def _recorded_number(value: Fraction) -> str:
    return str(value)  # "100/3": exact, so a re-run gives the same bytes


def _above_zero(number: Fraction) -> Fraction:
    if number == 0:
        raise ValueError("expected a number above 0")
    return number


ExactNumber = Annotated[Fraction, BeforeValidator(exact_number), PlainSerializer(_recorded_number)]
PositiveNumber = Annotated[ExactNumber, AfterValidator(_above_zero)]
WeightKey = Annotated[str, Field(pattern=CRITERION_ID_PATTERN)]
ApplicationId = Annotated[str, Field(pattern=ID_PATTERN)]
MAX_OVERRIDES = 10_000  # ids one run may include or exclude
Ids = Annotated[tuple[ApplicationId, ...], AsTuple, Field(max_length=MAX_OVERRIDES)]
MAX_DROPPED_RULES = 1_000  # far above any rubric's rules; each name checked against it
MAX_RULE_NAME = 500  # a rule's name (its id, or derived from what it says)
RuleNames = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=MAX_RULE_NAME)], ...],
                      AsTuple, Field(max_length=MAX_DROPPED_RULES)]


def _count(high: int, low: int = 0) -> Any:
    return Field(ge=low, le=high)


class RunOptions(BaseModel):
    """Every option of a run; the defaults are the published rules, shown to the whole panel."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True,
                              arbitrary_types_allowed=True)

    # What-ifs: changes to the published rules (see is_what_if).
    weights: dict[WeightKey, ExactNumber] | None = None  # some or all criteria
    size: Annotated[int, _count(MAX_COUNT)] | None = None
    budget: Annotated[int, _count(MAX_POUNDS)] | None = None
    include: Ids = ()
    exclude: Ids = ()
    drop_rules: RuleNames = ()  # balance rules left out, by name (selection checks the names)
    # How criterion scores are made: True corrects each reviewer's leniency (SPEC 10; the
    # rubric's ``aggregate: calibrated`` does the same for every run).
    calibrate: bool = False
    # How the answer is found and explained (never what it is).
    solver: Literal["highs", "cbc"] | None = None  # None: by the call's size
    alternatives: Annotated[int, _count(MAX_ALTERNATIVES)] = 0
    min_swaps: Annotated[int, _count(MAX_COUNT, low=1)] = 1
    explain_limit: Annotated[int, _count(MAX_EXPLAIN_LIMIT)] | None = None  # None: by size
    # "price_of_balance": the portfolio and that alone, no other explanation re-solved (the
    # tuning page, which shows no explanation); the portfolio and price are the same.
    explanations: Literal["all", "price_of_balance"] = "all"
    # Who a pack is for.
    include_contacts: bool = False
    pdf: bool = False  # also briefing.pdf, printed by Chromium
    member: ReviewerId | None = None  # compared as reviewers are: in lower case
    # Weight sensitivity: draws around the rubric's weights.
    sensitivity_samples: Annotated[int, _count(MAX_SAMPLES)] = 0
    concentration: PositiveNumber = DEFAULT_CONCENTRATION
    seed: Annotated[int, Field(ge=-MAX_SEED, le=MAX_SEED)] | None = None  # None: the rubric's
    breakpoint_limit: Annotated[int, _count(MAX_BREAKPOINT_LIMIT, low=1)] = (
        DEFAULT_BREAKPOINT_LIMIT)
    # How much of the choice is chance (a pack's section; the commands take them as flags).
    robustness_draws: Annotated[int, _count(MAX_DRAWS)] = 0  # bootstrap draws of reviewers
    lottery: Literal["contested", "all"] | None = None  # the zone of a lottery, if one is run

    def __init__(self, **values: Any) -> None:
        """Raises OptionsError (a UsageError naming each field) for values out of range."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise OptionsError.of(exc) from None

    @classmethod
    def build(cls, **values: Any) -> RunOptions:
        """Options from plain values, ``None`` meaning the default; raises OptionsError."""
        return cls(**{name: value for name, value in values.items() if value is not None})

    @classmethod
    def from_recorded(cls, recorded: Mapping[str, Any]) -> RunOptions:
        """The options a manifest recorded, checked as strictly as the command line's."""
        return cls.build(**recorded)

    def as_recorded(self, *, changed_only: bool = False) -> dict[str, Any]:
        """Every option (or those not at their default) as JSON values, for the manifest.

        Exact numbers are recorded as text ("100/3"): a float would not re-run to the same
        bytes.
        """
        recorded = self.model_dump(mode="json", exclude_defaults=changed_only)
        for name in RECORDED_WHEN_SET:
            if not recorded.get(name) or recorded[name] == type(self).model_fields[name].default:
                recorded.pop(name, None)
        return recorded

    def replaced(self, **changes: Any) -> RunOptions:
        """A copy with ``changes``, checked like any other."""
        return RunOptions.build(**{**dict(self), **changes})

    @property
    def is_what_if(self) -> bool:
        """Whether this run changes the published rules (weights, size, budget, overrides)."""
        return bool(self.weights or self.size is not None or self.budget is not None
                    or self.include or self.exclude or self.drop_rules or self.calibrate)

    def what_ifs(self) -> dict[str, Any]:
        """The what-ifs this run applies, as recorded (empty for the published rules)."""
        recorded = self.as_recorded()
        return {name: recorded[name] for name in WHAT_IF_FIELDS
                if recorded.get(name) not in (None, False, [], ())}


# --calibrate is one: the published rubric said how scores are aggregated (a rubric that
# says ``aggregate: calibrated`` publishes the correction and needs no flag).
WHAT_IF_FIELDS = ("weights", "size", "budget", "include", "exclude", "drop_rules", "calibrate")
# Options added after packs were first made: recorded only when set (not at their default),
# so that a pack made before them keeps its bytes and its manifest still matches a re-run
# (verify).
RECORDED_WHEN_SET = ("drop_rules", "robustness_draws", "lottery", "calibrate", "explanations")


class OptionsError(UsageError):
    """Options that make no sense; ``problems`` pairs each field with what is wrong."""

    def __init__(self, problems: tuple[tuple[str, str], ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))

    @classmethod
    def of(cls, exc: ValidationError) -> OptionsError:
        return cls(tuple((_field_of(error["loc"]), _message_of(error))
                         for error in exc.errors()))


def _field_of(location: tuple[int | str, ...]) -> str:
    return str(location[0]) if location else "options"


def _message_of(error: Any) -> str:
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "is not an option"
    if error["type"] == "string_pattern_mismatch":
        return (f"{error['input']!r} is not an identifier (ASCII letters, digits, "
                ". _ - only)")
    return message[0].lower() + message[1:] if message else "invalid"
