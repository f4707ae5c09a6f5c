"""Benchmark ``pine-select score --format json`` on a large synthetic call.

    python benchmarks/bench_score.py [--applications 10000] [--runs 5] [--seed 1] [--dir DIR]

Generates the call once (benchmarks/generate.py) unless ``--dir`` names one, then runs the
whole path from files to JSON ``--runs`` times, each in a fresh Python process (so import
time and memory are counted as a user would see them), and prints the median wall time,
the median of each phase (load + validate, score, render JSON) and the peak memory
(``ru_maxrss``). Target (issue 3): 10,000 applications x 3 reviewers x 6 criteria under
3 s wall and 500 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 3.0
TARGET_MB = 500


def one_run(folder: Path) -> dict[str, float]:
    """Score the call in ``folder`` to JSON in this process; the phases in seconds."""
    import resource

    clocks = [(time.perf_counter(), time.process_time())]
    from pine_select.loading.loader import load_call
    from pine_select.report.cells import json_text
    from pine_select.report.score_output import score_json
    from pine_select.scoring import score_call

    clocks.append((time.perf_counter(), time.process_time()))
    call = load_call(folder / "rubric.yaml", folder / "apps")
    clocks.append((time.perf_counter(), time.process_time()))
    report = score_call(call)
    clocks.append((time.perf_counter(), time.process_time()))
    text = json_text(score_json(report, call))  # what `score --format json` prints
    clocks.append((time.perf_counter(), time.process_time()))
    phases = ("import", "load_validate", "score", "render_json")
    times = {name: clocks[i + 1][0] - clocks[i][0] for i, name in enumerate(phases)}
    cpu = {f"{name}_cpu": clocks[i + 1][1] - clocks[i][1] for i, name in enumerate(phases)}
    return {
        **times,
        **cpu,
        "json_bytes": len(text.encode()),
        "reviews": len(call.reviews),
        "applications": len(call.applications),
        # ru_maxrss is in kilobytes on Linux (bytes on macOS)
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def timed_subprocess(folder: Path) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--one", str(folder)],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    result["wall"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="an existing generated call to score")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = call_folder(args.dir, tmp, args.applications, args.seed)
        runs = [timed_subprocess(folder) for _ in range(args.runs)]
    report(runs)


def call_folder(given: Path | None, scratch: str, applications: int, seed: int) -> Path:
    """``given``, or a call of ``applications`` generated into ``scratch`` (generate.py)."""
    if given is not None:
        return given
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import generate

    generate(Path(scratch), applications, seed)
    return Path(scratch)


def report(runs: list[dict[str, float]]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    first = runs[0]
    print(f"{int(first['applications']):,} applications, {int(first['reviews']):,} review "
          f"rows; median of {len(runs)} runs, each a fresh process")
    print("  (cpu = process time: robust when other work shares the machine)")
    print(f"  {'phase':<14} {'wall':>6}   {'cpu':>6}")
    for key in ("import", "load_validate", "score", "render_json"):
        print(f"  {key:<14} {median(key):6.2f} s {median(key + '_cpu'):6.2f} s")
    wall, peak = median("wall"), max(r["peak_mb"] for r in runs)
    walls = ", ".join(f"{r['wall']:.2f}" for r in runs)
    print(f"  {'wall':<14} {wall:6.2f} s  (runs: {walls}; target < {TARGET_SECONDS} s)")
    print(f"  {'peak memory':<14} {peak:6.0f} MB (target < {TARGET_MB} MB)")
    print(f"  JSON output    {first['json_bytes'] / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
