"""``verify`` checks every claim of the manifest, and accepts only the files a pack consists of.

Each test edits one claim (or forges one file, with its hash in the manifest) in a copy of
a pack known to verify; the pack must then not verify (exit 1), naming what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from helpers_pack import GOLDEN_CALL_ARGS


@pytest.fixture
def pack(golden_pack: Path) -> Path:
    return golden_pack


def _edit_manifest(pack: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = pack / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _claim_lines(result: Result) -> list[str]:
    return [line.split("manifest.json: ", 1)[1] for line in result.stdout.splitlines()
            if "manifest.json: " in line]


def _set(*path_and_value: Any) -> Callable[[dict[str, Any]], None]:
    *path, value = path_and_value

    def change(manifest: dict[str, Any]) -> None:
        target = manifest
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize("change, claim", [
    pytest.param(_set("seed", 8), "seed:", id="seed"),
    pytest.param(_set("tool", "version", "0.0.9"), "tool.version:", id="tool-version"),
    pytest.param(_set("tool", "name", "pine-selekt"), "tool.name:", id="tool-name"),
    pytest.param(_set("solver", "name", "Gurobi"), "solver.name:", id="solver-name"),
    pytest.param(_set("solver", "version", "CBC 9.9"), "solver.version:", id="solver-version"),
    pytest.param(_set("python", "3.99.0"), "python:", id="python"),
    # explain_limit 60 is the default for a small call: the outputs do not change, but the
    # claim does, and results.json (hash-covered) records the parameters it was made with.
    pytest.param(_set("parameters", "explain_limit", 60), "parameters.explain_limit:",
                 id="parameter-without-effect"),
    pytest.param(_set("inputs_included", False), "inputs_included:", id="inputs-included"),
    pytest.param(_set("parameters", "include_contacts", True), "include_contacts",
                 id="include-contacts-over-redacted-copies"),
])
def test_a_changed_claim_does_not_verify_and_is_named(
        run_cli: Callable[..., Result], pack: Path,
        change: Callable[[dict[str, Any]], None], claim: str) -> None:
    _edit_manifest(pack, change)
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert any(line.startswith(claim) or claim in line for line in _claim_lines(result)), \
        result.stdout
    assert result.stdout.rstrip().endswith("does not verify.")


def test_an_untouched_pack_makes_no_claim_line(run_cli: Callable[..., Result],
                                               pack: Path) -> None:
    result = run_cli("verify", pack)
    assert result.exit_code == 0, result.output
    assert _claim_lines(result) == []


def test_results_json_records_the_tool_and_parameters_it_was_made_with(pack: Path) -> None:
    results = json.loads((pack / "results.json").read_text(encoding="utf-8"))
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert results["made_with"] == {"tool": manifest["tool"],
                                    "parameters": manifest["parameters"]}


# --- only the files a pack consists of ----------------------------------------------------


def _forge(pack: Path, relative: str, content: bytes, section: str) -> None:
    path = pack / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    _edit_manifest(pack, _set(section, relative, hashlib.sha256(content).hexdigest()))


@pytest.mark.parametrize("relative, section", [
    ("payload.exe", "outputs"),
    ("notes.txt", "outputs"),
    ("inputs/applications/notes.txt", "inputs"),
    ("inputs/extra.yaml", "inputs"),
    ("inputs/applications/sub/TINY-009.yaml", "inputs"),
])
def test_a_forged_file_listed_with_its_hash_does_not_verify(
        run_cli: Callable[..., Result], pack: Path, relative: str, section: str) -> None:
    _forge(pack, relative, b"forged\n", section)
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert "not a file a briefing pack holds" in result.stdout \
        or "a folder a briefing pack does not hold" in result.stdout
    assert f"lists {relative}" in result.stdout


def test_a_forged_briefing_pdf_does_not_verify_since_no_re_run_makes_it(
        run_cli: Callable[..., Result], pack: Path) -> None:
    """briefing.pdf has room in the layout; listing one this version does not make fails."""
    _forge(pack, "briefing.pdf", b"%PDF-1.7 forged\n", "outputs")
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert "outputs: lists briefing.pdf, but parameters.pdf is false" in result.stdout


def test_an_output_left_out_of_the_manifest_is_named(run_cli: Callable[..., Result],
                                                     pack: Path) -> None:
    _edit_manifest(pack, lambda manifest: manifest["outputs"].pop("briefing.html"))
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "briefing.html: added (not in the manifest)" in result.stdout
    assert "outputs: does not list briefing.html" in result.stdout


# --- a full pack without inputs/, a member copy without --inputs ---------------------------


def test_a_full_pack_whose_inputs_are_deleted_does_not_verify(
        run_cli: Callable[..., Result], pack: Path) -> None:
    shutil.rmtree(pack / "inputs")
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert f"{pack / 'inputs'}: missing" in result.stdout
    assert "a full pack carries its inputs/ folder" in result.stdout
    assert "--inputs" not in result.output  # the member-copy advice does not fit here
    assert result.stdout.rstrip().endswith("does not verify.")


def test_a_member_copy_without_inputs_keeps_its_advice(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "ben"
    assert run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, "--member", "ben").exit_code == 0
    result = run_cli("verify", out)
    assert result.exit_code == 2
    assert "give them (FULL_PACK/inputs) as the inputs to verify with" in result.stderr


def test_a_member_copy_given_inputs_inside_it_does_not_verify(
        run_cli: Callable[..., Result], pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "ben"
    assert run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, "--member", "ben").exit_code == 0
    shutil.copytree(pack / "inputs", out / "inputs")  # the withheld scores, smuggled in
    result = run_cli("verify", out, "--inputs", pack / "inputs")
    assert result.exit_code == 1
    assert "a panel member's copy holds no inputs" in result.stdout


def test_results_json_without_its_record_of_the_run_is_one_claim_line(
        run_cli: Callable[..., Result], pack: Path) -> None:
    results = json.loads((pack / "results.json").read_bytes())
    del results["made_with"]
    (pack / "results.json").write_text(json.dumps(results))
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _claim_lines(result) == ["made_with: results.json does not record the tool and "
                                    "parameters the pack was made with"]


def test_a_missing_results_json_is_named_once(run_cli: Callable[..., Result],
                                              pack: Path) -> None:
    (pack / "results.json").unlink()
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert _claim_lines(result) == []
    assert "results.json: missing" in result.stdout
