"""Facts about a left-out application that a re-run confirms (issues 11 and 12).

Forcing a strong left-out application in is not a one-for-one swap: the pack and
``select --format json`` give the re-optimised portfolio under ``if_forced_in``
(``enters``, ``leaves``, ``loss``), which must be exactly what ``select --include ID``
chooses, and keep the swap fact (``kept_out_by``, ``swap_with``) in words of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC, briefing

from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pipeline import decide


@pytest.fixture(scope="module")
def example_select() -> dict[str, Any]:
    from click.testing import CliRunner

    from pine_select.cli import main

    result = CliRunner().invoke(main, ["select", str(EXAMPLE_RUBRIC), str(EXAMPLE_APPS),
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_every_forced_in_fact_is_what_select_include_gives(example_select: dict[str, Any]
                                                          ) -> None:
    call = load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS)
    chosen = example_select["selected"]
    assert len(example_select["left_out"]) >= 10
    for item in example_select["left_out"]:
        forced = item["if_forced_in"]
        rerun = decide(call, RunOptions(include=(item["id"],), explain_limit=0)).selection
        assert forced["enters"] == [i for i in rerun.selected if i not in chosen], item["id"]
        assert forced["leaves"] == [i for i in chosen if i not in rerun.selected], item["id"]
        assert forced["loss"] == pytest.approx(
            example_select["total_score"] - rerun.total_cents / 100, abs=1e-9)
        assert forced["loss"] == item["loss_if_forced_in"]  # the key kept for scripts


def test_select_include_on_the_command_line_agrees(example_select: dict[str, Any],
                                                   run_cli: Callable[..., Result]) -> None:
    item = example_select["left_out"][0]  # PINE-2019-002: three in, three out
    result = run_cli("select", EXAMPLE_RUBRIC, EXAMPLE_APPS, "--include", item["id"],
                     "--format", "json", "--explain-limit", "0")
    rerun = json.loads(result.stdout)
    assert sorted(set(rerun["selected"]) - set(example_select["selected"])) == sorted(
        item["if_forced_in"]["enters"])
    assert round(example_select["total_score"] - rerun["total_score"], 2) == \
        item["if_forced_in"]["loss"]
    assert len(item["if_forced_in"]["leaves"]) > 1  # not the one-for-one swap


def test_the_pack_keeps_the_swap_and_the_forced_in_facts_apart(
        example_select: dict[str, Any], run_cli: Callable[..., Result], tmp_path: Path) -> None:
    assert run_cli("pack", EXAMPLE_RUBRIC, EXAMPLE_APPS, "--out", tmp_path / "p").exit_code == 0
    html = unescape(briefing(tmp_path / "p"))
    assert "in place of" not in html  # the old sentence ran the two facts together
    table = html[html.index('<section id="left-out-facts">'):html.index(
        "</section>", html.index('id="left-out-facts"'))]
    rows = {m.group(1): m.group(0) for m in re.finditer(
        r'<tr><td class="num">\d+</td><td><a class="id" href="#app-([^"]+)">.*?</tr>', table,
        re.S)}
    assert sorted(rows) == sorted(item["id"] for item in example_select["left_out"])
    for item in example_select["left_out"]:
        forced, row = item["if_forced_in"], rows[item["id"]]
        assert f"Swapping it one-for-one for {item['swap_with']} would break" in row
        said = row.split("Forced in,", 1)[1].split("points less")[0]
        assert f"{forced['loss']:.2f}" in said
        assert re.findall(r"PINE-2019-\d+", said.split("leaves out", 1)[1]) == forced["leaves"]


def test_a_criterion_mean_ending_in_an_eighth_rounds_as_score_rounds_it() -> None:
    """4.125 is 4.13 in the pack as in `score` (one half-up rounding, not float formatting)."""
    from fractions import Fraction

    from pine_select.pack.formatting import score_text
    from pine_select.report.cells import fixed

    for eighth in (Fraction(33, 8), Fraction(19, 8), Fraction(3, 8)):
        assert score_text(eighth) == fixed(eighth, 2)
    assert score_text(Fraction(33, 8)) == "4.13"


def test_the_summary_says_why_each_strong_application_is_left_out_in_words(
        example_select: dict[str, Any], run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """One plain sentence each: the rule a swap would break, by its description, and the loss."""
    assert run_cli("pack", EXAMPLE_RUBRIC, EXAMPLE_APPS, "--out", tmp_path / "p").exit_code == 0
    html = unescape(briefing(tmp_path / "p"))
    summary = html[html.index('<section id="left-out">'):html.index('<section id="discuss">')]
    rows = dict(re.findall(r'<span class="muted id ref"> (PINE-2019-\d+)</span></td>.*?'
                           r'<td class="why">(.*?)</td>', summary, re.S))
    assert sorted(rows) == sorted(item["id"] for item in example_select["left_out"])
    kenbury = rows["PINE-2019-002"]  # rank 1, kept out by the regional cap
    assert ("Left out: a third London partner would break 'No more than two partners from "
            "any one region'; the best portfolio with it scores 2.92 points less.") in kenbury
    for item in example_select["left_out"]:
        assert f"scores {item['if_forced_in']['loss']:.2f} points less" in rows[item["id"]]
        assert "_" not in rows[item["id"]]  # no identifier: the rules' own words
