"""``pine-select score`` output: a terminal table, CSV for spreadsheets, or JSON data.

Every format echoes the weights used (what-if weights change results, so a printout must
say which weights made it) and the tie-break seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import cast

from pine_select.model.call import Call
from pine_select.report.cells import (
    columns,
    csv_text,
    exact_number,
    fixed,
    json_number,
    points,
    points_text,
    terminal_text,
)
from pine_select.scoring.calibration import (
    METHOD,
    PLACES,
    Calibration,
    calibration_summary,
    group_warning,
    uncorrected_note,
)
from pine_select.scoring.result import ApplicationScore, ScoreReport

SCORE_PLACES = 4  # criterion scores in JSON and CSV (a mean of 3 reviewers needs more than 2)
ORGANISATION_WIDTH = 32
REASONS_WIDTH = 100


def score_json(report: ScoreReport, call: Call) -> dict[str, object]:
    """The SPEC's JSON keys, plus the call, seed, tie groups and assessment quality.

    Calibrated (SPEC 10): also ``reviewer_effects``, each application's ``raw_total`` and
    the fit (``calibration``: method, penalty per criterion, groups, who is uncorrected).
    """
    data: dict[str, object] = {
        "applications": [_application_json(a, call, report.calibration is not None)
                         for a in report.applications],
        "weights": {c: exact_number(w) for c, w in report.weights.items()},
        "call": call.rubric.call,
        "rubric_version": call.rubric.version,
        "aggregate": "calibrated" if report.calibration else call.rubric.aggregate,
        "scale": {"min": call.rubric.scale.min, "max": call.rubric.scale.max},
        "min_reviews": call.rubric.min_reviews,
        "seed": report.seed,
        "tie_groups": [list(group) for group in report.tie_groups],
        "quality": report.quality.as_dict(),
    }
    if report.calibration is not None:
        data |= calibration_json(report.calibration)
    return data


def calibration_json(calibration: Calibration) -> dict[str, object]:
    """``reviewer_effects`` {reviewer: {criterion: leniency}} and the fit behind them."""
    summary = calibration_summary(calibration)
    for name in ("penalty", "noise_variance", "leniency_variance"):
        summary[name] = {c: None if v is None else json_number(v, PLACES)
                         for c, v in cast(dict[str, Fraction | None], summary[name]).items()}
    summary["standard_errors"] = _per_reviewer(calibration.standard_errors())
    summary["warnings"] = [w for w in (group_warning(calibration),) if w]
    return {"reviewer_effects": _per_reviewer(calibration.effects()), "calibration": summary}


def _per_reviewer(table: dict[str, dict[str, Fraction]]) -> dict[str, dict[str, float]]:
    return {r: {c: json_number(v, PLACES) for c, v in row.items()} for r, row in table.items()}


def _application_json(score: ApplicationScore, call: Call,
                      calibrated: bool = False) -> dict[str, object]:
    app = call.by_id[score.id]
    data: dict[str, object] = {
        "id": score.id,
        "title": app.title,
        "organisation": app.organisation.name,
        "eligible": score.eligible,
        "selectable": score.selectable,
        "reasons": list(score.reasons),
        "total": points(score.total_cents),
        "rank": score.rank,
        "criteria": {
            c: {"score": None if s.score is None else json_number(s.score, SCORE_PLACES),
                "n_reviews": s.n_reviews, "spread": s.spread}
            for c, s in score.criteria.items()
        },
        "flags": list(score.flags),
        "failed_gates": list(score.failed_gates),
        "excluded": score.excluded,
        "extreme_reviewers": list(score.extreme_reviewers),
        "lottery": score.lottery,
    }
    if calibrated:
        data["raw_total"] = points(score.raw_total_cents)
    return data


def score_csv(report: ScoreReport, call: Call) -> str:
    """One row per application in report order; criterion columns say their weight."""
    raw = [RAW_HEADER] if report.calibration is not None else []
    header = ["rank", "id", "organisation", "title", "total", *raw,
              *(f"{c} (weight {_weight(w)})" for c, w in report.weights.items()),
              "eligible", "selectable", "flags", "reasons"]
    rows = [_csv_row(a, call, raw) for a in report.applications]
    return csv_text(header, rows)


def _csv_row(score: ApplicationScore, call: Call, raw: list[str]) -> list[object]:
    app = call.by_id[score.id]
    return [
        "" if score.rank is None else score.rank,
        score.id,
        app.organisation.name,
        app.title,
        _total(score),
        *_raw(score, raw),
        *(_score(s.score, SCORE_PLACES) for s in score.criteria.values()),
        _yes_no(score.eligible),
        _yes_no(score.selectable),
        "; ".join(score.flags),
        "; ".join(score.reasons),
    ]


def score_table(report: ScoreReport, call: Call) -> str:
    """A readable terminal table: the ranking, then the applications that cannot be chosen."""
    lines = _table_heading(report, call)
    ranked = [a for a in report.applications if a.selectable]
    others = [a for a in report.applications if not a.selectable]
    criteria = list(report.weights)
    raw = [RAW_HEADER] if report.calibration is not None else []
    header = ["rank", "id", "organisation", "total", *raw, *criteria, "flags"]
    rows = [[str(a.rank), a.id, _organisation(a, call), _total(a), *_raw(a, raw),
             *(_score(s.score, 2) for s in a.criteria.values()), compact_flags(a.flags)]
            for a in ranked]
    lines += ["", *columns(header, rows, right={0, 3, *range(4, 4 + len(raw) + len(criteria))})]
    if others:
        lines += ["", f"Not selectable ({len(others)}):"]
        other_rows = [[a.id, _organisation(a, call), _total(a),
                       terminal_text("; ".join(a.reasons), REASONS_WIDTH)] for a in others]
        lines += columns(["id", "organisation", "total", "reasons"], other_rows, right={2})
    return "\n".join(lines)


def compact_flags(flags: Sequence[str]) -> str:
    """Flags grouped by kind for a narrow column: "disagreement: need, learning"."""
    grouped: dict[str, list[str]] = {}
    for flag in flags:
        kind, _, criterion = flag.partition(":")
        grouped.setdefault(kind, [])
        if criterion:
            grouped[kind].append(criterion)
    return "; ".join(f"{k}: {', '.join(v)}" if v else k for k, v in grouped.items())


def _table_heading(report: ScoreReport, call: Call) -> list[str]:
    rubric = call.rubric
    weights = ", ".join(f"{c}={_weight(w)}" for c, w in report.weights.items())
    selectable = len(report.selectable())
    aggregate = "calibrated mean" if report.calibration is not None else rubric.aggregate
    lines = [
        f"{terminal_text(rubric.call)} (rubric {terminal_text(rubric.version)}): "
        f"{len(report.applications)} applications, {selectable} selectable",
        f"weights: {weights}; criterion scores: {aggregate} of reviewers, "
        f"scale {rubric.scale.min}-{rubric.scale.max}",
        f"ties broken by lottery, seed {report.seed}",
    ]
    lines += [f"tied at {_total(report.by_id()[g[0]])}: {' > '.join(g)}"
              for g in report.tie_groups]
    if report.calibration is not None:
        lines += _calibration_lines(report.calibration)
    return lines


RAW_HEADER = "raw total"


def _calibration_lines(calibration: Calibration) -> list[str]:
    """What the calibrated table says about its correction (docs/method.md)."""
    penalties = ", ".join(f"{f.criterion}={'none' if f.penalty is None else fixed(f.penalty, 2)}"
                          for f in calibration.fits)
    lines = [f"calibrated for reviewer leniency ({METHOD}; penalty per criterion: "
             f"{penalties}); {RAW_HEADER}: before the correction"]
    notes = (uncorrected_note(calibration), group_warning(calibration))
    lines += [terminal_text(n) for n in notes[:1] if n]
    lines += [f"warning: {terminal_text(n)}" for n in notes[1:] if n]
    return lines


def _raw(score: ApplicationScore, raw: list[str]) -> list[str]:
    if not raw:
        return []
    return ["" if score.raw_total_cents is None else points_text(score.raw_total_cents)]


def _organisation(score: ApplicationScore, call: Call) -> str:
    return terminal_text(call.by_id[score.id].organisation.name, ORGANISATION_WIDTH)


def _total(score: ApplicationScore) -> str:
    return "" if score.total_cents is None else points_text(score.total_cents)


def _score(value: Fraction | None, places: int) -> str:
    return "" if value is None else fixed(value, places)


def _weight(weight: Fraction) -> str:
    return str(exact_number(weight))


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
