"""The measurements behind three internal choices, each beside what it replaced, in one run.

    python benchmarks/bench_internals.py [--applications 10000] [--runs 7] [--seed 1]

On a synthetic call (benchmarks/generate.py: 3 reviewers, 6 criteria), CPU seconds, the
median of ``--runs``:

- **sort**: the review columns ordered by application, criterion, reviewer and score, as
  ``scoring.columns`` orders them (one combined int64 key, ``_sort_order``) against
  ``np.lexsort`` over the four keys;
- **transfer**: a parse worker's results sent back to the main process
  (``loading.fast_path._packed`` then ``_unpacked``: marshal data) against pickling the
  documents as they are, for every application file of the call;
- **criterion scores**: one ``CriterionScore`` (a named tuple) per application and
  criterion, against a frozen dataclass of the same fields.

Each pair is checked to give the same result before it is timed.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from pine_select.gc_pause import paused_gc

BENCHMARKS = Path(__file__).resolve().parent


def cpu_median(work: Callable[[], object], runs: int) -> float:
    """CPU seconds of ``work``, the median of ``runs``, with the cyclic collector paused
    (as it is while the tool loads and scores: pine_select/gc_pause.py)."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        with paused_gc():
            work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def sort_pair(columns: Any) -> tuple[Callable[[], object], Callable[[], object]]:
    import numpy as np

    from pine_select.scoring import columns as c

    def ours() -> object:
        return c._sort_order((columns.application, len(columns.applications)),
                             (columns.criterion, len(columns.criteria)),
                             (columns.reviewer, len(columns.reviewers)),
                             c._from_zero(columns.score))

    def lexsort() -> object:
        return np.lexsort((columns.score, columns.reviewer, columns.criterion,
                           columns.application))

    assert (ours() == lexsort()).all()  # type: ignore[union-attr]
    return ours, lexsort


def transfer_pair(apps: Path) -> tuple[Callable[[], object], Callable[[], object]]:
    from pine_select.loading import fast_path
    from pine_select.loading.yaml_source import read_yaml

    results = [read_yaml(path, path.name) for path in sorted(apps.glob("*.yaml"))]

    def ours() -> object:
        return fast_path._unpacked(fast_path._packed(results))

    def pickled() -> object:
        return pickle.loads(pickle.dumps(results, pickle.HIGHEST_PROTOCOL))

    assert [d and d.data for d, _ in ours()] == [d and d.data for d, _ in pickled()]  # type: ignore[attr-defined]
    return ours, pickled


@dataclass(frozen=True)
class _DataclassScore:  # CriterionScore as it was
    criterion: str
    score: Fraction | None
    n_reviews: int
    spread: int | None = None
    scores: tuple[tuple[str, int], ...] = ()


def criterion_score_pair(n: int) -> tuple[Callable[[], object], Callable[[], object]]:
    from pine_select.scoring.result import CriterionScore

    fields = (["promise"] * n, [Fraction(7, 2)] * n, [3] * n, [1] * n,
              [(("r1", 3), ("r2", 4), ("r3", 4))] * n)
    return (lambda: list(map(CriterionScore, *fields)),
            lambda: list(map(_DataclassScore, *fields)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    sys.path.insert(0, str(BENCHMARKS))
    from generate import generate

    from pine_select.loading.loader import load_call
    from pine_select.scoring.columns import ReviewColumns

    with tempfile.TemporaryDirectory(prefix="pine-internals-") as tmp:
        apps = generate(Path(tmp), options.applications, options.seed, None)
        call = load_call(Path(tmp) / "rubric.yaml", apps, cache=False)
        columns = ReviewColumns.of(call)
        pairs = {
            f"sort {len(columns):,} review rows": sort_pair(columns),
            f"transfer {len(call.applications):,} parsed files": transfer_pair(apps),
            f"criterion scores x {len(call.applications) * len(columns.criteria):,}":
                criterion_score_pair(len(call.applications) * len(columns.criteria)),
        }
        print(f"CPU seconds, median of {options.runs} | ours | before | ratio")
        for name, (ours, before) in pairs.items():
            mine, theirs = cpu_median(ours, options.runs), cpu_median(before, options.runs)
            print(f"{name} | {mine:.4f} | {theirs:.4f} | {mine / theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
