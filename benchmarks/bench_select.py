"""Benchmark ``pine-select select``: the example call end to end, and 10,000 applications.

    python benchmarks/bench_select.py [--runs 5] [--applications 10000] [--portfolio 400]
                                      [--seed 1] [--dir DIR] [--skip-large]

1. The example call (rubrics/pine-2019.yaml, applications/pine-2019): the whole command,
   process start to exit, ``--runs`` times with each solver; the median. Target: under 1 s.
2. A synthetic call (benchmarks/generate.py) of 10,000 applications choosing 400, with a
   binding budget (``--budget``: 45,000 a place, below the mean request of the best) and
   every rule kind (the generator's rules plus an ``at_most`` rule added here):
   - the whole ``select`` end to end in a fresh process (median of ``--runs``), target 5 s;
   - in one process, side by side: our model build and first solve (PuLP + HiGHS, PuLP +
     CBC) against the same integer program built directly in highspy from numpy arrays and
     solved to zero gap; the ratio of solve times (target: within 1.5x) and our whole
     lexicographic solve (best total, then the seeded tie-break) for the record.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019")
EXTRA_RULE = "    - {field: organisation.type, each: [health], at_most: 30}\n"


def median_of(runs: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_select(*args: str | Path) -> None:
    command = [sys.executable, "-m", "pine_select", "select", *map(str, args), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"select failed: {done.stderr}")


def bench_example(runs: int) -> None:
    if not EXAMPLE[1].is_dir():
        print("example call not found; skipped")
        return
    for solver in ("cbc", "highs"):
        seconds = median_of(runs, lambda s=solver: run_select(*EXAMPLE, "--solver", s))
        print(f"example select end to end ({solver}): median {seconds:.2f} s "
              f"(target < 1 s) over {runs} runs")


def synthetic_call(folder: Path | None, applications: int, portfolio: int, seed: int) -> Path:
    if folder is not None:
        return folder
    out = Path(tempfile.mkdtemp(prefix="pine-bench-select-"))
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--applications",
                    str(applications), "--out", str(out), "--seed", str(seed), "--portfolio",
                    str(portfolio)], check=True)
    rubric = out / "rubric.yaml"
    rubric.write_text(rubric.read_text(encoding="utf-8") + EXTRA_RULE, encoding="utf-8")
    return out


def bench_large(folder: Path, portfolio: int, runs: int) -> None:
    budget = portfolio * 45_000
    args = (folder / "rubric.yaml", folder / "apps", "--budget", str(budget))
    seconds = median_of(runs, lambda: run_select(*args))
    print(f"synthetic select end to end (default solver and explanations): median {seconds:.2f} s "
          f"(target < 5 s) over {runs} runs")
    side_by_side(folder, budget, runs)


def side_by_side(folder: Path, budget: int, runs: int) -> None:
    from pine_select.loading.loader import load_call
    from pine_select.scoring import score_call
    from pine_select.selection.optimiser import BASE, Optimiser, SolverName
    from pine_select.selection.problem import build_problem

    started = time.perf_counter()
    call = load_call(folder / "rubric.yaml", folder / "apps")
    report = score_call(call)
    loaded = time.perf_counter()
    problem = build_problem(call, report, budget=budget)
    built = time.perf_counter()
    print(f"  load + score {loaded - started:.2f} s; problem description {built - loaded:.2f} s "
          f"({len(problem.candidates)} candidates, {len(problem.rows)} rows)")
    raw_build, raw_solve, raw_total = raw_highspy(problem, runs)
    print(f"  highspy direct (numpy): build {raw_build:.2f} s, solve {raw_solve:.2f} s, "
          f"total {raw_total}")
    for solver in (SolverName.HIGHS, SolverName.CBC):
        builds, solves, wholes, totals, chosen = [], [], [], set(), set()
        for _ in range(runs):
            optimiser = Optimiser(problem, solver)
            builds.append(optimiser.stats.build_seconds)
            first = time.perf_counter()
            solution = optimiser.best_total()
            solves.append(time.perf_counter() - first)
            whole = time.perf_counter()
            best = Optimiser(problem, solver).best(BASE)
            wholes.append(time.perf_counter() - whole)
            totals.add(solution.total)
            chosen.add(best.chosen)
        solve = statistics.median(solves)
        route = "PuLP + CBC" if solver is SolverName.CBC else "HiGHS in-process"
        print(f"  {route}: build {statistics.median(builds):.2f} s, first solve "
              f"{solve:.2f} s ({solve / raw_solve:.2f}x highspy direct; target <= 1.5x), "
              f"lexicographic best {statistics.median(wholes):.2f} s; totals {sorted(totals)}, "
              f"{len(chosen)} distinct portfolio(s)")


def raw_highspy(problem: Any, runs: int) -> tuple[float, float, int | None]:
    """The same integer program in highspy from numpy arrays (CSR rows), zero gap."""
    import highspy
    import numpy as np

    builds, solves, total = [], [], None
    for _ in range(runs):
        started = time.perf_counter()
        n = problem.n_columns
        starts, index, value, lower, upper = [0], [], [], [], []
        for row in problem.rows:
            index += [col for col, _ in row.terms]
            value += [coef for _, coef in row.terms]
            starts.append(len(index))
            lower.append(-highspy.kHighsInf if row.sense.value == "<=" else row.rhs)
            upper.append(row.rhs if row.sense.value == "<=" else highspy.kHighsInf)
        cost = np.zeros(n)
        cost[: len(problem.candidates)] = [c.total_cents for c in problem.candidates]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(problem.rows)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(n), np.ones(n)
        lp.row_lower_, lp.row_upper_ = np.array(lower, float), np.array(upper, float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, np.int32)
        lp.a_matrix_.index_ = np.array(index, np.int32)
        lp.a_matrix_.value_ = np.array(value, float)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        lp.sense_ = highspy.ObjSense.kMaximize
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for option, setting in (("mip_rel_gap", 0.0), ("mip_abs_gap", 0.0), ("threads", 1)):
            h.setOptionValue(option, setting)
        h.passModel(lp)
        solving = time.perf_counter()
        h.run()
        done = time.perf_counter()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SystemExit(f"highspy: {h.modelStatusToString(h.getModelStatus())}")
        builds.append(solving - started)
        solves.append(done - solving)
        total = round(h.getInfo().objective_function_value)
    return statistics.median(builds), statistics.median(solves), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--portfolio", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None,
                        help="an existing synthetic call (rubric.yaml, apps/)")
    parser.add_argument("--skip-large", action="store_true")
    options = parser.parse_args()
    bench_example(options.runs)
    if not options.skip_large:
        folder = synthetic_call(options.dir, options.applications, options.portfolio,
                                options.seed)
        bench_large(folder, options.portfolio, options.runs)


if __name__ == "__main__":
    main()
