"""Safe writing of a pack: all or nothing, never over an existing folder, never outside --out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import build_call
from helpers_pack import GOLDEN_CALL_ARGS, everything_under, files_of, golden

from pine_select.errors import PackError
from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pack import build_pack, render
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
    assert "--force" in result.stderr and str(out) in result.stderr
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
