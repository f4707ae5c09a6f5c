"""Choose the portfolio: one library call that solves, proves and explains (SPEC 4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from pine_select.errors import SolverError, UsageError
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.scoring.result import ScoreReport
from pine_select.selection.conflicts import diagnose
from pine_select.selection.explain import (
    Rationing,
    cost_of,
    explain_left_out,
    gains_if_dropped,
    portfolio_ids,
    reserve_order,
    rule_outcomes,
    unconstrained_best,
    withdrawals,
)
from pine_select.selection.optimiser import (
    DEFAULT_TIME_LIMIT,
    TIE_BREAK_NODES,
    Optimiser,
    Scenario,
    Solution,
    SolverName,
    SolveStatus,
    default_solver,
)
from pine_select.selection.problem import SelectionProblem, build_problem
from pine_select.selection.result import (
    Alternative,
    LeftOut,
    SelectionResult,
    Unselectable,
    Withdrawal,
)

DEFAULT_EXPLAIN_LIMIT = 60
ALL_EXPLANATIONS, PRICE_ONLY = "all", "price_of_balance"
LARGE_CALL = 1000  # candidates; above this each re-solve takes seconds: none by default


@dataclass(frozen=True)
class SelectOptions:
    """The knobs of one selection run (what-ifs, solver, how much to explain)."""

    size: int | None = None
    budget: int | None = None
    solver: SolverName | None = None  # None: chosen by the call's size (default_solver)
    alternatives: int = 0
    min_swaps: int = 1
    explain_limit: int | None = None  # re-solves for explanations; None: by call size
    time_limit: float = DEFAULT_TIME_LIMIT
    drop_rules: tuple[str, ...] = ()  # balance rules left out for a what-if, by name
    # "price_of_balance": of the explanations, only the price of balance (RunOptions).
    explanations: str = ALL_EXPLANATIONS


def select_options(*, size: int | None = None, budget: int | None = None,
                   solver: str | None = None, alternatives: int = 0, min_swaps: int = 1,
                   explain_limit: int | None = None, drop_rules: tuple[str, ...] = (),
                   explanations: str = ALL_EXPLANATIONS) -> SelectOptions:
    """Options from command-line values, ``None`` meaning the library's default."""
    return SelectOptions(
        size=size, budget=budget, solver=None if solver is None else SolverName(solver),
        alternatives=alternatives, min_swaps=min_swaps,
        explain_limit=explain_limit, drop_rules=drop_rules, explanations=explanations,
    )


def select_portfolio(call: Call, report: ScoreReport, *, overrides: Overrides | None = None,
                     options: SelectOptions = SelectOptions()) -> SelectionResult:
    """The best balanced portfolio of ``call`` scored as ``report``, explained.

    Raises InputError for an include that is not selectable, UsageError for bad options,
    SolverError when the solver fails or stops before proving optimality. An infeasible
    call is a result (``status == "infeasible"``), not an error.
    """
    _check_options(options)
    problem = build_problem(call, report, overrides=overrides, size=options.size,
                            budget=options.budget, drop_rules=options.drop_rules)
    result = solve_problem(problem, options, weights=report.weights)
    return result if report.selectable() else _none_selectable(result, report)


def _none_selectable(result: SelectionResult, report: ScoreReport) -> SelectionResult:
    """With no application selectable, say so and why, rather than blame a rule."""
    scores = report.applications
    why = Unselectable(
        applications=len(scores),
        ineligible=sum(1 for s in scores if not s.eligible),
        too_few_reviews=sum(1 for s in scores if s.under_reviewed),
        excluded=sum(1 for s in scores if s.excluded),
    )
    return replace(result, unselectable=why, conflicting_rules=(), relaxations=())


def solve_problem(problem: SelectionProblem, options: SelectOptions = SelectOptions(),
                  weights: Mapping[str, Fraction] | None = None) -> SelectionResult:
    """Solve and explain an already built problem (the benchmark enters here)."""
    solver = options.solver or default_solver(len(problem.candidates))
    optimiser = Optimiser(problem, solver, options.time_limit)
    best = _proven(optimiser, optimiser.best(), "the selection")
    skeleton = SelectionResult(
        status="infeasible", selected=(), total_cents=0, cost=0,
        rules=rule_outcomes(problem, frozenset(), {}), reserves=(), seed=problem.seed,
        solver=optimiser.name(), solver_version=optimiser.version(),
        size_range=problem.size_range, budget=problem.budget,
        weights=dict(weights or {}),
    )
    if best.status is SolveStatus.INFEASIBLE:
        diagnosis = diagnose(optimiser)
        return replace(skeleton, conflicting_rules=diagnosis.conflict,
                       relaxations=diagnosis.relaxations, solves=optimiser.stats.solves)
    return _explained(optimiser, best, options, skeleton)


def _explained(optimiser: Optimiser, best: Solution, options: SelectOptions,
               skeleton: SelectionResult) -> SelectionResult:
    problem = optimiser.problem
    total = best.total or 0
    ration = Rationing(explain_limit(options, len(problem.candidates)))
    unconstrained = unconstrained_best(optimiser, ration)
    if options.explanations == PRICE_ONLY:
        # The same portfolio, total and price of balance, from the same solves in the same
        # order; who was left out, withdrawals and rules' gains are not asked for.
        gains: dict[str, int] = {}
        left_out: tuple[LeftOut, ...] = ()
        found: tuple[Withdrawal, ...] = ()
    else:
        gains = gains_if_dropped(optimiser, total, unconstrained, ration)
        left_out = explain_left_out(optimiser, best, ration)
        found = withdrawals(optimiser, best, ration)
    alternatives = _alternatives(optimiser, best, options)
    notes = _notes(ration, best, options)
    return replace(
        skeleton, status="optimal", selected=portfolio_ids(problem, best.chosen),
        total_cents=total,
        cost=cost_of(problem, best.chosen),
        rules=rule_outcomes(problem, frozenset(best.chosen), gains),
        reserves=reserve_order(problem, found),
        unconstrained_cents=None if unconstrained is None else unconstrained.total,
        unconstrained=() if unconstrained is None else portfolio_ids(problem,
                                                                      unconstrained.chosen),
        left_out=left_out, withdrawals=found, alternatives=alternatives, notes=notes,
        solves=optimiser.stats.solves,
    )


def _alternatives(optimiser: Optimiser, best: Solution, options: SelectOptions
                  ) -> tuple[Alternative, ...]:
    """The next-best portfolios, each at least ``min_swaps`` away from every earlier one.

    A no-good cut per earlier portfolio P: ``sum(x_i, i in P) <= |P| - min_swaps``.
    """
    problem = optimiser.problem
    found: list[Alternative] = []
    cuts: tuple[tuple[tuple[int, ...], int], ...] = ((best.chosen, options.min_swaps),)
    for _ in range(options.alternatives):
        solution = _proven(optimiser, optimiser.best(Scenario(cuts=cuts)), "an alternative")
        if not solution.optimal or solution.total is None:
            break
        found.append(Alternative(
            selected=portfolio_ids(problem, solution.chosen), total_cents=solution.total,
            cost=cost_of(problem, solution.chosen), gap_cents=(best.total or 0) - solution.total,
        ))
        cuts = (*cuts, (solution.chosen, options.min_swaps))
    return tuple(found)


def explain_limit(options: SelectOptions, candidates: int) -> int:
    """Re-solves allowed for explanations: as asked, else 60 for calls of up to 1,000
    candidates (the example's full explanation takes about 35) and none above, where each
    re-solve takes seconds (measured: 2.7 s at 10,000); the result's notes say what was skipped.
    """
    if options.explain_limit is not None:
        return options.explain_limit
    return DEFAULT_EXPLAIN_LIMIT if candidates <= LARGE_CALL else 0


def _proven(optimiser: Optimiser, solution: Solution, what: str) -> Solution:
    if solution.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        return solution
    if solution.status is SolveStatus.TIME_LIMIT:
        raise SolverError(f"the solver ran out of time before proving {what} optimal; "
                          "raise the time limit")
    raise SolverError(f"the {optimiser.name()} solver failed on {what} ({solution.status}); "
                      f"{optimiser.what_to_try()}")


def _notes(ration: Rationing, best: Solution, options: SelectOptions = SelectOptions()
           ) -> tuple[str, ...]:
    notes = []
    if options.explanations == PRICE_ONLY:
        notes.append("only the price of balance was explained (explanations: "
                     "price_of_balance): who was left out, withdrawals and each rule's gain "
                     "if dropped were not computed")
    if not best.tie_break_proven:
        notes.append(f"many portfolios tie at the best total: the tie-break among them stopped "
                     f"at its work limit ({TIE_BREAK_NODES:,} nodes) with the best lottery "
                     "priority it found; the total is proven best, and the same inputs and "
                     "solver version give the same portfolio")
    if ration.skipped:
        notes.append(f"explanation limit reached: {len(ration.skipped)} re-solve(s) skipped "
                     f"(first: {ration.skipped[0]}); raise the explain_limit to see them")
    return tuple(notes)


# (option, lowest allowed, what is expected): each named as a field of the run's options.
_LOWEST = (("size", 0, "a whole number >= 0"), ("budget", 0, "a whole number of pounds >= 0"),
           ("alternatives", 0, "a whole number >= 0"), ("min_swaps", 1, "a whole number >= 1"),
           ("explain_limit", 0, "a whole number >= 0"))


def _check_options(options: SelectOptions) -> None:
    for option, lowest, expected in _LOWEST:
        value = getattr(options, option)
        if value is not None and value < lowest:
            raise UsageError(f"{option} {value}: expected {expected}", option=option)
    if options.explanations not in (ALL_EXPLANATIONS, PRICE_ONLY):
        raise UsageError(f"explanations {options.explanations!r}: expected "
                         f"{ALL_EXPLANATIONS!r} or {PRICE_ONLY!r}", option="explanations")


__all__ = ["SelectOptions", "select_options", "select_portfolio", "solve_problem"]
