"""``pine-select validate``, ``pack`` and ``verify`` output: short summaries for people,
plain data for scripts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pine_select.errors import Problem
from pine_select.report.cells import points_text

if TYPE_CHECKING:
    from pine_select.model.call import Call
    from pine_select.pack import PackSummary, VerifyReport


def validation_json(call: Call | None, problems: tuple[Problem, ...]) -> dict[str, object]:
    """``validate --format json``: valid or not, and every problem (warnings when valid)."""
    if call is None:
        return {"valid": False, "problems": [p.as_dict() for p in problems]}
    return {"valid": True, "applications": len(call.applications),
            "reviews": len(call.reviews), "problems": [p.as_dict() for p in problems]}


def validation_text(call: Call) -> str:
    return (f"OK: {len(call.applications)} applications, {len(call.reviews)} review scores, "
            f"{len(call.conflicts)} declared conflicts; {len(call.warnings)} warning(s).")


def pack_text(summary: PackSummary) -> str:
    selection = summary.decision.selection
    return (f"Wrote {summary.folder / 'briefing.html'} ({selection.status}: "
            f"{len(selection.selected)} recommended, total {points_text(selection.total_cents)}).")


def verify_lines(report: VerifyReport) -> list[str]:
    """One line per file that does not verify, or one line saying that all do."""
    folder: Path = report.folder
    lines = [f"{folder / name}: {label}"
             for label, names in (("altered since the pack was made", report.altered),
                                  ("missing", report.missing),
                                  ("added (not in the manifest)", report.added),
                                  ("differs when re-run from inputs/", report.differs_on_rerun))
             for name in names]
    lines += [f"{folder / refused}" for refused in report.refused]
    lines += [f"{folder / 'manifest.json'}: {claim}" for claim in report.claims]
    if report.rerun_error:
        lines.append(f"{folder}: could not re-run the pack: {report.rerun_error}")
    if lines:
        return [*lines, f"{folder}: does not verify."]
    return [f"OK: {folder} verifies: every file and claim matches its manifest and a re-run."]
