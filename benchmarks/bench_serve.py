"""Benchmark the tuning page's re-selection round trip (``pine-select serve``).

    python benchmarks/bench_serve.py [--runs 9] [--large-runs 5] [--dir DIR] [--skip-large]

A real server on a free port in this process; each run POSTs a different set of weights to
``/api/select`` over HTTP and waits for the whole answer (score, select with the price of
balance as its one explanation, the page's JSON): what the page waits for after a slider
move.

1. the example call (rubrics/pine-2019.yaml): target median under 0.5 s;
2. a synthetic call of 1,000 applications choosing 40 (benchmarks/generate.py, seed 1; or
   ``--dir`` holding rubric.yaml and apps/): target median under 3 s.

The start (the rubric's portfolio and each weight's stability interval, once) is printed
too. Each line prints the median, the target and PASS or MISS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench_sensitivity import EXAMPLE, synthetic_call  # the same 1,000-application call


def round_trip(port: int, key: str, weights: dict[str, str]) -> float:
    body = json.dumps({"weights": weights}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("POST", "/api/select", body, {
        "Content-Type": "application/json", "X-Pine-Token": key})
    response = connection.getresponse()
    answer = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"re-selection failed ({response.status}): {answer[:300]!r}")
    return elapsed


def report(label: str, rubric: Path, apps: Path, runs: int, target: float) -> None:
    from pine_select.loading.loader import load_call
    from pine_select.serve import TuningServer, TuningSession

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as saves:
        call = load_call(rubric, apps)
        session = TuningSession.start(call, rubric, Path(saves))
        start_seconds = time.perf_counter() - started
        server = TuningServer(session, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            first = call.rubric.criteria[0]
            times = [round_trip(server.port, server.key,
                                {first.id: str(first.weight + 5 * (n + 1))})
                     for n in range(runs)]
        finally:
            server.shutdown()
            server.server_close()
    seconds = statistics.median(times)
    verdict = "PASS" if seconds < target else "MISS"
    print(f"{label}: start {start_seconds:.2f} s; re-select round trip median {seconds:.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}) over {runs} run(s), target < "
          f"{target:g} s: {verdict}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--large-runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None,
                        help="a synthetic call (rubric.yaml, apps/) instead of generating one")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    if EXAMPLE[1].is_dir():
        report("example", *EXAMPLE, args.runs, 0.5)
    else:
        print("example call not found; skipped")
    if not args.skip_large:
        folder = synthetic_call(args.dir)
        report("1,000 applications choosing 40", folder / "rubric.yaml", folder / "apps",
               args.large_runs, 3)


if __name__ == "__main__":
    main()
