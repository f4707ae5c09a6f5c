"""export (SPEC 11): the funded grants as 360Giving 1.4, valid against the standard's schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers_after import DIFFERING, decision, tiny_call_with
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import pine_select.after

SCHEMA = Path(pine_select.after.__file__).parent / "schema"
FUNDER = {"id": "GB-CHC-1234567", "name": "Tiny Trust", "grant_id_prefix": "360G-TINY"}


def standard_validator() -> jsonschema.Draft202012Validator:
    """The shipped schema, read by the test itself (not through the code under test)."""
    package = json.loads((SCHEMA / "360-giving-package-schema.json").read_text("utf-8"))
    grant = DRAFT202012.create_resource(
        json.loads((SCHEMA / "360-giving-schema.json").read_text("utf-8")))
    ref = package["properties"]["grants"]["items"]["$ref"]
    return jsonschema.Draft202012Validator(
        package, registry=Registry().with_resource(ref, grant),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def with_funder(rubric: Path, **funder: str) -> None:
    text = rubric.read_text("utf-8")
    rubric.write_text(text + yaml.safe_dump({"funder": {**FUNDER, **funder}}), "utf-8")


def test_the_shipped_schema_is_the_standards_1_4() -> None:
    grant = json.loads((SCHEMA / "360-giving-schema.json").read_text("utf-8"))
    # Tag 1.4.3 keeps the $id of 1.4.2, to which its package schema refers.
    assert grant["$id"].endswith("/1.4.2/schema/360-giving-schema.json")
    assert grant["oneOf"][0]["required"] == ["id", "title", "description", "currency",
                                             "amountAwarded", "awardDate",
                                             "recipientOrganization", "fundingOrganization"]


def test_the_json_package_is_valid_360giving_with_the_decided_amounts(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    with_funder(rubric)
    result = run_cli("export", rubric, apps, "--format", "360giving")
    assert result.exit_code == 0, result.stderr
    package = json.loads(result.stdout)
    assert list(standard_validator().iter_errors(package)) == []
    grants = {g["id"]: g for g in package["grants"]}
    assert list(grants) == ["360G-TINY-TINY-003", "360G-TINY-TINY-001"]  # rank order
    first = grants["360G-TINY-TINY-001"]
    assert (first["amountAwarded"], first["amountAppliedFor"]) == (40000, 40000)
    assert first["awardDate"] == "2019-06-20"
    assert first["recipientOrganization"] == [{"id": "360G-TINY-ORG-TINY-001",
                                               "name": "Northbrook Borough Council"}]
    assert first["fundingOrganization"] == [{"id": "GB-CHC-1234567", "name": "Tiny Trust"}]
    assert first["beneficiaryLocation"] == [{"name": "London"}]
    again = run_cli("export", rubric, apps, "--format", "360giving")
    assert again.stdout_bytes == result.stdout_bytes


def test_the_schema_check_really_checks_dates_and_required_fields() -> None:
    from pine_select.after.giving_schema import check_package
    from pine_select.errors import InputError

    grant = {"id": "360G-X-1", "title": "T", "description": "D", "currency": "GBP",
             "amountAwarded": 5, "awardDate": "2019-06-20",
             "recipientOrganization": [{"id": "GB-CHC-1", "name": "R"}],
             "fundingOrganization": [{"id": "GB-CHC-2", "name": "F"}]}
    check_package({"grants": [grant]}, "x")  # valid: no error
    bad = [{**grant, "dateModified": "yesterday"}, {**grant, "awardDate": "20/06/2019"},
           {k: v for k, v in grant.items() if k != "currency"}, {**grant, "currency": "QQQ"}]
    for item in bad:
        with pytest.raises(InputError, match=r"x: 360Giving\.grants\[0\]"):
            check_package({"grants": [item]}, "x")
        assert list(standard_validator().iter_errors({"grants": [item]})) != []


def test_the_csv_has_the_standards_titles_and_neutralised_cells(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, decision([{"id": "TINY-003", "amount": 40000},
                                                      {"id": "TINY-002"}]))
    with_funder(rubric)
    app = apps / "TINY-003.yaml"
    text = app.read_text("utf-8").replace("title: Conference family plans",
                                          'title: "=HYPERLINK(\\"http://x\\")"')
    text = text.replace("region: North West", "region: North West\n  identifier: GB-LAE-WAR")
    app.write_text(text, "utf-8")
    out = tmp_path / "grants.csv"
    result = run_cli("export", rubric, apps, "--format", "360giving-csv", "--out", out)
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == 3  # a header and two grants, CRLF
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert list(rows[0])[:8] == ["Identifier", "Title", "Description", "Currency",
                                 "Amount Applied For", "Amount Awarded", "Award Date",
                                 "Recipient Org:Identifier"]
    assert {"Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name",
            "Beneficiary Location:Name"} <= set(rows[0])
    assert rows[0]["Title"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["Recipient Org:Identifier"] == "GB-LAE-WAR"
    assert (rows[0]["Amount Awarded"], rows[1]["Amount Awarded"]) == ("40000", "35000")


def test_no_funder_block_is_an_error_naming_the_rubric(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    result = run_cli("export", rubric, apps, "--format", "360giving")
    assert result.exit_code == 2
    assert "rubric.yaml: no funder block: the grants cannot be published" in result.stderr
    assert result.stdout == ""


def test_a_decision_is_needed_and_checked_before_anything_is_written(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, None)
    with_funder(rubric)
    out = tmp_path / "grants.json"
    result = run_cli("export", rubric, apps, "--format", "360giving", "--out", out)
    assert result.exit_code == 2 and "decision.yaml: no such file" in result.stderr
    (apps / "decision.yaml").write_text("decided_on: 2019-06-20\ndecided_by: P\nfunded:\n"
                                        "  - {id: TINY-001}\n", "utf-8")
    result = run_cli("export", rubric, apps, "--format", "360giving", "--out", out)
    assert result.exit_code == 2 and "no change gives the reason" in result.stderr
    assert not out.exists()


def test_out_may_not_be_an_input_of_the_call(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    with_funder(rubric)
    before = rubric.read_bytes()
    for out in (rubric, apps / "grants.json", apps):
        result = run_cli("export", rubric, apps, "--format", "360giving", "--out", out)
        assert result.exit_code == 2, out
        assert "choose" in result.stderr
    assert rubric.read_bytes() == before and not (apps / "grants.json").exists()


def test_an_existing_out_file_is_replaced_only_with_force(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    with_funder(rubric)
    out = tmp_path / "thesis.docx"
    out.write_bytes(b"three years of work")
    result = run_cli("export", rubric, apps, "--format", "360giving", "--out", out)
    assert result.exit_code == 2
    assert "thesis.docx already exists; choose another file, or replace it" in result.stderr
    assert out.read_bytes() == b"three years of work"
    result = run_cli("export", rubric, apps, "--format", "360giving", "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text("utf-8"))["grants"]


def test_the_csv_carries_no_terminal_or_bidi_control(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Hostile 10: ESC and BEL went raw to standard output, and a bidi override."""
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    with_funder(rubric)
    app = apps / "TINY-003.yaml"
    text = app.read_text("utf-8").replace("title: Conference family plans",
                                          'title: "\\e]0;pwned\\a\\e[2J plans \\u202Eevil"')
    app.write_text(text, "utf-8")
    result = run_cli("export", rubric, apps, "--format", "360giving-csv")
    assert result.exit_code == 0, result.stderr
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in result.stdout, repr(bad)
    assert "\ufffd]0;pwned\ufffd\ufffd[2J plans \ufffdevil" in result.stdout
