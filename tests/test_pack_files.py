"""Safe writing of a pack: all or nothing, never over an existing folder, never outside --out."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import build_call
from helpers_pack import (
    EXAMPLE_APPS,
    EXAMPLE_RUBRIC,
    GOLDEN_CALL_ARGS,
    everything_under,
    files_of,
    golden,
)

from pine_select.errors import PackError
from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pack import build_pack, destination, files, render
from pine_select.pack.files import inside


def _pack(run_cli: Callable[..., Result], out: Path, *extra: str) -> Result:
    return run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, *extra)


def test_an_existing_out_folder_is_refused_and_left_alone(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me\n")
    result = _pack(run_cli, out)
    assert result.exit_code == 2
    assert "replace it (force)" in result.stderr and str(out) in result.stderr
    assert files_of(out) == {"precious.txt": b"keep me\n"}
    assert everything_under(tmp_path) == {"out", "out/precious.txt"}  # no staging left


def test_an_existing_empty_out_folder_is_refused_too(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    assert _pack(run_cli, tmp_path / "out").exit_code == 2
    assert list((tmp_path / "out").iterdir()) == []


def test_force_replaces_an_existing_pack_completely(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out, "--member", "ben").exit_code == 0  # no inputs/ in it
    result = _pack(run_cli, out, "--force")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["member"] is None and (out / "inputs").is_dir()
    assert run_cli("verify", out).exit_code == 0
    assert everything_under(tmp_path) - {"out"} == {f"out/{n}" for n in everything_under(out)}


@pytest.mark.parametrize("unrelated", [
    pytest.param({"thesis.tex": b"chapter one\n", "photos/cat.jpg": b"\xff\xd8"}, id="no-manifest"),
    pytest.param({"manifest.json": b'{"tool": {"name": "other"}}', "notes.txt": b"x"},
                 id="someone-elses-manifest"),
    pytest.param({"manifest.json": b'{"tool": {"name": "pine-select"}}',
                  "briefing.html": b"", "thesis.tex": b"mine\n"}, id="a-pack-holding-more"),
])
def test_force_refuses_a_folder_that_is_not_a_pack_and_leaves_it_alone(
        run_cli: Callable[..., Result], tmp_path: Path, unrelated: dict[str, bytes]) -> None:
    out = tmp_path / "out"
    for name, content in unrelated.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    result = _pack(run_cli, out, "--force")
    assert result.exit_code == 2
    assert "is not a briefing pack" in result.stderr and "Traceback" not in result.output
    assert files_of(out) == unrelated
    assert everything_under(tmp_path) == {"out", *(f"out/{n}" for n in everything_under(out))}


def test_an_existing_file_as_out_is_refused_even_with_force(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file\n")
    assert _pack(run_cli, tmp_path / "out", "--force").exit_code == 2
    assert (tmp_path / "out").read_text() == "a file\n"


@pytest.mark.parametrize("where", ["apps", "root"])
def test_force_never_replaces_the_folder_holding_the_calls_own_files(
        run_cli: Callable[..., Result], tmp_path: Path, where: str) -> None:
    """--out APPS --force (or a folder above it) would otherwise delete the call itself."""
    call = build_call(tmp_path / "call")
    before = files_of(call.root)
    out = call.apps if where == "apps" else call.root
    result = run_cli("pack", *call.args, "--out", out, "--force")
    assert result.exit_code == 2
    assert files_of(call.root) == before


class Boom(PackError):
    pass


def _explode(view: object) -> str:
    raise Boom("rendering failed half way")


def _crash(view: object) -> str:
    raise MemoryError("not one of ours")


@pytest.mark.parametrize("failure", [_explode, _crash])
def test_a_failure_mid_build_leaves_no_out_folder_and_no_temporary_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, failure: Callable[[object], str]
) -> None:
    monkeypatch.setattr(render, "render_briefing", failure)
    call = load_call(golden.RUBRIC, golden.APPLICATIONS)
    with pytest.raises((Boom, MemoryError)):
        build_pack(call, tmp_path / "parent" / "out", RunOptions())
    assert everything_under(tmp_path) == {"parent"}  # the parent may stay, empty


def test_a_failure_mid_build_through_the_cli_exits_2_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    monkeypatch.setattr(render, "render_briefing", _explode)
    result = _pack(run_cli, tmp_path / "out")
    assert result.exit_code == 2
    assert "rendering failed half way" in result.stderr
    assert everything_under(tmp_path) == set()


def test_a_failed_forced_rebuild_keeps_the_old_pack_intact(
        monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out).exit_code == 0
    before = files_of(out)
    monkeypatch.setattr(render, "render_briefing", _explode)
    assert _pack(run_cli, out, "--force").exit_code == 2
    assert files_of(out) == before
    assert everything_under(tmp_path) == {"out", *(f"out/{n}" for n in everything_under(out))}


def test_a_pack_writes_nothing_outside_out(run_cli: Callable[..., Result],
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    call = build_call(tmp_path / "call")
    call_before = files_of(call.root)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # nothing may land in the working folder either
    out = tmp_path / "deep" / "er" / "out"
    assert run_cli("pack", *call.args, "--out", out).exit_code == 0
    assert files_of(call.root) == call_before
    assert everything_under(work) == set()
    outside = everything_under(tmp_path) - {"call", "work", "deep", "deep/er", "deep/er/out"}
    outside = {p for p in outside if not p.startswith(("call/", "deep/er/out/"))}
    assert outside == set()


def test_the_pack_folder_is_readable_by_others(run_cli: Callable[..., Result],
                                               tmp_path: Path) -> None:
    assert _pack(run_cli, tmp_path / "out").exit_code == 0
    assert (tmp_path / "out").stat().st_mode & 0o055 == 0o055


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "a/../../b"])
def test_names_that_would_leave_the_pack_folder_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(PackError):
        inside(tmp_path / "pack", name)


# --- staging, the lock and crashes ----------------------------------------------------------


def _staging_like(tmp_path: Path, name: str = "out") -> Path:
    """A staging folder as a run killed mid-build (SIGTERM, kill -9) leaves it."""
    staging = tmp_path / f".{name}.staging-k1ll3d_9"
    (staging / "inputs").mkdir(parents=True)
    (staging / "briefing.html").write_text("half\n")
    return staging


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    left = _staging_like(tmp_path)
    other = _staging_like(tmp_path, name="other")  # another --out's: not ours to remove
    assert _pack(run_cli, tmp_path / "out").exit_code == 0
    assert not left.exists() and other.exists()
    assert run_cli("verify", tmp_path / "out").exit_code == 0


def _crash_between_the_renames(out: Path) -> None:
    """What publish leaves when killed after moving the old pack aside (kill -9)."""
    os.replace(out, out.with_name(f".{out.name}.old"))
    _staging_like(out.parent)


def test_a_crash_between_the_renames_never_loses_the_old_pack(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out).exit_code == 0
    before = files_of(out)
    _crash_between_the_renames(out)
    assert not out.exists()
    result = _pack(run_cli, out)  # the next run, even one that then refuses, restores it
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert files_of(out) == before
    assert everything_under(tmp_path) == {"out", *(f"out/{n}" for n in everything_under(out))}


def test_a_crash_between_the_renames_is_finished_by_the_next_forced_run(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out).exit_code == 0
    _crash_between_the_renames(out)
    assert _pack(run_cli, out, "--force", "--size", "1").exit_code == 0
    assert json.loads((out / "manifest.json").read_bytes())["parameters"]["size"] == 1
    assert everything_under(tmp_path) == {"out", *(f"out/{n}" for n in everything_under(out))}


def test_a_crash_after_the_second_rename_leaves_the_new_pack_and_removes_the_old(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out).exit_code == 0
    shutil.copytree(out, tmp_path / ".out.old")  # killed before the old pack was removed
    assert _pack(run_cli, out, "--force").exit_code == 0
    assert not (tmp_path / ".out.old").exists()


def test_a_failure_of_the_second_rename_puts_the_old_pack_back(
        run_cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out).exit_code == 0
    before = files_of(out)
    real, calls = os.replace, []

    def second_fails(source: object, target: object) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(destination.os, "replace", second_fails)
    result = _pack(run_cli, out, "--force")
    assert result.exit_code == 2 and "Input/output error" in result.stderr
    assert files_of(out) == before


def test_a_second_writer_of_the_same_out_is_refused_while_the_first_holds_the_lock(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    with destination.writer_lock(out, out):
        result = _pack(run_cli, out)
    assert result.exit_code == 2
    assert "another pine-select run is writing this pack now" in result.stderr
    assert not out.exists()
    assert _pack(run_cli, out).exit_code == 0  # the lock went with its holder
    assert everything_under(tmp_path) == {"out", *(f"out/{n}" for n in everything_under(out))}


def test_a_lock_file_left_by_a_killed_run_does_not_block_the_next(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / ".out.lock").write_text("")  # flock died with its holder; the file stayed
    assert _pack(run_cli, tmp_path / "out").exit_code == 0
    assert not (tmp_path / ".out.lock").exists()


@pytest.mark.slow
def test_two_packs_written_to_the_same_new_out_at_once_never_both_succeed(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pine_select", "pack", *GOLDEN_CALL_ARGS, "--out", str(out)]
    for _ in range(3):
        runs = [subprocess.Popen([*command, *extra], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
                for extra in ([], ["--size", "1"])]
        errors = [run.communicate(timeout=120)[1] for run in runs]
        codes = [run.returncode for run in runs]
        assert sorted(codes) == [0, 2], errors
        winner = codes.index(0)
        size = json.loads((out / "manifest.json").read_bytes())["parameters"]["size"]
        assert size == (None, 1)[winner]
        shutil.rmtree(out)


@pytest.mark.slow
def test_a_run_killed_mid_build_leaves_nothing_the_next_run_keeps(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pine_select", "pack", str(EXAMPLE_RUBRIC),
               str(EXAMPLE_APPS), "--out", str(out)]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert run.stderr is not None
    for line in run.stderr:  # killed once it is scoring, with the inputs copied
        if b"scoring and selecting" in line:
            run.send_signal(signal.SIGKILL)
            break
    run.communicate(timeout=120)
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    assert everything_under(tmp_path) == {"out", *(f"out/{n}" for n in everything_under(out))}


# --- where a pack cannot go ----------------------------------------------------------------


def test_out_under_an_existing_file_is_one_sentence(run_cli: Callable[..., Result],
                                                    tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x\n")
    result = _pack(run_cli, tmp_path / "a-file" / "out")
    assert result.exit_code == 2
    assert "is a file" in result.stderr and "Traceback" not in result.output
    assert everything_under(tmp_path) == {"a-file"}


@pytest.mark.parametrize("out", [".", "..", "./"])
def test_out_as_the_working_folder_or_above_is_refused(
        run_cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        out: str) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    result = _pack(run_cli, Path(out), "--force")
    assert result.exit_code == 2
    assert "is the working folder or holds it" in result.stderr
    assert everything_under(tmp_path) == {"work"}


def test_an_unwritable_parent_is_one_sentence(run_cli: Callable[..., Result], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(**_: object) -> str:
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(destination.tempfile, "mkdtemp", denied)  # root ignores chmod
    result = _pack(run_cli, tmp_path / "out")
    assert result.exit_code == 2
    assert "could not be written" in result.stderr and "Permission denied" in result.stderr
    assert everything_under(tmp_path) == set()


def test_a_full_disk_is_one_sentence_and_leaves_nothing(
        run_cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(folder: Path, relative: str, content: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / relative))

    monkeypatch.setattr(files, "write_bytes", full)
    result = _pack(run_cli, tmp_path / "out")
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr and "Traceback" not in result.output
    assert everything_under(tmp_path) == set()


def test_a_full_disk_during_a_forced_rebuild_keeps_the_old_pack(
        run_cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert _pack(run_cli, out).exit_code == 0
    before = files_of(out)

    def full(folder: Path, relative: str, content: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write_bytes", full)
    assert _pack(run_cli, out, "--force").exit_code == 2
    assert files_of(out) == before


def test_out_inside_the_calls_applications_folder_is_refused(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    call = build_call(tmp_path / "call")
    before = everything_under(call.root)
    result = run_cli("pack", *call.args, "--out", call.apps / "pack")
    assert result.exit_code == 2
    assert "inside the call's applications folder" in result.stderr
    assert everything_under(call.root) == before
