"""The bootstrap of reviewers (SPEC 10): one scoring formula, exact counts, same bytes for
any number of workers, and agreement with an independent resampling."""

from __future__ import annotations

import json
import random
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import Result

from pine_select.chance.bootstrap import ReviewerTable, chunk_seed, drawn_scores
from pine_select.chance.result import band_of
from pine_select.chance.robustness import CHUNK_DRAWS, chunks, prepare, reviewer_robustness
from pine_select.loading.loader import load_call
from pine_select.lottery import lottery_number
from pine_select.model.call import Call
from pine_select.model.reviews import Review
from pine_select.report.chance_output import robustness_json
from pine_select.scoring import score_call
from pine_select.scoring.totals import IntegerWeights

ROOT = Path(__file__).resolve().parents[1]
RUBRIC, APPS = ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019"


@pytest.fixture(scope="module")
def example() -> Call:
    return load_call(RUBRIC, APPS)


def resampled_call(call: Call, table: ReviewerTable, drawn: list[tuple[int, ...]],
                   candidates: list[str]) -> Call:
    """The call with each candidate's reviews replaced by its drawn reviewers' (a reviewer
    drawn twice appears as two reviewers with the same scores), built from the rows."""
    rows: dict[tuple[str, str], list[Review]] = {}
    for review in call.reviews:
        rows.setdefault((review.application_id, review.reviewer), []).append(review)
    kept = [r for r in call.reviews if r.application_id not in candidates]
    for k, app_id in enumerate(candidates):
        seen: Counter[int] = Counter()
        for position in drawn[k]:
            seen[position] += 1
            for review in rows[(app_id, table.reviewers[k][position])]:
                kept.append(Review(application_id=app_id,
                                   reviewer=f"{review.reviewer}-copy{seen[position]}",
                                   criterion=review.criterion, score=review.score))
    return Call(rubric=call.rubric, applications=call.applications, reviews=tuple(kept),
                conflicts=call.conflicts, overrides=call.overrides)


def table_of(call: Call) -> tuple[ReviewerTable, list[str]]:
    setup = prepare(call)
    table = ReviewerTable.of(call, setup.problem, IntegerWeights.of(setup.report.weights))
    return table, [c.id for c in setup.problem.candidates]


@pytest.mark.parametrize("seed", range(4))
def test_draw_totals_equal_score_call_on_the_resampled_reviews(example: Call, seed: int) -> None:
    table, ids = table_of(example)
    rng = random.Random(seed)
    drawn = [tuple(sorted(rng.randrange(len(r)) for _ in r)) for r in table.reviewers]
    scored = score_call(resampled_call(example, table, drawn, ids)).by_id()
    assert table.cents(drawn) == [scored[app_id].total_cents for app_id in ids]


def test_draw_totals_equal_score_call_with_median_and_missing_criteria(tmp_path: Path) -> None:
    from conftest import build_call, merged, tiny_application, tiny_rubric

    # Reviewer "cat" scores only promise: some draws leave feasibility unscored.
    rows = [{"application_id": f"APP-{k}", "reviewer": reviewer, "criterion": criterion,
             "score": 1 + (3 * k + len(reviewer) + n) % 5}
            for k in range(1, 5) for n, reviewer in enumerate(("ann", "bo", "cat"))
            for criterion in ("promise", "feasibility")
            if reviewer != "cat" or criterion == "promise"]
    paths = build_call(tmp_path, applications=[tiny_application(k) for k in range(1, 5)],
                       reviews=rows, rubric=merged(tiny_rubric(), {"aggregate": "median"}))
    call = load_call(paths.rubric, paths.apps)
    table, ids = table_of(call)
    for seed in range(6):
        rng = random.Random(seed)
        drawn = [tuple(sorted(rng.randrange(len(r)) for _ in r)) for r in table.reviewers]
        scored = score_call(resampled_call(call, table, drawn, ids)).by_id()
        assert table.cents(drawn) == [scored[app_id].total_cents for app_id in ids]
    everyone_but = [(2, 2, 2)] * len(ids)  # "cat" alone: no feasibility score
    assert table.cents(everyone_but) == [None] * len(ids)
    assert all(c is not None for c in drawn_scores(random.Random(1), table))


def test_observed_reviewers_once_each_give_the_observed_totals(example: Call) -> None:
    table, _ = table_of(example)
    setup = prepare(example)
    everyone = [tuple(range(len(r))) for r in table.reviewers]
    assert table.cents(everyone) == [c.total_cents for c in setup.problem.candidates]


def test_probabilities_sum_to_the_size_and_json_follows_the_spec(example: Call) -> None:
    result = reviewer_robustness(prepare(example), draws=30, seed=3)
    data = robustness_json(result)
    assert {"draws", "seed", "method", "bands", "applications"} <= set(data)
    assert data["method"] == "bootstrap" and data["bands"] == {"always": 0.95, "never": 0.05}
    assert sum(c.count for c in result.applications) == 30 * 8
    assert len(result.applications) == len(example.applications)
    for entry in data["applications"]:  # type: ignore[attr-defined]
        assert entry["band"] == band_of(entry["times_selected"], 30)
        assert entry["p_selected"] == entry["times_selected"] / 30
    assert sum(1 for c in result.applications if c.selected) == 8


def test_same_seed_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    setup = prepare(disagreeing_call(tmp_path))
    draws = 2 * CHUNK_DRAWS + 3
    one = json.dumps(robustness_json(reviewer_robustness(setup, draws=draws, seed=11)))
    two = json.dumps(robustness_json(reviewer_robustness(setup, draws=draws, seed=11,
                                                         workers=2)))
    assert one == two
    other = json.dumps(robustness_json(reviewer_robustness(setup, draws=draws, seed=12)))
    assert other != one


def test_chunks_depend_on_the_draws_alone() -> None:
    assert chunks(0) == []
    assert chunks(CHUNK_DRAWS + 1) == [(0, CHUNK_DRAWS), (1, 1)]
    assert chunk_seed(1, 0) != chunk_seed(1, 1) != chunk_seed(2, 1)


def test_bands_are_exact_at_their_edges() -> None:
    assert band_of(95, 100) == "always" and band_of(94, 100) == "contested"
    assert band_of(5, 100) == "never" and band_of(6, 100) == "contested"
    assert band_of(0, 0) == "never"


def seed_of(call: Call) -> int:
    return call.rubric.selection.tie_break_seed


def independent_probabilities(call: Call, draws: int, seed: int) -> dict[str, float]:
    """A second bootstrap: its own resampling (numbers from another generator), its own
    mean of the tiny rubric's criteria, and the best portfolio by enumeration."""
    rubric = call.rubric
    weights = {c.id: c.weight for c in rubric.criteria}
    by_app: dict[str, dict[str, dict[str, int]]] = {}
    for r in call.reviews:
        by_app.setdefault(r.application_id, {}).setdefault(r.reviewer, {})[r.criterion] = r.score
    rng = random.Random(f"independent {seed}")
    size = rubric.selection.size_range[0]
    counts: Counter[str] = Counter()
    for _ in range(draws):
        totals = {}
        for app_id, reviewers in by_app.items():
            names = sorted(reviewers)
            picked = [names[rng.randrange(len(names))] for _ in names]
            totals[app_id] = sum(w * (Fraction(sum(reviewers[p][c] for p in picked),
                                               len(picked)) - 1) for c, w in weights.items())
        # No rules: the best portfolio is the top of the ranking, ties by the lottery order.
        ranked = sorted(totals, key=lambda i: (-totals[i], lottery_number(seed_of(call), i), i))
        counts.update(ranked[:size])
    return {app_id: counts[app_id] / draws for app_id in by_app}


def disagreeing_call(folder: Path) -> Call:
    """Six applications, three reviewers each who disagree; size 2, no rule; weights 61 and
    37, so that two totals tie only when both criterion means do."""
    from conftest import build_call, merged, tiny_application, tiny_rubric

    apps = [tiny_application(k) for k in range(1, 7)]
    rows = []
    for k in range(1, 7):
        for n, reviewer in enumerate(("ann", "bea", "cat")):
            for criterion in ("promise", "feasibility"):
                rows.append({"application_id": f"APP-{k}", "reviewer": reviewer,
                             "criterion": criterion, "score": 1 + (k * (n + 2) + n) % 5})
    rubric = merged(tiny_rubric(), {"criteria": [
        {"id": "promise", "name": "Promise", "weight": 61},
        {"id": "feasibility", "name": "Feasibility", "weight": 37}]})
    rubric["selection"] = {"size": 2, "tie_break_seed": 4}
    paths = build_call(folder, applications=apps, reviews=rows, rubric=rubric)
    return load_call(paths.rubric, paths.apps)


def test_bootstrap_agrees_with_an_independent_implementation(tmp_path: Path) -> None:
    call = disagreeing_call(tmp_path)
    draws = 400
    ours = reviewer_robustness(prepare(call), draws=draws, seed=5)
    theirs = independent_probabilities(call, draws, 5)
    for chance in ours.applications:
        # Two independent estimates of one probability: 4.5 standard errors of their gap.
        p = (float(chance.p_selected) + theirs[chance.id]) / 2
        tolerance = 4.5 * (2 * p * (1 - p) / draws) ** 0.5 + 1e-9
        assert abs(float(chance.p_selected) - theirs[chance.id]) <= tolerance, chance.id


def run(run_cli: object, *args: str) -> Result:
    return run_cli(*args)  # type: ignore[operator,no-any-return]


def test_robustness_command_json_and_text(run_cli: object) -> None:
    result = run(run_cli, "robustness", str(RUBRIC), str(APPS), "--draws", "25", "--format",
                 "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["draws"] == 25 and data["seed"] == 2019
    text = run(run_cli, "robustness", str(RUBRIC), str(APPS), "--draws", "25")
    assert "of the 8 recommended are always selected" in text.stdout
    assert "robustness: 25/25 draws" in text.stderr


@pytest.mark.parametrize("args", [["--draws", "100001"], ["--workers", "0"],
                                  ["--workers", "65"]])
def test_robustness_refuses_counts_out_of_range(run_cli: object, args: list[str]) -> None:
    result = run(run_cli, "robustness", str(RUBRIC), str(APPS), *args)
    assert result.exit_code == 2


@pytest.mark.slow
def test_a_thousand_draws_on_the_example_all_solve() -> None:
    """The benchmark's run (issue 15): every one of the 1,000 re-selections solves. With two
    HiGHS speed-ups (a second, continuous model for relaxations; reduced models for narrow
    integer solves) one draw's tie-break solve met HiGHS presolve's "solve error"
    (tests/data/highs-presolve-solve-error.mps); run_highs now solves such a model again
    without presolve."""
    from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC

    found = reviewer_robustness(prepare(load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS)), draws=1000,
                                seed=2019)
    assert sum(a.p_selected for a in found.applications) == 8
