"""How the cost of a selection grows with applications, portfolio size and rule count.

    python benchmarks/bench_growth.py [--runs 3] [--seed 1] [--largest 20000] [--dir DIR]

One synthetic call of ``--largest`` applications (benchmarks/generate.py, or ``--dir``) is
loaded once. Each row of the three tables selects from the first N of its applications,
scored afresh, and varies one thing from the base case (N = 10,000, a portfolio of N/25,
a budget of 45,000 a place, the generator's five rules):

1. applications: N = 1,250 to ``--largest``, doubling;
2. portfolio: N/100, N/25 and N/10 places;
3. rules: none, the generator's five, and those plus five more (21 more rows).

Each figure is the median of ``--runs`` whole lexicographic solves on a fresh model (the
best total, then the seeded tie-break) with the default solver, beside the same integer
program solved once by highspy on the whole model (``bench_select.raw_highspy``, first
objective only): the ratio is ours over that baseline, measured in the same process.
The figures feed docs/scale.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
BUDGET_PER_PLACE = 45_000
BASE_APPLICATIONS = 10_000
MORE_RULES = [
    {"field": "organisation.region", "at_most": 1_000_000},  # never binds: rows only
    {"field": "age_groups", "share_at_least": 0.05},
    {"field": "organisation.type", "each": ["health"], "share_at_most": 0.2},
    {"field": "organisation.region", "distinct_at_least": 6},
    {"field": "practice_type", "each": ["workforce"], "at_least": 3},
]


def sub_call(call: Any, applications: int, portfolio: int, rules: list[Any] | None) -> Any:
    """The first ``applications`` of ``call``, choosing ``portfolio`` under ``rules``."""
    from dataclasses import replace

    from pine_select.model.rubric import Rule

    kept = call.applications[:applications]
    ids = {a.id for a in kept}
    selection = call.rubric.selection.model_copy(update={
        "size": portfolio, "budget": portfolio * BUDGET_PER_PLACE,
        **({} if rules is None else {"rules": tuple(Rule.model_validate(r) for r in rules)}),
    })
    rubric = call.rubric.model_copy(update={"selection": selection})
    return replace(call, rubric=rubric, applications=kept,
                   reviews=tuple(r for r in call.reviews if r.application_id in ids))


def measure(call: Any, runs: int) -> dict[str, Any]:
    from bench_select import raw_highspy

    from pine_select.scoring import score_call
    from pine_select.selection.optimiser import Optimiser, default_solver
    from pine_select.selection.problem import build_problem

    problem = build_problem(call, score_call(call))
    solver = default_solver(len(problem.candidates))
    times, totals = [], set()
    for _ in range(runs):
        started = time.perf_counter()
        best = Optimiser(problem, solver).best()
        times.append(time.perf_counter() - started)
        totals.add(best.total)
    _, raw_solve, raw_total = raw_highspy(problem, 1)
    ours = statistics.median(times)
    return {"candidates": len(problem.candidates), "rows": len(problem.rows),
            "nonzeros": sum(len(row.terms) for row in problem.rows), "ours": ours,
            "highspy": raw_solve, "ratio": ours / raw_solve if raw_solve else None,
            "same_total": totals == {raw_total}}


def row(label: str, figures: dict[str, Any]) -> str:
    ratio = "" if figures["ratio"] is None else f"{figures['ratio']:.2f}x"
    same = "yes" if figures["same_total"] else "NO"
    return (f"| {label} | {figures['candidates']:,} | {figures['rows']} | "
            f"{figures['nonzeros']:,} | {figures['ours']:.2f} | {figures['highspy']:.2f} | "
            f"{ratio} | {same} |")


HEADER = ("| case | candidates | rows | non-zeros | ours, lexicographic (s) | "
          "highspy, first objective (s) | ratio | same total |\n|---|---:|---:|---:|---:|---:|"
          "---:|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--largest", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, help="an existing generated call of --largest")
    options = parser.parse_args()
    sys.path.insert(0, str(BENCHMARKS))
    from generate import generate

    from pine_select.loading.loader import load_call

    with tempfile.TemporaryDirectory() as scratch:
        folder = options.dir or Path(scratch)
        if options.dir is None:
            generate(folder, options.largest, options.seed)
        call = load_call(folder / "rubric.yaml", folder / "apps")
        base = min(BASE_APPLICATIONS, options.largest)
        sizes = [n for n in (1_250, 2_500, 5_000, 10_000, 20_000, 40_000, 80_000)
                 if n <= options.largest]
        print("## Applications (portfolio N/25, the generator's five rules)\n")
        print(HEADER)
        for n in sizes:
            print(row(f"N = {n:,}", measure(sub_call(call, n, n // 25, None), options.runs)),
                  flush=True)
        print(f"\n## Portfolio size (N = {base:,})\n")
        print(HEADER)
        for share, label in ((100, "N/100"), (25, "N/25"), (10, "N/10")):
            figures = measure(sub_call(call, base, base // share, None), options.runs)
            print(row(f"{label} = {base // share:,} places", figures), flush=True)
        print(f"\n## Rules (N = {base:,}, portfolio N/25)\n")
        print(HEADER)
        generators = [r.model_dump(exclude_none=True) for r in call.rubric.selection.rules]
        for rules, label in (([], "no rules"), (generators, "the generator's 5"),
                             (generators + MORE_RULES, "those and 5 more")):
            figures = measure(sub_call(call, base, base // 25, rules), options.runs)
            print(row(label, figures), flush=True)


if __name__ == "__main__":
    main()
