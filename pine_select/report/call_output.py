"""``pine-select validate`` output: a short summary for people, plain data for scripts.

(What ``pack`` and ``verify`` print lives with them, in ``pack/summary.py``: the pack layer
sits above this one.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pine_select.errors import Problem, Severity, display_path
from pine_select.model.reviews import Review, ReviewTable
from pine_select.report.cells import starts_a_formula, terminal_text

if TYPE_CHECKING:
    from pine_select.model.call import Call


def validation_json(call: Call | None, problems: tuple[Problem, ...]) -> dict[str, object]:
    """``validate --format json``: valid or not, and every problem (warnings when valid)."""
    if call is None:
        return {"valid": False, "problems": [p.as_dict() for p in problems]}
    return {"valid": True, "applications": len(call.applications),
            "reviews": len(call.reviews), "problems": [p.as_dict() for p in problems]}


def validation_text(call: Call, warnings: int) -> str:
    return (f"OK: {len(call.applications)} applications, {len(call.reviews)} review scores, "
            f"{len(call.conflicts)} declared conflicts; {warnings} warning(s).")


def validation_warnings(call: Call) -> tuple[Problem, ...]:
    """The call's warnings, and one for each review comment a spreadsheet would take for a
    formula (validate shows these; scoring never needs them)."""
    label = display_path(call.files.reviews) if call.files and call.files.reviews else (
        "reviews.csv")
    reviews = call.reviews
    flagged = (reviews.rows_whose_comment(starts_a_formula) if isinstance(reviews, ReviewTable)
               else tuple(r for r in reviews if starts_a_formula(r.comment)))
    return (*call.warnings, *formula_comments(((r.line, r) for r in flagged), label))


def formula_comments(rows: Iterable[tuple[int, Review]], label: str) -> tuple[Problem, ...]:
    """A warning naming ``label:LINE`` for each comment that starts like a formula.

    reviews.csv is an input: it keeps the reviewer's words exactly (its hash is in every
    pack), so such a comment is not changed, only pointed out, for whoever opens the file
    in a spreadsheet (as text, docs/auditing-a-pack.md says).
    """
    return tuple(
        Problem(label, line, f"the comment of {review.reviewer} on {review.application_id} "
                f"({review.criterion}) starts like a spreadsheet formula "
                f"({terminal_text(review.comment, 40)}); it is kept exactly as written",
                "to open this file in a spreadsheet as text (every column as Text), or a "
                "comment that starts with a word", code="formula_comment",
                severity=Severity.WARNING)
        for line, review in rows if starts_a_formula(review.comment))
