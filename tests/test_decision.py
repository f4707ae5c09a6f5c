"""The panel's decision (SPEC 11): checked against the recommendation, then compared with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_after import AGREEING, DIFFERING, RECOMMENDED, decision, tiny_call_with

from pine_select.decision import decided
from pine_select.errors import InputError
from pine_select.loading.loader import load_call
from pine_select.options import RunOptions

HEAD = "decided_on: 2019-06-20\ndecided_by: Tiny panel\n"


def outcome(tmp_path: Path, panel: object):  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, panel)
    return decided(load_call(rubric, apps), RunOptions(), apps / "decision.yaml")


def problems(tmp_path: Path, panel: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        outcome(tmp_path, panel)
    return [str(p) for p in caught.value.problems]


def test_the_decision_file_is_not_an_application(tmp_path: Path) -> None:
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    call = load_call(rubric, apps)
    assert [a.id for a in call.applications] == [f"TINY-00{n}" for n in range(1, 6)]
    assert call.warnings == ()


def test_an_agreeing_decision_changes_nothing_and_breaks_nothing(tmp_path: Path) -> None:
    comparison = outcome(tmp_path, AGREEING).comparison
    assert comparison is not None and comparison.agrees
    assert comparison.recommended.ids == comparison.decided.ids == RECOMMENDED
    assert comparison.breaks == ()
    # TINY-002 is funded at 30,000 rather than the 35,000 it requested (TINY-003: 45,000).
    assert comparison.amounts == {"TINY-003": 45000, "TINY-002": 30000}
    assert (comparison.recommended.cost, comparison.decided.cost) == (80000, 75000)
    assert comparison.recommended.total_cents == comparison.decided.total_cents == 8000 + 7500


def test_a_reasoned_departure_is_compared_and_its_broken_rule_described(tmp_path: Path) -> None:
    comparison = outcome(tmp_path, DIFFERING).comparison
    assert comparison is not None and not comparison.agrees
    assert comparison.decided.ids == ("TINY-003", "TINY-001")
    assert [(c.id, c.action) for c in comparison.changes] == [("TINY-001", "added"),
                                                              ("TINY-002", "removed")]
    assert comparison.decided.total_cents == 8000 + 7667
    assert comparison.decided.cost == 45000 + 40000
    # Two local authorities: no voluntary-sector partner.
    assert [b.name for b in comparison.breaks] == ["voluntary_sector_included"]
    # The tiny rubric gives the rule no description: its name stands in.
    assert comparison.breaks[0].description == "voluntary_sector_included"


def test_size_and_budget_breaks_are_judged_on_the_decided_amounts(tmp_path: Path) -> None:
    panel = decision([{"id": i} for i in ("TINY-003", "TINY-002", "TINY-001")],
                     [{"id": "TINY-001", "action": "added", "reason": "A third partner."}])
    breaks = outcome(tmp_path / "a", panel).comparison.breaks  # type: ignore[union-attr]
    assert [b.name for b in breaks] == ["size", "budget"]  # 120,000 > 90,000
    assert breaks[0].description == "Choose exactly 2."
    assert breaks[1].description == "Cost no more than £90,000."
    cheaper = decision([{"id": "TINY-003", "amount": 30000}, {"id": "TINY-002", "amount": 30000},
                        {"id": "TINY-001", "amount": 30000}], panel["changes"])
    breaks = outcome(tmp_path / "b", cheaper).comparison.breaks  # type: ignore[union-attr]
    assert [b.name for b in breaks] == ["size"]


def test_a_difference_without_a_reason_is_an_error_at_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, HEAD + "funded:\n  - id: TINY-003\n  - id: TINY-001\n")
    assert found == [
        f"{_label(tmp_path)}:3: TINY-002 was recommended but is not funded, and no change gives "
        "the reason; expected one change for every difference from the recommendation: "
        "{id: ID, action: added|removed, reason: ...}",
        f"{_label(tmp_path)}:5: TINY-001 is funded but was not recommended, and no change "
        "gives the reason; expected one change for every difference from the "
        "recommendation: {id: ID, action: added|removed, reason: ...}",
    ]


def test_a_reason_without_a_difference_and_a_wrong_action_are_errors(tmp_path: Path) -> None:
    panel = decision([{"id": "TINY-003"}, {"id": "TINY-002"}],
                     [{"id": "TINY-002", "action": "added", "reason": "It was always in."},
                      {"id": "TINY-001", "action": "removed", "reason": "Never was."}])
    found = problems(tmp_path, panel)
    assert len(found) == 2
    assert "change added TINY-002: no such difference (TINY-002 is recommended and funded)" \
        in found[0]
    assert "change removed TINY-001: no such difference (TINY-001 is neither recommended " \
        "nor funded)" in found[1]


def test_every_bad_entry_is_listed_at_once_with_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, HEAD + """funded:
  - {id: TINY-003, amount: 45001}
  - id: NOPE-1
  - id: TINY-005
  - id: TINY-004
  - id: TINY-003
changes:
  - {id: GHOST, action: added, reason: "?"}
""")
    label = _label(tmp_path)
    assert any(p.startswith(f"{label}:4: TINY-003: £45,001 is more than it requested (£45,000)")
               for p in found)
    assert any(p.startswith(f"{label}:5: NOPE-1: no application has this id") for p in found)
    assert any(p.startswith(f"{label}:6: TINY-005 cannot be funded (ineligible: gate in_england")
               for p in found)
    assert any(p.startswith(f"{label}:7: TINY-004 cannot be funded (excluded by the panel")
               for p in found)
    assert any(p.startswith(f"{label}:8: TINY-003 is listed again under funded") for p in found)
    assert any(p.startswith(f"{label}:10: GHOST: no application has this id") for p in found)
    assert len(found) == 6


def test_a_malformed_decision_is_refused_by_the_strict_reader(tmp_path: Path) -> None:
    found = problems(tmp_path, "decided_on: 2019-13-01\ndecided_by: x\nfunded:\n"
                               "  - {id: TINY-003, amont: 5}\n")
    assert any(":1: decided_on:" in p for p in found)
    assert any(":4: funded[0].amont: unknown key" in p or "amont" in p for p in found)


def test_a_missing_decision_file_is_named(tmp_path: Path) -> None:
    rubric, apps = tiny_call_with(tmp_path, None)
    with pytest.raises(InputError, match=r"decision\.yaml: no such file"):
        decided(load_call(rubric, apps), RunOptions(), apps / "decision.yaml")


def _label(tmp_path: Path) -> str:
    from pine_select.errors import display_path

    return display_path(tmp_path / "call" / "applications" / "decision.yaml")


@pytest.mark.parametrize("identifier, ok", [
    ("GB-CHC-1234567", True), ("GB-LAE-WAR", True), ("GB-COH-01234567", True),
    ("XI-PB-1234", True), ("gb-chc-1234567", False), ("GB-CHC-", False), ("1234567", False),
    ("GB-CHC-12 34", False), ("GB-CHC-123\n", False)])
def test_an_organisation_identifier_has_the_org_id_shape(identifier: str, ok: bool) -> None:
    from pydantic import ValidationError

    from pine_select.model.application import Organisation

    values = {"name": "N", "type": "t", "region": "r", "identifier": identifier}
    if ok:
        assert Organisation.model_validate(values).identifier == identifier
    else:
        with pytest.raises(ValidationError):
            Organisation.model_validate(values)


def test_a_bad_funder_block_is_an_error_at_its_line(tmp_path: Path, make_call, run_cli) -> None:  # type: ignore[no-untyped-def]
    from conftest import tiny_rubric

    call = make_call(rubric=tiny_rubric(funder={"id": "1234567", "name": "F",
                                                "grant_id_prefix": "ABC"}))
    result = run_cli("validate", *call.args)
    assert result.exit_code == 2
    assert "funder.id: '1234567' is not an organisation identifier; expected an org-id.guide " \
        "identifier" in result.stderr
    assert "funder.grant_id_prefix: 'ABC' is not a 360Giving prefix; expected 360G- then" \
        in result.stderr


def test_any_funded_set_passes_exactly_when_every_difference_has_its_change(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Property: over every subset of the selectable applications, and every change left out."""
    from itertools import combinations

    from conftest import yaml_text

    from pine_select.decision.checks import check_decision
    from pine_select.loading.yaml_source import parse_yaml
    from pine_select.model.decision import PanelDecision
    from pine_select.pipeline import decide

    rubric, apps = tiny_call_with(tmp_path_factory.mktemp("p"), None)
    recommendation = decide(load_call(rubric, apps))
    recommended = set(recommendation.selection.selected)
    selectable = [s.id for s in recommendation.scores.selectable()]
    for size in range(len(selectable) + 1):
        for funded in combinations(sorted(selectable), size):
            changes = [{"id": i, "action": "added", "reason": "r"}
                       for i in sorted(set(funded) - recommended)]
            changes += [{"id": i, "action": "removed", "reason": "r"}
                        for i in sorted(recommended - set(funded))]
            for left_out in [None, *range(len(changes))]:
                given = [c for n, c in enumerate(changes) if n != left_out]
                text = yaml_text(decision([{"id": i} for i in funded], given))
                doc, found = parse_yaml(text, "d.yaml")
                assert doc is not None and not found
                panel = PanelDecision.model_validate(doc.data)
                problems = check_decision(panel, doc, "d.yaml", recommendation)
                if left_out is None:
                    assert problems == []
                else:
                    assert len(problems) == 1
                    assert problems[0].code == "difference_without_reason"
                    assert changes[left_out]["id"] in problems[0].message
