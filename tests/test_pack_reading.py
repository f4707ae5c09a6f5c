"""The example briefing reads as a panel reads it (issue 12): words, structure, what-ifs.

Counted on the example call's briefing.html, made exactly as ``pack`` makes it. "Visible
text" is what a reader sees (tests/helpers_pack.py ``visible_text``): every text node of
the body, leaving out <head>, <style>, <script> and SVG <title> tooltips; attributes are
not text. A snake_case identifier is a word like ``region_cap`` (letters or digits joined by
underscores); "pre-birth" and "PINE-2019-002" are not.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections import Counter
from fractions import Fraction
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC, snake_case_words, visible_text

from pine_select import __version__
from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pack import render_outputs
from pine_select.pack.view import fingerprint
from pine_select.pipeline import decide

MAX_IDENTIFIERS = 25  # issue 12's target for the whole visible text
WHAT_IF = RunOptions(weights={"promise": 40}, budget=400_000)


def _hashes() -> dict[str, str]:
    files = {"inputs/rubric.yaml": EXAMPLE_RUBRIC,
             **{f"inputs/applications/{p.name}": p for p in sorted(EXAMPLE_APPS.iterdir())}}
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()}


def _pack(options: RunOptions) -> tuple[str, dict[str, Any]]:
    decision = decide(load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS), options)
    outputs = render_outputs(decision, options, _hashes())
    return outputs["briefing.html"].decode(), json.loads(outputs["results.json"])


@pytest.fixture(scope="module")
def example() -> tuple[str, dict[str, Any]]:
    return _pack(RunOptions(alternatives=3))


@pytest.fixture(scope="module")
def what_if() -> tuple[str, dict[str, Any]]:
    return _pack(WHAT_IF)


def _part(html: str, start: str, end: str) -> str:
    return html[html.index(f'id="{start}"'):html.index(f'id="{end}"')]


# -- words for people --------------------------------------------------------------------

def test_the_visible_text_has_at_most_25_identifiers_and_none_before_the_appendix(
        example: tuple[str, dict[str, Any]]) -> None:
    html = example[0]
    everything = snake_case_words(visible_text(html))
    outside_appendix = snake_case_words(visible_text(html, skip_ids=("appendix",)))
    assert len(everything) <= MAX_IDENTIFIERS, Counter(everything).most_common(10)
    assert outside_appendix == []


def test_the_identifier_count_would_catch_identifiers() -> None:
    html = ('<html><head><title>x_y</title><style>a_b {}</style></head><body><p>region_cap and '
            'pre-birth, PINE-2019-002</p><svg><title>tool_tip</title><text>in_svg</text></svg>'
            '<section id="appendix"><p>age_coverage</p></section></body></html>')
    assert snake_case_words(visible_text(html)) == ["region_cap", "in_svg", "age_coverage"]
    assert snake_case_words(visible_text(html, skip_ids=("appendix",))) == [
        "region_cap", "in_svg"]


def test_a_recommended_application_says_what_it_brings(
        example: tuple[str, dict[str, Any]]) -> None:
    portfolio = unescape(_part(example[0], "portfolio", "balance"))
    # Parents and Children Together (PINE-2019-030): the one voluntary-sector partner.
    assert ("Recommended: the only voluntary sector partner; needed for 'At least one partner "
            "from the voluntary sector'.") in portfolio
    assert portfolio.count("Recommended:") == 8


def test_the_balance_section_sets_the_unbalanced_portfolio_beside_the_recommended(
        example: tuple[str, dict[str, Any]]) -> None:
    html, results = example
    balance = unescape(_part(html, "balance", "close-calls"))
    price = results["select"]["price_of_balance"]
    said = visible_text(balance)
    assert f"would score {price['unconstrained_total']:.2f}" in said
    assert f"balance costs {price['price']:.2f} points" in said
    unbalanced = balance[balance.index("Best without balance rules"):]
    names = re.findall(r'<span class="muted id ref"> (PINE-2019-\d+)</span>', unbalanced)
    assert len(names) == len(results["select"]["selected"])
    londoners = [i for i in names if _region(i) == "London"]
    assert len(londoners) == 4  # the README's "four London councils", made visible
    for rule in ("No more than two partners from any one region.",
                 "At least one partner from the voluntary sector."):
        assert rule in balance


def _region(app_id: str) -> str:
    return load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS).by_id[app_id].organisation.region


# -- structure ---------------------------------------------------------------------------

def test_the_pages_per_application_come_in_rank_order(
        example: tuple[str, dict[str, Any]]) -> None:
    html, results = example
    pages = re.findall(r'<article class="app" id="app-([^"]+)">', html)
    ranked = sorted((a for a in results["score"]["applications"] if a["rank"] is not None),
                    key=lambda a: a["rank"])
    unranked = sorted(a["id"] for a in results["score"]["applications"] if a["rank"] is None)
    assert pages == [a["id"] for a in ranked] + unranked
    assert "in rank order" in visible_text(html)


def test_lottery_ties_are_marked_with_the_seed(example: tuple[str, dict[str, Any]]) -> None:
    html = unescape(example[0])
    groups = example[1]["score"]["tie_groups"]
    assert ["PINE-2019-010", "PINE-2019-005", "PINE-2019-020"] in groups
    page = html[html.index('id="app-PINE-2019-005"'):html.index('id="app-PINE-2019-020"')]
    assert ("Tied at 69.58 with PINE-2019-010, PINE-2019-020: the tie-break lottery "
            "(seed 2019) puts it 2 of 3.") in page


def test_close_calls_follow_the_stated_rule_worked_out_from_the_reviews(
        example: tuple[str, dict[str, Any]]) -> None:
    """Recomputed here from reviews.csv: each reviewer's own total, then its standard error."""
    html, results = example
    rubric = load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS).rubric
    weights = {c.id: Fraction(c.weight) for c in rubric.criteria}
    scores: dict[str, dict[str, dict[str, int]]] = {}
    with (EXAMPLE_APPS / "reviews.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            scores.setdefault(row["application_id"], {}).setdefault(
                row["reviewer"], {})[row["criterion"]] = int(row["score"])
    apps = {a["id"]: a for a in results["score"]["applications"]}
    line = min(apps[i]["total"] for i in results["select"]["selected"])
    expected = []
    for app_id, app in apps.items():
        if not app["selectable"]:
            continue
        totals = [100 * sum(weights[c] * (s - 1) for c, s in mine.items())
                  / (4 * sum(weights[c] for c in mine)) for mine in scores[app_id].values()]
        mean = sum(totals) / len(totals)
        error = math.sqrt(sum((t - mean) ** 2 for t in totals) / (len(totals) - 1)
                          / len(totals))
        if abs(app["total"] - line) <= round(error, 2) + 1e-9:
            expected.append(app_id)
    section = _part(html, "close-calls", "reserves")
    shown = re.findall(r'<span class="muted id ref"> (PINE-2019-\d+)</span>', section)
    assert sorted(shown) == sorted(expected) and len(shown) >= 3
    assert f"The funding line is <b>{line:.2f}</b>" in section
    assert "within its standard error of the funding line" in section


def test_scores_without_a_comment_are_counted_per_reviewer(
        example: tuple[str, dict[str, Any]]) -> None:
    with (EXAMPLE_APPS / "reviews.csv").open(encoding="utf-8") as rows:
        reviews = list(csv.DictReader(rows))
    given = Counter(r["reviewer"] for r in reviews)
    blank = Counter(r["reviewer"] for r in reviews if not r["comment"].strip())
    discuss = _part(example[0], "discuss", "applications")
    for reviewer, count in blank.items():
        assert f"{reviewer} {count} of {given[reviewer]}" in discuss
    assert example[0].count(">no comment</span>") == sum(blank.values())


def test_descriptors_stand_beside_the_scores(example: tuple[str, dict[str, Any]]) -> None:
    page = unescape(example[0][example[0].index('id="app-PINE-2019-002"'):])
    page = page[:page.index("</article>")]
    # Promising practice 4.25 lies between the described 3 and 5.
    assert "3 means: A plausible theory of change" in page
    assert "5 means: A specific, well-argued" in page


# -- what-if and provenance --------------------------------------------------------------

def test_page_one_says_when_the_rubric_was_published_its_hash_and_the_tool(
        example: tuple[str, dict[str, Any]]) -> None:
    cover = unescape(_part(example[0], "cover", "contents"))
    assert "published to applicants on <b>2019-03-01</b>" in cover
    assert hashlib.sha256(EXAMPLE_RUBRIC.read_bytes()).hexdigest() in cover
    assert f"pine-select {__version__}" in cover
    provenance = unescape(example[0][example[0].index('id="provenance"'):])
    assert f'pip install "pine-select=={__version__}"' in provenance


def test_a_what_if_pack_is_marked_on_page_one_on_every_printed_page_and_in_results(
        what_if: tuple[str, dict[str, Any]], example: tuple[str, dict[str, Any]]) -> None:
    html, results = what_if
    assert results["what_if"] == WHAT_IF.what_ifs()
    assert results["what_if"]["budget"] == 400_000
    assert example[1]["what_if"] == {}
    body = html[html.index("<body>"):]
    assert body.index('class="whatif-banner"') < body.index('id="cover"')  # screen: sticky
    cover = unescape(_part(html, "cover", "contents"))
    assert "WHAT-IF PACK: this is not the recommendation under the published rules" in cover
    assert "Promising practice 40 (published 30); budget £400,000" in cover
    assert re.search(r'@top-center \{ content: "WHAT-IF PACK', html)  # every printed page
    assert "WHAT-IF" not in example[0]


def test_a_what_if_packs_fingerprint_differs_from_the_published_rules(
        what_if: tuple[str, dict[str, Any]], example: tuple[str, dict[str, Any]]) -> None:
    hashes = _hashes()
    assert fingerprint(hashes) in example[0]
    assert fingerprint(hashes) not in what_if[0]
    assert fingerprint(hashes, WHAT_IF.what_ifs()) in what_if[0]


def test_what_ifs_equal_to_the_published_weights_still_mark_the_pack(tmp_path: Path) -> None:
    html, results = _pack(RunOptions(weights={"promise": 30}))
    assert results["what_if"] == {"weights": {"promise": "30"}}
    assert "WHAT-IF PACK" in html and "equal to the published ones" in html


def test_only_words_longer_than_a_hash_get_break_opportunities() -> None:
    from pine_select.pack.render import ZERO_WIDTH_SPACE, wrappable

    digest = hashlib.sha256(b"x").hexdigest()
    assert wrappable(f"file {digest} ok") == f"file {digest} ok"  # copies whole
    long = "a" * 100
    assert wrappable(long).split(ZERO_WIDTH_SPACE) == ["a" * 32] * 3 + ["a" * 4]


def test_a_pack_with_a_dropped_rule_is_a_what_if_pack() -> None:
    html, results = _pack(RunOptions(drop_rules=("region_cap",)))
    assert results["what_if"] == {"drop_rules": ["region_cap"]}
    assert results["made_with"]["parameters"]["drop_rules"] == ["region_cap"]
    cover = unescape(_part(html, "cover", "contents"))
    assert "WHAT-IF PACK" in cover and "rules set aside: " in cover


def test_pack_takes_drop_rule_and_names_an_unknown_one(run_cli: Any, tmp_path: Path) -> None:
    found = run_cli("pack", EXAMPLE_RUBRIC, EXAMPLE_APPS, "--drop-rule", "nonesuch",
                    "--out", tmp_path / "pack")
    assert found.exit_code == 2
    assert "--drop-rule: 'nonesuch' is not a rule of the rubric" in found.output
    assert not (tmp_path / "pack").exists()
