"""The assignment problem as data, and a first feasible assignment found without a solver.

Applications need ``per_application`` distinct reviewers each; reviewer ``r`` takes at most
``capacity[r]``; only the allowed pairs (no conflict) may be used. That is a bipartite
b-matching, so whether it is possible, and if not which applications cannot be served,
follows from augmenting paths (the argument of Hall's theorem): :func:`first_assignment`
either finds an assignment, which also bounds the loads the solver must consider, or names
each group of applications whose conflict-free reviewers cannot give them enough reviews.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pair:
    """An allowed (application, reviewer) pair, by index, with what the objectives need."""

    application: int
    reviewer: int
    expert: bool
    kept: bool  # in the assignments already sent out
    priority: int  # position in the seeded lottery order of all pairs (lower wins a tie)


@dataclass(frozen=True)
class AssignmentProblem:
    applications: tuple[str, ...]
    reviewers: tuple[str, ...]
    per_application: int
    pairs: tuple[Pair, ...]
    capacity: tuple[int, ...]  # per reviewer: max_load, or every application if none


@dataclass(frozen=True)
class Shortfall:
    """Applications that cannot all get enough reviewers, and why, in plain words."""

    applications: tuple[str, ...]
    reviewers: tuple[str, ...]  # the reviewers free of conflict with them
    needed: int
    possible: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"applications": list(self.applications), "reviewers": list(self.reviewers),
                "needed": self.needed, "possible": self.possible, "reason": self.reason}


@dataclass
class _Matching:
    """A partial assignment being grown: which pairs are used, loads, reviews still needed."""

    problem: AssignmentProblem
    used: list[bool] = field(init=False)
    load: list[int] = field(init=False)
    need: list[int] = field(init=False)
    by_app: list[list[int]] = field(init=False)
    by_reviewer: list[list[int]] = field(init=False)

    def __post_init__(self) -> None:
        p = self.problem
        self.used = [False] * len(p.pairs)
        self.load = [0] * len(p.reviewers)
        self.need = [p.per_application] * len(p.applications)
        self.by_app = [[] for _ in p.applications]
        self.by_reviewer = [[] for _ in p.reviewers]
        for index, pair in enumerate(p.pairs):
            self.by_app[pair.application].append(index)
            self.by_reviewer[pair.reviewer].append(index)


@dataclass(frozen=True)
class FirstAssignment:
    """A feasible assignment (pair indices) and its largest load, or the shortfalls."""

    pairs: tuple[int, ...] = ()
    max_load: int = 0
    shortfalls: tuple[Shortfall, ...] = ()


def first_assignment(problem: AssignmentProblem) -> FirstAssignment:
    """Any assignment that meets every hard rule, or every shortfall that prevents one."""
    found = _too_few_reviewers(problem) + _too_little_capacity(problem)
    if found:
        return FirstAssignment(shortfalls=tuple(found))
    matching = _Matching(problem)
    _greedy(matching)
    shortfalls = _augment_all(matching)
    if shortfalls:
        return FirstAssignment(shortfalls=tuple(shortfalls))
    chosen = tuple(i for i, used in enumerate(matching.used) if used)
    return FirstAssignment(chosen, max(matching.load, default=0))


def _too_few_reviewers(problem: AssignmentProblem) -> list[Shortfall]:
    allowed: list[list[int]] = [[] for _ in problem.applications]
    for pair in problem.pairs:
        if problem.capacity[pair.reviewer] > 0:
            allowed[pair.application].append(pair.reviewer)
    k = problem.per_application
    return [Shortfall((problem.applications[a],), tuple(problem.reviewers[r] for r in rs), k,
                      len(rs), f"{problem.applications[a]}: only {len(rs)} reviewer(s) free of "
                      f"conflict and with capacity ({_names(problem, rs)}); {k} needed")
            for a, rs in enumerate(allowed) if len(rs) < k]


def _too_little_capacity(problem: AssignmentProblem) -> list[Shortfall]:
    needed = problem.per_application * len(problem.applications)
    possible = sum(min(c, len(problem.applications)) for c in problem.capacity)
    if possible >= needed:
        return []
    return [Shortfall(problem.applications, problem.reviewers, needed, possible,
                      f"capacity shortfall: {len(problem.applications)} applications x "
                      f"{problem.per_application} reviewers need {needed} reviews, but the "
                      f"reviewers' max_load allow {possible} (short by {needed - possible})")]


def _greedy(m: _Matching) -> None:
    """Serve the hardest applications first, each from the least loaded reviewers."""
    pairs, capacity = m.problem.pairs, m.problem.capacity
    for app in sorted(range(len(m.need)), key=lambda a: (len(m.by_app[a]), a)):
        for index in sorted(m.by_app[app], key=lambda i: (m.load[pairs[i].reviewer], i)):
            reviewer = pairs[index].reviewer
            if m.need[app] and m.load[reviewer] < capacity[reviewer]:
                m.used[index] = True
                m.load[reviewer] += 1
                m.need[app] -= 1


def _augment_all(m: _Matching) -> list[Shortfall]:
    shortfalls: list[Shortfall] = []
    blocked: set[int] = set()
    for app in range(len(m.need)):
        while m.need[app] and app not in blocked:
            reached = _augment(m, app)
            if reached is not None:  # no path: a Hall set of applications
                blocked |= reached[0]
                shortfalls.append(_hall_shortfall(m, *reached))
    return shortfalls


def _augment(m: _Matching, root: int) -> tuple[set[int], set[int]] | None:
    """One more review for ``root`` along an augmenting path; else the apps and reviewers
    reached (every reachable reviewer is full: no assignment serves them all)."""
    pairs, capacity = m.problem.pairs, m.problem.capacity
    via_reviewer: dict[int, int] = {}  # reviewer -> the unused pair that reached it
    via_app: dict[int, int] = {root: -1}  # app -> the used pair it would give up
    queue = deque([root])
    while queue:
        app = queue.popleft()
        for index in m.by_app[app]:
            reviewer = pairs[index].reviewer
            if m.used[index] or reviewer in via_reviewer:
                continue
            via_reviewer[reviewer] = index
            if m.load[reviewer] < capacity[reviewer]:
                _flip_path(m, reviewer, via_reviewer, via_app, root)
                return None
            for other in m.by_reviewer[reviewer]:
                if m.used[other] and pairs[other].application not in via_app:
                    via_app[pairs[other].application] = other
                    queue.append(pairs[other].application)
    return set(via_app), set(via_reviewer)


def _flip_path(m: _Matching, end: int, via_reviewer: dict[int, int],
               via_app: dict[int, int], root: int) -> None:
    pairs = m.problem.pairs
    m.load[end] += 1
    m.need[root] -= 1
    reviewer = end
    while True:
        index = via_reviewer[reviewer]
        m.used[index] = True
        app = pairs[index].application
        if app == root:
            return
        given_up = via_app[app]
        m.used[given_up] = False
        reviewer = pairs[given_up].reviewer


def _hall_shortfall(m: _Matching, apps: set[int], reviewers: set[int]) -> Shortfall:
    p = m.problem
    k = p.per_application
    free = sorted({p.pairs[i].reviewer for a in apps for i in m.by_app[a]})
    needed = k * len(apps)
    possible = needed - sum(m.need[a] for a in apps)
    names = ", ".join(p.applications[a] for a in sorted(apps))
    return Shortfall(tuple(p.applications[a] for a in sorted(apps)),
                     tuple(p.reviewers[r] for r in free), needed, possible,
                     f"{names}: {len(apps)} application(s) need {needed} reviews between them, "
                     f"but their conflict-free reviewers ({_names(p, free)}) can give at most "
                     f"{possible} within their max_load")


def _names(problem: AssignmentProblem, reviewers: list[int]) -> str:
    return ", ".join(problem.reviewers[r] for r in reviewers) or "none"
