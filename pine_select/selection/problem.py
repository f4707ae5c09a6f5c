"""The selection as a pure integer program: columns, named rows, no solver (SPEC 2.2, 4).

:func:`build_problem` turns a rubric's ``selection`` block, the panel's overrides and the
``--size``/``--budget`` what-ifs into linear rows over binary columns. Nothing here imports
a solver: the description is plain data that tests can read and the optimiser can solve.

Columns, in this fixed order (the optimiser names them with zero-padded indices so that the
solver sees the same order every run):

* one ``x`` column per *candidate*, candidates sorted by id. A candidate is a selectable
  application, or one that would be selectable but for a panel exclusion (it is kept, fixed
  out by an ``exclude ID`` row, so that an exclusion can be named when rules conflict);
* one ``y`` indicator per category of each ``distinct_at_least`` rule (1 only if at least one
  chosen application has that category).

Every row carries the *group* it comes from: ``size``, ``budget``, a rule's name,
``include ID`` or ``exclude ID``. Groups are what reports and infeasibility diagnoses name.
Every row is ``<=`` or ``>=`` with integer coefficients (an exact size is two rows), so a
group can be switched off by moving its right-hand side to a bound that always holds. A row
also says which *bound* it enforces (``min``/``max`` of the size, or a rule's bound kind), so
that a relaxation can move one bound and leave the others alone.

Extreme numbers never reach the solver, and the clamping is exact for feasibility: a
requested amount above the budget enters the budget row as "more than the budget" (such an
application can never be chosen under the budget, and stays in the model so that an include
of it is diagnosed as a conflict with the budget); a budget above the cost of every
affordable application together, a size minimum above the number of candidates and a size
maximum at or above it are moved to the first value with the same effect.

Shares are exact: ``share_at_least: 0.25`` becomes ``4*count - 1*size >= 0``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from itertools import repeat
from operator import itemgetter

from pine_select.errors import InputError, Problem, UsageError, display_path
from pine_select.lottery import priorities
from pine_select.model.application import Application, categories_of
from pine_select.model.call import Call
from pine_select.model.reviews import Override, Overrides
from pine_select.model.rubric import Rule, exact
from pine_select.scoring.result import ApplicationScore, ScoreReport

SIZE, BUDGET = "size", "budget"
_COEFFICIENT = itemgetter(1)  # of a (column, coefficient) term
WHAT_IF_REASON = "what-if run (command line)"
BOUND_KINDS = ("at_least", "at_most", "share_at_least", "share_at_most", "distinct_at_least")


class Sense(StrEnum):
    LE = "<="
    GE = ">="


@dataclass(frozen=True)
class Row:
    """One linear constraint: ``sum(coef * column) SENSE rhs``."""

    group: str
    label: str  # readable, e.g. "region_cap: London <= 2"
    terms: tuple[tuple[int, int], ...]  # (column, coefficient), columns ascending
    sense: Sense
    rhs: int
    unit: int = 1  # how far one step of relaxation moves rhs (0: never relaxed)
    bound: str = ""  # which bound: "min"/"max" (size), a BOUND_KINDS entry (rules), or ""
    stated: int | None = None  # the bound as the user gave it, when rhs was clamped

    @property
    def stated_rhs(self) -> int:
        """The right-hand side as written in the rubric or options (reports compare to it)."""
        return self.rhs if self.stated is None else self.stated

    def loosened_rhs(self, steps: int) -> int:
        """The right-hand side moved ``steps`` units in the direction that admits more."""
        move = steps * self.unit
        return self.rhs + move if self.sense is Sense.LE else self.rhs - move

    def holds(self, values: dict[int, int], loosened_by: int = 0) -> bool:
        return self.holds_at(sum(coef * values.get(col, 0) for col, coef in self.terms),
                             loosened_by)

    @property
    def dense(self) -> bool:
        """Whether the row is over every column from 0 up (``terms[c]`` is column c's)."""
        return bool(self.terms) and self.terms[-1][0] == len(self.terms) - 1

    def holds_at(self, lhs: int, loosened_by: int = 0) -> bool:
        """Whether a left-hand side of ``lhs`` keeps this row (see row_sums)."""
        rhs = self.loosened_rhs(loosened_by)
        return lhs <= rhs if self.sense is Sense.LE else lhs >= rhs

    def relaxed_rhs(self) -> int:
        """A right-hand side that every 0/1 assignment satisfies (the row switched off)."""
        if self.sense is Sense.LE:
            return sum(max(coef, 0) for _, coef in self.terms)
        return sum(min(coef, 0) for _, coef in self.terms)


@dataclass(frozen=True)
class RuleSpec:
    """A balance rule as the selection reads it: which categories, which bounds."""

    name: str
    field: str
    categories: tuple[str, ...]
    at_least: int | None = None
    at_most: int | None = None
    share_at_least: Fraction | None = None
    share_at_most: Fraction | None = None
    distinct_at_least: int | None = None

    def bounds(self) -> dict[str, int | Fraction]:
        found = {kind: getattr(self, kind) for kind in BOUND_KINDS}
        return {kind: value for kind, value in found.items() if value is not None}


@dataclass(frozen=True)
class Candidate:
    id: str
    total_cents: int
    amount: int
    rank: int | None  # None when fixed out by an exclusion
    priority: int  # n - position in the lottery order of the candidates (unique, 1..n)
    categories: dict[str, tuple[str, ...]]  # field -> its values (lists count each once)


@dataclass(frozen=True)
class SelectionProblem:
    """Everything the optimiser needs, and the names every report uses."""

    candidates: tuple[Candidate, ...]
    indicators: tuple[str, ...]  # labels of the y columns, after the candidates
    rows: tuple[Row, ...]
    groups: tuple[str, ...]  # in a fixed order: size, budget, rules, includes, excludes
    rules: tuple[RuleSpec, ...]
    size_range: tuple[int, int | None]
    budget: int | None
    seed: int
    included: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def n_columns(self) -> int:
        return len(self.candidates) + len(self.indicators)

    @property
    def balance_groups(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.rules)

    def index_of(self, application_id: str) -> int:
        for index, candidate in enumerate(self.candidates):
            if candidate.id == application_id:
                return index
        raise KeyError(application_id)

    @cached_property
    def column_terms(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Each column's (row index, coefficient) pairs: the rows read column by column.

        Built on first use (one pass over every term), then a one-for-one swap's trial
        costs the two columns' terms instead of every row's (explain.SwapEvaluator).
        """
        by_column: list[list[tuple[int, int]]] = [[] for _ in range(self.n_columns)]
        shared: dict[tuple[int, int], tuple[int, int]] = {}  # one object per equal pair
        for index, row in enumerate(self.rows):
            for column, coef in row.terms:
                pair = (index, coef)
                by_column[column].append(shared.setdefault(pair, pair))
        return tuple(tuple(terms) for terms in by_column)

    def row_sums(self, ones: Iterable[int]) -> list[int]:
        """Every row's left-hand side when the columns in ``ones`` are 1 and all others 0.

        ``ones`` must not repeat a column. No pass over every term (at 100,000
        applications, 2 million; a solve's check runs this): a dense row (size, budget,
        shares) is read at the columns in ``ones`` alone, any other row (a category's
        members, an indicator's) counts ``ones`` among its columns of each coefficient.
        """
        chosen = frozenset(ones)
        below: dict[int, list[int]] = {}  # a dense row's width -> the chosen columns in it
        sums = []
        for row, groups in zip(self.rows, self._sparse_columns, strict=True):
            if groups is not None:
                sums.append(sum(coef * len(chosen & columns) for coef, columns in groups))
                continue
            terms = row.terms
            inside = below.get(len(terms))
            if inside is None:
                inside = below[len(terms)] = [c for c in chosen if c < len(terms)]
            sums.append(sum(map(_COEFFICIENT, map(terms.__getitem__, inside))))
        return sums

    @cached_property
    def _sparse_columns(self) -> tuple[tuple[tuple[int, frozenset[int]], ...] | None, ...]:
        """Each row's columns by coefficient; None for a dense row (read directly)."""
        found: list[tuple[tuple[int, frozenset[int]], ...] | None] = []
        for row in self.rows:
            if row.dense:
                found.append(None)
                continue
            by_coef: dict[int, list[int]] = {}
            for column, coef in row.terms:
                by_coef.setdefault(coef, []).append(column)
            found.append(tuple((coef, frozenset(cols)) for coef, cols in by_coef.items()))
        return tuple(found)

    def rows_of(self, group: str) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.group == group)

    def cost_weights(self) -> tuple[int, ...]:
        """Requested amounts for a cheapest-portfolio solve, safe to give a solver.

        An amount above the sum of every affordable amount (those within the budget) is
        replaced by that sum plus one: still dearer than any portfolio of affordable
        applications, so the cheapest portfolio is exact whenever one of those is feasible.
        """
        affordable = sum(c.amount for c in self.candidates
                         if self.budget is None or c.amount <= self.budget)
        return tuple(min(c.amount, affordable + 1) for c in self.candidates)


def build_problem(
    call: Call,
    report: ScoreReport,
    *,
    overrides: Overrides | None = None,
    size: int | None = None,
    budget: int | None = None,
    drop_rules: tuple[str, ...] = (),
) -> SelectionProblem:
    """The integer program for ``call`` scored as ``report`` (raises InputError on a bad include).

    ``overrides`` default to the call's own; ``size`` (exact) and ``budget`` replace the
    rubric's for a what-if run, and the balance rules named in ``drop_rules`` are left out
    (UsageError for a name the rubric has no rule of).
    """
    overrides = call.overrides if overrides is None else overrides
    _check_overlap(overrides)
    _check_overrides(call, report, overrides)
    selection = call.rubric.selection
    size_range = (size, size) if size is not None else selection.size_range
    budget = selection.budget if budget is None else budget
    excluded = tuple(sorted(set(overrides.excluded_ids())))
    candidates = _candidates(call, report, excluded)
    # Every size up to the number of candidates, not just the rubric's: the conflict
    # diagnosis switches the size rows off.
    largest = len(candidates)
    rules = tuple(_rule_spec(rule, call.rubric.categories[rule.field], largest)
                  for rule in kept_rules(selection.rules, drop_rules))
    builder = _RowBuilder(candidates)
    builder.add_size(size_range)
    if budget is not None:
        builder.add_budget(budget)
    for rule in rules:
        builder.add_rule(rule)
    included = tuple(sorted(set(overrides.included_ids())))
    builder.add_overrides(included, excluded)
    return SelectionProblem(
        candidates=candidates, indicators=tuple(builder.indicators), rows=tuple(builder.rows),
        groups=builder.groups(), rules=rules, size_range=size_range, budget=budget,
        seed=report.seed, included=included, excluded=excluded,
    )


def kept_rules(rules: tuple[Rule, ...], dropped: tuple[str, ...]) -> tuple[Rule, ...]:
    """The rubric's rules but those named in ``dropped``; UsageError naming any unknown name."""
    names = [rule.name for rule in rules]
    unknown = [name for name in dict.fromkeys(dropped) if name not in names]
    if unknown:
        shown = ", ".join(repr(name) for name in unknown)
        what = "is not a rule" if len(unknown) == 1 else "are not rules"
        raise UsageError(f"drop_rules: {shown} {what} of the rubric; expected one of: "
                         f"{', '.join(names) or 'none (the rubric has no balance rules)'}",
                         option="drop_rules")
    return tuple(rule for rule in rules if rule.name not in dropped)


def would_be_selectable(score: ApplicationScore, min_reviews: int, criteria: Iterable[str]) -> bool:
    """Whether an application fails only a panel exclusion (eligible, reviewed enough)."""
    if not score.eligible or score.total_cents is None:
        return False
    found = score.criteria
    return all(c in found and found[c].n_reviews >= min_reviews for c in criteria)


def _candidates(call: Call, report: ScoreReport, excluded: tuple[str, ...]
                ) -> tuple[Candidate, ...]:
    rubric = call.rubric
    fields = tuple(sorted({rule.field for rule in rubric.selection.rules}))
    kept = [score for score in sorted(report.applications, key=lambda s: s.id)
            if score.total_cents is not None and (score.selectable or (
                score.id in excluded
                and would_be_selectable(score, rubric.min_reviews, rubric.criterion_ids())))]
    # Unique priorities that follow the lottery order: see lottery.priorities.
    priority = priorities(report.seed, (score.id for score in kept))
    by_id = call.by_id
    readers = tuple((field, _category_reader(field)) for field in fields)
    return tuple(
        Candidate(
            id=score.id, total_cents=score.total_cents or 0, amount=app.requested_amount,
            rank=score.rank if score.selectable else None, priority=priority[score.id],
            categories=_categories(app, readers),
        )
        for score, app in ((score, by_id[score.id]) for score in kept)
    )


CategoryReader = Callable[[Application], tuple[str, ...]]


def _category_reader(field: str) -> CategoryReader:
    """How to read a rule field's values of an application, chosen once per field.

    The common fields directly, the rest through the generic dotted-path lookup of
    categories_of, which costs ten times as much per application.
    """
    head, _, rest = field.partition(".")
    if field == "practice_type":
        return lambda app: (app.practice_type,)
    if field == "age_groups":
        return lambda app: app.age_groups
    if head == "organisation" and rest in ("name", "type", "region"):  # never empty
        return lambda app: (getattr(app.organisation, rest),)
    return lambda app: categories_of(app, field)


def _categories(app: Application, readers: tuple[tuple[str, CategoryReader], ...]
                ) -> dict[str, tuple[str, ...]]:
    """The application's values on each rule field (lists count each value once)."""
    found = {}
    for field, read in readers:
        values = read(app)
        # One value is already sorted and unique (most fields hold one: 100,000 sorts saved).
        found[field] = values if len(values) < 2 else tuple(sorted(set(values)))
    return found


def _rule_spec(rule: Rule, declared: tuple[str, ...], largest: int) -> RuleSpec:
    def share(value: int | float | None, rounding: str) -> Fraction | None:
        return None if value is None else share_fraction(exact(value), largest, rounding)

    return RuleSpec(
        name=rule.name, field=rule.field, categories=tuple(rule.each or declared),
        at_least=rule.at_least, at_most=rule.at_most,
        share_at_least=share(rule.share_at_least, "ceil"),
        share_at_most=share(rule.share_at_most, "floor"),
        distinct_at_least=rule.distinct_at_least,
    )


MAX_SHARE_DENOMINATOR = 10**6


def share_fraction(share: Fraction, largest: int, rounding: str) -> Fraction:
    """A share with a small denominator that allows exactly the same counts.

    ``0.3333333333333333`` in a file is 3333333333333333/10**16 exactly: as a coefficient it
    defeats floating-point solvers. For a portfolio of m applications a lower bound allows
    counts ``>= ceil(share*m)`` and an upper bound counts ``<= floor(share*m)``. Only sizes m
    up to ``largest`` are possible, and ``ceil(s*m)`` (``floor``) changes only at fractions
    k/m, so the smallest fraction ``>= share`` (largest ``<= share``) with a denominator up to
    ``largest`` allows exactly the same counts: the literal meaning is kept, exactly.
    """
    if share.denominator <= MAX_SHARE_DENOMINATOR or largest < 1:
        return share
    if rounding == "ceil":
        return min(Fraction(-(-share.numerator * q // share.denominator), q)
                   for q in range(1, largest + 1))
    return max(Fraction(share.numerator * q // share.denominator, q)
               for q in range(1, largest + 1))


class _RowBuilder:
    """Accumulates rows and indicator columns in a fixed order."""

    def __init__(self, candidates: tuple[Candidate, ...]) -> None:
        self.candidates = candidates
        self._members: dict[str, defaultdict[str, list[int]]] = defaultdict(
            lambda: defaultdict(list))  # field -> category -> candidate columns, ascending
        for i, candidate in enumerate(candidates):
            for field, values in candidate.categories.items():
                of_field = self._members[field]
                for value in values:
                    of_field[value].append(i)
        self.rows: list[Row] = []
        self._pairs: dict[tuple[int, int], tuple[int, int]] = {}
        self._everyone: dict[int, tuple[tuple[int, int], ...]] = {}
        self.indicators: list[str] = []
        self._groups: list[str] = []

    def groups(self) -> tuple[str, ...]:
        return tuple(self._groups)

    def add(self, group: str, label: str, terms: Iterable[tuple[int, int]], sense: Sense,
            rhs: int, unit: int = 1, bound: str = "", stated: int | None = None, *,
            prepared: bool = False) -> None:
        """A row of ``terms``; ``prepared``: they are already shared pairs (``shared``),
        with no zero coefficient, in ascending columns (the large rows are made so)."""
        if group not in self._groups:
            self._groups.append(group)
        if prepared:
            kept = tuple(terms)
        else:
            kept = tuple(sorted(self.shared(term) for term in terms if term[1] != 0))
        self.rows.append(Row(group, label, kept, sense, rhs, unit, bound,
                             None if stated == rhs else stated))

    def shared(self, term: tuple[int, int]) -> tuple[int, int]:
        # Equal (column, coefficient) terms are one object across rows: the size, count
        # and share rows repeat them (at 100,000 applications, 2 million terms: 100 MB).
        column, coef = term
        if coef in self._everyone and column < len(self.candidates):
            return self._everyone[coef][column]
        return self._pairs.setdefault(term, term)

    def everyone(self, coef: int = 1) -> tuple[tuple[int, int], ...]:
        """Every candidate column with ``coef`` (made once per coefficient: the size, count
        and share rows all start from these, and ``shared`` hands them out)."""
        if coef not in self._everyone:
            self._everyone[coef] = tuple(zip(range(len(self.candidates)), repeat(coef)))
        return self._everyone[coef]

    def members(self, field: str, category: str) -> list[int]:
        of_field = self._members.get(field)
        return of_field.get(category, []) if of_field is not None else []

    def add_size(self, size_range: tuple[int, int | None]) -> None:
        # Beyond n + 1 a size bound means the same as n + 1 (never / always possible).
        low, high = size_range
        n = len(self.candidates)
        if low > 0 or high is None:
            self.add(SIZE, f"size >= {low}", self.everyone(), Sense.GE, min(low, n + 1),
                     bound="min", stated=low, prepared=True)
        if high is not None:
            self.add(SIZE, f"size <= {high}", self.everyone(), Sense.LE, min(high, n + 1),
                     bound="max", stated=high, prepared=True)

    def add_budget(self, budget: int) -> None:
        # An application dearer than the budget can never be chosen under it: its
        # coefficient only has to exceed the right-hand side, whatever its amount (a typo
        # of 1e29 must not reach the solver). A budget above the cost of every affordable
        # application together always holds: its right-hand side can be that cost.
        affordable = sum(c.amount for c in self.candidates if c.amount <= budget)
        rhs = min(budget, affordable)
        terms = (self.shared((i, c.amount if c.amount <= budget else rhs + 1))
                 for i, c in enumerate(self.candidates))
        self.add(BUDGET, f"cost <= {budget}", [term for term in terms if term[1] != 0],
                 Sense.LE, rhs, stated=budget, prepared=True)  # columns ascend

    def add_rule(self, rule: RuleSpec) -> None:
        for category in rule.categories:
            self._add_category_bounds(rule, category)
        if rule.distinct_at_least is not None:
            self._add_distinct(rule, rule.distinct_at_least)

    def _add_category_bounds(self, rule: RuleSpec, category: str) -> None:
        members = self.members(rule.field, category)
        ones = self.everyone(1)
        count = [ones[i] for i in members]  # members ascend: candidates are read in order
        name = rule.name
        if rule.at_least is not None:
            self.add(name, f"{name}: {category} >= {rule.at_least}", count, Sense.GE,
                     rule.at_least, bound="at_least", prepared=True)
        if rule.at_most is not None:
            self.add(name, f"{name}: {category} <= {rule.at_most}", count, Sense.LE,
                     rule.at_most, bound="at_most", prepared=True)
        shares = (("share_at_least", rule.share_at_least, Sense.GE),
                  ("share_at_most", rule.share_at_most, Sense.LE))
        for kind, share, sense in shares:
            if share is not None:
                # One step of relaxation allows one application fewer (or more) than the
                # share asks: q*count - p*size >= -q  <=>  count >= share*size - 1.
                self.add(name, f"{name}: {category} share {sense.value} {share}",
                         self._share_terms(members, share), sense, 0, unit=share.denominator,
                         bound=kind, prepared=True)

    def _share_terms(self, members: list[int], share: Fraction) -> list[tuple[int, int]]:
        """q*count - p*size, with share = p/q: exact integer coefficients, as ``add``'s
        prepared terms (every candidate's -p, the members' q - p; zeros left out)."""
        p, q = share.numerator, share.denominator
        terms = list(self.everyone(-p))
        for i in members:
            terms[i] = self.shared((i, q - p))
        if p == 0 or p == q:  # a share of 0 or 1: some coefficients are 0
            return [term for term in terms if term[1] != 0]
        return terms

    def _add_distinct(self, rule: RuleSpec, at_least: int) -> None:
        indicator_columns: list[tuple[int, int]] = []
        for category in rule.categories:
            members = self.members(rule.field, category)
            if not members:
                continue  # a category nobody has can never count
            column = len(self.candidates) + len(self.indicators)
            self.indicators.append(f"{rule.name}: {category}")
            indicator_columns.append((column, 1))
            minus = self.everyone(-1)
            self.add(rule.name, f"{rule.name}: {category} counts only if chosen",
                     [*(minus[i] for i in members), self.shared((column, 1))], Sense.LE, 0,
                     unit=0, prepared=True)  # the indicator's column is after every candidate
        self.add(rule.name, f"{rule.name}: distinct >= {at_least}", indicator_columns,
                 Sense.GE, at_least, bound="distinct_at_least")

    def add_overrides(self, included: tuple[str, ...], excluded: tuple[str, ...]) -> None:
        index = {c.id: i for i, c in enumerate(self.candidates)}
        for app_id in included:
            self.add(f"include {app_id}", f"include {app_id}", [(index[app_id], 1)],
                     Sense.GE, 1)
        for app_id in excluded:
            if app_id in index:
                self.add(f"exclude {app_id}", f"exclude {app_id}", [(index[app_id], 1)],
                         Sense.LE, 0)


def _check_overlap(overrides: Overrides) -> None:
    """No application may be both included and excluded (which would win is undefined)."""
    both = sorted(set(overrides.included_ids()) & set(overrides.excluded_ids()))
    if both:
        raise UsageError("; ".join(f"include {app_id} and exclude {app_id} name the same "
                                   "application; expected each once" for app_id in both))


def _check_overrides(call: Call, report: ScoreReport, overrides: Overrides) -> None:
    """Every include must name a selectable application; every override a known one."""
    scores = report.by_id()
    problems: list[Problem] = []
    for kind, items in (("include", overrides.include), ("exclude", overrides.exclude)):
        for item in items:
            where = _override_source(call, item, kind)
            if item.id not in scores:
                problems.append(Problem(where, None, f"{kind} {item.id}: no application has "
                                        "this id", "an application id of the call",
                                        code="unknown_application"))
            elif kind == "include" and not scores[item.id].selectable:
                why = "; ".join(scores[item.id].reasons) or "not selectable"
                problems.append(Problem(where, None, f"include {item.id}: the application is "
                                        f"not selectable ({why})",
                                        "include only eligible, fully reviewed, not excluded "
                                        "applications", code="include_not_selectable"))
    if problems:
        raise InputError(problems)


def _override_source(call: Call, item: Override, kind: str) -> str:
    if item.reason == WHAT_IF_REASON:
        return f"what-if {kind}"  # the run's options, not a file
    if call.files is not None and call.files.overrides is not None:
        return display_path(call.files.overrides)
    return "overrides.yaml"
