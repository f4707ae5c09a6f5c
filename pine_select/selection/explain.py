"""Explanations of a chosen portfolio: rule coverage, price of balance, who was left out
and why, and who would step in if a selected application withdrew.

Re-solves are the expensive part (each is a MIP), so they are rationed by a count, never
by wall-clock time (which would make outputs differ between machines): the price of
balance first, then each rule's gain if dropped, then the left-out applications in rank
order, then withdrawals in rank order. What was not measured is listed in ``notes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from pine_select.selection.optimiser import BASE, Optimiser, Solution
from pine_select.selection.problem import (
    BUDGET,
    SIZE,
    Candidate,
    Row,
    RuleSpec,
    SelectionProblem,
)
from pine_select.selection.result import (
    CategoryCount,
    LeftOut,
    OneForOne,
    RuleOutcome,
    Withdrawal,
)


@dataclass
class Rationing:
    """How many explanation re-solves are left, and what had to be skipped."""

    left: int
    skipped: list[str] = field(default_factory=list)

    def take(self, what: str) -> bool:
        if self.left <= 0:
            self.skipped.append(what)
            return False
        self.left -= 1
        return True


# -- rule coverage ---------------------------------------------------------------------------

def group_kind(group: str) -> str:
    if group in (SIZE, BUDGET):
        return group
    if group.startswith(("include ", "exclude ")):
        return group.split(" ", 1)[0]
    return "balance"


def rule_outcomes(problem: SelectionProblem, chosen: frozenset[int],
                  gains: dict[str, int]) -> tuple[RuleOutcome, ...]:
    """Every group of rows against the portfolio, in the problem's group order."""
    specs = {rule.name: rule for rule in problem.rules}
    lhs = problem.row_sums(chosen)
    outcomes = []
    for group in problem.groups:
        if group in specs:
            outcome = _balance_outcome(problem, specs[group], chosen, gains.get(group))
        else:
            rows = [(row, value) for row, value in zip(problem.rows, lhs, strict=True)
                    if row.group == group]
            outcome = _plain_outcome(group, rows, chosen, gains.get(group),
                                     problem.candidates)
        outcomes.append(outcome)
    return tuple(outcomes)


def _balance_outcome(problem: SelectionProblem, rule: RuleSpec, chosen: frozenset[int],
                     gain: int | None) -> RuleOutcome:
    size = len(chosen)
    counts, at_bound, satisfied = [], [], True
    for category in rule.categories:
        count = sum(1 for i in chosen if category in problem.candidates[i].categories[rule.field])
        low, high = _count_bounds(rule, size)
        counts.append(CategoryCount(category, count, low, high))
        satisfied &= (low is None or count >= low) and (high is None or count <= high)
        if count in (low, high) or _share_exact(rule, count, size):
            at_bound.append(category)
    distinct = sum(1 for c in counts if c.count > 0)
    if rule.distinct_at_least is not None:
        satisfied &= distinct >= rule.distinct_at_least
        if distinct == rule.distinct_at_least:
            at_bound.append("distinct")
    return RuleOutcome(
        name=rule.name, kind="balance", satisfied=satisfied,
        binding=bool(at_bound) or (gain or 0) > 0, bound=_bound_words(rule),
        counts=tuple(counts), distinct=distinct, at_bound=tuple(at_bound),
        gain_if_dropped=gain,
    )


def _count_bounds(rule: RuleSpec, size: int) -> tuple[int | None, int | None]:
    """The smallest and largest count a category may have in a portfolio of ``size``."""
    lows = [rule.at_least] if rule.at_least is not None else []
    highs = [rule.at_most] if rule.at_most is not None else []
    if rule.share_at_least is not None:
        share = rule.share_at_least * size
        lows.append(-(-share.numerator // share.denominator))  # ceiling, exactly
    if rule.share_at_most is not None:
        share = rule.share_at_most * size
        highs.append(share.numerator // share.denominator)  # floor, exactly
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _share_exact(rule: RuleSpec, count: int, size: int) -> bool:
    shares = (rule.share_at_least, rule.share_at_most)
    return size > 0 and any(s is not None and count == s * size for s in shares)


def _bound_words(rule: RuleSpec) -> str:
    parts = []
    for kind, value in rule.bounds().items():
        parts.append(f"{kind}={value}")
    return ", ".join(parts)


def _plain_outcome(group: str, rows: list[tuple[Row, int]], chosen: frozenset[int],
                   gain: int | None, candidates: tuple[Candidate, ...]) -> RuleOutcome:
    """A group that is not a balance rule, from its rows with their left-hand sides."""
    satisfied = all(row.holds_at(value) for row, value in rows)
    actual: int | None = None
    if group == SIZE:
        actual = len(chosen)
    elif group == BUDGET:
        actual = sum(candidates[i].amount for i in chosen)
    # Against the bound as stated (a clamped right-hand side is not a bound anyone wrote);
    # size and cost are the real ones (a clamped coefficient is not an amount anyone asked).
    at_bound = tuple(row.label for row, value in rows
                     if (value if actual is None else actual) == row.stated_rhs)
    return RuleOutcome(
        name=group, kind=group_kind(group), satisfied=satisfied,
        binding=bool(at_bound) or (gain or 0) > 0,
        bound="; ".join(row.label for row, _ in rows), actual=actual, at_bound=at_bound,
        gain_if_dropped=gain,
    )


# -- price of balance and gains ----------------------------------------------------------

def unconstrained_best(optimiser: Optimiser, ration: Rationing) -> Solution | None:
    """Best portfolio with the same size, budget and overrides but no balance rules."""
    problem = optimiser.problem
    if not problem.rules or not ration.take("price of balance"):
        return None
    # Tie-broken (best, not best_total): which rules its portfolio breaks decides the
    # shortcut below, hence how many re-solves are left, and must not be the solver's.
    solution = optimiser.best(BASE.also(without=problem.balance_groups))
    return solution if solution.optimal else None


def gains_if_dropped(optimiser: Optimiser, best: int, unconstrained: Solution | None,
                     ration: Rationing) -> dict[str, int]:
    """Per group (size excepted: without it the question changes), the gain in cents.

    Budget and overrides: one re-solve each, without that group. Balance rules may take a
    shortcut, exact: U, the best total with size, budget and overrides kept but no balance
    rules, bounds the gain of dropping any one balance rule (and of nothing else: U keeps
    the budget and overrides). When U's portfolio breaks no balance rule but r, it is
    feasible without r, so dropping r gains exactly U - best; when it breaks none, no
    balance rule costs anything.
    """
    problem = optimiser.problem
    broken = _broken_by_unconstrained(problem, unconstrained)
    gains = {}
    for group in problem.groups:
        if group == SIZE:
            continue
        if (group in problem.balance_groups and broken is not None
                and unconstrained is not None and broken in ((), (group,))):
            gains[group] = (unconstrained.total or 0) - best if broken else 0
            continue
        if not ration.take(f"gain if {group} were dropped"):
            continue
        solution = optimiser.best_total(BASE.also(without=[group]))
        if solution.optimal and solution.total is not None:
            gains[group] = solution.total - best
    return gains


def _broken_by_unconstrained(problem: SelectionProblem, unconstrained: Solution | None
                             ) -> tuple[str, ...] | None:
    """The groups U's portfolio breaks (balance rules only, by construction); None: no U."""
    if unconstrained is None or unconstrained.total is None:
        return None
    return SwapEvaluator(problem).broken(frozenset(unconstrained.chosen))


# -- left out --------------------------------------------------------------------------------

def strong_left_out(problem: SelectionProblem, chosen: frozenset[int]) -> list[int]:
    """Selectable, not chosen, ranked above the lowest-ranked chosen one; best rank first."""
    ranks = [problem.candidates[i].rank for i in chosen]
    worst = max((r for r in ranks if r is not None), default=None)
    if worst is None:
        return []
    out = [i for i, c in enumerate(problem.candidates)
           if i not in chosen and c.rank is not None and c.rank < worst]
    return sorted(out, key=lambda i: problem.candidates[i].rank or 0)


def explain_left_out(optimiser: Optimiser, best: Solution, ration: Rationing
                     ) -> tuple[LeftOut, ...]:
    problem = optimiser.problem
    chosen = frozenset(best.chosen)
    evaluator: SwapEvaluator | None = None  # made when first needed (large calls: never)
    explained = []
    for i in strong_left_out(problem, chosen):
        candidate = problem.candidates[i]
        if not ration.take(f"why {candidate.id} was left out"):
            continue
        evaluator = evaluator or SwapEvaluator(problem)
        blocked, swap = evaluator.least_bad_swap(chosen, i)
        # Tie-broken like the selection itself, so that the forced portfolio is exactly
        # what `select --include ID` chooses (who enters and who leaves, not just the loss).
        forced = optimiser.best(BASE.also(fixed_in=[i]))
        possible = forced.optimal and forced.total is not None
        loss = (best.total or 0) - (forced.total or 0) if possible else None
        explained.append(LeftOut(
            id=candidate.id, rank=candidate.rank, total_cents=candidate.total_cents,
            blocked_by=blocked,
            swap_with=None if swap is None else problem.candidates[swap].id,
            loss_if_forced=loss,
            forced_portfolio=portfolio_ids(problem, forced.chosen) if possible else (),
        ))
    return tuple(explained)


class SwapEvaluator:
    """Which groups a one-for-one swap into a portfolio would break (no solver needed).

    Indicator columns (``distinct_at_least``) are set to their best values: 1 whenever one
    of the category's applications is in the portfolio.

    A swap is checked from its portfolio's row sums (:meth:`SelectionProblem.row_sums`,
    remembered for the last portfolio asked about): only the rows the two applications
    and any indicator they switch touch are summed again, in whole numbers, so the answer
    is the one summing every row would give.
    """

    def __init__(self, problem: SelectionProblem) -> None:
        self.problem = problem
        n = len(problem.candidates)
        self.indicator_members: dict[int, tuple[int, ...]] = {}
        for row in problem.rows:
            indicators = [col for col, coef in row.terms if col >= n and coef > 0]
            if row.unit == 0 and len(indicators) == 1:
                self.indicator_members[indicators[0]] = tuple(
                    col for col, coef in row.terms if col < n)
        self._indicators_of: dict[int, list[int]] = {}
        for column, members in self.indicator_members.items():
            for member in members:
                self._indicators_of.setdefault(member, []).append(column)
        self._base: tuple[frozenset[int], _PortfolioSums] | None = None

    def broken(self, chosen: frozenset[int]) -> tuple[str, ...]:
        return self._groups_of(self._sums(chosen).broken)

    def broken_swap(self, chosen: frozenset[int], out: int | None, into: int
                    ) -> tuple[str, ...]:
        """``broken((chosen - {out}) | {into})``: ``out`` (None: nobody) leaves, ``into``
        comes in."""
        if into in chosen or (out is not None and out not in chosen):
            return self.broken((chosen - {out}) | {into})
        base = self._sums(chosen)
        changed: dict[int, int] = {}
        moves = [(into, 1)] if out is None else [(out, -1), (into, 1)]
        counts: dict[int, int] = {}
        for column, sign in moves:
            self._move(base, changed, column, sign)
            for indicator in self._indicators_of.get(column, ()):
                counts[indicator] = counts.get(indicator, base.counts[indicator]) + sign
        for indicator, count in counts.items():
            if (count > 0) != (base.counts[indicator] > 0):
                self._move(base, changed, indicator, 1 if count > 0 else -1)
        rows = self.problem.rows
        broken = {index for index in base.broken if index not in changed}
        broken.update(index for index, value in changed.items()
                      if not rows[index].holds_at(value))
        return self._groups_of(broken)

    def _move(self, base: _PortfolioSums, changed: dict[int, int], column: int,
              sign: int) -> None:
        for index, coef in self.problem.column_terms[column]:
            changed[index] = changed.get(index, base.lhs[index]) + sign * coef

    def _sums(self, chosen: frozenset[int]) -> _PortfolioSums:
        if self._base is not None and self._base[0] == chosen:
            return self._base[1]
        counts = {column: sum(1 for m in members if m in chosen)
                  for column, members in self.indicator_members.items()}
        ones = [*chosen, *(column for column, count in counts.items() if count > 0)]
        lhs = self.problem.row_sums(ones)
        broken = frozenset(index for index, (row, value)
                           in enumerate(zip(self.problem.rows, lhs, strict=True))
                           if not row.holds_at(value))
        sums = _PortfolioSums(lhs, counts, broken)
        self._base = (chosen, sums)
        return sums

    def _groups_of(self, broken: Iterable[int]) -> tuple[str, ...]:
        groups = {self.problem.rows[index].group for index in broken}
        return tuple(g for g in self.problem.groups if g in groups)

    def least_bad_swap(self, chosen: frozenset[int], newcomer: int
                       ) -> tuple[tuple[str, ...], int | None]:
        """The swap of ``newcomer`` for a lower-ranked member breaking the fewest groups.

        Adding it outright is considered too (``None`` as the member). Ties go to the
        lowest-ranked member. A swap that breaks nothing means only the lottery kept it out.
        """
        rank = self.problem.candidates[newcomer].rank or 0
        options: list[tuple[int, int, tuple[str, ...], int | None]] = []
        outright = self.broken_swap(chosen, None, newcomer)
        options.append((len(outright), 0, outright, None))
        for member in chosen:
            member_rank = self.problem.candidates[member].rank
            if member_rank is None or member_rank < rank:
                continue
            swapped = self.broken_swap(chosen, member, newcomer)
            options.append((len(swapped), -member_rank, swapped, member))
        count, _, broken, replaced = min(options, key=lambda o: (o[0], o[1]))
        if count == 0:
            return ("tie-break lottery",), replaced
        return broken, replaced


@dataclass(frozen=True)
class _PortfolioSums:
    """One portfolio's row sums (indicators at their best), the rows it breaks, and how
    many of each indicator's applications it holds."""

    lhs: list[int]
    counts: dict[int, int]
    broken: frozenset[int]


# -- withdrawals and reserves ------------------------------------------------------------

def withdrawals(optimiser: Optimiser, best: Solution, ration: Rationing) -> tuple[Withdrawal, ...]:
    problem = optimiser.problem
    chosen = frozenset(best.chosen)
    evaluator: SwapEvaluator | None = None  # made when first needed (large calls: never)
    included = _included_columns(problem)
    found = []
    for i in sorted(chosen, key=lambda k: problem.candidates[k].rank or 0):
        app_id = problem.candidates[i].id
        if i in included or not ration.take(f"reserve for {app_id}"):
            continue
        evaluator = evaluator or SwapEvaluator(problem)
        again = optimiser.best(BASE.also(fixed_out=[i]))
        withdrawal = _withdrawal(problem, i, chosen, again, best.total or 0)
        found.append(replace(withdrawal, one_for_one=one_for_one(evaluator, chosen, i)))
    return tuple(found)


ONE_FOR_ONE_SCAN = 500  # candidates tried, in rank order, for a single replacement


def one_for_one(evaluator: SwapEvaluator, chosen: frozenset[int], out: int) -> OneForOne | None:
    """The highest-ranked application that can take ``out``'s place, all others kept.

    Rank order is total order with ties by the lottery, so the first that keeps every rule
    is the best single replacement, the one ``select --exclude OUT --include`` (each
    other recommended application) chooses when the size is exact. No solver is needed:
    each trial portfolio is checked against every rule. The scan stops after
    ONE_FOR_ONE_SCAN candidates (large calls).
    """
    problem = evaluator.problem
    others = sorted((i for i, c in enumerate(problem.candidates)
                     if i not in chosen and c.rank is not None),
                    key=lambda i: problem.candidates[i].rank or 0)
    for newcomer in others[:ONE_FOR_ONE_SCAN]:
        if not evaluator.broken_swap(chosen, out, newcomer):
            gone, comes = problem.candidates[out], problem.candidates[newcomer]
            return OneForOne(comes.id, gone.total_cents - comes.total_cents)
    return None


def _withdrawal(problem: SelectionProblem, out: int, chosen: frozenset[int], again: Solution,
                best_total: int) -> Withdrawal:
    app_id = problem.candidates[out].id
    if not again.optimal or again.total is None:
        return Withdrawal(app_id, (), (), None)
    new = frozenset(again.chosen)
    by_rank = _by_rank(problem)
    return Withdrawal(
        id=app_id,
        replaced_by=tuple(problem.candidates[i].id for i in sorted(new - chosen, key=by_rank)),
        also_out=tuple(problem.candidates[i].id
                       for i in sorted(chosen - new - {out}, key=by_rank)),
        loss=best_total - again.total,
    )


def reserve_order(problem: SelectionProblem, found: tuple[Withdrawal, ...]) -> tuple[str, ...]:
    """Reserves: everyone who steps in for some withdrawal, most often needed first.

    Order: by the number of withdrawals they would fill (more first), then by rank.
    """
    filled: dict[str, int] = {}
    for withdrawal in found:
        for app_id in withdrawal.replaced_by:
            filled[app_id] = filled.get(app_id, 0) + 1
    rank = {c.id: c.rank or 0 for c in problem.candidates}
    return tuple(sorted(filled, key=lambda a: (-filled[a], rank[a], a)))


def _included_columns(problem: SelectionProblem) -> frozenset[int]:
    # An included application cannot withdraw without dropping the panel's decision.
    return frozenset(problem.index_of(app_id) for app_id in problem.included)


def _by_rank(problem: SelectionProblem) -> Callable[[int], tuple[int, str]]:
    def key(i: int) -> tuple[int, str]:
        candidate = problem.candidates[i]
        return (candidate.rank if candidate.rank is not None else 1 << 30, candidate.id)
    return key


def portfolio_ids(problem: SelectionProblem, chosen: Iterable[int]) -> tuple[str, ...]:
    return tuple(problem.candidates[i].id for i in sorted(chosen, key=_by_rank(problem)))


def cost_of(problem: SelectionProblem, chosen: Iterable[int]) -> int:
    return sum(problem.candidates[i].amount for i in chosen)


