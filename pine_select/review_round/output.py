"""What ``assign``, ``sheets`` and ``collect`` print: plain text, and assign's JSON (SPEC 9)."""

from __future__ import annotations

from collections.abc import Sequence

from pine_select.report.cells import terminal_text
from pine_select.review_round.assign import AssignmentResult
from pine_select.review_round.collect import Collected
from pine_select.review_round.sheets import SheetsWritten

LISTED = 20  # ids listed in full before "... and N more"


def assign_json(result: AssignmentResult) -> dict[str, object]:
    """The SPEC's keys, plus ``status``, ``per_application``, ``kept`` and ``shortfalls``."""
    return {
        "status": result.status,
        "per_application": result.per_application,
        "assignments": [{"application_id": a.application_id, "reviewer": a.reviewer,
                         "expert": a.expert} for a in result.assignments],
        "loads": result.loads or {},
        "detected_conflicts": [c.as_dict() for c in result.detected_conflicts],
        "without_expert": list(result.without_expert),
        "kept": result.kept,
        "shortfalls": [s.as_dict() for s in result.shortfalls],
    }


def assign_text(result: AssignmentResult, written: str | None) -> str:
    n, k = len(result.applications), result.per_application
    if not result.optimal:
        lines = [f"No assignment gives each of the {n} applications {k} reviewers:"]
        lines += [f"  - {terminal_text(s.reason)}" for s in result.shortfalls]
        lines.append("Add reviewers, raise max_load, or ask for fewer reviewers per application.")
        return "\n".join(lines + _detected(result))
    loads = result.loads or {}
    experts = sum(a.expert == "yes" for a in result.assignments)
    lines = [
        f"Assigned {k} reviewers to each of {n} applications: {len(result.assignments)} "
        "reviews, proven optimal",
        f"loads: {min(loads.values(), default=0)} to {max(loads.values(), default=0)} per "
        "reviewer (" + ", ".join(f"{r} {c}" for r, c in loads.items()) + ")",
        f"experts: {experts} expert reviews; {n - len(result.without_expert)} of {n} "
        "applications have an expert" + _listed(" (without: ", result.without_expert),
    ]
    if result.previous:
        lines.append(f"kept {result.kept} of the {result.previous} assignments already "
                     "made")
    lines += _detected(result)
    if written:
        lines.append(f"written: {written}")
    return "\n".join(lines)


def _detected(result: AssignmentResult) -> list[str]:
    if not result.detected_conflicts:
        return []
    return ["detected conflicts (same organisation; never assigned):"] + [
        f"  {c.reviewer} - {c.application_id}: {terminal_text(c.reason)}"
        for c in result.detected_conflicts]


def _listed(prefix: str, ids: Sequence[str], suffix: str = ")") -> str:
    """``ids`` after ``prefix``, the first :data:`LISTED` of them; "" if there are none."""
    if not ids:
        return ""
    more = f" and {len(ids) - LISTED} more" if len(ids) > LISTED else ""
    return prefix + ", ".join(ids[:LISTED]) + more + suffix


def sheets_text(written: SheetsWritten) -> str:
    return (f"Wrote {len(written.files)} scoresheet(s) for {written.rows} assigned reviews "
            f"to {written.folder.as_posix()}/")


def collect_text(collected: Collected, written: str) -> str:
    lines = [f"Collected {len(collected.reviews)} scores from {len(collected.returned)} "
             f"workbook(s) into {written}"]
    if collected.not_returned:
        lines.append(f"not returned ({len(collected.not_returned)}): "
                     + ", ".join(collected.not_returned))
    outstanding = collected.outstanding_by_reviewer()
    if outstanding:
        lines.append("outstanding scores:")
        lines += [f"  {reviewer}: {count}" + _listed(" (", sorted(
            {o.application_id for o in collected.outstanding if o.reviewer == reviewer}))
            for reviewer, count in outstanding.items()]
    else:
        lines.append("no scores outstanding in the returned workbooks")
    below = collected.below_min_reviews
    if below:
        lines.append(f"{len(below)} application(s) below min_reviews "
                     f"({collected.min_reviews}) on some criterion"
                     + _listed(": ", [f"{a} ({n})" for a, n in below.items()], ""))
    return "\n".join(lines)
