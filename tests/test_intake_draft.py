"""`pine-select mapping`: a draft a lead edits, then import is exact."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from helpers_intake import (
    APPS,
    RUBRIC,
    ms_forms_rows,
    pine_applications,
    platform_rows,
    write_csv,
    write_xlsx,
)

from pine_select.intake.draft import category_matches, key_name, name_score
from pine_select.intake.mapping import load_mapping

Run = Callable[..., Result]


def draft_of(run_cli: Run, export: Path) -> str:
    result = run_cli("mapping", export, "--rubric", RUBRIC)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_draft_for_microsoft_forms_matches_headers_and_answers(run_cli: Run,
                                                               tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "forms.xlsx", ms_forms_rows(pine_applications()))
    draft = draft_of(run_cli, export)
    lines = draft.splitlines()
    assert 'id: {column: ID, template: "APP-{:03d}"}  # check: the call\'s own id prefix' in lines
    assert "  title: Project title" in lines
    assert "  organisation.name: Name of your organisation" in lines
    assert "      Local authority: local_authority" in lines  # sure: no mark
    assert "      Voluntary or community sector: voluntary_sector  # check" in lines
    assert "  organisation.region: Region" in lines  # its answers are the categories
    assert '    split: ";"' in lines
    assert "      Early years (0-4): early_years  # check" in lines
    assert "    type: money" in lines
    assert "  facts.data_sharing_agreement: {column: \"Do you have a data sharing agreement?\", " \
           "type: boolean}  # check: a fact no gate uses; name it, or ignore it" in lines
    assert lines[-3:] == ["ignore:", "  - Start time", "  - Completion time"]
    # The draft is a valid mapping as it stands.
    (tmp_path / "mapping.yaml").write_text(draft, encoding="utf-8")
    assert load_mapping(tmp_path / "mapping.yaml").mapping.fields["title"].column == "Project title"


def test_after_editing_the_marked_lines_import_is_exact(run_cli: Run, tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "forms.xlsx", ms_forms_rows(pine_applications()))
    draft = draft_of(run_cli, export).replace("APP-{:03d}", "PINE-2019-{:03d}")
    (tmp_path / "mapping.yaml").write_text(draft, encoding="utf-8")
    out = tmp_path / "apps"
    result = run_cli("import", export, "--mapping", tmp_path / "mapping.yaml", "--out", out,
                     "--rubric", RUBRIC)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr  # every column is mapped or ignored
    for name in ("reviews.csv", "conflicts.csv"):
        shutil.copy(APPS / name, out / name)
    scores = [json.loads(run_cli("score", RUBRIC, apps, "--format", "json").stdout)
              for apps in (out, APPS)]
    assert scores[0] == scores[1]


def test_unmatched_answers_are_listed(run_cli: Run, tmp_path: Path) -> None:
    rows = platform_rows()
    rows[2][5] = "Faith group"
    draft = draft_of(run_cli, write_csv(tmp_path / "platform.csv", rows))
    assert "    # check: answers matched to no category: 'la', 'Faith group'" in draft
    assert "  requested_amount:\n    column: \"Total Requested (£)\"\n    type: money" in draft


def test_header_and_answer_matching() -> None:
    assert name_score("Which age groups does the practice serve?", ["age groups"]) == 0.85
    assert name_score("Region", ["region"]) == 1.0
    assert name_score("Favourite colour", ["region", "age groups"]) < 0.6
    assert category_matches("Local Authority", ["local_authority", "health"]) == (
        "local_authority", True)
    assert category_matches("Voluntary sector (charity)", ["voluntary_sector", "other"]) == (
        "voluntary_sector", False)
    assert category_matches("Police", ["local_authority", "health"]) == (None, False)
    assert key_name("How many families does it work with each year?") == (
        "families_work_each_year")


def test_the_worked_example_in_the_format_docs_is_a_valid_mapping(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text.split("## Mapping (a form export into applications)", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "mapping.yaml").write_text(example, encoding="utf-8")
    loaded = load_mapping(tmp_path / "mapping.yaml").mapping
    assert loaded.id.template == "PINE-2019-{:03d}"
    assert loaded.fields["age_groups"].values["Primary (5-11)"] == "primary"
