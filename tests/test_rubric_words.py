"""Words for people in the rubric (SPEC 7): labels, rule descriptions, the publication date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from click.testing import Result
from conftest import CallPaths, merged, tiny_rubric
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC

from pine_select.loading.loader import load_call


def _with(**changes: Any) -> dict[str, Any]:
    return merged(tiny_rubric(), changes)


def test_labels_descriptions_and_date_are_read(make_call: Callable[..., CallPaths]) -> None:
    rubric = _with(labels={"early_help": "Early help", "organisation.region": "Region",
                           "promise": "Promising practice"},
                   published_on="2019-03-01")
    rubric["selection"]["rules"][0]["description"] = "A rule in words."
    paths = make_call(rubric=rubric)
    call = load_call(*paths.args[:2])
    assert call.rubric.published_on == date(2019, 3, 1)
    assert call.rubric.label("early_help") == "Early help"
    assert call.rubric.label("child_protection") == "child_protection"  # no label: as is
    assert call.rubric.selection.rules[0].description == "A rule in words."


def test_a_label_for_an_undeclared_name_is_an_error(make_call: Callable[..., CallPaths],
                                                    run_cli: Callable[..., Result]) -> None:
    paths = make_call(rubric=_with(labels={"erly_help": "Early help"}))
    result = run_cli("validate", *paths.args)
    assert result.exit_code == 2
    assert "labels for undeclared names: 'erly_help'" in result.stderr


def test_a_publication_date_that_is_not_a_date_is_an_error(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    result = run_cli("validate", *make_call(rubric=_with(published_on="March 2019")).args)
    assert result.exit_code == 2 and "is not a date; expected YYYY-MM-DD" in result.stderr


def test_the_example_rubric_describes_every_rule_and_labels_every_category() -> None:
    call = load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS)
    rubric = call.rubric
    assert all(rule.description for rule in rubric.selection.rules)
    snake = {v for values in rubric.categories.values() for v in values if "_" in v}
    assert snake <= set(rubric.labels)
    assert rubric.published_on == date(2019, 3, 1)
