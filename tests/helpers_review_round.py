"""Builders for review-round tests: small assignment problems, a brute force to check them
against, and tiny calls with reviewers.csv."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from conftest import CallPaths, build_call, csv_text, tiny_application

from pine_select.review_round.assign_problem import AssignmentProblem, Pair

REVIEWER_HEADER = ("reviewer", "name", "organisation", "expertise", "max_load")

LexKey = tuple[int, int, int, int, int]


def problem(n_apps: int, n_reviewers: int, k: int, *, barred: Iterable[tuple[int, int]] = (),
            capacity: Sequence[int] | None = None, experts: Iterable[tuple[int, int]] = (),
            kept: Iterable[tuple[int, int]] = (), seed: int = 0) -> AssignmentProblem:
    """Applications A0.., reviewers r0..; every pair allowed but ``barred``; priorities
    a seeded permutation."""
    barred, experts, kept = set(barred), set(experts), set(kept)
    allowed = [(a, r) for a in range(n_apps) for r in range(n_reviewers) if (a, r) not in barred]
    order = list(range(len(allowed)))
    random.Random(seed).shuffle(order)
    pairs = tuple(Pair(a, r, (a, r) in experts, (a, r) in kept, order[i])
                  for i, (a, r) in enumerate(allowed))
    caps = tuple(capacity) if capacity is not None else (n_apps,) * n_reviewers
    return AssignmentProblem(tuple(f"A{a}" for a in range(n_apps)),
                             tuple(f"r{r}" for r in range(n_reviewers)), k, pairs, caps)


def random_problem(rng: random.Random) -> AssignmentProblem:
    n_apps, n_reviewers = rng.randint(1, 4), rng.randint(2, 4)
    k = rng.randint(1, min(2, n_reviewers))
    cells = [(a, r) for a in range(n_apps) for r in range(n_reviewers)]
    return problem(n_apps, n_reviewers, k,
                   barred=[c for c in cells if rng.random() < 0.2],
                   capacity=[rng.randint(0, n_apps) for _ in range(n_reviewers)],
                   experts=[c for c in cells if rng.random() < 0.4],
                   kept=[c for c in cells if rng.random() < 0.3], seed=rng.randint(0, 99))


def lex_key(p: AssignmentProblem, chosen: Sequence[int]) -> LexKey:
    """What the stages optimise, in order, as one key to minimise."""
    pairs = [p.pairs[i] for i in chosen]
    loads = [0] * len(p.reviewers)
    for pair in pairs:
        loads[pair.reviewer] += 1
    covered = {pair.application for pair in pairs if pair.expert}
    return (sum(n * n for n in loads), -len(covered), -sum(x.expert for x in pairs),
            -sum(x.kept for x in pairs), sum(x.priority for x in pairs))


def brute_force(p: AssignmentProblem) -> tuple[LexKey, tuple[int, ...]] | None:
    """The best assignment by trying every one (tiny problems only); None if none exists."""
    by_app: list[list[int]] = [[] for _ in p.applications]
    for i, pair in enumerate(p.pairs):
        by_app[pair.application].append(i)
    best: tuple[LexKey, tuple[int, ...]] | None = None
    choices = [itertools.combinations(pairs, p.per_application) for pairs in by_app]
    for combo in itertools.product(*choices):
        chosen = tuple(sorted(i for part in combo for i in part))
        loads = [0] * len(p.reviewers)
        for i in chosen:
            loads[p.pairs[i].reviewer] += 1
        if all(n <= c for n, c in zip(loads, p.capacity, strict=True)):
            key = lex_key(p, chosen)
            if best is None or key < best[0]:
                best = (key, chosen)
    return best


def reviewers_csv(rows: Sequence[Sequence[object]]) -> str:
    return csv_text(REVIEWER_HEADER, rows)


def round_call(folder: Path, n_apps: int = 6, *, reviewers: str | None = None,
               conflicts: object = None, **app_changes: dict[str, object]) -> CallPaths:
    """A tiny call of ``n_apps`` applications without reviews, with reviewers.csv.

    Default reviewers: alice (early_help), bob, carol (child_protection), dan, each
    unlimited; applications alternate early_help / child_protection.
    """
    apps = [tiny_application(n, practice_type="early_help" if n % 2 else "child_protection",
                             **app_changes.get(f"APP-{n}", {}))
            for n in range(1, n_apps + 1)]
    default = reviewers_csv([("alice", "Alice A", "Uni A", "early_help", ""),
                             ("bob", "Bob B", "Uni B", "", ""),
                             ("carol", "Carol C", "Uni C", "child_protection", ""),
                             ("dan", "Dan D", "Uni D", "early_help;child_protection", "")])
    call = build_call(folder, applications=apps, reviews=None, conflicts=conflicts)
    (call.apps / "reviewers.csv").write_text(reviewers if reviewers is not None else default,
                                             encoding="utf-8")
    return call
