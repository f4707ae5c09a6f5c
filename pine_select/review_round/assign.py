"""``assign`` (SPEC 9): who reviews what, by an integer programme proven optimal.

Every eligible application that the panel has not excluded gets exactly K distinct
reviewers, never one with a declared conflict (conflicts.csv) nor one from the applicant's
own organisation (a detected conflict, listed). Among those assignments, in this order:
loads as even as the reviewers' max_load allow; an expert (expertise holds the
application's practice_type) for as many applications as possible, then as many expert
pairs as possible; as many pairs as possible kept from the assignments already sent out
(so a late conflict moves only what it must); then the seeded lottery breaks ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pine_select.errors import Problem, Severity
from pine_select.loading.checks import closest
from pine_select.lottery import lottery_order
from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.pipeline import score
from pine_select.review_round.assign_problem import (
    AssignmentProblem,
    Pair,
    Shortfall,
    first_assignment,
)
from pine_select.review_round.assignments import Assignment
from pine_select.review_round.reviewers import Reviewer, organisation_key


@dataclass(frozen=True)
class DetectedConflict:
    reviewer: str
    application_id: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"reviewer": self.reviewer, "application_id": self.application_id,
                "reason": self.reason}


@dataclass(frozen=True)
class AssignmentResult:
    """What ``assign`` found: the assignments, or (status infeasible) the shortfalls."""

    status: str  # "optimal" | "infeasible"
    per_application: int
    applications: tuple[str, ...]  # those to review (eligible, not excluded)
    assignments: tuple[Assignment, ...] = ()  # sorted by application, then reviewer
    loads: dict[str, int] | None = None  # every reviewer, in reviewers.csv order
    detected_conflicts: tuple[DetectedConflict, ...] = ()
    without_expert: tuple[str, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    kept: int = 0  # pairs kept from the previous assignments
    previous: int = 0  # pairs in the previous assignments
    warnings: tuple[Problem, ...] = ()

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def assign_reviewers(call: Call, reviewers: Sequence[Reviewer], per_application: int,
                     previous: Sequence[Assignment] = ()) -> AssignmentResult:
    """The assignment of ``reviewers`` to ``call``'s applications (see the module's rules)."""
    from pine_select.review_round.assign_solver import solve_assignment  # HiGHS, numpy: costly

    applications = _to_review(call)
    detected = _same_organisation(applications, reviewers)
    problem = _problem(call, applications, reviewers, per_application, detected, previous)
    warnings = tuple(_unknown_conflict_reviewers(call, reviewers))
    base = AssignmentResult("infeasible", per_application, problem.applications,
                            detected_conflicts=detected, warnings=warnings,
                            previous=len(previous))
    first = first_assignment(problem)
    if first.shortfalls:
        return replace(base, shortfalls=first.shortfalls)
    chosen = solve_assignment(problem, max(first.max_load, 1)) if problem.pairs else ()
    return _result(base, problem, chosen, applications, reviewers)


def _to_review(call: Call) -> tuple[Application, ...]:
    report, _ = score(call)
    wanted = {a.id for a in report.applications if a.eligible and not a.excluded}
    return tuple(app for app in call.applications if app.id in wanted)


def _same_organisation(applications: Sequence[Application],
                       reviewers: Sequence[Reviewer]) -> tuple[DetectedConflict, ...]:
    by_organisation: dict[str, list[Reviewer]] = {}
    for reviewer in reviewers:
        if reviewer.organisation.strip():
            by_organisation.setdefault(organisation_key(reviewer.organisation),
                                       []).append(reviewer)
    return tuple(DetectedConflict(r.reviewer, app.id,
                                  f"same organisation ({app.organisation.name})")
                 for app in applications
                 for r in by_organisation.get(organisation_key(app.organisation.name), ()))


def _problem(call: Call, applications: Sequence[Application], reviewers: Sequence[Reviewer],
             per_application: int, detected: Sequence[DetectedConflict],
             previous: Sequence[Assignment]) -> AssignmentProblem:
    barred = {(c.application_id, c.reviewer) for c in call.conflicts}
    barred |= {(d.application_id, d.reviewer) for d in detected}
    kept = {(a.application_id, a.reviewer) for a in previous}
    allowed = [(a, r) for a, app in enumerate(applications) for r, reviewer in enumerate(reviewers)
               if (app.id, reviewer.reviewer) not in barred]
    labels = {f"{applications[a].id}/{reviewers[r].reviewer}": (a, r) for a, r in allowed}
    order = lottery_order(call.rubric.selection.tie_break_seed, labels)
    priority = {labels[label]: position for position, label in enumerate(order)}
    pairs = tuple(Pair(a, r, applications[a].practice_type in reviewers[r].expertise,
                       (applications[a].id, reviewers[r].reviewer) in kept, priority[(a, r)])
                  for a, r in allowed)
    n = len(applications)
    capacity = tuple(n if r.max_load is None else min(r.max_load, n) for r in reviewers)
    return AssignmentProblem(tuple(app.id for app in applications),
                             tuple(r.reviewer for r in reviewers), per_application, pairs,
                             capacity)


def _result(base: AssignmentResult, problem: AssignmentProblem, chosen: Sequence[int],
            applications: Sequence[Application], reviewers: Sequence[Reviewer]) -> AssignmentResult:
    pairs = [problem.pairs[i] for i in chosen]
    rows = sorted((Assignment(application_id=applications[p.application].id,
                              reviewer=reviewers[p.reviewer].reviewer,
                              expert="yes" if p.expert else "no") for p in pairs),
                  key=lambda row: (row.application_id, row.reviewer))
    loads = {r.reviewer: 0 for r in reviewers}
    for row in rows:
        loads[row.reviewer] += 1
    with_expert = {row.application_id for row in rows if row.expert == "yes"}
    return replace(base, status="optimal", assignments=tuple(rows), loads=loads,
                    without_expert=tuple(a.id for a in applications if a.id not in with_expert),
                    kept=sum(p.kept for p in pairs))


def _unknown_conflict_reviewers(call: Call, reviewers: Sequence[Reviewer]) -> list[Problem]:
    """A warning for each conflict naming nobody in reviewers.csv: a typo there would let a
    conflicted reviewer through (a panel member who does not review is fine)."""
    known = {r.reviewer for r in reviewers}
    label = call.files.conflicts.as_posix() if call.files and call.files.conflicts else ""
    return [Problem(label or "conflicts.csv", c.line, f"reviewer {c.reviewer} is not in "
                    "reviewers.csv, so this conflict bars nobody from the assignment",
                    f"a reviewer of reviewers.csv if meant as one: "
                    f"{closest(c.reviewer, sorted(known))}", code="unknown_reviewer",
                    severity=Severity.WARNING)
            for c in call.conflicts if c.reviewer not in known]
