"""A decision drawn by lot (SPEC 11 with SPEC 10): the draw re-run, checked, shown, verified.

On the tiny call the contested lottery (seed 1, 50 draws) holds TINY-002 in and draws
between TINY-003 (recommended) and TINY-001, 50% each: it draws TINY-001, so the drawn
portfolio (TINY-001, TINY-002) differs from the recommendation (TINY-003, TINY-002).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from helpers_after import decision, tiny_call_with
from test_letters import text_of
from test_pack_decision import packed

from pine_select.decision import decided
from pine_select.errors import InputError
from pine_select.loading.loader import load_call
from pine_select.options import RunOptions

LOTTERY = {"zone": "contested", "seed": 1, "draws": 50}
DRAWN = ("TINY-001", "TINY-002")


def drawn_decision(funded: list[str], changes: list[Any] | None = None,
                   lottery: Any = None) -> dict[str, Any]:
    panel = decision([{"id": i} for i in funded], changes)
    return {**panel, "source": {"lottery": LOTTERY if lottery is None else lottery}}


DRAW_FUNDED = drawn_decision(list(DRAWN))


def outcome_of(tmp_path: Path, panel: Any) -> Any:
    rubric, apps = tiny_call_with(tmp_path, panel)
    call = load_call(rubric, apps)
    return decided(call, RunOptions(), apps / "decision.yaml")


def problems_of(tmp_path: Path, panel: Any) -> list[str]:
    try:
        outcome_of(tmp_path, panel)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    raise AssertionError("the decision was accepted")


def test_a_panel_that_funds_exactly_the_draw_needs_no_changes(tmp_path: Path) -> None:
    outcome = outcome_of(tmp_path, DRAW_FUNDED)
    comparison = outcome.comparison
    assert comparison.agrees and comparison.draw is not None
    assert comparison.draw.drawn == DRAWN
    assert comparison.drawn.ids == ("TINY-001", "TINY-002")  # rank order
    assert comparison.recommended.ids == ("TINY-003", "TINY-002")
    assert outcome.funded == {"TINY-001": 40000, "TINY-002": 35000}


def test_the_draw_is_the_one_the_lottery_command_makes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, None)
    for zone, seed in (("contested", 1), ("all", 1), ("all", 8)):
        result = run_cli("lottery", rubric, apps, "--zone", zone, "--seed", seed,
                         "--draws", 50, "--format", "json")
        expected = json.loads(result.stdout)["drawn"]
        lottery = {"zone": zone, "seed": seed, "draws": 50}
        (apps / "decision.yaml").write_text(json.dumps(drawn_decision(expected, None, lottery)),
                                            "utf-8")
        outcome = decided(load_call(rubric, apps), RunOptions(), apps / "decision.yaml")
        assert outcome.comparison.agrees and list(outcome.draw.drawn) == expected


def test_changes_are_differences_from_the_draw_not_the_recommendation(tmp_path: Path) -> None:
    # Funding the recommendation without a reason is now a departure from the draw.
    found = problems_of(tmp_path, drawn_decision(["TINY-003", "TINY-002"]))
    assert any("TINY-003 is funded but was not drawn, and no change gives the reason" in p
               and "every difference from the lottery's draw" in p for p in found), found
    assert any("TINY-001 was drawn but is not funded" in p for p in found), found
    changes = [{"id": "TINY-003", "action": "added", "reason": "Ranked first."},
               {"id": "TINY-001", "action": "removed", "reason": "Withdrew after the draw."}]
    outcome = outcome_of(tmp_path / "b", drawn_decision(["TINY-003", "TINY-002"], changes))
    assert not outcome.comparison.agrees
    assert [c.id for c in outcome.comparison.changes] == ["TINY-003", "TINY-001"]


def test_a_source_that_gives_no_draw_is_an_input_error_naming_file_and_field(
        tmp_path: Path) -> None:
    cases = {
        "zone": ({"zone": "nearby", "seed": 1}, "source.lottery.zone: 'nearby' is not one of"),
        "seed": ({"seed": 2**63}, "source.lottery.seed:"),
        "missing": ({"zone": "all"}, "source.lottery.seed: missing"),
        "typo": ({"seed": 1, "drows": 5}, "source.lottery.drows: unknown key"),
        "draws": ({"seed": 1, "draws": 0}, "source.lottery.draws: 0, but the contested zone"),
    }
    for name, (lottery, words) in cases.items():
        found = problems_of(tmp_path / name, drawn_decision(list(DRAWN), None, lottery))
        assert any(re.search(r"decision\.yaml:\d+: ", p) and words in p for p in found), (
            name, found)


def test_a_lottery_no_portfolio_satisfies_is_an_input_error(tmp_path: Path) -> None:
    rubric, apps = tiny_call_with(tmp_path, drawn_decision(list(DRAWN)))
    rubric.write_text(rubric.read_text("utf-8").replace("budget: 90000", "budget: 9000"),
                      "utf-8")
    try:
        decided(load_call(rubric, apps), RunOptions(), apps / "decision.yaml")
    except InputError as exc:
        found = [str(p) for p in exc.problems]
    else:
        raise AssertionError("an infeasible lottery was accepted")
    assert any("decision.yaml:" in p and "source.lottery (zone contested, seed 1" in p
               and "draws nothing" in p for p in found), found


def test_the_pack_shows_and_records_the_draw_and_verify_re_does_it(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = packed(tmp_path, run_cli, DRAW_FUNDED)
    source = json.loads((out / "results.json").read_text("utf-8"))["decision"]["source"]
    assert source["method"] == "lottery" and source["drawn"] == list(DRAWN)
    assert (source["zone"], source["seed"], source["draws"]) == ("contested", 1, 50)
    assert source["probabilities"] == {"TINY-001": 0.499999999, "TINY-002": 1.0}
    page = (out / "briefing.html").read_text("utf-8")
    section = text_of(page[page.index('<section id="decision">'):
                           page.index('<section id="provenance">')])
    assert "The panel funded the portfolio drawn by lot." in section
    assert "The decision came from a lottery." in section and "zone: contested" in section
    assert "seed 1" in section and "TINY-001 : 49.9999999%" in section
    assert "TINY-002 : 100.0000000% (held in: not in the zone)" in section
    assert ("pine-select lottery inputs/rubric.yaml inputs/applications --zone contested "
            "--seed 1 --draws 50") in section
    assert run_cli("verify", out).exit_code == 0
    # The seed edited in inputs/: the file is named; with its hash forged too, the re-run
    # draws otherwise.
    copied = out / "inputs" / "applications" / "decision.yaml"
    copied.write_text(copied.read_text("utf-8").replace("seed: 1", "seed: 8"), "utf-8")
    result = run_cli("verify", out)
    assert result.exit_code == 1 and "inputs/applications/decision.yaml" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    manifest["inputs"]["inputs/applications/decision.yaml"] = hashlib.sha256(
        copied.read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    result = run_cli("verify", out)  # seed 8 draws the recommendation: the record is wrong
    assert result.exit_code == 1 and "could not re-run" in result.stdout
    assert "decision.yaml" in result.stdout and "was drawn but is not funded" in result.stdout


def test_a_decision_on_the_recommendation_records_no_source_and_a_member_copy_no_decision(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from helpers_after import AGREEING

    results = json.loads((packed(tmp_path / "a", run_cli, AGREEING) / "results.json"
                          ).read_text("utf-8"))
    assert "source" not in results["decision"]
    member = packed(tmp_path / "b", run_cli, DRAW_FUNDED, "--member", "ana")
    assert "decision" not in json.loads((member / "results.json").read_text("utf-8"))
    assert 'id="decision"' not in (member / "briefing.html").read_text("utf-8")


def test_letters_say_who_was_drawn_and_who_was_not_naming_nobody_else(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DRAW_FUNDED)
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out).exit_code == 0

    def letter(app_id: str) -> str:
        return text_of((out / f"{app_id}.html").read_text("utf-8"))

    not_drawn = letter("TINY-003")
    assert "Your application has not been funded" in not_drawn
    assert ("It was among the close applications, between which the panel drew lots with the "
            "call's rules kept. Its chance of being drawn was 50.0%, and it was not drawn."
            ) in not_drawn
    drawn = letter("TINY-001")
    assert "Your application has been funded" in drawn
    assert "Its chance of being drawn was 50.0%, and it was drawn. It is funded by the draw." \
        in drawn
    assert "drew lots" not in letter("TINY-002")  # held in: funded without the draw
    for app_id in ("TINY-001", "TINY-003"):
        other = {"TINY-001": "TINY-003", "TINY-003": "TINY-001"}[app_id]
        assert other not in letter(app_id)


def test_the_export_takes_the_drawn_decisions_amounts(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DRAW_FUNDED)
    rubric.write_text(rubric.read_text("utf-8") + "funder: {id: GB-CHC-1234567, name: Tiny "
                      "Trust, grant_id_prefix: 360G-TINY}\n", "utf-8")
    result = run_cli("export", rubric, apps, "--format", "360giving")
    assert result.exit_code == 0, result.stderr
    grants = json.loads(result.stdout)["grants"]
    assert [(g["id"], g["amountAwarded"]) for g in grants] == [
        ("360G-TINY-TINY-001", 40000), ("360G-TINY-TINY-002", 35000)]
