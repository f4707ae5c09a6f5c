"""The pack's chance section (SPEC 10 in the pack): chart, contested, lottery; verified."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result
from helpers_pack import GOLDEN_CALL_ARGS
from html5lib import parse

RunCli = Callable[..., Result]


def packed(run_cli: RunCli, out: Path, *args: str | Path) -> tuple[str, dict[str, Any]]:
    """The golden tiny call packed into ``out`` with ``args``: its HTML and results.json."""
    made = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out, *args)
    assert made.exit_code == 0, made.output
    return ((out / "briefing.html").read_text(encoding="utf-8"),
            json.loads((out / "results.json").read_text(encoding="utf-8")))


def test_a_pack_with_draws_and_a_lottery_shows_them_and_verifies(
        run_cli: RunCli, tmp_path: Path) -> None:
    html, results = packed(run_cli, tmp_path / "pack", "--robustness-draws", "25",
                           "--lottery", "all")
    chance = results["chance"]
    assert chance["robustness"]["draws"] == 25
    lottery = chance["lottery"]
    assert lottery["zone_kind"] == "all"
    assert len(lottery["drawn"]) == len(results["select"]["selected"])
    parse(html)  # well formed enough for a browser's parser
    assert 'id="chance"' in html and "funding line" in html
    ranked = [a for a in chance["robustness"]["applications"] if a["rank"] is not None]
    assert html.count("<circle") == len(ranked)  # one point per ranked candidate
    assert f"Drawn: {', '.join(lottery['drawn'])}" in html
    assert run_cli("verify", tmp_path / "pack").exit_code == 0


def test_a_pack_without_draws_has_no_chance_section(run_cli: RunCli, tmp_path: Path) -> None:
    html, results = packed(run_cli, tmp_path / "pack")
    assert 'id="chance"' not in html and "chance" not in results


def test_a_what_if_pack_says_why_it_has_no_chance_section(run_cli: RunCli,
                                                          tmp_path: Path) -> None:
    html, results = packed(run_cli, tmp_path / "pack", "--budget", "900000",
                           "--robustness-draws", "5")
    assert 'id="chance"' not in html and "run pine-select robustness" in html
    assert "chance" not in results


def test_a_member_copy_withholding_a_selectable_application_leaves_the_section_out(
        run_cli: RunCli, tmp_path: Path) -> None:
    html, results = packed(run_cli, tmp_path / "copy", "--member", "cal",
                           "--robustness-draws", "5")
    assert 'id="chance"' not in html and "the chance of selection is not shown" in html
    assert "chance" not in results


def test_an_overrides_what_if_pack_computes_neither_section_for_its_own_rules(
        run_cli: RunCli, tmp_path: Path) -> None:
    # One test of a what-if (RunOptions.is_what_if) for both sections: an --exclude pack
    # once had a weight-sensitivity section computed for its what-if overrides.
    html, results = packed(run_cli, tmp_path / "pack", "--exclude", "TINY-003",
                           "--robustness-draws", "5")
    assert results["what_if"] == {"exclude": ["TINY-003"]}
    assert "run pine-select sensitivity" in html and "run pine-select robustness" in html
    assert 'id="chance"' not in html and "chance" not in results
