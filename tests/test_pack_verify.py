"""``pine-select verify``: an untouched pack verifies; any change to any file is named.

One pack of the golden tiny call is built per module and copied for each test, so every
tamper test starts from a pack known to verify.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from helpers_pack import (
    EXAMPLE_APPS,
    EXAMPLE_RUBRIC,
    GOLDEN_CALL_ARGS,
    ROOT,
    files_of,
    golden,
)

from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pack import build_pack, verify_pack


@pytest.fixture
def pack(golden_pack: Path) -> Path:
    return golden_pack


def _flip_one_byte(path: Path, needle: bytes, replacement: bytes) -> None:
    content = path.read_bytes()
    assert content.count(needle) >= 1 and len(needle) == len(replacement)
    path.write_bytes(content.replace(needle, replacement, 1))


def _named(result: Result, relative: str, label: str) -> bool:
    """Whether ``verify`` printed a line naming ``relative`` with ``label``."""
    return any(line.endswith(f"{relative}: {label}") for line in result.output.splitlines())


def test_an_untouched_pack_verifies(run_cli: Callable[..., Result], pack: Path) -> None:
    result = run_cli("verify", pack)
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout


def test_one_changed_byte_in_the_briefing_is_named(run_cli: Callable[..., Result],
                                                   pack: Path) -> None:
    _flip_one_byte(pack / "briefing.html", b"Kinship carers circle", b"Kinship carers circlE")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _named(result, "briefing.html", "altered since the pack was made")
    assert _named(result, "briefing.html", "differs when re-run from inputs/")
    assert "results.json" not in result.output  # only the changed file is named


def test_one_changed_review_score_in_the_inputs_is_named(run_cli: Callable[..., Result],
                                                         pack: Path) -> None:
    reviews = pack / "inputs" / "applications" / "reviews.csv"
    _flip_one_byte(reviews, b"TINY-001,ben,promise,5,", b"TINY-001,ben,promise,1,")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _named(result, "inputs/applications/reviews.csv", "altered since the pack was made")
    # the outputs no longer follow from the inputs either
    assert _named(result, "results.json", "differs when re-run from inputs/")


def test_a_forged_input_with_a_forged_manifest_hash_still_fails_on_rerun(
        run_cli: Callable[..., Result], pack: Path) -> None:
    """Editing an input and its hash in the manifest is caught by the re-run."""
    import hashlib

    reviews = pack / "inputs" / "applications" / "reviews.csv"
    _flip_one_byte(reviews, b"TINY-001,ben,promise,5,", b"TINY-001,ben,promise,1,")
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"]["inputs/applications/reviews.csv"] = hashlib.sha256(
        reviews.read_bytes()).hexdigest()
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert not _named(result, "inputs/applications/reviews.csv",
                      "altered since the pack was made")
    assert _named(result, "briefing.html", "differs when re-run from inputs/")
    assert _named(result, "results.json", "differs when re-run from inputs/")


def test_an_added_file_is_named(run_cli: Callable[..., Result], pack: Path) -> None:
    (pack / "inputs" / "applications" / "notes.txt").write_text("added later\n")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _named(result, "inputs/applications/notes.txt", "not a file a briefing pack holds")


def test_an_added_application_is_named_even_though_it_changes_the_rerun(
        run_cli: Callable[..., Result], pack: Path) -> None:
    apps = pack / "inputs" / "applications"
    (apps / "TINY-006.yaml").write_bytes(
        (apps / "TINY-001.yaml").read_bytes().replace(b"TINY-001", b"TINY-006"))
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _named(result, "inputs/applications/TINY-006.yaml", "added (not in the manifest)")


@pytest.mark.parametrize("relative", ["results.json", "briefing.html",
                                      "inputs/applications/overrides.yaml",
                                      "inputs/applications/TINY-004.yaml"])
def test_a_missing_file_is_named(run_cli: Callable[..., Result], pack: Path,
                                 relative: str) -> None:
    (pack / relative).unlink()
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _named(result, relative, "missing")
    assert "Traceback" not in result.output


def test_a_pack_without_a_manifest_is_bad_input(run_cli: Callable[..., Result],
                                                pack: Path) -> None:
    (pack / "manifest.json").unlink()
    result = run_cli("verify", pack)
    assert result.exit_code == 2
    assert "manifest" in result.stderr


def test_a_changed_recorded_parameter_is_caught_before_any_rerun(
        run_cli: Callable[..., Result], pack: Path) -> None:
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"]["size"] = 3
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "parameters.size: says 3, but results.json records None" in result.stdout
    assert "contradicts itself or results.json (named above), so it was not re-run" in (
        result.stdout)


def test_a_manifest_asking_for_hours_of_draws_is_refused_without_a_rerun(
        run_cli: Callable[..., Result], pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pine_select.limits import MAX_DRAWS
    from pine_select.pack import verify

    def no_rerun(*_args: object) -> None:
        raise AssertionError("verify re-ran a pack whose manifest makes a false claim")

    monkeypatch.setattr(verify, "decide", no_rerun)
    for draws in (300, MAX_DRAWS):
        manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
        manifest["parameters"]["robustness_draws"] = draws
        (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        result = run_cli("verify", pack)
        assert result.exit_code == 1, result.output
        assert (f"parameters.robustness_draws: says {draws}, but results.json records None"
                in result.stdout)


def test_a_seed_other_than_results_json_records_is_refused_without_a_rerun(
        run_cli: Callable[..., Result], pack: Path) -> None:
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["seed"] += 1
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert f"seed: says {manifest['seed']}, but results.json records {manifest['seed'] - 1}" in (
        result.stdout)
    assert "not re-run" in result.stdout


def test_verify_does_not_write_into_the_pack(pack: Path) -> None:
    before = files_of(pack)
    assert verify_pack(pack).ok
    assert files_of(pack) == before


# --- reproducibility -------------------------------------------------------------------


def test_two_builds_are_identical_but_for_the_manifest_time(tmp_path: Path) -> None:
    call = load_call(golden.RUBRIC, golden.APPLICATIONS)
    params = RunOptions(alternatives=3)
    build_pack(call, tmp_path / "one", params)
    build_pack(call, tmp_path / "two", params)
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert sorted(one) == sorted(two)
    for name in sorted(one):
        if name != "manifest.json":
            assert one[name] == two[name], name
    first, second = (json.loads(p["manifest.json"]) for p in (one, two))
    first.pop("created_at")
    second.pop("created_at")
    assert first == second


def _pack_in_subprocess(call: tuple[Path, Path], out: Path, hash_seed: str,
                        cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    args = [sys.executable, "-m", "pine_select", "pack", str(call[0]), str(call[1]),
            "--out", str(out)]
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


@pytest.mark.parametrize("call", [
    pytest.param((golden.RUBRIC, golden.APPLICATIONS), id="golden"),
    pytest.param((EXAMPLE_RUBRIC, EXAMPLE_APPS), id="example", marks=pytest.mark.slow),
])
def test_a_pack_is_the_same_under_any_hash_seed_and_working_folder(
        call: tuple[Path, Path], tmp_path: Path) -> None:
    """Two processes (PYTHONHASHSEED 0 and 12345, different working folders), run at once."""
    if not call[0].is_file():
        pytest.skip(f"{call[0]} is not there yet")
    (tmp_path / "elsewhere").mkdir()
    runs = [_pack_in_subprocess(call, tmp_path / "seed0", "0", ROOT),
            _pack_in_subprocess(call, tmp_path / "seed12345", "12345", tmp_path / "elsewhere")]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    one, two = files_of(tmp_path / "seed0"), files_of(tmp_path / "seed12345")
    assert sorted(one) == sorted(two)
    differing = [name for name in sorted(one) if name != "manifest.json" and one[name] != two[name]]
    assert differing == []


def test_the_golden_pack_from_the_cli_verifies(run_cli: Callable[..., Result],
                                               tmp_path: Path) -> None:
    assert run_cli("pack", *GOLDEN_CALL_ARGS, "--out", tmp_path / "p").exit_code == 0
    assert run_cli("verify", tmp_path / "p").exit_code == 0


def test_a_what_if_pack_records_its_parameters_and_verifies(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "what-if"
    result = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, "--weights", "promise=10",
                     "--budget", "200000", "--exclude", "TINY-003", "--solver", "highs",
                     "--alternatives", "1", "--member", "ben", "--include-contacts")
    assert result.exit_code == 0, result.output
    parameters = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert parameters == {"weights": {"promise": "10", "feasibility": "40"},
                          "size": None, "budget": 200000,
                          "include": [], "exclude": ["TINY-003"], "solver": "highs",
                          "alternatives": 1, "min_swaps": 1, "explain_limit": None,
                          "include_contacts": True, "pdf": False, "sensitivity_samples": 0,
                          "member": "ben", "concentration": "50", "seed": None,
                          "breakpoint_limit": 10}
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert "TINY-003" not in results["select"]["selected"]
    # A member's copy carries no inputs/ (they would show the withheld scores): it is
    # verified against the inputs of the full pack made from the same call.
    assert not (out / "inputs").exists()
    assert run_cli("verify", out).exit_code == 2
    full = tmp_path / "full"
    assert run_cli("pack", *GOLDEN_CALL_ARGS, "--out", full, "--include-contacts").exit_code == 0
    assert run_cli("verify", out, "--inputs", full / "inputs").exit_code == 0


def test_a_manifest_edited_into_nonsense_is_refused_with_a_message(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "p"
    assert run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"]["size"] = "x"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", out)
    assert result.exit_code == 2
    assert "parameters: size" in result.stderr and "been edited?" in result.stderr


def test_a_manifest_key_given_twice_is_refused_naming_it(
        run_cli: Callable[..., Result], pack: Path) -> None:
    text = (pack / "manifest.json").read_text(encoding="utf-8")
    seed = json.loads(text)["seed"]
    twice = text.replace(f'"seed": {seed}', f'"seed": {seed + 1}, "seed": {seed}', 1)
    assert twice != text
    (pack / "manifest.json").write_text(twice, encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 2, result.output
    assert "the key 'seed' appears twice in one object" in result.stderr


@pytest.mark.parametrize("created_at", ["not a date <script>", "2026-12-01", "",
                                        "2026-12-01T12:00:00", 7])
def test_a_manifest_whose_created_at_is_no_date_time_is_refused(
        run_cli: Callable[..., Result], pack: Path, created_at: object) -> None:
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["created_at"].endswith("+00:00")  # as the pack writes it
    manifest["created_at"] = created_at
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 2, result.output
    assert "manifest.json: created_at: " in result.stderr
