"""``pine-select sensitivity`` and ``select --weights ... --diff`` through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pine_select.cli import main
from pine_select.loading.loader import load_call
from pine_select.pack.render import _ENV
from pine_select.pack.sensitivity_view import sensitivity_section
from pine_select.sensitivity import weight_sensitivity

GOLDEN = Path(__file__).parent / "golden" / "tiny-call"
ARGS = [str(GOLDEN / "rubric.yaml"), str(GOLDEN / "applications")]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_sensitivity_json_has_the_spec_keys() -> None:
    code, out, _ = run("sensitivity", *ARGS, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [c["id"] for c in data["criteria"]] == ["promise", "feasibility"]
    for item in data["criteria"]:
        assert {"id", "weight", "low", "high", "at_low", "at_high"} <= set(item)
        assert set(item["at_low"]) == {"enters", "leaves"} == set(item["at_high"])
        assert item["low"] <= item["weight"]
        assert item["high"] is None or item["weight"] <= item["high"]
    assert data["status"] == "optimal" and data["robustness"] is None
    assert data["portfolio"]


def test_sensitivity_table_lists_every_criterion() -> None:
    code, out, _ = run("sensitivity", *ARGS)
    assert code == 0
    assert "promise" in out and "feasibility" in out and "Rank stability" in out


def test_sensitivity_samples_record_the_seed() -> None:
    code, out, _ = run("sensitivity", *ARGS, "--samples", "12", "--seed", "5",
                       "--concentration", "20", "--format", "json")
    assert code == 0
    robustness = json.loads(out)["robustness"]
    assert robustness["samples"] == 12 and robustness["seed"] == 5
    assert robustness["concentration"] == 20
    assert all(0 <= f["frequency"] <= 1 for f in robustness["frequencies"])
    _, out2, _ = run("sensitivity", *ARGS, "--samples", "12", "--seed", "5",
                         "--concentration", "20", "--format", "json")
    assert out2 == out


def test_sampled_frequencies_do_not_depend_on_hash_seed() -> None:
    outputs = []
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-m", "pine_select", "sensitivity", *ARGS,
                               "--samples", "8", "--format", "json"],
                              capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_bad_concentration_is_a_usage_error() -> None:
    code, _, err = run("sensitivity", *ARGS, "--samples", "2", "--concentration", "0")
    assert code == 2 and "concentration" in err


def test_diff_json_shows_who_enters_and_leaves() -> None:
    code, out, _ = run("select", *ARGS, "--weights", "promise=0,feasibility=1", "--diff",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    rubric, what_if = data["rubric"], data["what_if"]
    assert set(data["enters"]) == set(what_if["selected"]) - set(rubric["selected"])
    assert set(data["leaves"]) == set(rubric["selected"]) - set(what_if["selected"])
    assert set(data["stays"]) == set(rubric["selected"]) & set(what_if["selected"])
    change = data["total_score"]["change"]
    assert abs(change - (what_if["total_score"] - rubric["total_score"])) < 1e-9
    assert data["weights"]["what_if"] == {"promise": 0, "feasibility": 1}
    assert data["weights"]["rubric"] == {"promise": 60, "feasibility": 40}
    binding = {r["name"]: r["binding"] for r in rubric["rules"]}
    binding_after = {r["name"]: r["binding"] for r in what_if["rules"]}
    assert data["rules"]["became_binding"] == [n for n in binding_after
                                               if binding_after[n] and not binding[n]]


def test_diff_table() -> None:
    code, out, _ = run("select", *ARGS, "--weights", "promise=0,feasibility=1", "--diff")
    assert code == 0
    assert "Enters:" in out and "Leaves:" in out and "Total score:" in out


def test_diff_without_weights_is_a_usage_error() -> None:
    code, _, err = run("select", *ARGS, "--diff")
    assert code == 2 and "--weights" in err


def test_pack_snippet_renders_escaped_plain_data() -> None:
    call = load_call(GOLDEN / "rubric.yaml", GOLDEN / "applications")
    section = sensitivity_section(weight_sensitivity(call))
    json.dumps(section)  # plain data only
    html = _ENV.get_template("_sensitivity.html.j2").render(sensitivity=section)
    assert 'id="weight-sensitivity"' in html and "<svg" in html
    assert "promise" in html and "<script" not in html
