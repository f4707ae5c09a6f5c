"""Unit tests of the models alone (no files): strict types, frozen values, own checks."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from conftest import merged, tiny_application, tiny_rubric
from pydantic import ValidationError

from pine_select.errors import InputError, Problem, Severity
from pine_select.model.application import (
    MISSING,
    Application,
    categories_of,
    field_value,
    is_known_field,
)
from pine_select.model.call import Call
from pine_select.model.reviews import Conflict, Override, Overrides, Review
from pine_select.model.rubric import Criterion, Gate, Rubric, Rule, Scale, Selection, exact


def error_types(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {str(e["type"]) for e in exc.value.errors()}


def error_text(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " | ".join(str(e["msg"]) for e in exc.value.errors())


# --- Application --------------------------------------------------------------------------


def test_application_keeps_what_the_file_says() -> None:
    app = Application.model_validate(tiny_application(2))
    assert app.id == "APP-2"
    assert app.organisation.region == "London"
    assert app.age_groups == ("early_years",)  # a list in the file, a tuple in the model
    assert app.requested_amount == 20000
    assert app.facts == {"based_in_england": True, "months_running": 12}
    assert app.contact.email == ""


def test_application_is_frozen() -> None:
    app = Application.model_validate(tiny_application())
    with pytest.raises(ValidationError):
        app.title = "Changed"  # type: ignore[misc]


@pytest.mark.parametrize("changes, error", [
    ({"colour": "red"}, "extra_forbidden"),
    ({"organisation": {"regoin": "London"}}, "extra_forbidden"),
    ({"requested_amount": "12000"}, "int_type"),
    ({"requested_amount": 12000.0}, "int_type"),
    ({"requested_amount": True}, "int_type"),
    ({"requested_amount": -1}, "greater_than_equal"),
    ({"title": ""}, "string_too_short"),
    ({"title": 2019}, "string_type"),
    ({"age_groups": []}, "too_short"),
    ({"age_groups": "early_years"}, "tuple_type"),
    ({"id": "../etc/passwd"}, "string_pattern_mismatch"),
    ({"id": "has space"}, "string_pattern_mismatch"),
    ({"id": "-starts-with-dash"}, "string_pattern_mismatch"),
    ({"id": "A" * 65}, "string_pattern_mismatch"),
    ({"facts": {"nested": {"a": 1}}}, "string_type"),
    ({"answers": {"theory_of_change": 5}}, "string_type"),
    ({"contact": {"fax": "0"}}, "extra_forbidden"),
])
def test_application_refuses(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Application.model_validate(tiny_application(1, **changes))
    assert error in error_types(exc)


def test_application_id_may_be_64_characters() -> None:
    app = Application.model_validate(tiny_application(1, id="A" + "b.-_9" * 12 + "xyz"))
    assert len(app.id) == 64


def test_yaml_11_words_are_only_text_to_the_model() -> None:
    # The loader keeps `yes`/`NO`/`on` as text; the model must not turn them into booleans.
    app = Application.model_validate(tiny_application(
        1, title="NO", facts={"based_in_england": "yes", "open_weekends": "on"}))
    assert app.title == "NO"
    assert app.facts["based_in_england"] == "yes"
    assert app.facts["open_weekends"] == "on"


def test_field_value_follows_dotted_paths() -> None:
    app = Application.model_validate(tiny_application(1))
    assert field_value(app, "organisation.region") == "London"
    assert field_value(app, "facts.months_running") == 12
    assert field_value(app, "answers.theory_of_change") == "Because it helps."
    assert field_value(app, "requested_amount") == 10000
    assert field_value(app, "facts.unknown") is MISSING
    assert field_value(app, "organisation.colour") is MISSING
    assert field_value(app, "facts") is MISSING
    assert field_value(app, "nothing") is MISSING


def test_categories_of_counts_each_value_of_a_list() -> None:
    app = Application.model_validate(tiny_application(1, age_groups=["pre_birth", "early_years"]))
    assert categories_of(app, "age_groups") == ("pre_birth", "early_years")
    assert categories_of(app, "practice_type") == ("early_help",)
    assert categories_of(app, "facts.unknown") == ()


@pytest.mark.parametrize("path, known", [
    ("age_groups", True), ("organisation.type", True), ("facts.anything", True),
    ("answers.x", True), ("requested_amount", True), ("facts", False), ("contact", False),
    ("organisation.colour", False), ("colour", False), ("age_groups.x", False),
])
def test_is_known_field(path: str, known: bool) -> None:
    assert is_known_field(path) is known


# --- Rubric ---------------------------------------------------------------------------------


def test_tiny_rubric_is_valid() -> None:
    rubric = Rubric.model_validate(tiny_rubric())
    assert rubric.criterion_ids() == ("promise", "feasibility")
    assert rubric.weights() == {"promise": Fraction(60), "feasibility": Fraction(40)}
    assert rubric.selection.size_range == (2, 2)
    assert rubric.aggregate == "mean"


def test_weights_are_exact_as_written() -> None:
    assert exact(0.1) == Fraction(1, 10)
    assert exact(3) == Fraction(3)
    criterion = Criterion(id="a", name="A", weight=0.3)
    assert criterion.exact_weight == Fraction(3, 10)


@pytest.mark.parametrize("changes, message", [
    ({"criteria": [{"id": "a", "name": "A", "weight": 0}, {"id": "b", "name": "B", "weight": 0}]},
     "every criterion weight is 0"),
    ({"criteria": [{"id": "a", "name": "A", "weight": -1}]}, "greater than or equal to 0"),
    ({"criteria": []}, "at least 1 item"),
    ({"criteria": [{"id": "Promise", "name": "A", "weight": 1}]}, "should match pattern"),
    ({"criteria": [{"id": "a", "name": "A", "weight": "30"}]}, "valid integer"),
    ({"scale": {"min": 5, "max": 1}}, "must be greater than min"),
    ({"scale": {"min": 1, "max": 1}}, "must be greater than min"),
    ({"scale": {"min": "1", "max": 5}}, "valid integer"),
    ({"aggregate": "mode"}, "'mean', 'median' or 'calibrated'"),
    ({"min_reviews": 0}, "greater than or equal to 1"),
    ({"categories": {"age_groups": []}}, "at least 1 item"),
    ({"selection": {"size": None, "budget": None}}, "give a size, a budget, or both"),
    ({"selection": {"size": {"min": 5, "max": 2}}}, "must be at least min"),
    ({"selection": {"size": -1}}, "greater than or equal to 0"),
    ({"selection": {"budget": "400000"}}, "valid integer"),
    ({"eligibility": [{"id": "g", "field": "facts.x"}]}, "a gate needs a condition"),
    ({"eligibility": [{"id": "g", "field": "colour", "equals": 1}]}, "unknown field 'colour'"),
    ({"selection": {"rules": [{"field": "practice_type"}]}}, "a rule needs a bound"),
    ({"selection": {"rules": [{"field": "practice_type", "at_least": 3, "at_most": 1}]}},
     "at_least (3) is above at_most (1)"),
    ({"selection": {"rules": [{"field": "practice_type", "share_at_most": 1.5}]}},
     "less than or equal to 1"),
    ({"selection": {"rules": [{"field": "practice_type", "at_mots": 1}]}}, "Extra inputs"),
    ({"critera": []}, "Extra inputs"),
])
def test_rubric_refuses(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Rubric.model_validate(merged(tiny_rubric(), changes))
    assert message in error_text(exc)


@pytest.mark.parametrize("changes", [
    {"scale": {"min": 5, "max": 1}},
    {"selection": {"size": None, "budget": None}},
    {"selection": {"size": {"min": 5, "max": 2}}},
    {"eligibility": [{"id": "g", "field": "facts.x"}]},
    {"eligibility": [{"id": "g", "field": "colour", "equals": 1}]},
    {"selection": {"rules": [{"field": "practice_type"}]}},
    {"selection": {"rules": [{"field": "practice_type", "at_least": 3, "at_most": 1}]}},
    {"criteria": [{"id": "a", "name": "A", "weight": 0}]},
])
def test_model_messages_say_what_was_expected(changes: dict[str, Any]) -> None:
    """The loader splits a model's message at '; expected ' (SPEC 5: what was expected)."""
    with pytest.raises(ValidationError) as exc:
        Rubric.model_validate(merged(tiny_rubric(), changes))
    value_errors = [e for e in exc.value.errors() if e["type"] == "value_error"]
    assert value_errors
    for error in value_errors:
        wrong, _, expected = str(error["msg"]).partition("; expected ")
        assert wrong and expected, error["msg"]


def test_amounts_of_money_have_a_ceiling() -> None:
    """A typo of 1e22 pounds must be an input error, not a call the solver cannot solve."""
    assert Application.model_validate(tiny_application(1, requested_amount=10**12))
    with pytest.raises(ValidationError) as exc:
        Application.model_validate(tiny_application(1, requested_amount=10**12 + 1))
    assert error_types(exc) == {"less_than_equal"}
    assert Rubric.model_validate(tiny_rubric(selection={"budget": 10**12}))
    with pytest.raises(ValidationError) as exc:
        Rubric.model_validate(tiny_rubric(selection={"budget": 10**22}))
    assert error_types(exc) == {"less_than_equal"}


def test_scale_must_rise() -> None:
    assert Scale(min=0, max=10).max == 10
    with pytest.raises(ValidationError):
        Scale(min=3, max=2)


def test_gate_conditions_in_a_fixed_order_and_alias_in() -> None:
    gate = Gate.model_validate({"id": "g", "field": "facts.x", "at_most": 5, "in": [1, 2],
                                "equals": 1})
    assert gate.conditions() == ["equals", "in", "at_most"]
    assert gate.in_ == (1, 2)


def test_a_null_condition_is_no_condition() -> None:
    gate = Gate.model_validate({"id": "g", "field": "facts.x", "at_least": 1, "in": None})
    assert gate.conditions() == ["at_least"]
    with pytest.raises(ValidationError, match="a gate needs a condition"):
        Gate.model_validate({"id": "g", "field": "facts.x", "at_least": None})


def test_equals_null_is_a_condition() -> None:
    gate = Gate.model_validate({"id": "g", "field": "facts.x", "equals": None})
    assert gate.conditions() == ["equals"]


def test_rule_names_are_derived_when_not_given() -> None:
    rule = Rule.model_validate({"field": "age_groups", "each": ["pre_birth", "early_years"],
                                "at_least": 1})
    assert rule.name == "age_groups [pre_birth,early_years] at_least=1"
    assert Rule(id="coverage", field="age_groups", at_least=1).name == "coverage"


@pytest.mark.parametrize("size, expected", [
    (8, (8, 8)), ({"min": 6, "max": 10}, (6, 10)), ({"min": 2}, (2, None)), (None, (0, None)),
])
def test_selection_size_range(size: Any, expected: tuple[int, int | None]) -> None:
    selection = Selection.model_validate({"size": size, "budget": 1000})
    assert selection.size_range == expected


# --- Reviews, conflicts, overrides ----------------------------------------------------------


def test_review_is_strict_about_scores() -> None:
    assert Review(application_id="A", reviewer="r", criterion="c", score=3).score == 3
    for bad in ("3", 3.0, True):
        with pytest.raises(ValidationError):
            Review.model_validate({"application_id": "A", "reviewer": "r", "criterion": "c",
                                   "score": bad})


@pytest.mark.parametrize("changes", [
    {"application_id": "../x"}, {"reviewer": ""}, {"reviewer": "r" * 101},
    {"criterion": "Promise"}, {"colour": "red"},
])
def test_review_refuses(changes: dict[str, Any]) -> None:
    row = {"application_id": "A", "reviewer": "r", "criterion": "c", "score": 3, **changes}
    with pytest.raises(ValidationError):
        Review.model_validate(row)


def test_review_line_is_not_part_of_its_dump() -> None:
    review = Review(application_id="A", reviewer="r", criterion="c", score=3, line=7)
    assert "line" not in review.model_dump()


def test_conflict_reason_is_optional() -> None:
    assert Conflict(reviewer="r", application_id="A").reason == ""


@pytest.mark.parametrize("item", [{"id": "A"}, {"id": "A", "reason": ""},
                                  {"id": "A", "reason": "  \t"}, {"id": "A", "reason": 5}])
def test_override_needs_a_reason(item: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Override.model_validate(item)


def test_overrides_merge_what_if_ones_from_the_command_line() -> None:
    overrides = Overrides.model_validate({"include": [{"id": "A", "reason": "panel"}]})
    both = overrides.merged(include=("B",), exclude=("C",))
    assert both.included_ids() == ("A", "B")
    assert both.excluded_ids() == ("C",)
    assert both.include[1].reason == "what-if run (command line)"
    assert overrides.included_ids() == ("A",)  # the original is unchanged


# --- Call, problems -------------------------------------------------------------------------


def test_call_groups_reviews_by_application() -> None:
    rubric = Rubric.model_validate(tiny_rubric())
    apps = tuple(Application.model_validate(tiny_application(n)) for n in (1, 2))
    reviews = (Review(application_id="APP-1", reviewer="a", criterion="promise", score=2),
               Review(application_id="APP-1", reviewer="b", criterion="promise", score=4))
    call = Call(rubric=rubric, applications=apps, reviews=reviews)
    assert call.by_id["APP-2"] is apps[1]
    assert call.reviews_of("APP-1") == reviews
    assert call.reviews_of("APP-2") == ()


def test_problem_reads_as_file_line_message_expected() -> None:
    problem = Problem("apps/a.yaml", 4, "title: missing", "this key to be given")
    assert str(problem) == "apps/a.yaml:4: title: missing; expected this key to be given"
    assert str(Problem("apps", None, "no application files")) == "apps: no application files"
    assert problem.as_dict() == {"file": "apps/a.yaml", "line": 4, "code": "invalid",
                                 "severity": "error", "message": "title: missing",
                                 "expected": "this key to be given"}


def test_input_error_sorts_problems_by_place() -> None:
    error = InputError([Problem("b", 1, "x"), Problem("a", 9, "y"), Problem("a", 2, "z")])
    assert [(p.file, p.line) for p in error.problems] == [("a", 2), ("a", 9), ("b", 1)]
    assert Problem("a", 1, "w", severity=Severity.WARNING).severity is Severity.WARNING
