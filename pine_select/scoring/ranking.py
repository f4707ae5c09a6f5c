"""Rank the selectable applications; break ties by the seeded lottery (SPEC 3).

Order: highest ``total_cents`` first; among equal totals (at 2 decimals) the lower lottery
number wins (``pine_select/lottery.py``), then the id, which only matters if two draws
collide. Unselectable applications follow, unranked, sorted by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

from pine_select.scoring.result import ApplicationScore


def ranked(
    scores: list[ApplicationScore],
) -> tuple[tuple[ApplicationScore, ...], tuple[tuple[str, ...], ...]]:
    """Every application in report order with ranks set, and the groups of tied ids.

    Each tie group lists ids in lottery order (the order they are ranked in).
    """
    ranked_at, others = report_order([rank_key(s) for s in scores])
    ordered = [replace(scores[i], rank=rank) for rank, i in enumerate(ranked_at, 1)]
    ordered += [scores[i] if scores[i].rank is None else replace(scores[i], rank=None)
                for i in others]
    return tuple(ordered), tie_groups(ordered[:len(ranked_at)])


# What ranks an application: whether it is selectable, its total in cents (None: some
# criterion unscored), its lottery number and its id.
RankKey = tuple[bool, int | None, int, str]


def rank_key(score: ApplicationScore) -> RankKey:
    return (score.selectable, score.total_cents, score.lottery, score.id)


def report_order(keys: Sequence[RankKey]) -> tuple[list[int], list[int]]:
    """The positions of the selectable applications in ranking order (rank 1 first), and
    of the others by id: the report's order, worked out before the scores are made."""
    selectable = sorted((i for i, key in enumerate(keys) if key[0]),
                        key=lambda i: _ranking_key(keys[i]))
    others = sorted((i for i, key in enumerate(keys) if not key[0]), key=lambda i: keys[i][3])
    return selectable, others


def tie_groups(ordered: list[ApplicationScore]) -> tuple[tuple[str, ...], ...]:
    """Runs of two or more consecutive applications with the same total at 2 decimals."""
    groups = (tuple(s.id for s in run) for _, run in groupby(ordered, key=lambda s: s.total_cents))
    return tuple(g for g in groups if len(g) > 1)


def _ranking_key(key: RankKey) -> tuple[int, int, str]:
    _, cents, lottery, app_id = key
    return (-(cents if cents is not None else -1), lottery, app_id)
