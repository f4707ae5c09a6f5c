"""`pine-select import`: realistic exports give back the call; re-import; the written files.

The round trip is the strongest check: the hand-written example call, turned into a
Microsoft Forms .xlsx (and a Google Forms .csv, and a ';' CSV) in a form's own wording,
imported with --rubric, must score exactly as the hand-written call does.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from helpers_intake import (
    APPS,
    FACTS,
    PLATFORM_MAPPING,
    RUBRIC,
    ms_forms_rows,
    pine_applications,
    pine_mapping,
    platform_rows,
    write_csv,
    write_xlsx,
)

from pine_select.intake import plan_import, write_import
from pine_select.loading.loader import load_call
from pine_select.model.application import Application

Run = Callable[..., Result]


def score_json(run_cli: Run, apps: Path) -> object:
    result = run_cli("score", RUBRIC, apps, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def imported_call(run_cli: Run, tmp_path: Path, export: Path, mapping_text: str) -> Path:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(mapping_text, encoding="utf-8")
    out = tmp_path / "apps"
    result = run_cli("import", export, "--mapping", mapping, "--out", out, "--rubric", RUBRIC)
    assert result.exit_code == 0, result.output
    for name in ("reviews.csv", "conflicts.csv"):
        shutil.copy(APPS / name, out / name)
    return out


def test_microsoft_forms_xlsx_round_trip_scores_as_the_hand_written_call(
        run_cli: Run, tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "PINE 2019 applications.xlsx",
                        ms_forms_rows(pine_applications()))
    out = imported_call(run_cli, tmp_path, export, pine_mapping())
    assert score_json(run_cli, out) == score_json(run_cli, APPS)
    # The same applications, but that a blank answer is written as one ("").
    assert [without_blank_answers(a) for a in load_call(RUBRIC, out).applications] == [
        without_blank_answers(a) for a in load_call(RUBRIC, APPS).applications]


def without_blank_answers(app: Application) -> Application:
    return app.model_copy(update={"answers": {k: v for k, v in app.answers.items() if v}})


def google_forms_rows() -> list[list[object]]:
    """A Google Forms export: Timestamp, Email Address, then the questions; no ID column.

    The funder added a Reference column when reading the sheet (Google Forms has none).
    """
    rows = ms_forms_rows(pine_applications())
    out: list[list[object]] = [["Timestamp", "Email Address", "Name", "Reference", *rows[0][5:]]]
    for row in rows[1:]:
        stamp = row[1].strftime("%d/%m/%Y %H:%M:%S")  # type: ignore[attr-defined]
        out.append([stamp, row[3], row[4], f"PINE-2019-{row[0]:03d}", *row[5:]])
    return out


def test_google_forms_csv_with_bom_and_crlf_round_trips(run_cli: Run, tmp_path: Path) -> None:
    export = write_csv(tmp_path / "responses.csv", google_forms_rows())
    assert export.read_bytes().startswith(b"\xef\xbb\xbfTimestamp,")
    assert b"\r\n" in export.read_bytes()
    mapping = pine_mapping("Reference", "{}", ignore=["Timestamp"]).replace(
        "contact.email: Email", "contact.email: Email Address")
    out = imported_call(run_cli, tmp_path, export, mapping)
    assert score_json(run_cli, out) == score_json(run_cli, APPS)


def test_semicolon_csv_as_excel_saves_it_in_europe(run_cli: Run, tmp_path: Path) -> None:
    rows = ms_forms_rows(pine_applications())
    rows = [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in rows]
    export = write_csv(tmp_path / "export.csv", rows, delimiter=";", bom=False, newline="\n")
    # A multi-select answer holds ';' itself, so the csv module quotes it.
    assert '"Early years (0-4);Primary (5-11);"' in export.read_text(encoding="utf-8")
    out = imported_call(run_cli, tmp_path, export, pine_mapping())
    assert score_json(run_cli, out) == score_json(run_cli, APPS)


def test_platform_export_with_its_own_wording(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # problems name files as the user typed them
    export = write_csv(tmp_path / "smartygrants.csv", platform_rows())
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(PLATFORM_MAPPING, encoding="utf-8")
    plan = plan_import(export, mapping, RUBRIC)
    first = plan.files[0].text
    assert plan.files[0].name == "SG-00017.yaml"
    assert first.startswith("# Imported by pine-select from smartygrants.csv, row 2.\n")
    assert "  type: local_authority\n  region: London\n" in first
    assert "practice_type: adolescent_safeguarding\n" in first
    assert "age_groups: [adolescent, young_adult]\n" in first
    assert "requested_amount: 48500\n" in first
    second = plan.files[1].text
    assert "facts:\n  based_in_england: true\n  months_running: 1200\n" in second
    assert "contact" not in second  # an empty optional cell leaves the key out
    # The column the mapping does not mention is named once, as a warning.
    assert [str(w) for w in plan.warnings] == [
        "smartygrants.csv:1: column(s) neither mapped nor ignored: Internal notes; expected "
        "each column under fields: or ignore: in the mapping"]


def test_written_file_layout_is_the_spec_format(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "forms.xlsx", ms_forms_rows(pine_applications()[:1]))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    text = plan_import(export, mapping, RUBRIC).files[0].text
    assert text.splitlines()[:9] == [
        "# Imported by pine-select from forms.xlsx (sheet Form1), row 2.",
        "id: PINE-2019-001",
        "title: Family hub key workers",
        "organisation:",
        "  name: Trentshire County Council",
        "  type: local_authority",
        "  region: East Midlands",
        "summary: Since 2017 our eleven family hubs give every family who asks for early "
        "help a single key worker who stays with them for up to nine months. Key workers hold "
        "small caseloads of twelve families and coordinate health visiting, school and housing "
        "support around one family plan.",
        "practice_type: early_help",
    ]
    assert "age_groups: [early_years, primary]\nrequested_amount: 50000\ncontact:\n" in text


def test_same_export_gives_the_same_bytes(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "forms.xlsx", ms_forms_rows(pine_applications()))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    first = [f.text for f in plan_import(export, mapping, RUBRIC).files]
    again = [f.text for f in plan_import(export, mapping, RUBRIC).files]
    assert first == again and len(first) == 44


# --- Re-import -------------------------------------------------------------------------


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, Path, Path]:
    export = write_xlsx(tmp_path / "forms.xlsx", ms_forms_rows(pine_applications()[:5]))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    out = tmp_path / "apps"
    write_import(plan_import(export, mapping, RUBRIC), out)
    return export, mapping, out


def test_existing_folder_is_refused_without_force(run_cli: Run,
                                                  imported: tuple[Path, Path, Path]) -> None:
    export, mapping, out = imported
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = run_cli("import", export, "--mapping", mapping, "--out", out)
    assert result.exit_code == 2
    assert "already exists; expected a new folder, or to update this one (force" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_force_rewrites_only_changed_files_and_lists_the_gone(
        run_cli: Run, imported: tuple[Path, Path, Path], tmp_path: Path) -> None:
    export, mapping, out = imported
    rows = ms_forms_rows(pine_applications()[:5])
    rows[2][5] = "A new title"  # PINE-2019-002 changes its title
    del rows[5]  # PINE-2019-005 is withdrawn
    write_xlsx(export, rows)
    (out / "reviews.csv").write_text("application_id,reviewer,criterion,score,comment\n")
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    untouched = out / "PINE-2019-001.yaml"
    untouched.touch()  # any rewrite would change the time again
    mtime = untouched.stat().st_mtime_ns
    dry = run_cli("import", export, "--mapping", mapping, "--out", out, "--force", "--dry-run",
                  "--rubric", RUBRIC)
    assert dry.exit_code == 0, dry.output
    assert "would get 0 new, 1 changed, 3 unchanged (nothing written)" in dry.stdout
    assert (out / "PINE-2019-002.yaml").stat().st_mtime_ns == stamps["PINE-2019-002.yaml"]
    result = run_cli("import", export, "--mapping", mapping, "--out", out, "--force",
                     "--rubric", RUBRIC)
    assert result.exit_code == 0, result.output
    assert "0 new, 1 changed, 3 unchanged." in result.stdout
    assert "Not in the export (kept, not deleted): PINE-2019-005.yaml" in result.stdout
    assert "title: A new title\n" in (out / "PINE-2019-002.yaml").read_text()
    assert (out / "PINE-2019-005.yaml").exists()
    assert untouched.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_dry_run_writes_nothing(run_cli: Run, tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "forms.xlsx", ms_forms_rows(pine_applications()[:3]))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    result = run_cli("import", export, "--mapping", mapping, "--out", tmp_path / "apps",
                     "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: 3 application(s) from forms.xlsx" in result.stdout
    assert not (tmp_path / "apps").exists()


def test_progress_goes_to_stderr_only(run_cli: Run, tmp_path: Path) -> None:
    rows = ms_forms_rows(pine_applications())
    many = [rows[0]] + [[n, *row[1:]] for n in range(1, 1101) for row in rows[1:2]]
    export = write_xlsx(tmp_path / "forms.xlsx", many)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    result = run_cli("import", export, "--mapping", mapping, "--out", tmp_path / "apps")
    assert result.exit_code == 0, result.output
    assert "import: read 1,100 rows of forms.xlsx" in result.stderr
    assert "import: converted 1,000 of 1,100 rows" in result.stderr
    assert "import:" not in result.stdout
    assert len(list((tmp_path / "apps").iterdir())) == 1100


def test_facts_left_empty_are_left_out(tmp_path: Path) -> None:
    rows = ms_forms_rows(pine_applications()[:1])
    rows[1][rows[0].index(FACTS["has_data_sharing_agreement"])] = None
    export = write_xlsx(tmp_path / "forms.xlsx", rows)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    text = plan_import(export, mapping).files[0].text
    assert "has_data_sharing_agreement" not in text
    assert "  based_in_england: true\n" in text


def test_benchmark_export_and_mapping_import(tmp_path: Path) -> None:
    """benchmarks/bench_import.py still makes an export its mapping imports (no rot)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_import", Path(__file__).parents[1] / "benchmarks" / "bench_import.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.write_export(tmp_path / "export.xlsx", 20, seed=3)
    (tmp_path / "mapping.yaml").write_text(bench.mapping_text(), encoding="utf-8")
    plan = plan_import(tmp_path / "export.xlsx", tmp_path / "mapping.yaml", RUBRIC)
    assert len(plan.files) == 20 and plan.files[0].name == "APP-00001.yaml"
    assert plan.warnings == ()
