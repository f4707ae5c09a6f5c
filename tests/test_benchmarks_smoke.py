"""The benchmark's call generator still writes calls that load (so the script cannot rot)."""

from __future__ import annotations

import importlib.util
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
