"""What ``pine-select pack`` and ``verify`` print: one line for a pack written, and one line
per file or claim that does not verify."""

from __future__ import annotations

from pathlib import Path

from pine_select.pack.build import PackSummary
from pine_select.pack.verify import VerifyReport
from pine_select.report.cells import points_text


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
    lines += [f"{folder / where}" for where in report.differences]
    lines += [f"{folder / refused}" for refused in report.refused]
    lines += [f"{folder / 'manifest.json'}: {claim}" for claim in report.claims]
    if report.rerun_error:
        lines.append(f"{folder}: could not re-run the pack: {report.rerun_error}")
    if lines:
        return [*lines, f"{folder}: does not verify."]
    if report.caveats:
        return [*(f"{folder / caveat}" for caveat in report.caveats),
                f"OK: {folder} verifies, but for what is said above: every other file and "
                "claim matches its manifest and a re-run."]
    return [f"OK: {folder} verifies: every file and claim matches its manifest and a re-run."]
