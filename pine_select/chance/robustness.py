"""P(selected) under reviewer noise: the bootstrap re-selection of SPEC 10.

Each draw resamples reviewers (``bootstrap``) and re-selects the portfolio exactly as
``select`` would (totals in cents, ties by the seeded lottery) on ONE solver model per
process, changing only the objective (``Optimiser.best_with_scores``): no rebuild per draw.

Draws are split into chunks of ``CHUNK_DRAWS``; chunk c always draws from the generator
seeded by ``bootstrap.chunk_seed(seed, c)`` and its counts are added in chunk order, so the
result is the same, to the byte, whether one process runs every chunk or W worker
processes share them (``concurrent.futures``; each worker builds its model once).
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from pine_select.chance.bootstrap import ReviewerTable, chunk_seed, drawn_scores
from pine_select.chance.result import Chance, Robustness
from pine_select.errors import SolverError, UsageError
from pine_select.limits import DEFAULT_DRAWS, MAX_DRAWS, MAX_WORKERS
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.options import RunOptions
from pine_select.pipeline import score
from pine_select.scoring.result import ScoreReport
from pine_select.scoring.totals import IntegerWeights
from pine_select.selection.optimiser import Optimiser, Solution, SolverName, SolveStatus
from pine_select.selection.problem import SelectionProblem, build_problem

CHUNK_DRAWS = 25  # draws per chunk: the unit of work of a worker and of the seeding

Progress = Callable[[int, int], None]  # (draws done, draws in all)


@dataclass(frozen=True)
class Setup:
    """The call scored and its selection problem, with the recommended portfolio."""

    call: Call
    report: ScoreReport
    problem: SelectionProblem
    solver: SolverName
    recommended: Solution  # optimiser.best(): what ``select`` recommends

    @property
    def feasible(self) -> bool:
        return self.recommended.optimal


def prepare(call: Call, solver: SolverName | None = None, *, calibrate: bool = False) -> Setup:
    """Score ``call`` under its published rules (``calibrate``: with reviewer leniency
    corrected, re-fitted in every draw) and solve its selection once."""
    report, overrides = score(call, RunOptions(calibrate=calibrate))
    return setup_for(call, report, overrides, solver)


def setup_for(call: Call, report: ScoreReport, overrides: Overrides | None = None,
              solver: SolverName | None = None) -> Setup:
    """The selection of ``call`` scored as ``report``, solved once (raises SolverError)."""
    problem = build_problem(call, report, overrides=overrides)
    # HiGHS in-process by default: re-solved in place, it is faster per draw than CBC's
    # round trip even on the example call (measured: benchmarks/bench_chance.py).
    chosen = solver or SolverName.HIGHS
    best = Optimiser(problem, chosen).best()
    if best.status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        raise SolverError(f"the selection ended {best.status}")
    return Setup(call, report, problem, chosen, best)


def check_counts(draws: int, workers: int) -> None:
    if not 0 <= draws <= MAX_DRAWS:
        raise UsageError(f"draws {draws}: expected a whole number from 0 to {MAX_DRAWS:,}",
                         option="draws")
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"workers {workers}: expected a whole number from 1 to "
                         f"{MAX_WORKERS}", option="workers")


def reviewer_robustness(setup: Setup, *, draws: int = DEFAULT_DRAWS, seed: int | None = None,
                        workers: int = 1, progress: Progress | None = None) -> Robustness:
    """P(selected) of every application over ``draws`` bootstrap draws of its reviewers."""
    check_counts(draws, workers)
    seed = setup.report.seed if seed is None else seed
    if not setup.feasible:
        return Robustness("infeasible", draws, seed, (), 0)
    table = ReviewerTable.of(setup.call, setup.problem, IntegerWeights.of(setup.report.weights),
                             calibrated=setup.report.calibration is not None)
    counts = [0] * len(setup.problem.candidates)
    same = 0
    for chunk in _counted_chunks(setup, table, draws, seed, workers, progress):
        counts = [a + b for a, b in zip(counts, chunk.counts, strict=True)]
        same += chunk.same
    return Robustness("optimal", draws, seed, _chances(setup, counts, draws), same)


@dataclass(frozen=True)
class ChunkCounts:
    counts: tuple[int, ...]  # per candidate column: draws that selected it
    same: int  # draws that re-selected the recommended portfolio


class Drawer:
    """One process's model and remembered totals; runs chunks of draws."""

    def __init__(self, problem: SelectionProblem, table: ReviewerTable, solver: SolverName,
                 recommended: tuple[int, ...]) -> None:
        # Reduced-cost fixing on every size (narrow_above=0), not only above 200 candidates:
        # exact, and on the example it more than halved the time per draw with HiGHS
        # (twice the solves, most of them linear relaxations; benchmarks/bench_chance.py).
        self.optimiser = Optimiser(problem, solver, narrow_above=0)
        self.table = table
        self.recommended = recommended

    def chunk(self, seed: int, chunk: int, draws: int) -> ChunkCounts:
        rng = random.Random(chunk_seed(seed, chunk))
        counts = [0] * len(self.optimiser.problem.candidates)
        same = 0
        for _ in range(draws):
            chosen = self.reselect(drawn_scores(rng, self.table))
            for i in chosen:
                counts[i] += 1
            same += chosen == self.recommended
        return ChunkCounts(tuple(counts), same)

    def reselect(self, scores: list[int]) -> tuple[int, ...]:
        found = self.optimiser.best_with_scores(scores)
        if not found.optimal:
            raise SolverError(f"a re-selection of a bootstrap draw ended {found.status}; "
                              f"{self.optimiser.what_to_try()}")
        return found.chosen


def chunks(draws: int) -> list[tuple[int, int]]:
    """(chunk index, draws in it): fixed by ``draws`` alone, never by the workers."""
    return [(c, min(CHUNK_DRAWS, draws - c * CHUNK_DRAWS))
            for c in range(-(-draws // CHUNK_DRAWS))]


def _counted_chunks(setup: Setup, table: ReviewerTable, draws: int, seed: int, workers: int,
                    progress: Progress | None) -> Iterator[ChunkCounts]:
    """Each chunk's counts, in chunk order, from this process or from worker processes."""
    work = chunks(draws)
    arguments = (setup.problem, table, setup.solver, setup.recommended.chosen)
    if workers == 1 or len(work) <= 1:
        drawer = Drawer(*arguments)
        found: Iterator[ChunkCounts] = (drawer.chunk(seed, c, n) for c, n in work)
        yield from _reported(found, work, draws, progress)
        return
    # spawn: a fresh interpreter per worker, never a fork of a process holding solver state.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(work)), mp_context=context,
                             initializer=_start_worker, initargs=arguments) as pool:
        found = pool.map(_worker_chunk, [(seed, c, n) for c, n in work])
        yield from _reported(found, work, draws, progress)


def _reported(found: Iterator[ChunkCounts], work: list[tuple[int, int]], draws: int,
              progress: Progress | None) -> Iterator[ChunkCounts]:
    done = 0
    for (_, n), counts in zip(work, found, strict=True):
        done += n
        if progress is not None:
            progress(done, draws)
        yield counts


_DRAWER: Drawer | None = None  # a worker process's own model (set by _start_worker)


def _start_worker(problem: SelectionProblem, table: ReviewerTable, solver: SolverName,
                  recommended: tuple[int, ...]) -> None:
    global _DRAWER
    _DRAWER = Drawer(problem, table, solver, recommended)


def _worker_chunk(job: tuple[int, int, int]) -> ChunkCounts:
    assert _DRAWER is not None, "the worker was started without its model"
    return _DRAWER.chunk(*job)


def _chances(setup: Setup, counts: list[int], draws: int) -> tuple[Chance, ...]:
    """Every application: candidates by rank (held-out ones after), then the rest by id."""
    problem = setup.problem
    chosen = set(setup.recommended.chosen)
    found = [Chance(c.id, c.rank, i in chosen, counts[i], draws)
             for i, c in enumerate(problem.candidates)]
    found.sort(key=lambda c: (c.rank is None, c.rank or 0, c.id))
    known = {c.id for c in problem.candidates}
    rest = [Chance(s.id, None, False, 0, draws) for s in sorted(setup.report.applications,
                                                                   key=lambda s: s.id)
            if s.id not in known]
    return (*found, *rest)
