"""The 360Giving CSV round trip through flattentool (issue 17's check).

flattentool is the standard's own converter between its spreadsheets and JSON. Unflattening
our ``360giving-csv`` output with it, against the shipped grant schema and its column
titles, must give back the grants of our ``360giving`` JSON export: the CSV says nothing
the validated JSON does not, and loses nothing of it. The one known difference is the
spreadsheet neutraliser: a text starting like a formula gets a leading apostrophe in the
CSV (as every spreadsheet of the project does), which flattentool keeps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_after import DIFFERING, tiny_call_with
from test_export import SCHEMA, with_funder

flattentool = pytest.importorskip("flattentool")


def _exports(tmp_path: Path, run_cli, title: str) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    """(our JSON grants, flattentool's grants from our CSV) for the tiny call's decision."""
    rubric, apps = tiny_call_with(tmp_path, DIFFERING)
    with_funder(rubric)
    app = apps / "TINY-001.yaml"
    app.write_text(app.read_text("utf-8").replace("title: Family hub key workers",
                                                  f"title: {json.dumps(title)}"), "utf-8")
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for fmt, out in (("360giving", tmp_path / "grants.json"),
                     ("360giving-csv", sheets / "grants.csv")):
        result = run_cli("export", rubric, apps, "--format", fmt, "--out", out)
        assert result.exit_code == 0, result.stderr
    unflattened = tmp_path / "unflattened.json"
    flattentool.unflatten(str(sheets), input_format="csv", root_list_path="grants",
                          schema=str(SCHEMA / "360-giving-schema.json"), convert_titles=True,
                          output_name=str(unflattened), id_name="id")
    ours = json.loads((tmp_path / "grants.json").read_text("utf-8"))["grants"]
    theirs = json.loads(unflattened.read_text("utf-8"))["grants"]
    return ours, theirs


def _by_id(grants: list[dict]) -> dict[str, dict]:  # type: ignore[type-arg]
    return {g["id"]: g for g in grants}


def test_flattentool_unflattens_our_csv_into_our_json_grants(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = _exports(tmp_path, run_cli, 'Key workers, "hubs" and £ — cafés\nin one')
    assert len(ours) == 2
    assert _by_id(theirs) == _by_id(ours)


def test_a_formula_like_title_comes_back_with_only_the_neutralising_apostrophe(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = _exports(tmp_path, run_cli, "=HYPERLINK(\"http://x\")")
    mine, back = _by_id(ours), _by_id(theirs)
    changed = mine["360G-TINY-TINY-001"]
    assert back["360G-TINY-TINY-001"]["title"] == "'" + changed["title"]
    assert {**back["360G-TINY-TINY-001"], "title": changed["title"]} == changed
    assert back["360G-TINY-TINY-003"] == mine["360G-TINY-TINY-003"]
