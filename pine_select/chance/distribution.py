"""The published lottery: portfolio probabilities in exact billionths, and the seeded draw.

What an observer needs to re-do the draw is all in the published distribution and the seed:

1. The portfolios, each written as its ids sorted, are listed in sorted order (comparing
   the id lists element by element). That is the order of the published list.
2. Each probability is a whole number of billionths (``PRECISION``); they sum to exactly
   1,000,000,000. Portfolio k covers the tickets from the sum of the probabilities before
   it (in billionths) up to, not including, that sum plus its own.
3. The ticket is ``int(sha256("{seed}:lottery").hexdigest(), 16) % 1_000_000_000``, the
   seed written in decimal (as the rubric's tie-break lottery draws: ``lottery.py``).
4. The drawn portfolio is the one whose tickets hold the ticket.

Each application's probability is the exact sum of the probabilities of the portfolios
holding it, so the probabilities shown are the marginals of the published lottery exactly.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

PRECISION = 10**9  # probabilities are whole numbers of billionths


@dataclass(frozen=True)
class Distribution:
    """Portfolios (ids sorted; the list sorted) and their probabilities in billionths."""

    portfolios: tuple[tuple[str, ...], ...]
    billionths: tuple[int, ...]

    def probability(self, k: int) -> Fraction:
        return Fraction(self.billionths[k], PRECISION)

    def marginal(self, application_id: str) -> int:
        """The application's selection probability in billionths (exact)."""
        return sum(b for p, b in zip(self.portfolios, self.billionths, strict=True)
                   if application_id in p)

    def holding(self, ticket: int) -> int:
        """The index of the portfolio whose tickets hold ``ticket`` (0 <= ticket < PRECISION)."""
        start = 0
        for k, width in enumerate(self.billionths):
            if start <= ticket < start + width:
                return k
            start += width
        raise ValueError(f"ticket {ticket} is outside 0..{PRECISION - 1}")


def published(portfolios: Sequence[Sequence[str]], weights: Sequence[float]) -> Distribution:
    """Probabilities rounded to billionths summing to exactly one (largest remainders; equal
    remainders: the earlier portfolio in the published order), zero ones dropped."""
    order = sorted(range(len(portfolios)), key=lambda k: tuple(sorted(portfolios[k])))
    listed = [tuple(sorted(portfolios[k])) for k in order]
    scaled = [max(0.0, weights[k]) * PRECISION for k in order]
    total = sum(scaled) or 1.0
    scaled = [s * PRECISION / total for s in scaled]
    whole = [math.floor(s) for s in scaled]
    short = PRECISION - sum(whole)
    by_remainder = sorted(range(len(listed)), key=lambda k: (-(scaled[k] - whole[k]), k))
    for k in by_remainder[:short]:
        whole[k] += 1
    kept = [(p, b) for p, b in zip(listed, whole, strict=True) if b > 0]
    return Distribution(tuple(p for p, _ in kept), tuple(b for _, b in kept))


def ticket(seed: int) -> int:
    """The draw's ticket: a whole number in 0..PRECISION-1 from the seed alone."""
    digest = hashlib.sha256(f"{seed}:lottery".encode()).hexdigest()
    return int(digest, 16) % PRECISION


def as_decimal(billionths: int) -> float:
    """Billionths as a JSON number: the float nearest k / 10**9 prints as that decimal."""
    return billionths / PRECISION
