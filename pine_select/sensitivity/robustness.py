"""Weight robustness: how often each application is chosen when the weights wobble.

Weight vectors are drawn from a Dirichlet distribution centred on the rubric's weights:
shares ``g_j / sum(g)`` with ``g_j ~ Gamma(C * pi_j, 1)``, where ``pi_j`` is criterion j's
share of the rubric's total weight and C the *concentration* (larger: closer to the
rubric; a share's standard deviation is ``sqrt(pi_j * (1 - pi_j) / (C + 1))``). A weight of
0 stays 0. Draws come from ``random.Random(seed)`` (Mersenne Twister and ``gammavariate``:
the same numbers on every machine and Python version), and each share is rounded to
millionths, so the weights, hence the totals in cents, are exact whole numbers: float
noise in the last bit of a draw cannot change a selection. Each draw is re-selected
exactly as ``select`` would (totals rounded to cents, ties by the seeded lottery) on the
same model, changing only the objective.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from pine_select.errors import SolverError, UsageError
from pine_select.selection.explain import portfolio_ids
from pine_select.selection.optimiser import Optimiser, SolveStatus
from pine_select.sensitivity.matrix import ScoreMatrix
from pine_select.sensitivity.result import Frequency, Robustness

SHARE_UNITS = 10**6  # shares are rounded to millionths


def dirichlet_weights(rng: random.Random, weights: Sequence[Fraction], concentration: Fraction
                      ) -> list[Fraction]:
    """One draw, as weights in the rubric's units (the same total as the rubric's)."""
    total = sum(weights, Fraction(0))
    draws = [rng.gammavariate(float(concentration * w / total), 1.0) if w > 0 else 0.0
             for w in weights]
    whole = sum(draws)
    units = [round(d / whole * SHARE_UNITS) for d in draws]
    if not any(units):  # every draw underflowed: keep the rubric's weights
        return list(weights)
    return [Fraction(u, SHARE_UNITS) * total for u in units]


def sample_frequencies(optimiser: Optimiser, matrix: ScoreMatrix, weights: Sequence[Fraction],
                       chosen: Sequence[int], samples: int, concentration: Fraction, seed: int
                       ) -> Robustness:
    """Re-select ``samples`` times under drawn weights; count who is chosen how often."""
    if samples < 0:
        raise UsageError(f"samples {samples}: expected a whole number >= 0", option="samples")
    if concentration <= 0:
        raise UsageError(f"concentration {concentration}: expected a number above 0",
                         option="concentration")
    rng = random.Random(seed)
    counts: Counter[int] = Counter()
    seen: Counter[tuple[int, ...]] = Counter()
    base = tuple(sorted(chosen))
    for _ in range(samples):
        drawn = dirichlet_weights(rng, weights, concentration)
        solution = optimiser.best_with_scores(matrix.cents(drawn))
        if solution.status is not SolveStatus.OPTIMAL:
            raise SolverError(f"a re-selection under drawn weights ended {solution.status}")
        counts.update(solution.chosen)
        seen[solution.chosen] += 1
    return Robustness(
        samples=samples, concentration=concentration, seed=seed,
        frequencies=_frequencies(optimiser, counts, base),
        portfolios=len(seen), same_as_chosen=seen[base],
    )


def _frequencies(optimiser: Optimiser, counts: Counter[int], base: tuple[int, ...]
                 ) -> tuple[Frequency, ...]:
    problem = optimiser.problem
    shown = set(counts) | set(base)
    ordered = portfolio_ids(problem, shown)
    index = {c.id: i for i, c in enumerate(problem.candidates)}
    found = [Frequency(app_id, problem.candidates[index[app_id]].rank, index[app_id] in base,
                       counts[index[app_id]]) for app_id in ordered]
    return tuple(sorted(found, key=lambda f: -f.count))  # stable: rank order among equals
