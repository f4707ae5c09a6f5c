"""Benchmark ``pine-select robustness`` and ``pine-select lottery`` (issue 15 targets).

    python benchmarks/bench_chance.py [--runs 1] [--skip-large] [--dir DIR]

1. ``robustness --draws 1000 --workers 2`` on the example call: target under 10 s.
2. ``robustness --draws 1000 --workers 2`` on 1,000 applications choosing 40
   (benchmarks/generate.py, seed 1): target under 60 s.
3. ``lottery --zone all`` on the example call: target under 10 s; and ``lottery`` with its
   contested zone (1,000 draws, 2 workers), for the record.
4. ``lottery --zone all`` on a 200-application call choosing 20 (a sortition with the
   generator's quotas): target under 30 s.
5. The per-draw re-selection on one model (objective changed in place) beside a fresh
   model built and solved for the same draw, in this process, on the example and on the
   1,000-application call.

Whole commands run in fresh processes; each line prints the median, the target and PASS
or MISS.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import byte_compiled  # what an installed tool runs: see run.py

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019")


def run_command(*args: str | Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and its worker processes)."""
    command = [sys.executable, "-m", "pine_select", *map(str, args), "--format", "json"]
    before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed: {done.stderr}")
    return elapsed, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(label: str, runs: int, target: float | None, *args: str | Path) -> None:
    found = [run_command(*args) for _ in range(runs)]
    seconds = statistics.median(wall for wall, _ in found)
    cpu = statistics.median(c for _, c in found)
    verdict = "" if target is None else (
        f", target < {target:.0f} s: " + ("PASS" if seconds < target else "MISS"))
    print(f"{label}: median {seconds:.2f} s ({cpu:.2f} CPU-s) over {runs} run(s){verdict}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)


def synthetic_call(applications: int, portfolio: int, folder: Path | None = None) -> Path:
    if folder is not None:
        return folder
    out = Path(tempfile.mkdtemp(prefix=f"pine-bench-chance-{applications}-"))
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--applications",
                    str(applications), "--out", str(out), "--seed", "1", "--portfolio",
                    str(portfolio)], check=True, capture_output=True)
    return out


def per_draw(label: str, rubric: Path, apps: Path, draws: int = 50) -> None:
    """Seconds per draw on one model against a fresh model per draw (same draws)."""
    from pine_select.chance.bootstrap import ReviewerTable, drawn_scores
    from pine_select.chance.robustness import Drawer, prepare
    from pine_select.loading.loader import load_call
    from pine_select.scoring.totals import IntegerWeights
    from pine_select.selection.optimiser import Optimiser

    setup = prepare(load_call(rubric, apps))
    table = ReviewerTable.of(setup.call, setup.problem, IntegerWeights.of(setup.report.weights))
    rng = random.Random(1)
    scores = [drawn_scores(rng, table) for _ in range(draws)]
    drawer = Drawer(setup.problem, table, setup.solver, setup.recommended.chosen)
    started = time.process_time()  # CPU time: the machine may be shared
    kept = [drawer.reselect(s) for s in scores]
    in_place = (time.process_time() - started) / draws
    started = time.process_time()
    fresh = [Optimiser(setup.problem, setup.solver, narrow_above=0).best_with_scores(s).chosen
             for s in scores[: max(1, draws // 5)]]
    rebuilt = (time.process_time() - started) / len(fresh)
    assert fresh == kept[: len(fresh)], "a fresh model chose another portfolio"
    print(f"{label}: per draw {in_place * 1000:.1f} ms CPU on one model, {rebuilt * 1000:.1f} ms "
          f"CPU with a fresh model ({setup.solver}, {len(setup.problem.candidates)} candidates)",
          flush=True)


def main() -> None:
    byte_compiled()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None,
                        help="a 1,000-application call (rubric.yaml, apps/) to use")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    two = ("--draws", "1000", "--workers", "2")
    report("example: robustness --draws 1000 --workers 2", args.runs, 10, "robustness",
           *EXAMPLE, *two)
    report("example: lottery --zone all", args.runs, 10, "lottery", *EXAMPLE, "--zone", "all")
    report("example: lottery (contested, 1000 draws, 2 workers)", args.runs, None, "lottery",
           *EXAMPLE, *two)
    per_draw("example", *EXAMPLE)
    sortition = synthetic_call(200, 20)
    report("200 applications choosing 20: lottery --zone all", args.runs, 30, "lottery",
           sortition / "rubric.yaml", sortition / "apps", "--zone", "all")
    if not args.skip_large:
        large = synthetic_call(1000, 40, args.dir)
        report("1,000 applications choosing 40: robustness --draws 1000 --workers 2",
               args.runs, 60, "robustness", large / "rubric.yaml", large / "apps", *two)
        per_draw("1,000 applications choosing 40", large / "rubric.yaml", large / "apps")


if __name__ == "__main__":
    main()
