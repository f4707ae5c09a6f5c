"""The shared cells of every output: one rounding rule, one spreadsheet-formula rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pine_select.report.cells import (
    csv_text,
    fixed,
    json_number,
    spreadsheet_cell,
    spreadsheet_text,
)
from pine_select.scoring.result import AssessmentQuality, ReviewerQuality


@pytest.mark.parametrize("text", [
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1",
    "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)",  # full-width = + - @
    " =1", "  +HYPERLINK(\"x\")", "\u3000\uff1d1",
])
def test_every_formula_start_is_neutralised(text: str) -> None:
    """Issue 11: the full-width signs, and signs after blanks, passed as formulas."""
    assert spreadsheet_cell(text) == "'" + text
    assert csv_text(["h"], [[text]]).splitlines()[1].lstrip('"').startswith("'")


@pytest.mark.parametrize("text, cell", [
    ("\x1b]0;pwned\x07", "\ufffd]0;pwned\ufffd"), ("a\x7fb\x9bc\x00", "a\ufffdb\ufffdc\ufffd"),
    ("\u202aa\u202bb\u202cc\u202dd\u202ee", "\ufffda\ufffdb\ufffdc\ufffdd\ufffde"),
    ("\u2066\u2067\u2068\u2069\u200e\u200f\u061c", "\ufffd" * 7),
    ("\x1b=1", "\ufffd=1"),  # no longer a formula start once the ESC is shown
    ("=1\x1b", "'=1\ufffd"), ("in\tside\nand\rout", "in\tside\nand\rout"),
])
def test_control_and_bidi_characters_become_replacement_marks(text: str, cell: str) -> None:
    """Hostile 10: ESC, BEL and bidi overrides reached a terminal through CSV on stdout."""
    assert spreadsheet_cell(text) == cell
    assert spreadsheet_text(text).replace("'", "") == cell.lstrip("'")


@pytest.mark.parametrize("text", ["Warrington", "1-2 years", "a=b", "", "café", "3"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert spreadsheet_cell(text) == text


def test_an_eighth_rounds_half_up_in_every_form() -> None:
    """Issue 11: 4.125 printed 4.12 (float formatting) in one output, 4.13 in another."""
    assert fixed(Fraction(33, 8), 2) == "4.13"
    assert fixed(4.125, 2) == "4.13"  # a float is rounded on its exact value, half up
    assert f"{4.125:.2f}" == "4.12"  # what float formatting would have printed
    assert json_number(4.125, 2) == 4.13 and json_number(Fraction(-33, 8), 2) == -4.13
    assert fixed(0.25, 2, plus=True) == "+0.25" and fixed(-0.25, 2, plus=True) == "-0.25"
    assert fixed(Fraction(0), 2, plus=True) == "0.00"


def test_statistics_in_json_round_half_up_too() -> None:
    quality = AssessmentQuality(reviewers=(ReviewerQuality("ann", 4, 2, 1 / 32, 4),))
    reviewers = quality.as_dict()["reviewers"]
    assert isinstance(reviewers, list) and reviewers[0]["leniency"] == 0.0313  # not 0.0312


def test_a_number_that_is_not_finite_cannot_be_printed() -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        fixed(float("nan"), 2)
