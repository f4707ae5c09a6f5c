"""What the optimiser asks of a solver backend, with no solver imported here.

A backend holds one model of a :class:`SelectionProblem` (its rows and columns never change)
and answers :meth:`Backend.solve` for a :class:`Setting`: an objective, bounds that fix
columns, right-hand sides, the tie-break's floor row and no-good cuts. Two backends exist,
each the only module that imports its solver:

- ``pulp_backend``: a PuLP model solved by the CBC bundled with PuLP (small calls, where a
  CBC round trip of a few milliseconds beats HiGHS's set-up per solve);
- ``highs_backend``: HiGHS in-process, built once from arrays in the problem's own column
  order and changed in place between solves (large calls: PuLP's model building and its
  copy of the model into HiGHS on every solve cost more than the solves themselves).

Both solve the same rows to a zero MIP gap; tests run every case on both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

Cuts = tuple[tuple[tuple[int, ...], int], ...]  # (portfolio, min swaps) no-good cuts


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    # A work limit (nodes) reached, with the best portfolio found: deterministic, unlike time.
    WORK_LIMIT = "work_limit"
    ERROR = "error"


@dataclass(frozen=True)
class Setting:
    """One solve: what changes from the problem's own model, stated in full every time."""

    objective: Sequence[int]  # maximised; one whole number per candidate column
    fixed_in: frozenset[int]  # candidate columns held at 1
    fixed_out: frozenset[int]  # candidate columns held at 0
    rhs: tuple[int, ...]  # the right-hand side of each of the problem's rows, in order
    floor: int  # sum(floor_coefficients * x) >= floor (0: always holds, scores are >= 0)
    floor_coefficients: Sequence[int]  # one per candidate column
    cuts: Cuts = ()
    start: Sequence[int] | None = None  # a feasible 0/1 value per column, as a first incumbent
    mip: bool = True  # False: the linear relaxation (for reduced costs)
    max_nodes: int | None = None  # a work limit for the search (HiGHS); None: none


@dataclass(frozen=True)
class Outcome:
    """A backend's raw answer: values only when ``status`` is optimal or a work limit."""

    status: SolveStatus
    values: Sequence[float] = ()  # one per column (candidates, then indicators)
    reduced_costs: Sequence[float] = ()  # one per column, for linear relaxations only


class BackendFailure(Exception):
    """The solver itself failed (crashed, refused the model); the message says how."""


class Backend(Protocol):
    def solve(self, setting: Setting) -> Outcome: ...

    def name(self) -> str: ...

    def version(self) -> str: ...


@contextmanager
def stdout_silenced() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null (solvers write from C, past sys.stdout).

    HiGHS prints a banner the first time it is created; ``--format json`` must stay parseable.
    """
    for stream in (sys.stdout, sys.__stdout__):
        if stream is not None:
            stream.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 at all: nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
