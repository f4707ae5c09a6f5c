"""organisation.identifier from a form export (SPEC 8 and 11): imported, checked, published.

An org-id.guide identifier (GB-CHC-1234567, GB-LAE-WAR) mapped from a column lands in each
application, a cell of the wrong shape is a row/cell error of the export, and the
360Giving export names the recipient by the imported identifier.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import yaml_text
from helpers_after import AGREEING, GOLDEN_CALL
from helpers_intake import write_csv

HEADER = ("Ref", "Project", "Organisation", "Kind", "Region", "Charity or council number",
          "Practice", "Ages", "Amount", "Summary", "In England?")
ROWS = (
    ("1", "Family hub key workers", "Northbrook Borough Council", "Local authority", "London",
     "GB-LAE-NBK", "early_help", "early_years;primary", "£40,000", "Key workers.", "Yes"),
    ("2", "Kinship carers circle", "Harbour Families Trust", "Voluntary sector",
     "North West", " GB-CHC-1234567 ", "permanence", "primary", "35000", "Carers.", "Yes"),
    ("3", "Conference family plans", "Westmere Council", "Local authority", "South East", "",
     "child_protection", "adolescent", "45,000", "Plans.", "Yes"),
)
MAPPING = {
    "id": {"column": "Ref", "template": "TINY-{:03d}"},
    "fields": {
        "title": "Project", "summary": "Summary",
        "organisation.name": "Organisation",
        "organisation.type": {"column": "Kind", "values": {
            "Local authority": "local_authority", "Voluntary sector": "voluntary_sector"}},
        "organisation.region": "Region",
        "organisation.identifier": "Charity or council number",
        "practice_type": "Practice",
        "age_groups": {"column": "Ages", "split": ";"},
        "requested_amount": {"column": "Amount", "type": "money"},
        "facts.based_in_england": {"column": "In England?", "type": "boolean"},
    },
}
FUNDER = "funder: {id: GB-CHC-7654321, name: Tiny Trust, grant_id_prefix: 360G-TINY}\n"


def _export(tmp_path: Path, rows: tuple[tuple[str, ...], ...] = ROWS) -> tuple[Path, Path]:
    export = write_csv(tmp_path / "export.csv", [HEADER, *rows])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml_text(MAPPING), "utf-8")
    return export, mapping


def test_an_imported_identifier_names_the_recipient_in_360giving(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    export, mapping = _export(tmp_path)
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((GOLDEN_CALL / "rubric.yaml").read_text("utf-8") + FUNDER, "utf-8")
    apps = tmp_path / "apps"
    result = run_cli("import", export, "--mapping", mapping, "--rubric", rubric, "--out", apps)
    assert result.exit_code == 0, result.stderr
    assert "  identifier: GB-LAE-NBK\n" in (apps / "TINY-001.yaml").read_text("utf-8")
    assert "identifier" not in (apps / "TINY-003.yaml").read_text("utf-8")  # empty: left out
    reviews = (GOLDEN_CALL / "applications" / "reviews.csv").read_text("utf-8").splitlines()
    (apps / "reviews.csv").write_text("\n".join(
        r for r in reviews if not r.startswith(("TINY-004", "TINY-005"))) + "\n", "utf-8")
    agreeing = {**AGREEING, "funded": [{"id": "TINY-003"}, {"id": "TINY-002"}]}
    (apps / "decision.yaml").write_text(yaml_text(agreeing), "utf-8")
    result = run_cli("export", rubric, apps, "--format", "360giving")
    assert result.exit_code == 0, result.stderr
    recipients = {g["id"]: g["recipientOrganization"][0]["id"]
                  for g in json.loads(result.stdout)["grants"]}
    assert recipients == {"360G-TINY-TINY-002": "GB-CHC-1234567",  # trimmed on import
                          "360G-TINY-TINY-003": "360G-TINY-ORG-TINY-003"}


def test_an_identifier_of_the_wrong_shape_is_a_cell_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    bad = tuple((*row[:5], cell, *row[6:]) for row, cell in
                zip(ROWS, ("1234567", "GB-CHC-12 34", "gb-chc-1"), strict=True))
    export, mapping = _export(tmp_path, bad)
    result = run_cli("import", export, "--mapping", mapping, "--out", tmp_path / "apps")
    assert result.exit_code == 2
    assert not (tmp_path / "apps").exists()
    for row, cell in ((2, "1234567"), (3, "GB-CHC-12 34"), (4, "gb-chc-1")):
        line = next(x for x in result.stderr.splitlines() if f"row {row}" in x or
                    f":{row}:" in x)
        assert cell in line and "organisation identifier" in line, line


def test_the_draft_mapping_finds_an_identifier_column(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    header = (*HEADER[:5], "Registered charity number", *HEADER[6:])
    export = write_csv(tmp_path / "export.csv", [header, *ROWS])
    result = run_cli("mapping", export, "--rubric", GOLDEN_CALL / "rubric.yaml")
    assert result.exit_code == 0, result.stderr
    assert "  organisation.identifier: Registered charity number\n" in result.stdout
