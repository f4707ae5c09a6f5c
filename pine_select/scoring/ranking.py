"""Rank the selectable applications; break ties by the seeded lottery (SPEC 3).

Order: highest ``total_cents`` first; among equal totals (at 2 decimals) the lower lottery
number wins (``pine_select/lottery.py``), then the id, which only matters if two draws
collide. Unselectable applications follow, unranked, sorted by id.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby

from pine_select.scoring.result import ApplicationScore


def ranked(
    scores: list[ApplicationScore],
) -> tuple[tuple[ApplicationScore, ...], tuple[tuple[str, ...], ...]]:
    """Every application in report order with ranks set, and the groups of tied ids.

    Each tie group lists ids in lottery order (the order they are ranked in).
    """
    selectable = sorted((s for s in scores if s.selectable), key=_ranking_key)
    others = sorted((s for s in scores if not s.selectable), key=lambda s: s.id)
    ordered = [replace(s, rank=i) for i, s in enumerate(selectable, 1)]
    ordered += [s if s.rank is None else replace(s, rank=None) for s in others]
    return tuple(ordered), tie_groups(selectable)


def tie_groups(ordered: list[ApplicationScore]) -> tuple[tuple[str, ...], ...]:
    """Runs of two or more consecutive applications with the same total at 2 decimals."""
    groups = (tuple(s.id for s in run) for _, run in groupby(ordered, key=lambda s: s.total_cents))
    return tuple(g for g in groups if len(g) > 1)


def _ranking_key(score: ApplicationScore) -> tuple[int, int, str]:
    cents = score.total_cents if score.total_cents is not None else -1
    return (-cents, score.lottery, score.id)
