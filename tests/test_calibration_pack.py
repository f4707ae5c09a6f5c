"""Reviewer calibration in the briefing pack (issue 16): the section, and withholding."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import pytest
from helpers_pack import EXAMPLE_RUBRIC
from test_pack_withholding import (
    EXAMPLE_MEMBER,
    LEFT_OUT,
    RECOMMENDED,
    _example_copy,
    _unchanged,
    assert_same_copies,
    input_hashes,
    outcomes,
)

from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pack import render_outputs
from pine_select.pipeline import decide

CALIBRATED = RunOptions(calibrate=True)


def _perturbed(row: dict[str, str]) -> None:
    """A new score and comments on the withheld applications that keep every calibrated
    outcome (the fit moves every total a little: most single changes move some reserve)."""
    if (row["application_id"], row["reviewer"], row["criterion"]) == (
            RECOMMENDED, "kwame.asante", "learning"):
        row["score"] = "3"  # was 4
    if row["application_id"] in (LEFT_OUT, RECOMMENDED):
        row["comment"] = "Rewritten: " + row["comment"]


def calibrated_copy(apps: Path, member: str | None) -> tuple[dict[str, str], dict[str, bytes]]:
    # The example's decision follows the uncorrected recommendation: left out here.
    (apps / "decision.yaml").unlink(missing_ok=True)
    decision = decide(load_call(EXAMPLE_RUBRIC, apps), CALIBRATED)
    copy = render_outputs(decision, CALIBRATED.replaced(member=member),
                          input_hashes(EXAMPLE_RUBRIC, apps))
    return outcomes(decision), copy


def test_a_calibrated_member_copy_does_not_depend_on_the_withheld_reviews(
        tmp_path: Path) -> None:
    """The leniency fit of the whole call weighs the withheld reviews; the member's copy is
    re-fitted without them, so its visible totals and reviewer effects do not move."""
    one = calibrated_copy(_example_copy(tmp_path / "one", _unchanged), EXAMPLE_MEMBER)
    two = calibrated_copy(_example_copy(tmp_path / "two", _perturbed), EXAMPLE_MEMBER)
    assert one[0] == two[0], "the perturbation must keep every outcome"
    assert_same_copies(one[1], two[1])
    results = json.loads(one[1]["results.json"])
    assert "reviewer_effects" in results["score"]
    rows = {a["id"]: a for a in results["score"]["applications"]}
    assert "raw_total" not in rows[LEFT_OUT] and rows[LEFT_OUT]["total"] is None
    html = unescape(one[1]["briefing.html"].decode())
    assert "without the withheld ones; the recommendation is the full pack's" in html
    assert "who the correction moves across the funding line is not shown in this copy" in html


@pytest.mark.slow
def test_the_full_calibrated_pack_does_change_with_those_reviews(tmp_path: Path) -> None:
    """The check above has teeth: the whole call's fit moves with the withheld reviews."""
    effects = []
    for name, change in (("one", _unchanged), ("two", _perturbed)):
        calibration = decide(load_call(EXAMPLE_RUBRIC, _example_copy(tmp_path / name, change)),
                             CALIBRATED).scores.calibration
        assert calibration is not None
        effects.append(calibration.effects())
    assert effects[0] != effects[1]


def test_the_calibrated_pack_shows_raw_leniency_and_who_moves(tmp_path: Path) -> None:
    _, copy = calibrated_copy(_example_copy(tmp_path / "one", _unchanged), None)
    html = unescape(copy["briefing.html"].decode())
    results = json.loads(copy["results.json"])
    assert "Correcting for lenient and harsh reviewers" in html
    assert "<th class=\"num\">Before correction</th>" in html
    assert "tom.hughes" in html and "±" in html
    assert "Recommended because of the correction" in html
    assert results["made_with"]["parameters"]["calibrate"] is True
    assert all("raw_total" in a for a in results["score"]["applications"])
    assert RECOMMENDED in {a["id"] for a in results["score"]["applications"]}


def test_calibrating_a_call_whose_rubric_takes_plain_means_is_a_what_if(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The example publishes ``aggregate: mean``: --calibrate changes the published rules, so
    the pack is marked as a what-if and the panel's decision (made on the published
    recommendation) is not checked against it."""
    from helpers_pack import EXAMPLE_APPS

    made = run_cli("pack", EXAMPLE_RUBRIC, EXAMPLE_APPS, "--out", tmp_path / "p", "--calibrate")
    assert made.exit_code == 0, made.output
    results = json.loads((tmp_path / "p" / "results.json").read_text("utf-8"))
    assert results["what_if"] == {"calibrate": True} and "decision" not in results
    html = (tmp_path / "p" / "briefing.html").read_text("utf-8")
    assert "WHAT-IF PACK" in html and "corrected for reviewers&#39; leniency" in html
