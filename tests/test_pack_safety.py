"""What a briefing pack must never do: run applicant text, call out, or leak personal data.

- Hostile text in every free-text field is shown literally (escaped), never as markup or
  template source.
- briefing.html is self-contained: no external URL, no ``src=``, no ``<link``, no ``@import``.
- Contacts stay out unless ``--include-contacts``; a member's copy (``--member``) shows no
  scores or comments for the applications that member declared a conflict with.
- The HTML parses as strict HTML5 (html5lib, when installed).
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
from conftest import build_call, merged, tiny_application, tiny_reviews, tiny_rubric
from helpers_pack import (
    EXAMPLE_APPS,
    EXAMPLE_RUBRIC,
    GOLDEN_CALL_ARGS,
    SVG_NAMESPACE,
    briefing,
    golden,
    start_tags,
)
from markupsafe import escape

from pine_select.loading.loader import load_call

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}"
RAW = "{% raw %}"
QUOTES = '"quotes" & ampersands'


def hostile(place: str) -> str:
    """Every hostile piece, between markers naming the field it was put in.

    A reviewer is an id (model/ids.py): markup there is refused when the call is loaded.
    """
    return f"[{place}] {SCRIPT} {IMG} {TEMPLATE} {RAW} {QUOTES} [/{place}]"


HOSTILE_PLACES = ("call", "criterion", "title", "summary", "answer", "answer key",
                  "fact key", "fact", "organisation", "comment", "conflict",
                  "override", "contact")


REVIEWER = "rev.hostile"


def _hostile_call(folder: Path) -> list[str]:
    """Write a call with hostile text in every free-text field; the args for ``pack``."""
    rubric = merged(tiny_rubric(call=hostile("call")), {})
    rubric["criteria"][0]["name"] = hostile("criterion")
    apps = [tiny_application(n) for n in (1, 2, 3, 4)]
    apps[0] = tiny_application(
        1, title=hostile("title"), summary=hostile("summary"),
        organisation={"name": hostile("organisation")},
        answers={"theory_of_change": hostile("answer"), hostile("answer key"): "text"},
        facts={hostile("fact key"): 1, "story": hostile("fact")},
        contact={"name": hostile("contact"), "email": "x@example.org"})
    reviewer = REVIEWER
    reviews = tiny_reviews(["APP-1", "APP-2", "APP-3", "APP-4"])
    reviews += tiny_reviews(["APP-1", "APP-2", "APP-4"], reviewers=[reviewer])
    for row in reviews:
        if row["application_id"] == "APP-1":
            row["comment"] = hostile("comment")
    paths = build_call(
        folder, rubric=rubric, applications=apps, reviews=reviews,
        conflicts=[{"reviewer": reviewer, "application_id": "APP-3",
                    "reason": hostile("conflict")}],
        overrides={"exclude": [{"id": "APP-4", "reason": hostile("override")}]})
    return paths.args


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from pine_select.cli import main

    folder = tmp_path_factory.mktemp("hostile")
    args = _hostile_call(folder / "call")
    out = folder / "pack"
    result = CliRunner().invoke(main, ["pack", *args, "--out", str(out), "--include-contacts"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("place", HOSTILE_PLACES)
def test_hostile_text_is_shown_literally_and_escaped(hostile_pack: Path, place: str) -> None:
    html = briefing(hostile_pack)
    text = hostile(place)
    assert str(escape(text)) in html, f"{place}: not shown escaped as written"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(escape(text))
    evaluated = str(escape(text.replace(TEMPLATE, "49")))
    assert evaluated not in html, f"{place}: {TEMPLATE} was evaluated"


def test_hostile_text_never_becomes_markup(hostile_pack: Path) -> None:
    html = briefing(hostile_pack)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    tags = start_tags(html)
    assert not [t for t, _ in tags if t in ("script", "img", "iframe", "object", "embed")]
    handlers = [(t, a) for t, attrs in tags for a in attrs if a.startswith("on")]
    assert handlers == []
    assert not [(t, a) for t, attrs in tags for a in attrs if a in ("src", "srcdoc")]
    # an attribute value cannot be broken out of: every quote inside it is escaped
    titles = [attrs.get("title") for t, attrs in tags if t == "th" and "title" in attrs]
    assert hostile("criterion") in titles


def test_hostile_text_survives_in_results_json_exactly(hostile_pack: Path) -> None:
    results = json.loads((hostile_pack / "results.json").read_text(encoding="utf-8"))
    app = next(a for a in results["score"]["applications"] if a["id"] == "APP-1")
    assert app["title"] == hostile("title")
    assert app["organisation"] == hostile("organisation")
    assert results["score"]["call"] == hostile("call")


def test_a_hostile_member_name_is_refused_before_anything_is_written(
        tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    args = _hostile_call(tmp_path / "call")
    result = run_cli("pack", *args, "--out", tmp_path / "pack", "--member", hostile("reviewer"))
    assert result.exit_code == 2, result.output
    assert "--member:" in result.stderr and "is not an identifier" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "pack").exists()


def test_a_member_copy_of_a_hostile_call_stays_inert(tmp_path: Path,
                                                     run_cli: Callable[..., Result]) -> None:
    args = _hostile_call(tmp_path / "call")
    result = run_cli("pack", *args, "--out", tmp_path / "pack", "--member", REVIEWER)
    assert result.exit_code == 0, result.output
    html = briefing(tmp_path / "pack")
    assert "<script" not in html.lower()
    assert f"{REVIEWER} declared a conflict of interest" in html


# --- no external requests ----------------------------------------------------------------


def _packs_without_hostile_text() -> list[Any]:
    params = [pytest.param(GOLDEN_CALL_ARGS, id="golden")]
    if EXAMPLE_RUBRIC.is_file():
        params.append(pytest.param([str(EXAMPLE_RUBRIC), str(EXAMPLE_APPS)], id="example"))
    return params


@pytest.mark.parametrize("call_args", _packs_without_hostile_text())
def test_the_briefing_requests_nothing_from_outside(
        call_args: list[str], run_cli: Callable[..., Result], tmp_path: Path) -> None:
    assert run_cli("pack", *call_args, "--out", tmp_path / "p").exit_code == 0
    html = briefing(tmp_path / "p")
    urls = re.findall(r"https?://[^\s\"'<>)]*", html)
    assert set(urls) <= {SVG_NAMESPACE}, sorted(set(urls))
    for forbidden in ("src=", "<link", "@import", "url(", "<script", "<iframe", "srcset",
                      "<base", "http-equiv"):
        assert forbidden not in html.lower(), forbidden
    for tag, attrs in start_tags(html):
        for name, value in attrs.items():
            if name == "href":  # in-page links only
                assert value is not None and value.startswith("#"), (tag, value)
            if name == "xmlns":
                assert value == SVG_NAMESPACE


def test_the_hostile_pack_requests_nothing_either(hostile_pack: Path) -> None:
    for tag, attrs in start_tags(briefing(hostile_pack)):
        for name, value in attrs.items():
            assert "://" not in (value or "") or (name, value) == ("xmlns", SVG_NAMESPACE)
            if name == "href":
                assert (value or "").startswith("#"), (tag, value)


# --- personal data -----------------------------------------------------------------------


def _contacts() -> list[str]:
    call = load_call(golden.RUBRIC, golden.APPLICATIONS)
    found = [value for app in call.applications
             for value in (app.contact.name, app.contact.email, app.contact.phone) if value]
    assert len(found) == 3 * len(call.applications)  # every golden contact is complete
    return found


@pytest.fixture(scope="module")
def golden_packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The golden call packed for the panel, with contacts, and for member ``cal``."""
    from click.testing import CliRunner

    from pine_select.cli import main

    folder = tmp_path_factory.mktemp("personal")
    variants = {"panel": [], "contacts": ["--include-contacts"], "cal": ["--member", "cal"]}
    for name, extra in variants.items():
        result = CliRunner().invoke(
            main, ["pack", *GOLDEN_CALL_ARGS, "--out", str(folder / name), *extra],
            catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return {name: folder / name for name in variants}


@pytest.mark.parametrize("output", ["briefing.html", "results.json"])
def test_no_contact_details_in_the_outputs_by_default(golden_packs: dict[str, Path],
                                                      output: str) -> None:
    text = (golden_packs["panel"] / output).read_text(encoding="utf-8")
    leaked = [value for value in _contacts() if value in text or str(escape(value)) in text]
    assert leaked == []
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)  # no e-mail address at all


def test_contact_details_appear_with_include_contacts(golden_packs: dict[str, Path]) -> None:
    html = briefing(golden_packs["contacts"])
    missing = [value for value in _contacts() if str(escape(value)) not in html]
    assert missing == []
    manifest = json.loads((golden_packs["contacts"] / "manifest.json").read_text("utf-8"))
    assert manifest["parameters"]["include_contacts"] is True


def test_no_contact_details_anywhere_in_the_pack_folder(golden_packs: dict[str, Path]) -> None:
    folder = golden_packs["panel"]
    leaked = [(p.name, value) for p in folder.rglob("*") if p.is_file()
              for value in _contacts() if value in p.read_text(encoding="utf-8")]
    assert leaked == []


def _article(html: str, app_id: str) -> str:
    match = re.search(rf'<article class="app" id="app-{app_id}">.*?</article>', html, re.S)
    assert match, app_id
    return match.group(0)


TINY_002_COMMENTS = ("Strong carer testimony from three cohorts.", "Trustees back the evaluation.",
                     "Promising but thin on outcomes.")


def test_a_members_copy_hides_scores_and_comments_of_their_conflicts(
        golden_packs: dict[str, Path]) -> None:
    full, member = briefing(golden_packs["panel"]), briefing(golden_packs["cal"])
    for comment in TINY_002_COMMENTS:
        assert comment in full
        assert comment not in member
    assert "ana 5, ben 3" in full  # TINY-002's disagreement, up for discussion
    assert "ana 5, ben 3" not in member
    assert ">75.00<" in full  # TINY-002's total
    assert ">75.00<" not in member
    page = _article(member, "TINY-002")
    assert "withheld" in page
    assert "<table" not in page and "disagreement" not in page
    assert "Kinship carers circle" in page  # public facts stay
    assert "£35,000" in page


def test_a_members_copy_still_shows_everything_else(golden_packs: dict[str, Path]) -> None:
    full, member = briefing(golden_packs["panel"]), briefing(golden_packs["cal"])
    assert _article(full, "TINY-003") == _article(member, "TINY-003")
    assert "Data sharing not yet agreed." in member  # cal's own comment elsewhere
    assert "cal declared a conflict of interest with 1 application(s): TINY-002" in member


def test_an_unknown_member_is_refused_rather_than_given_the_full_pack(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    result = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", tmp_path / "p", "--member", "Zed")
    assert result.exit_code == 2
    assert "'zed'" in result.stderr and "cal" in result.stderr
    assert not (tmp_path / "p").exists()


def test_a_member_named_in_another_case_gets_their_own_copy(
        run_cli: Callable[..., Result], tmp_path: Path,
        golden_packs: dict[str, Path]) -> None:
    result = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", tmp_path / "p", "--member", "CAL")
    assert result.exit_code == 0, result.output
    for name in ("briefing.html", "results.json"):
        assert (tmp_path / "p" / name).read_bytes() == (golden_packs["cal"] / name).read_bytes()


def test_a_members_results_json_hides_scores_of_their_conflicts(
        golden_packs: dict[str, Path]) -> None:
    results = json.loads((golden_packs["cal"] / "results.json").read_text(encoding="utf-8"))
    app = next(a for a in results["score"]["applications"] if a["id"] == "TINY-002")
    assert app["total"] is None and not app["criteria"] and not app["flags"]


# --- HTML5 validity ----------------------------------------------------------------------


def _strict_parse(html: str) -> None:
    html5lib = pytest.importorskip("html5lib")
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(html)
    except Exception as exc:  # html5lib raises ParseError at the first error
        (line, column), code, _ = parser.errors[0]
        context = html.splitlines()[int(line) - 1][max(0, int(column) - 80):int(column) + 40]
        pytest.fail(f"not valid HTML5 at {line}:{column} ({code}): {exc}\n{context}")
    assert parser.errors == []


@pytest.mark.parametrize("variant", ["panel", "contacts", "cal"])
def test_the_golden_packs_are_valid_html5(golden_packs: dict[str, Path], variant: str) -> None:
    _strict_parse(briefing(golden_packs[variant]))


def test_the_hostile_pack_is_valid_html5(hostile_pack: Path) -> None:
    _strict_parse(briefing(hostile_pack))


def test_the_pack_of_an_infeasible_call_explains_itself_in_valid_html5(
        tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    rubric = tiny_rubric(selection={"rules": [
        {"field": "organisation.type", "each": ["voluntary_sector"], "at_least": 1}]})
    call = build_call(tmp_path / "call", rubric=rubric)  # every application is a council
    result = run_cli("pack", *call.args, "--out", tmp_path / "pack")
    assert result.exit_code == 0, result.output
    html = briefing(tmp_path / "pack")
    assert "No portfolio keeps every rule" in html
    _strict_parse(html)
    ids, links = _ids_and_links(html)
    assert links - set(ids) == set()  # the contents list's links all land
    assert run_cli("verify", tmp_path / "pack").exit_code == 0


def test_the_example_pack_is_valid_html5(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    if not EXAMPLE_RUBRIC.is_file():
        pytest.skip("the example call is not there yet")
    assert run_cli("pack", EXAMPLE_RUBRIC, EXAMPLE_APPS, "--out", tmp_path / "p").exit_code == 0
    _strict_parse(briefing(tmp_path / "p"))


def _ids_and_links(html: str) -> tuple[list[str], set[str]]:
    tags = start_tags(html)
    ids = [attrs["id"] or "" for _, attrs in tags if "id" in attrs]
    links = {(attrs["href"] or "")[1:] for _, attrs in tags if "href" in attrs}
    return ids, links


@pytest.mark.parametrize("variant", ["panel", "contacts", "cal"])
def test_ids_are_unique_and_every_in_page_link_has_a_target(
        golden_packs: dict[str, Path], variant: str) -> None:
    ids, links = _ids_and_links(briefing(golden_packs[variant]))
    assert len(ids) == len(set(ids))
    assert links - set(ids) == set()
    assert {"cover", "portfolio", "provenance", "app-TINY-001", "app-TINY-005"} <= set(ids)


@pytest.fixture(scope="module")
def gareth_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gareth.evans's copy of the example: he declared a conflict with PINE-2019-017."""
    from click.testing import CliRunner

    from pine_select.cli import main

    out = tmp_path_factory.mktemp("gareth") / "member"
    result = CliRunner().invoke(main, ["pack", str(EXAMPLE_RUBRIC), str(EXAMPLE_APPS),
                                       "--out", str(out), "--member", "gareth.evans"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


WITHHELD = "PINE-2019-017"  # total 76.25, rank 8 in the full pack


def test_a_members_copy_gives_no_figure_from_which_a_withheld_total_follows(
        gareth_copy: Path) -> None:
    # Re-optimised figures (withdrawals, next-best portfolios, forcing in) may hold the
    # withheld application, and differences of them with the visible totals gave 76.25.
    results = json.loads((gareth_copy / "results.json").read_text(encoding="utf-8"))
    select = results["select"]
    assert select["withdrawals"] == [] and select["alternatives"] == []
    assert select["price_of_balance"]["price"] is None
    assert all(item["if_forced_in"] is None for item in select["left_out"])
    assert all(rule["gain_if_dropped"] is None and rule["binding"] is None
               for rule in select["rules"])
    html = unescape(briefing(gareth_copy))
    assert "76.25" not in html and "2.19" not in html
    assert "who would replace a withdrawal and the next-best portfolios are not shown" in html


def test_a_members_copy_has_no_weight_sensitivity_naming_the_withheld(gareth_copy: Path) -> None:
    html = briefing(gareth_copy)
    section = html[html.index('id="weight-sensitivity"'):html.index('id="quality"')]
    assert WITHHELD not in section
    assert "weight sensitivity is not shown" in unescape(section)


def test_a_members_copy_ranks_among_the_visible_applications(gareth_copy: Path) -> None:
    results = json.loads((gareth_copy / "results.json").read_text(encoding="utf-8"))
    rows = results["score"]["applications"]
    ranks = [a["rank"] for a in rows if a["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))  # 7 then 8, not 7 then 9
    assert results["score"]["tie_groups"] == [g for g in results["score"]["tie_groups"]
                                              if WITHHELD not in g]
    # Pages: in the visible rank order, then the unranked by id: none by a withheld rank.
    pages = re.findall(r'<article class="app" id="app-([^"]+)">', briefing(gareth_copy))
    unranked = sorted(a["id"] for a in rows if a["rank"] is None)
    assert pages[-len(unranked):] == unranked and WITHHELD in unranked
    ranked = sorted((a for a in rows if a["rank"] is not None), key=lambda a: a["rank"])
    assert pages[:len(ranked)] == [a["id"] for a in ranked]


def test_a_members_copy_computes_reviewer_statistics_without_the_withheld(
        gareth_copy: Path) -> None:
    from pine_select.pipeline import decide
    from pine_select.scoring.quality import assess_quality

    call = load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS)
    scores = decide(call).scores
    visible = {a.id: a.criteria for a in scores.applications if a.id != WITHHELD}
    expected = assess_quality(visible, scores.criteria).as_dict()
    results = json.loads((gareth_copy / "results.json").read_text(encoding="utf-8"))
    assert results["score"]["quality"] == json.loads(json.dumps(expected))
    assert results["score"]["quality"] != json.loads(json.dumps(scores.quality.as_dict()))


def test_contacts_are_cut_from_inputs_written_in_flow_style_too(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    flow = json.dumps(tiny_application(2, contact={"name": "Jane Secret",
                                                   "email": "jane.secret@corp.example"}))
    paths = build_call(tmp_path / "call", applications=[tiny_application(1), flow,
                                                        tiny_application(3)])
    out = tmp_path / "pack"
    assert run_cli("pack", paths.rubric, paths.apps, "--out", out).exit_code == 0
    leaked = [p.name for p in out.rglob("*") if p.is_file()
              and ("Jane Secret" in p.read_text(encoding="utf-8")
                   or "corp.example" in p.read_text(encoding="utf-8"))]
    assert leaked == []
    assert run_cli("verify", out).exit_code == 0


# --- text that could reorder or widen the page ---------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
LONG_WORD = "x" * 5000


def _bidi_and_long_word_call(folder: Path) -> list[str]:
    apps = [tiny_application(1, title="Safe\u202eevil\u2069 title", summary=LONG_WORD,
                             organisation={"name": f"Org {BIDI} name"}),
            tiny_application(2, title=LONG_WORD), tiny_application(3)]
    return build_call(folder, applications=apps).args


def test_bidi_controls_in_applicant_text_are_neutralised_in_the_html(
        tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    from pine_select.report.cells import terminal_text

    args = _bidi_and_long_word_call(tmp_path / "call")
    assert run_cli("pack", *args, "--out", tmp_path / "pack").exit_code == 0
    html = briefing(tmp_path / "pack")
    assert not set(BIDI) & set(html)
    assert "Safe evil  title" in html  # as the terminal shows it, one space a control
    assert terminal_text("Safe\u202eevil\u2069 title") == "Safe evil title"
    results = (tmp_path / "pack" / "results.json").read_text(encoding="utf-8")
    assert "\\u202e" in results or "\u202e" in results  # data keeps the text exactly


def test_a_5000_character_word_does_not_widen_the_page(
        tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    from helpers_browser import require_chromium
    from playwright.sync_api import sync_playwright

    chromium = require_chromium()
    args = _bidi_and_long_word_call(tmp_path / "call")
    assert run_cli("pack", *args, "--out", tmp_path / "pack").exit_code == 0
    html = briefing(tmp_path / "pack")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page(viewport={"width": 768, "height": 1000},
                                    java_script_enabled=True)
            page.set_content(html)
            for media in ("screen", "print"):
                page.emulate_media(media=media)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 768, f"{media}: the page is {width} px wide"
        finally:
            browser.close()
