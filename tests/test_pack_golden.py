"""The golden briefing pack of the tiny call, and the manifest that vouches for it.

tests/golden/tiny-call/ holds real input files (5 applications, 2 criteria, 2 rules, one
declared conflict, one override with a reason); tests/golden/tiny-pack/ holds the
briefing.html and results.json they must make, byte for byte. After a deliberate change
to the pack, run ``python scripts/regen_golden.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from helpers_pack import GOLDEN_CALL_ARGS, MANIFEST_KEYS, golden

from pine_select import __version__


@pytest.fixture(scope="module")
def fresh_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "pack"
    golden.build(out)
    return out


def _first_difference(expected: bytes, actual: bytes) -> str:
    diff = difflib.unified_diff(expected.decode(errors="replace").splitlines(),
                                actual.decode(errors="replace").splitlines(),
                                "golden", "fresh", n=1, lineterm="")
    return "\n".join(list(diff)[:40])


@pytest.mark.parametrize("name", golden.COMPARED)
def test_a_fresh_pack_matches_the_golden_file_byte_for_byte(fresh_pack: Path, name: str) -> None:
    expected = (golden.GOLDEN_PACK / name).read_bytes()
    actual = (fresh_pack / name).read_bytes()
    assert actual == expected, (
        f"{name} differs from tests/golden/tiny-pack/{name}; if the change is intended, "
        f"run python scripts/regen_golden.py and review the diff.\n"
        f"{_first_difference(expected, actual)}")


def test_the_golden_call_exercises_what_the_pack_must_explain() -> None:
    """Guards the golden input itself: a conflict, an override with a reason, a flag."""
    html = (golden.GOLDEN_PACK / "briefing.html").read_text(encoding="utf-8")
    results = json.loads((golden.GOLDEN_PACK / "results.json").read_text(encoding="utf-8"))
    assert "Trustee of Harbour Families Trust" in html  # the declared conflict
    assert "Already funded for an evaluation by another programme this year." in html
    assert results["select"]["status"] == "optimal"
    assert results["select"]["selected"] == ["TINY-003", "TINY-002"]
    assert results["select"]["price_of_balance"]["price"] == pytest.approx(1.67)
    apps = {a["id"]: a for a in results["score"]["applications"]}
    assert apps["TINY-005"]["eligible"] is False
    assert apps["TINY-004"]["excluded"] is True
    assert apps["TINY-002"]["flags"] == ["disagreement:promise"]


def test_the_manifest_has_every_key_and_the_parameters_used(fresh_pack: Path) -> None:
    manifest = json.loads((fresh_pack / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == MANIFEST_KEYS
    assert manifest["tool"] == {"name": "pine-select", "version": __version__}
    assert manifest["seed"] == 7  # the golden rubric's tie_break_seed
    assert manifest["parameters"]["alternatives"] == 3  # the CLI default
    assert manifest["parameters"]["include_contacts"] is False
    assert manifest["parameters"]["member"] is None
    assert "CBC" in json.dumps(manifest["solver"]) or "HiGHS" in json.dumps(manifest["solver"])
    assert manifest["python"].count(".") == 2
    assert manifest["created_at"]  # ISO time; the one non-reproducible value


def test_the_manifest_hashes_every_file_of_the_pack_correctly(fresh_pack: Path) -> None:
    manifest = json.loads((fresh_pack / "manifest.json").read_text(encoding="utf-8"))
    recorded = {**manifest["inputs"], **manifest["outputs"]}
    on_disk = {p.relative_to(fresh_pack).as_posix(): p for p in fresh_pack.rglob("*")
               if p.is_file() and p.name != "manifest.json"}
    assert sorted(recorded) == sorted(on_disk)
    for name, path in on_disk.items():
        assert recorded[name] == hashlib.sha256(path.read_bytes()).hexdigest(), name
    assert sorted(manifest["outputs"]) == ["briefing.html", "results.json"]
    assert all(name.startswith("inputs/") for name in manifest["inputs"])


def test_the_inputs_are_exact_copies_of_the_golden_call_but_for_contacts(
        fresh_pack: Path) -> None:
    manifest = json.loads((fresh_pack / "manifest.json").read_text(encoding="utf-8"))
    redacted = manifest["redacted_originals"]
    assert redacted["key_id"] is None and redacted["hmac_sha256"] == {}  # made without a key
    assert (fresh_pack / "inputs" / "rubric.yaml").read_bytes() == golden.RUBRIC.read_bytes()
    for source in sorted(golden.APPLICATIONS.iterdir()):
        copy = (fresh_pack / "inputs" / "applications" / source.name).read_bytes()
        name = f"inputs/applications/{source.name}"
        if b"contact:" in source.read_bytes():
            # The copy lacks only the contact block; no digest of the original is kept
            # (it could be matched by guessing the contact).
            assert b"contact:" not in copy
            assert name in redacted["copies"]
            original = hashlib.sha256(source.read_bytes()).hexdigest()
            assert original not in (fresh_pack / "manifest.json").read_text(encoding="utf-8")
            kept = [line for line in source.read_bytes().splitlines(keepends=True)
                    if line in copy.splitlines(keepends=True)]
            assert b"".join(kept) == copy, source.name
        else:
            assert copy == source.read_bytes(), source.name


def test_the_regen_script_check_mode_agrees_with_the_golden_files(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert golden.main(["--check"]) == 0, capsys.readouterr().out


def test_the_cli_makes_the_same_pack_as_the_regen_script(
        run_cli: Callable[..., Result], fresh_pack: Path, tmp_path: Path) -> None:
    result = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", tmp_path / "cli")
    assert result.exit_code == 0, result.output
    for name in golden.COMPARED:
        assert (tmp_path / "cli" / name).read_bytes() == (fresh_pack / name).read_bytes()


# The panel summary, the application pages, then the technical appendix, provenance last.
SECTIONS = ("cover", "contents", "summary", "portfolio", "balance", "close-calls", "reserves",
            "left-out", "discuss", "applications", "appendix", "method", "ranking", "rules",
            "left-out-facts", "weight-sensitivity", "quality", "conflicts", "overrides",
            "provenance")


def test_the_briefing_has_every_section_in_order_and_a_page_per_application(
        fresh_pack: Path) -> None:
    html = (fresh_pack / "briefing.html").read_text(encoding="utf-8")
    positions = [html.index(f'id="{section}"') for section in SECTIONS]
    assert positions == sorted(positions)
    pages = re.findall(r'<article class="app" id="app-([^"]+)">', html)
    # rank order (TINY-001 outranks the recommended TINY-002), then the unranked by id
    assert pages == ["TINY-003", "TINY-001", "TINY-002", "TINY-004", "TINY-005"]
    assert html.count("<svg ") >= 3  # distribution, profile, leniency (coverage: a table)


def test_the_briefing_prints_on_a4_with_a_page_per_application(fresh_pack: Path) -> None:
    html = (fresh_pack / "briefing.html").read_text(encoding="utf-8")
    css = html[html.index("<style>"):html.index("</style>")]
    print_css = css[css.index("@media print"):]
    assert re.search(r"@page\s*\{\s*size:\s*A4", css)
    assert 'content: "page " counter(page) " of " counter(pages)' in css
    assert re.search(r"\.app\s*\{[^}]*break-before:\s*page", print_css)
    assert re.search(r"\.part\s*\{[^}]*break-before:\s*page", print_css)
    assert re.search(r"h2, h3, h4[^{]*\{[^}]*break-after:\s*avoid", print_css)
    assert "WHAT-IF" not in html  # the published rules' pack is not marked as a what-if
