"""letters (SPEC 11): one letter per applicant, that names nobody else, rendered sandboxed."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from helpers_after import AGREEING, DIFFERING, tiny_call_with

from pine_select.loading.loader import load_call

ROOT = Path(__file__).resolve().parents[1]
RUBRIC, APPS = ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019"


def text_of(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def example_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from pine_select.cli import main

    out = tmp_path_factory.mktemp("letters") / "letters"
    result = CliRunner().invoke(main, ["letters", str(RUBRIC), str(APPS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_every_applicant_gets_one_letter_that_names_nobody_else(example_letters: Path) -> None:
    call = load_call(RUBRIC, APPS)
    reviewers = {r.reviewer for r in call.reviews} | {c.reviewer for c in call.conflicts}
    assert sorted(p.name for p in example_letters.iterdir()) == [
        f"{a.id}.html" for a in call.applications]
    for app in call.applications:
        seen = text_of((example_letters / f"{app.id}.html").read_text("utf-8")).lower()
        assert app.id.lower() in seen and app.organisation.name.lower() in seen
        mine = {app.id, app.title, app.organisation.name}
        for other in call.applications:
            for name in {other.id, other.title, other.organisation.name} - mine:
                assert not re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", seen), (
                    f"{app.id}'s letter names {name!r}")
        for reviewer in reviewers:
            assert reviewer not in seen, f"{app.id}'s letter names reviewer {reviewer}"


def test_the_letters_say_the_outcome_scores_and_why(example_letters: Path) -> None:
    def letter(app_id: str) -> str:
        return text_of((example_letters / f"{app_id}.html").read_text("utf-8"))

    funded = letter("PINE-2019-030")
    assert "Your application has been funded" in funded and "£44,000" in funded
    assert "Total (out of 100) 67.19" in funded
    assert "The totals of the 8 funded applications ranged from 67.19 to 83.33" in funded
    kept_out = letter("PINE-2019-002")  # ranked first, kept out by the region cap
    assert "has not been funded" in kept_out
    assert "Regions capped: No more than two partners from any one region." in kept_out
    assert "in the top quarter of the 39 applications compared" in kept_out
    below = letter("PINE-2019-013")
    assert "Its total, 56.25, was below the lowest funded total, 67.19." in below
    assert "It was 10.94 points below the lowest funded total." in below
    assert "Too early to evaluate" in below or "too early to evaluate" in below  # a comment
    ineligible = letter("PINE-2019-006")
    assert "Your application was not eligible" in ineligible


def test_the_panels_decision_and_its_reasons_are_the_outcome(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out).exit_code == 0
    read = {p.stem: text_of(p.read_text("utf-8")) for p in out.iterdir()}
    assert "Your application has been funded" in read["TINY-001"]
    assert "The panel decided not to fund it: Funded by another trust meanwhile." in \
        read["TINY-002"]
    assert "Your application was withdrawn" in read["TINY-004"]
    assert "Already funded for an evaluation by another programme this year." in read["TINY-004"]
    assert "Your application was not eligible" in read["TINY-005"]
    assert "Decided on 2019-06-20 by the Tiny panel" in read["TINY-003"]


def test_without_a_decision_the_recommendation_is_the_outcome(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, None)
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out).exit_code == 0
    first = text_of((out / "TINY-001.html").read_text("utf-8"))
    # Ranked second, but with TINY-003 it leaves no voluntary-sector partner.
    assert "would have broken the call's rules" in first
    assert "voluntary_sector_included" in first
    assert "Decided on" not in first


def test_hostile_comments_are_escaped_neutralised_and_redacted(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    reviews = apps / "reviews.csv"
    rows = reviews.read_text("utf-8").splitlines()
    target = next(i for i, row in enumerate(rows) if row.startswith("TINY-003,"))
    head = rows[target].rsplit(",", 1)[0]
    reviewer = head.split(",")[1]  # signs their own comment
    rows[target] = (f'{head},"<script>alert(1)</script> \u202eevil\u202c better than TINY-002 '
                    f'and harbour families trust; see {reviewer.upper()}"')
    reviews.write_text("\n".join(rows) + "\n", "utf-8")
    out = tmp_path / "letters"
    result = run_cli("letters", rubric, apps, "--out", out)
    assert result.exit_code == 0, result.stderr
    page = (out / "TINY-003.html").read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "\u202c" not in page
    seen = text_of(page)
    assert "better than [another applicant] and [another applicant]; see [a reviewer]" in seen
    assert reviewer not in seen.lower()


def test_a_funders_template_is_sandboxed_and_autoescaped(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    own = tmp_path / "own.html.j2"
    own.write_text("<p>{{ title }}: {{ outcome }} {{ amount|pounds }}</p>\n", "utf-8")
    app = apps / "TINY-003.yaml"
    app.write_text(app.read_text("utf-8").replace("title: Conference family plans",
                                                  "title: <b>Plans</b>"), "utf-8")
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out, "--template", own).exit_code == 0
    assert (out / "TINY-003.html").read_text("utf-8") == \
        "<p>&lt;b&gt;Plans&lt;/b&gt;: funded £45,000</p>\n"
    escapes = ["{{ ''.__class__.__mro__[1].__subclasses__() }}",
               "{{ criteria.append(1) }}", "{% include '/etc/passwd' %}", "{{ nosuchname }}",
               "{% if %}", "{{ 1 / 0 }}", "{{ total + [] }}"]
    for n, body in enumerate(escapes):
        own.write_text("line one\n" + body + "\n", "utf-8")
        result = run_cli("letters", rubric, apps, "--out", tmp_path / f"x{n}", "--template", own)
        assert result.exit_code == 2, body
        assert "own.html.j2" in result.stderr and "template error" in result.stderr, body
        assert "Traceback" not in result.stderr
        assert not (tmp_path / f"x{n}").exists()  # nothing half-written


def test_an_existing_folder_is_written_only_with_force_and_then_only_its_letters(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out).exit_code == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    result = run_cli("letters", rubric, apps, "--out", out)
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert run_cli("letters", rubric, apps, "--out", out, "--force").exit_code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # same bytes again
    # --force never deletes or rewrites what the letters did not write, .html or not.
    (out / "notes.txt").write_text("mine", "utf-8")
    (out / "index.html").write_text("<p>my own index</p>", "utf-8")
    (out / "TINY-001.html").write_text("an old letter", "utf-8")
    assert run_cli("letters", rubric, apps, "--out", out, "--force").exit_code == 0
    assert (out / "notes.txt").read_text("utf-8") == "mine"
    assert (out / "index.html").read_text("utf-8") == "<p>my own index</p>"
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in first} == first
    inside = tmp_path / "mine"
    inside.mkdir()
    (inside / "TINY-001.html").write_text("<p>{{ title }}</p>\n", "utf-8")
    result = run_cli("letters", rubric, apps, "--out", inside, "--force", "--template",
                     inside / "TINY-001.html")  # a letter would overwrite its own template
    assert result.exit_code == 2 and "TINY-001.html: is one of the run's inputs" in result.stderr
    assert (inside / "TINY-001.html").read_text("utf-8") == "<p>{{ title }}</p>\n"
    result = run_cli("letters", rubric, apps, "--out", apps / "letters")
    assert result.exit_code == 2 and not (apps / "letters").exists()


def test_when_nothing_is_funded_the_letters_say_so(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, None)
    text = rubric.read_text("utf-8").replace("budget: 90000", "budget: 1000")
    rubric.write_text(text, "utf-8")  # no two applications fit: no portfolio at all
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out).exit_code == 0
    first = text_of((out / "TINY-001.html").read_text("utf-8"))
    assert "has not been funded" in first and "No application was funded in this call." in first
    assert "ranged from" not in first


REVIEWERS_CSV = ("reviewer,name,organisation,expertise,max_load\n"
                 "ana,Ana Ortiz,Shore Council,,\nben,Ben Mills,,,\ncal,Cal Reyes,,,\n")


def _letters_with_named_comment(tmp_path: Path, run_cli, *extra: str | Path) -> str:  # type: ignore[no-untyped-def]
    """TINY-003's letter after a hostile comment naming reviewers by display name."""
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    reviews = apps / "reviews.csv"
    rows = reviews.read_text("utf-8").splitlines()
    target = next(i for i, row in enumerate(rows) if row.startswith("TINY-003,"))
    head = rows[target].rsplit(",", 1)[0]
    rows[target] = (f'{head},"<b>ANA  ortiz</b> writing: <i>Ben Mills</i> agrees it beats '
                    'TINY-001 (Northbrook Borough Council). — cal reyes"')
    reviews.write_text("\n".join(rows) + "\n", "utf-8")
    out = tmp_path / "letters"
    result = run_cli("letters", rubric, apps, "--out", out, *extra)
    assert result.exit_code == 0, result.stderr
    return (out / "TINY-003.html").read_text("utf-8")


def test_reviewers_display_names_never_reach_a_letter(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    given = tmp_path / "people.csv"
    given.write_text(REVIEWERS_CSV, "utf-8")
    page = _letters_with_named_comment(tmp_path, run_cli, "--reviewers", given)
    assert "<b>" not in page and "&lt;b&gt;" in page
    seen = text_of(page)
    assert ("<b>[a reviewer]</b> writing: <i>[a reviewer]</i> agrees it beats [another "
            "applicant] ([another applicant]). — [a reviewer]") in seen  # shown as text
    for name in ("ana", "ortiz", "ben mills", "cal reyes", "northbrook", "tiny-001"):
        assert name not in seen.lower(), name


def test_reviewers_csv_in_the_applications_folder_is_read_by_default(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    (apps / "reviewers.csv").write_text(REVIEWERS_CSV, "utf-8")
    out = tmp_path / "letters"
    assert run_cli("letters", rubric, apps, "--out", out).exit_code == 0
    for page in out.iterdir():
        seen = text_of(page.read_text("utf-8")).lower()
        assert "ana ortiz" not in seen and "ben mills" not in seen and "cal reyes" not in seen


def test_an_unsound_reviewers_file_is_an_input_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    (apps / "reviewers.csv").write_text("reviewer,name\nana,A\nana,B\n", "utf-8")
    result = run_cli("letters", rubric, apps, "--out", tmp_path / "letters")
    assert result.exit_code == 2 and "reviewers.csv:" in result.stderr
    assert not (tmp_path / "letters").exists()
