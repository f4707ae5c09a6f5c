"""A received pack is untrusted: ``verify`` never reads outside it and never shows a traceback.

Links inside a pack are reported, not followed (their targets' contents never printed);
a pack that is a file, a manifest that is a folder, unreadable files and manifests asking
for absurd work are each answered with exit 1 or 2 and a sentence. The few cases where a
traceback could escape the CLI's error handling are also run through the real
``pine-select`` executable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from pine_select.pack import files

SECRET = "TOP-SECRET-4471 the target's contents"


@pytest.fixture
def pack(golden_pack: Path) -> Path:
    return golden_pack


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the pack, shaped like an application so a loader would quote it."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(f"id: {SECRET}\ntitle: [{SECRET}\n", encoding="utf-8")
    return path


def _pine_select(*args: str | Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("pine-select")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m",
                                                             "pine_select"]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False)


def _edit_manifest(pack: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = pack / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _no_leak(result: Result) -> None:
    assert SECRET not in result.output
    assert "Traceback" not in result.output


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", ["inputs/applications/TINY-001.yaml",
                                      "inputs/applications/TINY-009.yaml",
                                      "inputs/rubric.yaml", "results.json"])
def test_a_link_inside_the_pack_is_reported_and_not_followed(
        run_cli: Callable[..., Result], pack: Path, secret: Path, relative: str) -> None:
    target = pack / relative
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert f"{target}: a symbolic link (not followed" in result.stdout
    assert "so it was not loaded" in result.stdout  # a pack holding a link is not re-run
    _no_leak(result)


def test_inputs_as_a_link_to_a_folder_outside_is_not_followed(
        run_cli: Callable[..., Result], pack: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (pack / "inputs").rename(outside)
    (outside / "applications" / "TINY-001.yaml").write_text(f"id: {SECRET}\n")
    (pack / "inputs").symlink_to(outside, target_is_directory=True)
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert "a symbolic link (not followed" in result.stdout
    _no_leak(result)


def test_a_fifo_in_the_pack_is_refused_without_opening_it(
        run_cli: Callable[..., Result], pack: Path) -> None:
    os.mkfifo(pack / "inputs" / "applications" / "TINY-009.yaml")  # opening it would hang
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "not a regular file" in result.stdout


def test_a_name_with_a_newline_cannot_forge_a_line_of_the_report(
        run_cli: Callable[..., Result], pack: Path) -> None:
    (pack / "inputs" / "applications" / "x\nOK: all fine.yaml").write_text("id: x\n")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert not any(line.startswith("OK") for line in result.stdout.splitlines())
    assert "unprintable characters" in result.stdout


# --- not a pack, unreadable ------------------------------------------------------------------


def test_verify_given_a_file_is_one_sentence(run_cli: Callable[..., Result], pack: Path) -> None:
    result = run_cli("verify", pack / "results.json")
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_verify_given_a_missing_folder_is_one_sentence(run_cli: Callable[..., Result],
                                                        tmp_path: Path) -> None:
    result = run_cli("verify", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_manifest_that_is_a_folder_is_one_sentence(run_cli: Callable[..., Result],
                                                     pack: Path) -> None:
    (pack / "manifest.json").unlink()
    (pack / "manifest.json").mkdir()
    result = run_cli("verify", pack)
    assert result.exit_code == 2
    assert "manifest.json: not a regular file" in result.stderr
    assert "Traceback" not in result.output


def test_a_manifest_that_is_a_link_is_not_read(run_cli: Callable[..., Result], pack: Path,
                                               secret: Path) -> None:
    (pack / "manifest.json").unlink()
    (pack / "manifest.json").symlink_to(secret)
    result = run_cli("verify", pack)
    assert result.exit_code == 2
    _no_leak(result)


def _denied_for(name: str, real: Callable[[Path], Any]) -> Callable[[Path], Any]:
    """``real``, but refusing ``name`` as an unreadable file would (the tests run as root)."""
    def denied(path: Path) -> Any:
        if path.name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    return denied


@pytest.mark.parametrize("owner, attribute, name, code", [
    pytest.param(Path, "read_bytes", "manifest.json", 2, id="the-manifest"),
    pytest.param(files, "sha256_of", "reviews.csv", 1, id="a-file-of-the-pack"),
])
def test_an_unreadable_file_is_one_sentence(
        run_cli: Callable[..., Result], pack: Path, monkeypatch: pytest.MonkeyPatch,
        owner: object, attribute: str, name: str, code: int) -> None:
    monkeypatch.setattr(owner, attribute, _denied_for(name, getattr(owner, attribute)))
    result = run_cli("verify", pack)
    assert result.exit_code == code
    assert f"{name}: cannot be read (Permission denied)" in result.output


# --- manifests asking for what they may not ---------------------------------------------------


def _set_parameter(name: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest["parameters"].__setitem__(name, value)


@pytest.mark.parametrize("change, named", [
    pytest.param(_set_parameter("weights", {"promise": "1/0"}), "parameters: weights:",
                 id="weight-1/0"),
    pytest.param(_set_parameter("weights", {"promise": "9" * 5000}),
                 "parameters: weights:", id="weight-5000-digits"),
    pytest.param(_set_parameter("sensitivity_samples", 10**9),
                 "parameters: sensitivity_samples:", id="samples-1e9"),
    pytest.param(_set_parameter("alternatives", 10**6), "parameters: alternatives:",
                 id="alternatives-1e6"),
    pytest.param(_set_parameter("size", 10**30), "parameters: size:", id="size-1e30"),
    pytest.param(lambda manifest: manifest.__setitem__("seed", 10**30), "seed", id="seed-1e30"),
])
def test_a_manifest_asking_for_absurd_work_is_refused_at_once(
        run_cli: Callable[..., Result], pack: Path,
        change: Callable[[dict[str, Any]], None], named: str) -> None:
    _edit_manifest(pack, change)
    result = run_cli("verify", pack)
    assert result.exit_code == 2
    assert named in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text", [
    pytest.param('{"seed": ' + "9" * 5000 + "}", id="int-past-pythons-digit-limit"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep"),
    pytest.param('"\\ud800"', id="lone-surrogate"),
    pytest.param("[1, 2", id="truncated"),
])
def test_a_manifest_that_is_not_json_is_one_sentence(run_cli: Callable[..., Result],
                                                     pack: Path, text: str) -> None:
    (pack / "manifest.json").write_text(text, encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 2
    assert "manifest.json" in result.stderr and "Traceback" not in result.output


def test_the_real_executable_answers_hostile_packs_without_a_traceback(
        pack: Path, secret: Path, tmp_path: Path) -> None:
    cases = []
    as_file = _pine_select("verify", pack / "results.json")
    cases.append(as_file)
    _edit_manifest(pack, _set_parameter("weights", {"promise": "1/0"}))
    cases.append(_pine_select("verify", pack))
    (pack / "manifest.json").unlink()
    (pack / "manifest.json").mkdir()
    cases.append(_pine_select("verify", pack))
    for run in cases:
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr and run.stderr.startswith("error: ")
