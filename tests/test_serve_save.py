"""Saving tuned weights (serve/rubric_file.py): only the tuned values change, in place."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from helpers_pack import EXAMPLE_RUBRIC

from pine_select.errors import InputError, UsageError
from pine_select.loading.applications import load_yaml_model
from pine_select.model.rubric import Rubric
from pine_select.serve.rubric_file import (
    RubricSource,
    note_comment,
    save_tuned_rubric,
    weight_text,
)

FLOW_RUBRIC = """\
call: Flow call   # a comment after a value
version: '1.0'  # quoted the other way
scale: {min: 1, max: 5}
categories:
  age_groups: [early_years]
  practice_type: [early_help]
  organisation.type: [local_authority]
  organisation.region: [London]
criteria:
- {id: promise, name: Promise, weight: 60}   # flow mapping
- id: feasibility
  name: Feasibility
  weight: 4e1  # written as an exponent
selection: {size: 1}
"""


def _source(path: Path, text: str) -> RubricSource:
    path.write_text(text, encoding="utf-8")
    rubric, _ = load_yaml_model(path, Rubric)
    return RubricSource.read(path, rubric)


def test_only_the_tuned_values_change_in_any_layout(tmp_path: Path) -> None:
    source = _source(tmp_path / "flow.yaml", FLOW_RUBRIC)
    out = tmp_path / "out"
    out.mkdir()
    saved = save_tuned_rubric(source, {"promise": Fraction(5, 2), "feasibility": Fraction(7)},
                              "why", out)
    text = saved.path.read_text(encoding="utf-8")
    assert "- {id: promise, name: Promise, weight: 2.5}   # flow mapping\n" in text
    assert "  weight: 7  # written as an exponent\n" in text
    assert 'version: "1.0-tuned.1"  # quoted the other way\n' in text
    assert "# Weights tuned from version 1.0 with pine-select serve.\n# why\n" in text
    removed = [line for line in saved.diff.splitlines() if line.startswith("-") and
               not line.startswith("---")]
    assert len(removed) == 3  # version and two weights: nothing else moved
    rubric, _ = load_yaml_model(saved.path, Rubric)
    assert rubric.weights() == {"promise": Fraction(5, 2), "feasibility": Fraction(7)}


def test_the_example_rubric_keeps_every_other_byte(tmp_path: Path) -> None:
    rubric, _ = load_yaml_model(EXAMPLE_RUBRIC, Rubric)
    source = RubricSource.read(EXAMPLE_RUBRIC, rubric)
    saved = save_tuned_rubric(source, {"need": Fraction(15)}, "", tmp_path)
    before = EXAMPLE_RUBRIC.read_text(encoding="utf-8").splitlines()
    after = saved.path.read_text(encoding="utf-8").splitlines()
    header = ["# Weights tuned from version 2019.1 with pine-select serve."]
    changed = [(b, a) for b, a in zip(before, [x for x in after if x not in header],
                                      strict=True) if b != a]
    assert changed == [('version: "2019.1"', 'version: "2019.1-tuned.1"'),
                       ("    weight: 20", "    weight: 15")]


@pytest.mark.parametrize(("weight", "text"), [
    (Fraction(30), "30"), (Fraction(5, 2), "2.5"), (Fraction(1, 10**6), "0.000001"),
    (Fraction(123456789, 1000), "123456.789")])
def test_weights_are_written_exactly(weight: Fraction, text: str) -> None:
    assert weight_text("c", weight) == text


def test_a_weight_without_an_exact_decimal_is_refused() -> None:
    with pytest.raises(UsageError, match=r"c=1/3 cannot be written exactly"):
        weight_text("c", Fraction(1, 3))


def test_a_note_can_never_become_yaml() -> None:
    assert note_comment("line one\r\nweights: {promise: 1}\u2028x\x1b[31m") == [
        "# line one", "# weights: {promise: 1}", "# x [31m"]
    assert note_comment("") == []


def test_a_block_scalar_version_cannot_be_tuned_in_place(tmp_path: Path) -> None:
    text = FLOW_RUBRIC.replace("version: '1.0'  # quoted the other way", "version: >-\n  1.0")
    path = tmp_path / "block.yaml"
    path.write_text(text, encoding="utf-8")
    rubric, _ = load_yaml_model(path, Rubric)
    with pytest.raises(InputError, match="version is not written as a plain or quoted value"):
        RubricSource.read(path, rubric)
