"""The benchmark scripts still work: the generator's calls load, the suite runs (no rot)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from pine_select.loading.loader import load_call
from pine_select.scoring import score_call

GENERATOR = Path(__file__).parent.parent / "benchmarks" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_call_loads_and_scores(tmp_path: Path) -> None:
    apps = _generator().generate(tmp_path, applications=30, seed=7)
    call = load_call(tmp_path / "rubric.yaml", apps)
    assert len(call.applications) == 30
    assert 30 * 3 * 6 * 0.95 <= len(call.reviews) <= 30 * 3 * 6
    assert call.rubric.selection.size == 8
    report = score_call(call)
    assert len(report.applications) == 30 and report.selectable()


def test_generator_is_reproducible(tmp_path: Path) -> None:
    generate = _generator().generate
    first = generate(tmp_path / "a", applications=5, seed=3, portfolio=2)
    second = generate(tmp_path / "b", applications=5, seed=3, portfolio=2)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()


RUNNER = Path(__file__).parent.parent / "benchmarks" / "run.py"


def test_benchmark_suite_runs_at_the_smallest_size() -> None:
    """benchmarks/run.py end to end on the example call, once: every phase and target shows."""
    done = subprocess.run([sys.executable, str(RUNNER), "--sizes", "example", "--runs", "1",
                           "--json"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    example = report["sizes"]["example"]
    assert example["runs"] == 1
    phases = ("load_validate", "score", "model_build", "solve_first", "solve", "explanations",
              "pack_render", "cli_help", "cli_score", "cli_select", "cli_pack")
    assert all(example["median_seconds"][phase] >= 0 for phase in phases)
    assert example["peak_bytes"]["cli_select"] > 10 * 2**20  # a real process, in bytes
    facts = example["facts"]
    assert facts["applications"] > 0 and facts["selected"] > 0
    assert "baseline_error" in facts or facts["same_optimum"] is True
    assert [t["name"].split(":")[0] for t in report["targets"]] == ["example"] * 3
    assert all(isinstance(t["met"], bool) and t["figure"] > 0 for t in report["targets"])
    assert report["machine"]["nproc"] >= 1 and report["machine"]["python"]


GROWTH = Path(__file__).parent.parent / "benchmarks" / "bench_growth.py"


def test_growth_tables_run_at_the_smallest_size() -> None:
    """benchmarks/bench_growth.py on 1,250 applications: three tables, every total agreed."""
    done = subprocess.run([sys.executable, str(GROWTH), "--largest", "1250", "--runs", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")
            and not line.startswith("| case")]
    assert len(rows) == 1 + 3 + 3
    assert all(line.endswith("| yes |") for line in rows)  # ours and highspy agree


def test_review_round_benchmark_writes_a_round_that_assigns(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(GENERATOR.parent))
    from bench_review_round import write_round

    from pine_select.review_round.assign import assign_reviewers
    from pine_select.review_round.reviewers import load_reviewers

    apps = write_round(tmp_path, applications=40, reviewers=6, seed=2)
    call = load_call(tmp_path / "rubric.yaml", apps)
    result = assign_reviewers(call, load_reviewers(apps / "reviewers.csv", call.rubric), 3)
    assert result.optimal and len(result.assignments) == 3 * len(result.applications)
