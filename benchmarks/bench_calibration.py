"""Benchmark what reviewer calibration adds to ``score`` (issue 16) on a large synthetic call.

    python benchmarks/bench_calibration.py [--applications 10000] [--runs 5] [--seed 1] [--dir DIR]

Generates the call once (benchmarks/generate.py: about three reviewers per application,
six criteria, scores from an additive leniency model) unless ``--dir`` names one, loads
it once, then alternates ``score_call(call)`` and ``score_call(call, calibrate=True)``,
each followed by the JSON ``score --format json`` prints, ``--runs`` times each. Prints
the medians (wall and CPU: process time is the robust figure on a shared machine), the
difference, and the fit alone. Target (issue 16): calibration adds under 2 s at 10,000
applications x 3 reviewers x 6 criteria.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 2.0


def timed(action: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(folder: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    from pine_select.loading.loader import load_call
    from pine_select.report.cells import json_text
    from pine_select.report.score_output import score_json
    from pine_select.scoring import score_call
    from pine_select.scoring.calibration import fit_leniency
    from pine_select.scoring.columns import ReviewColumns

    call = load_call(folder / "rubric.yaml", folder / "apps", cache=False)
    columns = ReviewColumns.of(call)
    found: dict[str, list[tuple[float, float]]] = {"plain": [], "calibrated": [], "fit": []}
    for _ in range(runs):
        found["plain"].append(timed(lambda: json_text(score_json(score_call(call), call))))
        found["calibrated"].append(timed(
            lambda: json_text(score_json(score_call(call, calibrate=True), call))))
        found["fit"].append(timed(lambda: fit_leniency(columns)))
    print(f"{len(call.applications):,} applications, {len(columns):,} review rows, "
          f"{len(columns.reviewers):,} reviewers, {len(columns.criteria)} criteria")
    return found


def report(found: dict[str, list[tuple[float, float]]]) -> None:
    def median(name: str, k: int) -> float:
        return statistics.median(t[k] for t in found[name])

    print(f"  {'score + JSON':<22} {'wall':>7} {'cpu':>7}   (median of {len(found['plain'])})")
    for name in ("plain", "calibrated", "fit"):
        print(f"  {name:<22} {median(name, 0):6.2f}s {median(name, 1):6.2f}s")
    added_wall = median("calibrated", 0) - median("plain", 0)
    added_cpu = median("calibrated", 1) - median("plain", 1)
    verdict = "PASS" if added_cpu < TARGET_SECONDS else "MISS"
    print(f"  {'added by calibration':<22} {added_wall:6.2f}s {added_cpu:6.2f}s   "
          f"target < {TARGET_SECONDS} s: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="an existing generated call")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_score import call_folder

    with tempfile.TemporaryDirectory() as tmp:
        report(measure(call_folder(args.dir, tmp, args.applications, args.seed), args.runs))


if __name__ == "__main__":
    main()
