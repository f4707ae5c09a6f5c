"""Non-interference: a member's copy is a function of inputs without the withheld reviews.

Two calls that differ only in the reviews of applications a member declared a conflict
with, and that give every application the same outcome, must give byte-identical member
copies (briefing.html and results.json; the manifest records input hashes and is left
aside). Checked on random small calls (hypothesis) and on the example call with a
withheld left-out and a withheld recommended application.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from click.testing import Result
from conftest import build_call, merged, tiny_application, tiny_rubric
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC, files_of, golden
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pine_select.loading.loader import load_call
from pine_select.options import RunOptions
from pine_select.pack import build_pack, render_outputs
from pine_select.pack.results import results_json
from pine_select.pack.summary_view import missing_comments
from pine_select.pack.withhold import Audience, disclose
from pine_select.pipeline import Decision, decide

MEMBER = "mina"
OTHERS = ("olu", "pat", "quinn")
CRITERIA = ("promise", "feasibility")
PROFILES = (  # (region, organisation type, practice type): enough for the rules to bite
    ("London", "local_authority", "early_help"),
    ("London", "voluntary_sector", "child_protection"),
    ("North West", "local_authority", "child_protection"),
    ("North West", "voluntary_sector", "early_help"),
    ("London", "local_authority", "child_protection"),
)
RULES = [{"field": "organisation.region", "at_most": 1},
         {"field": "organisation.type", "each": ["voluntary_sector"], "at_least": 1}]


def outcomes(decision: Decision) -> dict[str, str]:
    """What a member's copy may reveal of every application: in, reserve n, out, unselectable."""
    selection = decision.selection
    found = {s.id: "not selectable" for s in decision.scores.applications if not s.selectable}
    found.update({i: "recommended" for i in selection.selected})
    for position, app_id in enumerate(selection.reserves, 1):
        found.setdefault(app_id, f"reserve {position}")
    return {s.id: found.get(s.id, "not chosen") for s in decision.scores.applications}


def input_hashes(rubric: Path, apps: Path) -> dict[str, str]:
    """The hashes a pack records for these inputs (reviews.csv's changes with any score)."""
    files = {"inputs/rubric.yaml": rubric,
             **{f"inputs/applications/{p.name}": p for p in sorted(apps.iterdir())}}
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()}


def member_copy(rubric: Path, apps: Path, member: str) -> tuple[dict[str, str], dict[str, bytes]]:
    decision = decide(load_call(rubric, apps))
    copy = render_outputs(decision, RunOptions(member=member), input_hashes(rubric, apps))
    return outcomes(decision), copy


def first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
              min(len(a), len(b)))
    return f"at byte {at}: {a[at - 80:at + 80]!r} / {b[at - 80:at + 80]!r}"


def assert_same_copies(one: dict[str, bytes], two: dict[str, bytes]) -> None:
    assert sorted(one) == sorted(two)
    for name in one:
        assert one[name] == two[name], f"{name} differs {first_difference(one[name], two[name])}"


# -- random small calls ------------------------------------------------------------------

scores = st.integers(min_value=1, max_value=5)


@st.composite
def small_calls(draw: st.DrawFn) -> dict[str, Any]:
    n_apps = draw(st.integers(min_value=3, max_value=5))
    reviewers = OTHERS[:draw(st.integers(min_value=1, max_value=2))]
    withheld = draw(st.integers(min_value=1, max_value=n_apps))
    pairs = [(a, r) for a in range(1, n_apps + 1) for r in (*reviewers, MEMBER)
             if not (a == withheld and r == MEMBER)]
    base = {(a, r, c): draw(scores) for a, r in pairs for c in CRITERIA}
    changed = dict(base)
    for key in base:
        if key[0] == withheld and draw(st.booleans()):
            changed[key] = draw(scores)
    # Comments left blank on withheld scores: the pack counts comment-less scores per reviewer.
    blank = frozenset(key for key in base if key[0] == withheld and draw(st.booleans()))
    assume(changed != base or blank)
    return {"n_apps": n_apps, "withheld": withheld, "reviews": (base, changed),
            "blank": (frozenset(), blank),
            "size": draw(st.integers(min_value=1, max_value=2)),
            "eligible": draw(st.booleans())}


def _write_small_call(folder: Path, case: dict[str, Any], variant: int) -> tuple[Path, Path]:
    apps = []
    for n in range(1, case["n_apps"] + 1):
        region, kind, practice = PROFILES[n - 1]
        apps.append(tiny_application(
            n, organisation={"region": region, "type": kind}, practice_type=practice,
            facts={"based_in_england": case["eligible"] or n != case["withheld"]}))
    blank = case["blank"][variant]
    reviews = [{"application_id": f"APP-{a}", "reviewer": r, "criterion": c, "score": s,
                "comment": "" if (a, r, c) in blank else f"{r} on APP-{a}: {s}"}
               for (a, r, c), s in sorted(case["reviews"][variant].items())]
    rubric = merged(tiny_rubric(), {"selection": {"size": case["size"], "rules": RULES}})
    paths = build_call(folder, rubric=rubric, applications=apps, reviews=reviews,
                       conflicts=[{"reviewer": MEMBER, "application_id": f"APP-{case['withheld']}",
                                   "reason": "trustee"}])
    return paths.rubric, paths.apps


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(case=small_calls())
def test_a_members_copy_does_not_depend_on_the_withheld_reviews(case: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        one = member_copy(*_write_small_call(Path(scratch) / "one", case, 0), MEMBER)
        two = member_copy(*_write_small_call(Path(scratch) / "two", case, 1), MEMBER)
    assume(one[0] == two[0])  # same outcomes for every application
    assert_same_copies(one[1], two[1])


# -- the example call --------------------------------------------------------------------

EXAMPLE_MEMBER = "gareth.evans"
LEFT_OUT = "PINE-2019-017"  # his declared conflict: strong, left out (rank 8)
RECOMMENDED = "PINE-2019-003"  # recommended; he did not review it: a conflict may be added


def _example_copy(folder: Path, change: Callable[[dict[str, str]], None]) -> Path:
    """The example call with a conflict with a recommended application too, reviews changed."""
    apps = shutil.copytree(EXAMPLE_APPS, folder / "applications")
    with (apps / "conflicts.csv").open("a", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerow(
            [EXAMPLE_MEMBER, RECOMMENDED, "Chair of its steering group"])
    text = (apps / "reviews.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        change(row)
    out_text = io.StringIO()
    writer = csv.DictWriter(out_text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (apps / "reviews.csv").write_text(out_text.getvalue(), encoding="utf-8")
    return apps


def _unchanged(row: dict[str, str]) -> None:
    del row


PERTURBED = {(LEFT_OUT, "tom.hughes", "evaluability"): "2",  # was 3
             (RECOMMENDED, "kwame.asante", "need"): "3"}  # was 4


BLANKED = {(LEFT_OUT, "tom.hughes", "promise"), (RECOMMENDED, "kwame.asante", "learning")}


def _perturbed(row: dict[str, str]) -> None:
    """New scores and comments for both withheld applications; every outcome is kept."""
    key = (row["application_id"], row["reviewer"], row["criterion"])
    row["score"] = PERTURBED.get(key, row["score"])
    if row["application_id"] in (LEFT_OUT, RECOMMENDED):
        row["comment"] = "Rewritten: " + row["comment"]
    if key in BLANKED:  # the pack counts scores without a comment, per reviewer
        row["comment"] = ""


def test_the_examples_member_copy_does_not_depend_on_the_withheld_reviews(
        tmp_path: Path) -> None:
    one = member_copy(EXAMPLE_RUBRIC, _example_copy(tmp_path / "one", _unchanged),
                      EXAMPLE_MEMBER)
    two = member_copy(EXAMPLE_RUBRIC, _example_copy(tmp_path / "two", _perturbed),
                      EXAMPLE_MEMBER)
    assert one[0][RECOMMENDED] == "recommended" and one[0][LEFT_OUT] != "recommended"
    assert one[0] == two[0], "the perturbation must keep every outcome"
    assert (tmp_path / "one/applications/reviews.csv").read_bytes() != (
        tmp_path / "two/applications/reviews.csv").read_bytes()
    assert_same_copies(one[1], two[1])


def test_the_full_pack_does_change_with_those_reviews(tmp_path: Path) -> None:
    """The check above has teeth: without withholding the same change shows."""
    full = [results_json(disclose(decide(load_call(EXAMPLE_RUBRIC, apps)), Audience()))
            for apps in (_example_copy(tmp_path / "one", _unchanged),
                         _example_copy(tmp_path / "two", _perturbed))]
    assert full[0]["score"] != full[1]["score"]
    blanks = [missing_comments(disclose(decide(load_call(EXAMPLE_RUBRIC, apps)), Audience()))
              for apps in (tmp_path / "one" / "applications", tmp_path / "two" / "applications")]
    assert blanks[0] != blanks[1]  # the blanked comments count in the full pack


def test_the_examples_member_copy_says_what_it_withholds(tmp_path: Path) -> None:
    apps = _example_copy(tmp_path / "one", _unchanged)
    _, copy = member_copy(EXAMPLE_RUBRIC, apps, EXAMPLE_MEMBER)
    results = json.loads(copy["results.json"])
    assert results["withheld"]["applications"] == [RECOMMENDED, LEFT_OUT]
    assert results["select"]["total_score"] is None  # a withheld total is in the sum
    ranks = [a["rank"] for a in results["score"]["applications"] if a["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))  # ranks among the visible: no gap
    html = unescape(copy["briefing.html"].decode())
    for sentence in results["withheld"]["not_shown"]:
        assert sentence in html


# -- the member's manifest (hostile finding 5) --------------------------------------------


def _golden_call(folder: Path, withheld_comment: str = "") -> tuple[Path, Path]:
    """The golden call; ``withheld_comment`` added to a review of TINY-002 (cal's conflict)."""
    rubric = Path(shutil.copy(golden.RUBRIC, folder / "rubric.yaml"))
    apps = Path(shutil.copytree(golden.APPLICATIONS, folder / "applications"))
    _comment_on_tiny_002(apps / "reviews.csv", withheld_comment)
    return rubric, apps


def _comment_on_tiny_002(reviews: Path, comment: str) -> None:
    lines = reviews.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("TINY-002,"))
    lines[at] = lines[at].rstrip("\n") + comment + "\n"
    reviews.write_text("".join(lines), encoding="utf-8")


def test_a_members_packed_copy_and_manifest_do_not_depend_on_the_withheld_reviews(
        tmp_path: Path) -> None:
    copies = []
    for name, comment in (("one", ""), ("two", " Their chair is my sister.")):
        (tmp_path / name).mkdir()
        rubric, apps = _golden_call(tmp_path / name, comment)
        build_pack(load_call(rubric, apps), tmp_path / name / "copy", RunOptions(member="cal"))
        copies.append(files_of(tmp_path / name / "copy"))
    manifests = [json.loads(copy.pop("manifest.json")) for copy in copies]
    assert_same_copies(copies[0], copies[1])
    for manifest in manifests:
        manifest.pop("created_at")
    assert manifests[0] == manifests[1]
    recorded = {name.rsplit("/", 1)[-1] for name in manifests[0]["inputs"]}
    assert {"conflicts.csv", "rubric.yaml", "TINY-002.yaml"} <= recorded
    assert "reviews.csv" not in recorded


def test_a_members_copy_never_records_the_decision_files_hash(tmp_path: Path) -> None:
    _, copy = member_copy(EXAMPLE_RUBRIC, EXAMPLE_APPS, EXAMPLE_MEMBER)
    provenance = copy["briefing.html"].decode().split('id="provenance"')[1]
    assert "decision.yaml</td>" not in provenance and "reviews.csv</td>" not in provenance
    assert "conflicts.csv</td>" in provenance


def test_a_members_copy_checks_the_unrecorded_inputs_against_the_full_pack(
        tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    rubric, apps = _golden_call(tmp_path)
    full = tmp_path / "full"
    build_pack(load_call(rubric, apps), full)
    copy = tmp_path / "copy"
    build_pack(load_call(rubric, apps), copy, RunOptions(member="cal"))  # withholds TINY-002
    assert "inputs/applications/reviews.csv" not in json.loads(
        (copy / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    result = run_cli("verify", copy, "--inputs", full / "inputs")
    assert result.exit_code == 0, result.output
    assert "not checked" not in result.output
    bare = Path(shutil.copytree(full / "inputs", tmp_path / "bare" / "inputs"))
    result = run_cli("verify", copy, "--inputs", bare)
    assert result.exit_code == 0, result.output
    assert "inputs/applications/reviews.csv: not checked: no full pack's manifest.json" in (
        result.output)
    _comment_on_tiny_002(full / "inputs" / "applications" / "reviews.csv", " (changed)")
    result = run_cli("verify", copy, "--inputs", full / "inputs")
    assert result.exit_code == 1, result.output
    assert "inputs/applications/reviews.csv: altered since the pack was made" in result.output
