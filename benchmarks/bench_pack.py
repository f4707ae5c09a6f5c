"""Benchmark ``pine-select pack`` end to end, as a user runs it (a fresh process each time).

    python benchmarks/bench_pack.py [--runs 5] [--applications 1000] [--seed 1]

1. The example call (rubrics/pine-2019.yaml, applications/pine-2019/): target under 3 s.
   Then its briefing.html printed to an A4 PDF (``pack/pdf.render_pdf``: Playwright and
   the system Chromium) in a fresh process each time; the pack and its printing together
   (what ``pack --pdf`` costs): target under 8 s. Skipped, with a message, without Chromium.
2. A synthetic call of ``--applications`` applications made by benchmarks/generate.py
   (skipped, with a message, when that script is absent): target under 30 s for 1,000.

Each run is ``pine-select pack ... --out NEW_FOLDER`` in a subprocess, so import time,
loading, scoring, selection (with its explanations and alternatives), rendering and
writing are all counted. Prints the median and every run; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import byte_compiled  # what an installed tool runs: see run.py

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019")
GENERATOR = ROOT / "benchmarks" / "generate.py"
EXAMPLE_TARGET_SECONDS = 3.0
EXAMPLE_WITH_PDF_TARGET_SECONDS = 8.0
LARGE_TARGET_SECONDS = 30.0
PRINT = ("import sys; from pathlib import Path; from pine_select.pack.pdf import render_pdf; "
         "Path(sys.argv[2]).write_bytes(render_pdf(Path(sys.argv[1]).read_text('utf-8')))")


def timed_pack(rubric: Path, apps: Path, out: Path) -> float:
    """Wall seconds of one ``pine-select pack`` in a fresh process."""
    command = [sys.executable, "-m", "pine_select", "pack", str(rubric), str(apps),
               "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pine-select pack failed (exit {done.returncode}):\n{done.stderr}")
    return elapsed


def median_of(label: str, rubric: Path, apps: Path, runs: int, scratch: Path,
              target: float) -> tuple[bool, float]:
    """Run the pack ``runs`` times, print the median; whether it met ``target``, the median."""
    times = [timed_pack(rubric, apps, scratch / f"{label}-{run}") for run in range(runs)]
    median = statistics.median(times)
    size = (scratch / f"{label}-0" / "briefing.html").stat().st_size
    met = median < target
    print(f"{label}: median {median:.2f} s over {runs} runs "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)}); briefing.html {size / 1e6:.2f} MB; "
          f"target < {target:g} s: {'met' if met else 'MISSED'}")
    return met, median


def timed_print(briefing: Path, out: Path) -> float:
    """Wall seconds of printing ``briefing`` to a PDF in a fresh process (Chromium included)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PRINT, str(briefing), str(out)],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"printing the briefing failed:\n{done.stderr}")
    return elapsed


def printing(pack_median: float, runs: int, scratch: Path) -> bool:
    """Print the example's briefing ``runs`` times; whether pack + print met the target."""
    from pine_select.pack.pdf import find_chromium, page_texts

    if find_chromium() is None:
        print("skipped printing the example: no Chromium (scripts/ensure-chromium)")
        return True
    briefing = scratch / "example-0" / "briefing.html"
    times = [timed_print(briefing, scratch / f"briefing-{run}.pdf") for run in range(runs)]
    median = statistics.median(times)
    pages = len(page_texts((scratch / "briefing-0.pdf").read_bytes()))
    met = pack_median + median < EXAMPLE_WITH_PDF_TARGET_SECONDS
    print(f"example PDF: printing median {median:.2f} s over {runs} runs "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)}); {pages} A4 pages; pack + print "
          f"{pack_median + median:.2f} s; target < {EXAMPLE_WITH_PDF_TARGET_SECONDS:g} s: "
          f"{'met' if met else 'MISSED'}")
    return met


def generate(folder: Path, applications: int, seed: int) -> bool:
    if not GENERATOR.is_file():
        print(f"skipped the {applications:,}-application pack: {GENERATOR} is absent")
        return False
    subprocess.run([sys.executable, str(GENERATOR), "--applications", str(applications),
                    "--out", str(folder), "--seed", str(seed)], check=True,
                   capture_output=True)
    return True


def main() -> int:
    byte_compiled()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    all_met = True
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        if EXAMPLE[0].is_file():
            met, median = median_of("example", *EXAMPLE, args.runs, scratch,
                                    EXAMPLE_TARGET_SECONDS)
            printed = printing(median, args.runs, scratch)
            all_met &= met and printed
        else:
            print(f"skipped the example pack: {EXAMPLE[0]} is absent")
        call = scratch / "generated"
        if generate(call, args.applications, args.seed):
            all_met &= median_of(f"{args.applications}-applications", call / "rubric.yaml",
                                 call / "apps", args.runs, scratch, LARGE_TARGET_SECONDS)[0]
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
