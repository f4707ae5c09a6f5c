"""The briefing's "correcting for lenient and harsh reviewers" section (SPEC 10, issue 16).

Shown only when the call's scores are calibrated. Made from the disclosure (withhold.py),
like every part of a pack: in a member's copy the fit was re-done on the applications the
copy shows (``withhold._refitted``), so each reviewer's leniency and its standard error owe
nothing to the withheld reviews and may be shown.

Who the correction moves across the funding line: the portfolio chosen on the
uncorrected totals under the same rules, against the recommended one. It is an optimum
over portfolios, so a copy that withholds a selectable application does not show it
(the same reason as ``withhold.NOT_SHOWN_OPTIMA``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pine_select.options import RunOptions
from pine_select.pack.withhold import Disclosure
from pine_select.pack.words import Words
from pine_select.report.cells import fixed
from pine_select.scoring.calibration import (
    METHOD,
    MIN_SCORES,
    PLACES,
    Calibration,
    group_warning,
)
from pine_select.scoring.ranking import ranked
from pine_select.scoring.result import ScoreReport

NOT_SHOWN_MOVES = ("who the correction moves across the funding line is not shown in this "
                   "copy: it compares the recommended portfolio with the one the uncorrected "
                   "totals would give, and both depend on the withheld applications' scores")


def calibration_view(disclosed: Disclosure, params: RunOptions) -> dict[str, Any] | None:
    """Everything the section shows, as plain values (None: scores are not calibrated)."""
    scores = disclosed.decision.scores
    calibration = scores.calibration
    if calibration is None:
        return None
    words = Words(disclosed.decision.call.rubric)
    return {
        "method": METHOD,
        "places": PLACES,
        "min_scores": MIN_SCORES,
        "recomputed": bool(disclosed.withheld),
        "criteria": [{"id": f.criterion, "name": words.label(f.criterion),
                      "penalty": "none" if f.penalty is None else fixed(f.penalty, 2)}
                     for f in calibration.fits],
        "reviewers": _reviewer_rows(calibration),
        "uncorrected": list(calibration.uncorrected),
        "groups": len(calibration.groups),
        "group_warning": group_warning(calibration),
        "moves": _moves(disclosed, params),
    }


def _reviewer_rows(calibration: Calibration) -> list[dict[str, Any]]:
    effects, errors = calibration.effects(), calibration.standard_errors()
    uncorrected = set(calibration.uncorrected)
    return [{"reviewer": reviewer,
             "effects": [f"{fixed(effects[reviewer][c], PLACES, plus=True)} "
                         f"± {fixed(errors[reviewer][c], PLACES)}" for c in calibration.criteria],
             "uncorrected": reviewer in uncorrected}
            for reviewer in calibration.reviewers]


def _moves(disclosed: Disclosure, params: RunOptions) -> dict[str, Any]:
    """Who enters and leaves the portfolio because of the correction, or why not shown."""
    decision = disclosed.decision
    if not decision.selection.optimal:
        return {"shown": False, "reason": "no portfolio keeps every rule"}
    if not disclosed.shows_optima:
        return {"shown": False, "reason": NOT_SHOWN_MOVES}
    from pine_select.selection.select import select_options, select_portfolio

    raw = select_portfolio(decision.call, uncorrected(decision.scores),
                           overrides=decision.overrides,
                           options=select_options(size=params.size, budget=params.budget,
                                                  solver=params.solver, explain_limit=0,
                                                  drop_rules=params.drop_rules))
    if not raw.optimal:
        return {"shown": False, "reason": "no portfolio keeps every rule on the uncorrected "
                                          "totals"}
    by_id = decision.scores.by_id()
    chosen, before = set(decision.selection.selected), set(raw.selected)

    def rows(ids: set[str]) -> list[dict[str, Any]]:
        return [{"id": i, "organisation": decision.call.by_id[i].organisation.name,
                 "total": by_id[i].total_cents, "raw": by_id[i].raw_total_cents}
                for i in sorted(ids, key=lambda i: (by_id[i].rank or 0, i))]

    return {"shown": True, "entered": rows(chosen - before), "left": rows(before - chosen)}


def uncorrected(report: ScoreReport) -> ScoreReport:
    """``report`` with every total the uncorrected one, ranked again (ties by the lottery)."""
    rows = [replace(s, total=s.raw_total, total_cents=s.raw_total_cents)
            for s in report.applications]
    applications, ties = ranked(rows)
    return replace(report, applications=applications, tie_groups=ties, calibration=None)
