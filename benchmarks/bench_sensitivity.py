"""Benchmark ``pine-select sensitivity``: medians of whole commands in fresh processes.

    python benchmarks/bench_sensitivity.py [--runs 3] [--large-runs 1] [--dir DIR]
                                           [--skip-large]

1. ``sensitivity`` on the example call (rubrics/pine-2019.yaml): target under 3 s.
2. ``sensitivity`` on a synthetic call of 1,000 applications choosing 40
   (benchmarks/generate.py, seed 1; or ``--dir`` holding rubric.yaml and apps/): target
   under 60 s.
3. ``sensitivity --samples 1000`` on the example call: target under 20 s.

Each line prints the median, the target and PASS or MISS. Every run re-uses one solver
model per command and changes only its objective (see docs/sensitivity.md).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019")


def run_sensitivity(*args: str | Path) -> float:
    command = [sys.executable, "-m", "pine_select", "sensitivity", *map(str, args),
               "--format", "json"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"sensitivity failed: {done.stderr}")
    return elapsed


def report(label: str, runs: int, target: float, *args: str | Path) -> None:
    seconds = statistics.median(run_sensitivity(*args) for _ in range(runs))
    verdict = "PASS" if seconds < target else "MISS"
    print(f"{label}: median {seconds:.2f} s over {runs} run(s), target < {target:.0f} s: "
          f"{verdict}", flush=True)


def synthetic_call(folder: Path | None) -> Path:
    if folder is not None:
        return folder
    out = Path(tempfile.mkdtemp(prefix="pine-bench-sensitivity-"))
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--applications",
                    "1000", "--out", str(out), "--seed", "1", "--portfolio", "40"],
                   check=True, capture_output=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-runs", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None,
                        help="a synthetic call (rubric.yaml, apps/) instead of generating one")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    if EXAMPLE[1].is_dir():
        report("example: sensitivity", args.runs, 3, *EXAMPLE)
    else:
        print("example call not found; skipped")
    if not args.skip_large:
        folder = synthetic_call(args.dir)
        report("1,000 applications choosing 40: sensitivity", args.large_runs, 60,
               folder / "rubric.yaml", folder / "apps")
    if EXAMPLE[1].is_dir():
        report("example: sensitivity --samples 1000", args.runs, 20, *EXAMPLE,
               "--samples", "1000")


if __name__ == "__main__":
    main()
