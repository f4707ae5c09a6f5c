"""The pack's chance section (SPEC 10 in the pack): chart, contested, lottery; verified."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from html5lib import parse


def test_a_pack_with_draws_and_a_lottery_shows_them_and_verifies(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    from helpers_pack import GOLDEN_CALL_ARGS

    out = tmp_path / "pack"
    made = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, "--robustness-draws", "25",
                   "--lottery", "all")
    assert made.exit_code == 0, made.output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    chance = results["chance"]
    assert chance["robustness"]["draws"] == 25
    lottery = chance["lottery"]
    assert lottery["zone_kind"] == "all"
    assert len(lottery["drawn"]) == len(results["select"]["selected"])
    html = (out / "briefing.html").read_text(encoding="utf-8")
    parse(html)  # well formed enough for a browser's parser
    assert 'id="chance"' in html and "funding line" in html
    ranked = [a for a in chance["robustness"]["applications"] if a["rank"] is not None]
    assert html.count("<circle") == len(ranked)  # one point per ranked candidate
    assert f"Drawn: {', '.join(lottery['drawn'])}" in html
    assert run_cli("verify", out).exit_code == 0


def test_a_pack_without_draws_has_no_chance_section(run_cli: Callable[..., Result],
                                                     tmp_path: Path) -> None:
    from conftest import build_call

    paths = build_call(tmp_path)
    out = tmp_path / "pack"
    assert run_cli("pack", paths.rubric, paths.apps, "--out", out).exit_code == 0
    assert 'id="chance"' not in (out / "briefing.html").read_text(encoding="utf-8")
    assert "chance" not in json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_a_what_if_pack_says_why_it_has_no_chance_section(run_cli: Callable[..., Result],
                                                          tmp_path: Path) -> None:
    from conftest import build_call

    paths = build_call(tmp_path)
    out = tmp_path / "pack"
    made = run_cli("pack", paths.rubric, paths.apps, "--out", out, "--budget", "900000",
                   "--robustness-draws", "5")
    assert made.exit_code == 0, made.output
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert 'id="chance"' not in html and "run pine-select robustness" in html


def test_a_member_copy_withholding_a_selectable_application_leaves_the_section_out(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    from helpers_pack import GOLDEN_CALL_ARGS

    out = tmp_path / "copy"
    made = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, "--member", "cal",
                   "--robustness-draws", "5")
    assert made.exit_code == 0, made.output
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert 'id="chance"' not in html
    assert "the chance of selection is not shown" in html
    assert "chance" not in json.loads((out / "results.json").read_text(encoding="utf-8"))
