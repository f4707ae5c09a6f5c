"""Benchmark the review round: assign, sheets and collect on a large synthetic call.

    python benchmarks/bench_review_round.py [--applications 1000] [--reviewers 60] [--k 3]
                                            [--runs 3] [--seed 1]

Generates a call (benchmarks/generate.py, without its reviews), a reviewers.csv (each
reviewer expert in one or two practice types; one in ten from an applicant's organisation,
so detected conflicts occur) and a conflicts.csv (two declared conflicts per reviewer).
Then, each in a fresh ``pine-select`` process as a user runs them, ``--runs`` times:
``assign`` (then once more after one late conflict, to count how many pairs move),
``sheets``, and ``collect`` of every workbook filled in with openpyxl as reviewers would
(the filling is not timed). Prints the median wall time of each step and the targets
(issue 14): assign 1,000 x 60 x K=3 under 10 s, sheets for 60 reviewers under 10 s,
collect of 60 workbooks under 5 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import PRACTICE_TYPES, generate

TARGETS = {"assign": 10.0, "sheets": 10.0, "collect": 5.0}


def write_round(folder: Path, applications: int, reviewers: int, seed: int) -> Path:
    apps = generate(folder, applications=applications, seed=seed)
    (apps / "reviews.csv").unlink()
    rng = random.Random(seed)
    with (apps / "reviewers.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["reviewer", "name", "organisation", "expertise", "max_load"])
        for r in range(reviewers):
            org = f"Organisation {rng.randint(1, applications)}" if r % 10 == 0 else f"Uni {r}"
            expertise = ";".join(rng.sample(PRACTICE_TYPES, rng.randint(1, 2)))
            writer.writerow([f"reviewer-{r:03d}", f"Reviewer {r}", org, expertise, ""])
    with (apps / "conflicts.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["reviewer", "application_id", "reason"])
        ids = sorted(p.stem for p in apps.glob("*.yaml"))
        for r in range(reviewers):
            for app_id in rng.sample(ids, 2):
                writer.writerow([f"reviewer-{r:03d}", app_id, "declared"])
    return apps


def timed(*args: str | Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(["pine-select", *map(str, args)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pine-select {args[0]} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def fill_sheets(folder: Path, seed: int) -> list[Path]:
    import openpyxl

    rng = random.Random(seed)
    paths = sorted(folder.glob("*.xlsx"))
    for path in paths:
        book = openpyxl.load_workbook(path)
        sheet = book["Scores"]
        for row in range(2, sheet.max_row + 1):
            for column in range(4, sheet.max_column + 1, 2):
                sheet.cell(row, column).value = rng.randint(1, 5)
                sheet.cell(row, column + 1).value = "A comment of some length, as reviewers write."
        book.save(path)
    return paths


def moved_after_late_conflict(root: Path, apps: Path, k: int) -> int:
    before = (apps / "assignments.csv").read_text(encoding="utf-8").splitlines()[1:]
    app_id, reviewer, _ = before[0].split(",")
    with (apps / "conflicts.csv").open("a", encoding="utf-8") as out:
        out.write(f"{reviewer},{app_id},late\n")
    timed("assign", root / "rubric.yaml", apps, "--per-application", k)
    after = (apps / "assignments.csv").read_text(encoding="utf-8").splitlines()[1:]
    old, new = {tuple(r.split(",")[:2]) for r in before}, {tuple(r.split(",")[:2]) for r in after}
    return len(old - new)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pine-bench-round-") as scratch:
        root = Path(scratch)
        apps = write_round(root, args.applications, args.reviewers, args.seed)
        rubric = root / "rubric.yaml"
        times: dict[str, list[float]] = {"assign": [], "sheets": [], "collect": []}
        for run in range(args.runs):
            (apps / "assignments.csv").unlink(missing_ok=True)
            times["assign"].append(timed("assign", rubric, apps, "--per-application", args.k))
            sheets = root / f"sheets{run}"
            times["sheets"].append(timed("sheets", rubric, apps, "--out", sheets))
            filled = fill_sheets(sheets, args.seed)
            times["collect"].append(timed("collect", rubric, apps, *filled, "--out",
                                          root / f"reviews{run}.csv"))
        moved = moved_after_late_conflict(root, apps, args.k)
    medians = {step: statistics.median(values) for step, values in times.items()}
    print(json.dumps({"applications": args.applications, "reviewers": args.reviewers,
                      "k": args.k, "runs": args.runs,
                      "median_seconds": {s: round(v, 2) for s, v in medians.items()},
                      "targets_seconds": TARGETS,
                      "pairs_moved_after_one_late_conflict": moved}, indent=2))
    return 0 if all(medians[s] < TARGETS[s] for s in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
