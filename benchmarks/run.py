"""The benchmark suite of issue 7: every phase, the whole command, peak memory, and targets.

    python benchmarks/run.py [--large] [--sizes example,1000,10000] [--runs N] [--json]

For each size (the example call, then synthetic calls of 1,000 and 10,000 applications
made by benchmarks/generate.py, and 100,000 with ``--large``; a portfolio of N/25 and a
binding budget of 45,000 pounds a place):

- the phases, timed inside one fresh process per repetition: load + validate, score,
  model build (problem description + the solver's model: PuLP for CBC up to 100
  candidates, HiGHS in-process above), solve (the first objective alone, then
  the whole lexicographic solve with its seeded tie-break), explanations (the rest of
  ``select_portfolio``) and pack render (``render_outputs``: briefing.html and
  results.json from the decision), with the peak memory of that process;
- beside them, in the same process, the same integer program built directly in highspy
  from numpy arrays and solved to zero gap (``bench_select.raw_highspy``): the baseline,
  and the ratio of our first solve to it;
- the whole command, process start to exit (``pine-select score``, ``select``, ``pack``,
  ``--help``), with the child's peak memory (``ru_maxrss`` from ``wait4``), each with
  ``--no-cache`` (every application file parsed); from 500 applications up (the parse
  cache's threshold) ``score`` again with a warm cache (``cli_score_warm``: primed by one
  run that is not timed). The cache is a scratch folder, never the user's.

The package is byte-compiled first (``compileall``, as pip does when it installs a
wheel): these machines set ``PYTHONDONTWRITEBYTECODE``, so an editable checkout otherwise
has no ``.pyc`` and every process compiles the whole package from source again.

Medians of ``--runs`` repetitions: 5 for the example and 1,000, 3 for 10,000, 1 for
100,000 unless ``--runs`` says otherwise. The machine may be shared: the load average is
printed with the figures, and ratios measured in the same run are the robust numbers.
Every target of the issue is printed with PASS or MISS and its figure; exit status 0.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
EXAMPLE = (ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019")
BUDGET_PER_PLACE = 45_000  # below the mean request of the best applications: it binds
DEFAULT_RUNS = {"example": 5, 1000: 5, 10_000: 3, 100_000: 1}
GIB = 1024**3
CACHED_FROM = 500  # pine_select.loading.parse_cache.CACHED_FROM (not imported: no timing)


@dataclass(frozen=True)
class Size:
    """One call to measure: the example (``applications`` None) or a synthetic one."""

    name: str
    applications: int | None
    runs: int

    @property
    def portfolio(self) -> int | None:
        return None if self.applications is None else max(8, self.applications // 25)

    @property
    def budget(self) -> int | None:
        return None if self.portfolio is None else self.portfolio * BUDGET_PER_PLACE


@dataclass
class Measured:
    """What one size gave: per metric, the seconds of every run; peak memory in bytes."""

    size: Size
    seconds: dict[str, list[float]] = field(default_factory=dict)
    peak_bytes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, Process] = field(default_factory=dict)  # the last failed run of a command

    def add(self, metric: str, seconds: float, peak: int | None = None) -> None:
        self.seconds.setdefault(metric, []).append(seconds)
        if peak is not None:
            self.peak_bytes[metric] = max(peak, self.peak_bytes.get(metric, 0))

    def median(self, metric: str) -> float | None:
        values = self.seconds.get(metric)
        return statistics.median(values) if values else None


# -- the phases, inside one process ----------------------------------------------------------


def measure_phases(rubric: Path, apps: Path, budget: int | None, explain: bool,
                   render: bool) -> dict[str, Any]:
    """Time each phase in this process; seconds by phase, plus facts and peak memory."""
    import resource

    times: dict[str, float] = {}
    clock = _Clock(times)
    with clock("import"):
        from pine_select.loading.loader import load_call
        from pine_select.scoring import score_call
        from pine_select.selection.optimiser import Optimiser, default_solver
        from pine_select.selection.problem import build_problem
        from pine_select.selection.select import SelectOptions, solve_problem
    with clock("load_validate"):
        call = load_call(rubric, apps, cache=False)
    with clock("score"):
        report = score_call(call)
    with clock("model_build"):
        problem = build_problem(call, report, budget=budget)
        optimiser = Optimiser(problem, default_solver(len(problem.candidates)))
    with clock("solve_first"):
        first = optimiser.best_total()
    facts: dict[str, Any] = {"applications": len(call.applications), "reviews": len(call.reviews),
                             "candidates": len(problem.candidates), "rows": len(problem.rows),
                             "total_cents": first.total}
    facts.update(_baseline(problem, first.total))
    try:
        with clock("solve"):  # a fresh model: the first solve again, then the tie-break
            optimiser = Optimiser(problem, default_solver(len(problem.candidates)))
            optimiser.best()
    except Exception as exc:  # a solver failure is a finding: keep the figures so far
        del times["solve"]
        facts["solve_error"] = f"{type(exc).__name__}: {exc}"
        explain = False
    if explain:
        started = time.perf_counter()
        selection = solve_problem(problem, SelectOptions(), weights=report.weights)
        whole = time.perf_counter() - started
        # solve_problem builds its own model and solves before it explains: subtract those.
        times["explanations"] = max(0.0, whole - optimiser.stats.build_seconds - times["solve"])
        facts["selected"] = len(selection.selected)
        if render:
            with clock("pack_render"):
                _render_pack(call, report, selection)
    facts["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": times, "facts": facts}


class _Clock:
    """``with clock("phase"):`` adds the phase's wall seconds to ``times``."""

    def __init__(self, times: dict[str, float]) -> None:
        self.times = times

    def __call__(self, name: str) -> _Clock:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.times[self.name] = time.perf_counter() - self.started  # even if it raised


def _render_pack(call: Any, report: Any, selection: Any) -> None:
    from pine_select.options import RunOptions
    from pine_select.pack import render_outputs
    from pine_select.pipeline import Decision

    decision = Decision(call, call.overrides, report, selection)
    render_outputs(decision, RunOptions(), {})


def _baseline(problem: Any, our_total: int | None) -> dict[str, Any]:
    """The same integer program in highspy directly (bench_select.raw_highspy), zero gap."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_select import raw_highspy

        build, solve, total = raw_highspy(problem, 1)
    except Exception as exc:  # another engineer's script: report, do not fail the run
        return {"baseline_error": f"{type(exc).__name__}: {exc}"}
    return {"highspy_build": build, "highspy_solve": solve, "highspy_total": total,
            "same_optimum": total == our_total}


# -- whole commands, in child processes ------------------------------------------------------


@dataclass(frozen=True)
class Process:
    """One command run start to exit; ``peak_bytes`` counts the solver process it waited for."""

    seconds: float
    peak_bytes: int
    exit_code: int
    errors: str
    cpu_seconds: float = 0.0  # user + system, its own and its waited-for children's

    @property
    def failed(self) -> bool:
        return self.exit_code not in (0, 1)


def timed_process(command: list[str], cwd: Path | None = None) -> Process:
    """Run ``command``; its wall time, peak memory (``wait4``: its own and its children's)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode(errors="replace")
    return Process(elapsed, usage.ru_maxrss * 1024, child.returncode, text[-1000:],
                   usage.ru_utime + usage.ru_stime)


def pine(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "pine_select", *map(str, args)]


def commands(size: Size, rubric: Path, apps: Path, scratch: Path) -> dict[str, Callable[[int],
                                                                                   list[str]]]:
    """The whole commands measured at ``size``, each a function of the run's number."""
    what_if = [] if size.budget is None else ["--budget", str(size.budget)]
    found: dict[str, Callable[[int], list[str]]] = {
        "cli_score": lambda run: pine("score", rubric, apps, "--format", "json", "--no-cache"),
        "cli_select": lambda run: pine("select", rubric, apps, *what_if, "--format", "json",
                                       "--no-cache"),
    }
    if (size.applications or 0) >= CACHED_FROM:
        found["cli_score_warm"] = lambda run: pine("score", rubric, apps, "--format", "json")
    if size.applications is None or size.applications <= 1000:
        found["cli_pack"] = lambda run: pine("pack", rubric, apps, *what_if, "--no-cache",
                                             "--out", scratch / f"pack-{size.name}-{run}")
    if size.applications is None:
        found["cli_help"] = lambda run: pine("--help")
    return found


# -- running a size --------------------------------------------------------------------------


def call_of(size: Size, scratch: Path, seed: int) -> tuple[Path, Path]:
    """The rubric and applications folder of ``size`` (generated into ``scratch``)."""
    if size.applications is None:
        return EXAMPLE
    sys.path.insert(0, str(BENCHMARKS))
    from generate import generate

    folder = scratch / f"call-{size.applications}"
    apps = generate(folder, size.applications, seed, size.portfolio)
    return folder / "rubric.yaml", apps


def measure(size: Size, scratch: Path, seed: int, say: Callable[[str], None]) -> Measured:
    result = Measured(size)
    rubric, apps = call_of(size, scratch, seed)
    large = (size.applications or 0) > 10_000
    if large:
        result.notes.append("explanations and pack render not measured above 10,000 "
                            "(select explains nothing there by default)")
    if (size.applications or 0) >= CACHED_FROM:  # the warm-cache figure needs a warm cache
        timed_process(pine("score", rubric, apps, "--format", "json"), cwd=ROOT)
    for run in range(size.runs):
        say(f"{size.name}: run {run + 1} of {size.runs}")
        phases = _phases_in_child(rubric, apps, size.budget, explain=not large,
                                  render=(size.applications or 0) <= 10_000)
        for name, seconds in phases["seconds"].items():
            result.add(name, seconds)
        result.facts = phases["facts"]
        for key in ("error", "solve_error"):
            if key in result.facts:
                result.notes.append(f"phases process, {key}: {result.facts[key]}")
        if "peak_bytes" in result.facts:
            result.add("phases_process", 0.0, result.facts["peak_bytes"])
        for name, command in commands(size, rubric, apps, scratch).items():
            done = timed_process(command(run), cwd=ROOT)
            if done.failed:  # not a figure of success: kept apart, and said in a note
                result.failed[name] = done
                result.notes.append(f"{name} failed after {done.seconds:.1f} s, peak "
                                    f"{done.peak_bytes / 2**20:.0f} MB (exit {done.exit_code}): "
                                    f"{done.errors.strip()[-300:]}")
                continue
            result.add(name, done.seconds, done.peak_bytes)
            # CPU time as well: on a shared machine it varies far less than wall time.
            result.add(f"{name}_cpu", done.cpu_seconds)
    return result


def _phases_in_child(rubric: Path, apps: Path, budget: int | None, explain: bool,
                     render: bool) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--phases",
               json.dumps([str(rubric), str(apps), budget, explain, render])]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        return {"seconds": {}, "facts": {"error": done.stderr.strip()[-500:]}}
    phases: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return phases


# -- targets and reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    figure: float | None
    limit: float
    unit: str
    failed: bool = False  # the figure is where the command stopped, having failed

    @property
    def met(self) -> bool:
        return self.figure is not None and self.figure <= self.limit and not self.failed

    def line(self) -> str:
        shown = "not measured" if self.figure is None else f"{self.figure:.2f}{self.unit}"
        if self.failed:
            shown += " when it failed"
        verdict = "PASS" if self.met else "MISS"
        return f"{verdict}  {self.name}: {shown} (target <= {self.limit:g}{self.unit})"


def targets(results: dict[str, Measured]) -> list[Target]:
    found: list[Target] = []
    example, ten, hundred = (results.get(name) for name in ("example", "10000", "100000"))
    if example:
        found += [Target("example: pine-select --help", example.median("cli_help"), 0.3, " s"),
                  Target("example: select, process start to exit",
                         example.median("cli_select"), 1.0, " s"),
                  Target("example: pack, process start to exit", example.median("cli_pack"),
                         3.0, " s")]
    if ten:  # issue 19's targets
        found += [Target("10,000: score, process start to exit", ten.median("cli_score"),
                         2.0, " s"),
                  Target("10,000: select, process start to exit", ten.median("cli_select"),
                         2.5, " s"),
                  Target("10,000: score with a warm parse cache", ten.median("cli_score_warm"),
                         1.0, " s"),
                  Target("10,000: our solve / raw highspy solve", solve_ratio(ten), 1.5, "x")]
    if hundred:
        failed = hundred.failed.get("cli_select")
        seconds, gib = hundred.median("cli_select"), _gib(hundred, "cli_select")
        if failed is not None and seconds is None:
            seconds, gib = failed.seconds, failed.peak_bytes / GIB
        found += [Target("100,000: select (load, score and select), process start to exit",
                         seconds, 30.0, " s", failed=failed is not None),
                  Target("100,000: peak memory of select (with its solver process)", gib,
                         1.5, " GiB", failed=failed is not None)]
    return found


def solve_ratio(measured: Measured) -> float | None:
    ours, raw = measured.median("solve_first"), measured.facts.get("highspy_solve")
    return None if ours is None or not raw else ours / raw


def _gib(measured: Measured, metric: str) -> float | None:
    peak = measured.peak_bytes.get(metric)
    return None if peak is None else peak / GIB


ROWS = [("import", "import pine_select"), ("load_validate", "load + validate"),
        ("score", "score"), ("model_build", "model build (problem + solver model)"),
        ("solve_first", "solve, first objective"), ("solve", "solve, lexicographic"),
        ("explanations", "explanations"), ("pack_render", "pack render"),
        ("cli_help", "pine-select --help"), ("cli_score", "pine-select score"),
        ("cli_select", "pine-select select"), ("cli_pack", "pine-select pack"),
        ("cli_score_warm", "pine-select score, warm cache"),
        ("cli_score_cpu", "  CPU seconds, score"), ("cli_select_cpu", "  CPU seconds, select"),
        ("cli_score_warm_cpu", "  CPU seconds, score warm"),
        ("cli_pack_cpu", "  CPU seconds, pack")]


def table(results: dict[str, Measured]) -> str:
    names = list(results)
    lines = [f"{'seconds (median)':32}" + "".join(f"{n:>12}" for n in names)]
    for key, label in ROWS:
        cells = [results[n].median(key) for n in names]
        if any(c is not None for c in cells):
            lines.append(f"{label:32}" + "".join(_cell(c) for c in cells))
    lines.append(f"{'highspy direct: solve':32}" + "".join(
        _cell(results[n].facts.get("highspy_solve")) for n in names))
    lines.append(f"{'our first solve / highspy':32}" + "".join(
        _cell(solve_ratio(results[n]), "x") for n in names))
    for key, label in (("phases_process", "peak MB, phases process"),
                       ("cli_select", "peak MB, select process")):
        lines.append(f"{label:32}" + "".join(
            _cell(results[n].peak_bytes[key] / 2**20 if key in results[n].peak_bytes else None,
                  "", 0) for n in names))
    lines.append(f"{'runs (median of)':32}" + "".join(f"{results[n].size.runs:>12}"
                                                      for n in names))
    return "\n".join(lines)


def _cell(value: float | None, unit: str = "", digits: int = 2) -> str:
    return f"{'-':>12}" if value is None else f"{value:>{12 - len(unit)}.{digits}f}{unit}"


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "date": date.today().isoformat(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def as_json(results: dict[str, Measured], found: list[Target], command: str,
            before: dict[str, Any]) -> dict[str, Any]:
    return {
        "command": command,
        "machine": before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "sizes": {name: {"applications": m.size.applications, "portfolio": m.size.portfolio,
                         "budget": m.size.budget, "runs": m.size.runs,
                         "median_seconds": {k: m.median(k) for k in m.seconds},
                         "all_seconds": m.seconds, "peak_bytes": m.peak_bytes,
                         "facts": m.facts, "notes": m.notes}
                  for name, m in results.items()},
        "targets": [{"name": t.name, "figure": t.figure, "limit": t.limit, "unit": t.unit.strip(),
                     "met": t.met, "failed": t.failed} for t in found],
    }


def sizes_from(text: str, large: bool, runs: int | None) -> list[Size]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if large and "100000" not in names:
        names.append("100000")
    found = []
    for name in names:
        applications = None if name == "example" else int(name)
        default = DEFAULT_RUNS.get(name if applications is None else applications,
                                   1 if (applications or 0) > 10_000 else 3)
        found.append(Size(name, applications, runs or default))
    return found


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def byte_compiled() -> None:
    """The package's ``.pyc`` files written (into ``__pycache__``, which git ignores), so that
    a process measures what an installed tool does, not compiling its source."""
    compileall.compile_dir(ROOT / "pine_select", quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="example,1000,10000",
                        help="comma-separated: example and/or numbers of applications")
    parser.add_argument("--large", action="store_true", help="add 100,000 applications (slow)")
    parser.add_argument("--runs", type=int, default=None, help="repetitions at every size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--phases", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phases:
        rubric, apps, budget, explain, render = json.loads(options.phases)
        print(json.dumps(measure_phases(Path(rubric), Path(apps), budget, explain, render)))
        return 0
    byte_compiled()
    before = machine()
    command = "python " + " ".join(["benchmarks/run.py", *sys.argv[1:]])
    results: dict[str, Measured] = {}
    with tempfile.TemporaryDirectory(prefix="pine-bench-") as tmp:
        os.environ["PINE_SELECT_CACHE"] = str(Path(tmp) / "parse-cache")  # children inherit
        for size in sizes_from(options.sizes, options.large, options.runs):
            results[size.name] = measure(size, Path(tmp), options.seed, progress)
    found = targets(results)
    if options.json:
        print(json.dumps(as_json(results, found, command, before), indent=2))
        return 0
    print(f"{command}\n{before['nproc']} cores, {before['cpu']}, Python {before['python']}, "
          f"{before['date']}; load average {before['load_average']} before, "
          f"{[round(x, 2) for x in os.getloadavg()]} after")
    print(table(results))
    for measured in results.values():
        for note in measured.notes:
            print(f"note ({measured.size.name}): {note}")
        if "baseline_error" in measured.facts:
            print(f"note ({measured.size.name}): no highspy baseline: "
                  f"{measured.facts['baseline_error']}")
        elif measured.facts.get("total_cents") is None and "highspy_total" in measured.facts:
            print(f"note ({measured.size.name}): our first solve found no proven optimum "
                  f"(time limit); highspy direct: {measured.facts['highspy_total']}")
        elif measured.facts.get("same_optimum") is False:
            print(f"note ({measured.size.name}): highspy found another optimum total "
                  f"({measured.facts['highspy_total']} against {measured.facts['total_cents']})")
    print("\n".join(t.line() for t in found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
