"""The pack with the panel's decision (SPEC 11): side by side, in results.json, verified."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers_after import DIFFERING, tiny_call_with

ADDED = "Its key-worker model fills a gap."
REMOVED = "Funded by another trust meanwhile."


def packed(tmp_path: Path, run_cli, panel: object, *extra: str) -> Path:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, panel)
    out = tmp_path / "pack"
    result = run_cli("pack", rubric, apps, "--out", out, *extra)
    assert result.exit_code == 0, result.stderr
    return out


def test_the_pack_shows_recommended_against_decided_and_records_it(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = packed(tmp_path, run_cli, DIFFERING)
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert results["decision"] == {
        "funded": [{"id": "TINY-003", "amount": 45000}, {"id": "TINY-001", "amount": 40000}],
        "changes": [{"id": "TINY-001", "action": "added", "reason": ADDED},
                    {"id": "TINY-002", "action": "removed", "reason": REMOVED}],
        "breaks": ["voluntary_sector_included"],
    }
    page = (out / "briefing.html").read_text("utf-8")
    section = page[page.index('<section id="decision">'):page.index('<section id="provenance">')]
    assert '<a href="#decision">' in page
    assert f"<b>added</b>: {ADDED}" in section and f"<b>removed</b>: {REMOVED}" in section
    assert "Recommended: 2 applications</td><td class=\"num\">155.00</td>" in section
    assert "Decided: 2 applications</td><td class=\"num\">156.67</td>" in section
    assert "£80,000" in section and "£85,000" in section  # the cost of each
    assert "voluntary_sector_included: voluntary_sector_included" in section
    copied = out / "inputs" / "applications" / "decision.yaml"
    assert copied.read_bytes() == (tmp_path / "call" / "applications" / "decision.yaml"
                                   ).read_bytes()
    assert run_cli("verify", out).exit_code == 0


def test_verify_catches_an_altered_decision_and_an_altered_record(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = packed(tmp_path, run_cli, DIFFERING)
    copied = out / "inputs" / "applications" / "decision.yaml"
    copied.write_text(copied.read_text("utf-8").replace("meanwhile", "last year"), "utf-8")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    name = "inputs/applications/decision.yaml"
    manifest["inputs"][name] = hashlib.sha256(copied.read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    result = run_cli("verify", out)  # a forged hash too: the re-run still differs
    assert result.exit_code == 1 and "results.json" in result.stdout


def test_a_decision_without_its_reasons_writes_no_pack(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, {"decided_on": "2019-06-20", "decided_by": "P",
                                            "funded": [{"id": "TINY-001"}]})
    result = run_cli("pack", rubric, apps, "--out", tmp_path / "pack")
    assert result.exit_code == 2
    assert "applications/decision.yaml:" in result.stderr  # the original, not a copy
    assert "staging" not in result.stderr
    assert "TINY-001 is funded but was not recommended" in result.stderr
    assert not (tmp_path / "pack").exists()


def test_a_decision_elsewhere_is_copied_in_and_hostile_reasons_are_escaped(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, None)
    elsewhere = tmp_path / "panel.yaml"
    elsewhere.write_text(
        "decided_on: 2019-06-20\ndecided_by: P\nfunded: [{id: TINY-003}, {id: TINY-001}]\n"
        "changes:\n  - {id: TINY-001, action: added, reason: '<script>x</script>\u202e'}\n"
        "  - {id: TINY-002, action: removed, reason: r}\n", "utf-8")
    out = tmp_path / "pack"
    assert run_cli("pack", rubric, apps, "--out", out, "--decision", elsewhere).exit_code == 0
    page = (out / "briefing.html").read_text("utf-8")
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "\u202e" not in page
    assert (out / "inputs" / "applications" / "decision.yaml").is_file()
    assert run_cli("verify", out).exit_code == 0


def test_a_members_copy_and_a_what_if_pack_show_no_decision(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    member = packed(tmp_path / "m", run_cli, DIFFERING, "--member", "ana")
    assert "decision" not in json.loads((member / "results.json").read_text("utf-8"))
    assert 'id="decision"' not in (member / "briefing.html").read_text("utf-8")
    what_if = packed(tmp_path / "w", run_cli, DIFFERING, "--size", "1")
    assert "decision" not in json.loads((what_if / "results.json").read_text("utf-8"))
