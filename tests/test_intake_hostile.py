"""`pine-select import` on bad and hostile input: every problem at once, nothing written.

Each refusal of SPEC section 8 has a fixture here: formulas, macros, a zip bomb, XML
entities, ids that are not ids (a path), duplicate ids, unknown answers, bad amounts.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from click.testing import Result
from helpers_intake import (
    RUBRIC,
    ms_forms_rows,
    pine_applications,
    pine_mapping,
    write_csv,
    write_xlsx,
)

from pine_select.errors import InputError, UsageError
from pine_select.intake import plan_import
from pine_select.intake.export import MAX_UNPACKED_BYTES, column_letter, read_export

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # problems name files as typed: export.xlsx, mapping.yaml


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(pine_mapping(), encoding="utf-8")
    return path


def rows(count: int = 3) -> list[list[object]]:
    return ms_forms_rows(pine_applications()[:count])


def problems_of(export: Path, mapping: Path, rubric: Path | None = RUBRIC) -> list[str]:
    with pytest.raises(InputError) as caught:
        plan_import(export, mapping, rubric)
    return [str(p) for p in caught.value.problems]


def column(name: str) -> int:
    return rows(0)[0].index(name)


def test_every_problem_of_every_row_at_once_and_nothing_written(
        run_cli: Run, tmp_path: Path, mapping: Path) -> None:
    table = rows(3)
    table[1][column("Type of organisation")] = "Local athority"
    table[1][column("Cost of the evaluation")] = "£45,000.50"
    table[2][column("Region")] = "Londn"
    table[2][column("Is your organisation based in England?")] = "Maybe"
    table[3][column("Cost of the evaluation")] = "£" + "9" * 14
    table[3][column("Which age groups does the practice serve?")] = "Early years (0-4);Teens;"
    write_xlsx(tmp_path / "export.xlsx", table)
    result = run_cli("import", "export.xlsx", "--mapping", mapping, "--out", "apps",
                     "--rubric", RUBRIC)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "export.xlsx:2:Cost of the evaluation: cell Form1!L2: '£45,000.50' has pence (.50); "
        "expected a whole "
        "number of pounds (pence must be zero: round it in the export)",
        "export.xlsx:2:Type of organisation: cell Form1!H2: 'Local athority' is not a value of "
        "organisation.type; expected 'Local authority' (one of: local_authority, "
        "combined_authority, voluntary_sector, health, other, Local authority, Combined "
        "authority, Voluntary or community sector, NHS / health, Other)",
        "export.xlsx:3:Is your organisation based in England?: cell Form1!N3: 'Maybe' is not yes "
        "or no; "
        "expected yes or no (also true/false, y/n, 1/0, in any case)",
        "export.xlsx:3:Region: cell Form1!I3: 'Londn' is not a value of organisation.region; "
        "expected "
        "'London' (one of: North East, North West, Yorkshire and The Humber, East Midlands, "
        "West Midlands, East of England, London, South East, South West)",
        "export.xlsx:4:Cost of the evaluation: cell Form1!L4: '£99999999999999' is too big; "
        "expected a whole "
        "amount such as £45,000, 45000, 45,000.00 or 45 000 zł (from 0 to 1,000,000,000,000)",
        "export.xlsx:4:Which age groups does the practice serve?: cell Form1!K4: 'Teens' is not a "
        "value of "
        "age_groups; expected one of: pre_birth, early_years, primary, adolescent, "
        "young_adult, Pre-birth, Early years (0-4), Primary (5-11), Adolescent (12-17), "
        "Young adults (18-25)",
        "6 problem(s) found.",
    ]
    assert not (tmp_path / "apps").exists()


def test_formula_cells_are_refused_naming_each_cell(tmp_path: Path, mapping: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", rows(2))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    amount = column("Cost of the evaluation") + 1
    sheet.cell(row=2, column=amount, value="=40000+5000")
    sheet.cell(row=3, column=2, value='=HYPERLINK("http://example.org","x")')
    book.save(path)
    found = problems_of(path, mapping)
    assert found == [
        "export.xlsx:2:Cost of the evaluation: cell Form1!L2: a formula (=40000+5000); "
        "formulas are never evaluated; expected the value itself (paste as values)",
        "export.xlsx:3:Start time: cell Form1!B3: a formula (=HYPERLINK(\"http://example.org\","
        "\"x\")); formulas are never evaluated; expected the value itself (paste as values)",
    ]


def test_reading_an_export_refuses_formula_cells_unless_asked_for_them(tmp_path: Path) -> None:
    """A reader of exports cannot forget formula cells: ``read_export`` raises them unless
    its caller takes them (``with_refused``) to raise with its own problems, as import does."""
    path = write_xlsx(tmp_path / "export.xlsx", rows(2))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=2, column=column("Cost of the evaluation") + 1, value="=40000+5000")
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_export(path)
    assert [str(p) for p in caught.value.problems] == [
        "export.xlsx:2:Cost of the evaluation: cell Form1!L2: a formula (=40000+5000); "
        "formulas are never evaluated; expected the value itself (paste as values)"]
    export = read_export(path, with_refused=True)
    assert [str(p) for p in export.refused] == [str(p) for p in caught.value.problems]
    assert len(export.rows) == 2


def test_formula_and_error_cells_hide_no_other_problem(run_cli: Run, tmp_path: Path,
                                                      mapping: Path) -> None:
    # Formula and error cells were once refused before any value was read: the type errors
    # of the same export came only in a second run. One run names them all, nothing written.
    table = rows(3)
    table[1][column("Cost of the evaluation")] = "£45,000.50"
    table[2][column("Region")] = "Londn"
    table[2][column("Is your organisation based in England?")] = "Maybe"
    table[3][column("How many months has the practice been running?")] = "twelve"
    table[3][column("Type of organisation")] = "Local athority"
    path = write_xlsx(tmp_path / "export.xlsx", table, sheet="Form 1")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=2, column=column("Summary") + 1, value="=1+1")
    sheet.cell(row=3, column=column("Project title") + 1, value="#N/A")  # a required answer
    sheet.cell(row=4, column=column("Cost of the evaluation") + 1, value="#DIV/0!")
    assert sheet.cell(row=4, column=column("Cost of the evaluation") + 1).data_type == "e"
    book.save(path)
    result = run_cli("import", "export.xlsx", "--mapping", mapping, "--out", "apps",
                     "--rubric", RUBRIC)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "export.xlsx:2:Cost of the evaluation: cell 'Form 1'!L2: '£45,000.50' has pence "
        "(.50); expected a whole number of pounds (pence must be zero: round it in the export)",
        "export.xlsx:2:Summary: cell 'Form 1'!M2: a formula (=1+1); formulas are never "
        "evaluated; expected the value itself (paste as values)",
        "export.xlsx:3:Is your organisation based in England?: cell 'Form 1'!N3: 'Maybe' is "
        "not yes or no; expected yes or no (also true/false, y/n, 1/0, in any case)",
        "export.xlsx:3:Project title: cell 'Form 1'!F3: an error value (#N/A); expected the "
        "value itself (paste as values, or fill the answer in)",
        "export.xlsx:3:Region: cell 'Form 1'!I3: 'Londn' is not a value of "
        "organisation.region; expected 'London' (one of: North East, North West, Yorkshire "
        "and The Humber, East Midlands, West Midlands, East of England, London, South East, "
        "South West)",
        "export.xlsx:4:Cost of the evaluation: cell 'Form 1'!L4: an error value (#DIV/0!); "
        "expected the value itself (paste as values, or fill the answer in)",
        "export.xlsx:4:How many months has the practice been running?: cell 'Form 1'!O4: "
        "'twelve' is not a whole number; expected a whole number such as 14 or 1,200 (at "
        "most 1,000,000,000,000,000 either way)",
        "export.xlsx:4:Type of organisation: cell 'Form 1'!H4: 'Local athority' is not a "
        "value of organisation.type; expected 'Local authority' (one of: local_authority, "
        "combined_authority, voluntary_sector, health, other, Local authority, Combined "
        "authority, Voluntary or community sector, NHS / health, Other)",
        "8 problem(s) found.",
    ]
    assert not (tmp_path / "apps").exists()


def test_a_formula_in_the_header_comes_with_the_problems_it_causes(tmp_path: Path,
                                                                   mapping: Path) -> None:
    table = rows(2)
    table[2][column("Region")] = "Londn"
    path = write_xlsx(tmp_path / "export.xlsx", table)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=1, column=column("Summary") + 1, value='="Sum"&"mary"')
    book.save(path)
    found = problems_of(path, mapping)
    assert found[0].startswith("export.xlsx:1:M: cell Form1!M1: a formula")
    assert any("column 'Summary' is not in export.xlsx" in p for p in found[1:])


def test_a_formula_cached_value_is_never_read(tmp_path: Path, mapping: Path) -> None:
    # A formula with a cached value (as Excel saves it): the value is refused with the cell.
    path = write_xlsx(tmp_path / "export.xlsx", rows(1))
    amount = f"{column_letter(column('Cost of the evaluation'))}2"
    _with_sheet_xml(path, lambda xml: re.sub(
        rb'(<c r="' + amount.encode() + rb'"[^>]*?)(?: t="\w+")?>.*?</c>',
        rb'\1><f>40000+5000</f><v>45000</v></c>', xml))
    assert python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        "Form1").to_python()[1][column("Cost of the evaluation")] == 45000
    assert problems_of(path, mapping) == [
        f"export.xlsx:2:Cost of the evaluation: cell Form1!{amount}: a formula (=40000+5000); "
        "formulas are never evaluated; expected the value itself (paste as values)"]


@pytest.mark.parametrize("disorder", ["rows", "cells"])
def test_a_formula_out_of_the_sheets_order_is_not_read(tmp_path: Path, mapping: Path,
                                                        disorder: str) -> None:
    # openpyxl passes over a row written after a later one, and a cell after a later one
    # of its row; calamine places each by its reference. A formula so hidden would have its
    # cached value read: the workbook is refused, naming the first cell out of order.
    path = write_xlsx(tmp_path / "export.xlsx", rows(2))
    amount = f"{column_letter(column('Cost of the evaluation'))}2"

    def hidden(xml: bytes) -> bytes:
        xml = re.sub(rb'(<c r="' + amount.encode() + rb'"[^>]*?)(?: t="\w+")?>.*?</c>',
                     rb'\1><f>40000+5000</f><v>45000</v></c>', xml)
        if disorder == "rows":  # row 3 written before row 2
            two, three = re.findall(rb'<row r="[23]".*?</row>', xml)
            return xml.replace(two + three, three + two)
        row = re.search(rb'<row r="2".*?</row>', xml)
        assert row is not None
        cells = re.findall(rb"<c .*?</c>", row.group(0))  # its last cell written first
        return xml.replace(b"".join(cells), cells[-1] + b"".join(cells[:-1]))

    _with_sheet_xml(path, hidden)
    found = problems_of(path, mapping)
    assert any("is out of the order of the sheet's rows and cells" in p for p in found), found
    assert not any("45000" in p or "45,000" in p for p in found)


def test_xlsm_is_refused(tmp_path: Path, mapping: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsm", rows(1))
    assert problems_of(path, mapping) == [
        "export.xlsm: a macro-enabled workbook (macros are never run); expected a .csv or "
        ".xlsx export (save as .xlsx)"]


def test_macros_inside_a_file_named_xlsx_are_refused(tmp_path: Path, mapping: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", rows(1))
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not run")
    assert problems_of(path, mapping) == [
        "export.xlsx: a macro-enabled workbook saved as .xlsx (macros are never run); "
        "expected an .xlsx without macros"]


def test_zip_bomb_is_refused_from_its_directory_before_loading(
        tmp_path: Path, mapping: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", rows(1))
    # A part whose directory entry says it unpacks to 200 MB (a few KB on disk).
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, entry + 24, 200_000_000)
    path.write_bytes(bytes(data))

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook must not be loaded")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    found = problems_of(path, mapping)
    assert len(found) == 1 and found[0].startswith("export.xlsx: its parts would unpack to ")
    assert f"at most {MAX_UNPACKED_BYTES:,} bytes (100 MB)" in found[0]


def _with_sheet_xml(path: Path, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    path.write_bytes(buffer.getvalue())


def test_xml_entities_are_refused(tmp_path: Path, mapping: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", rows(1))
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')
    _with_sheet_xml(path, lambda xml: laughs + (xml.split(b"?>", 1)[1] if xml.startswith(
        b"<?xml") else xml).replace(b"<sheetData>", b"<sheetData><!-- &lol2; -->", 1))
    assert problems_of(path, mapping) == [
        "export.xlsx: unsafe XML inside the workbook (entities or a DTD); expected an .xlsx "
        "saved by Excel, Microsoft Forms or Google Sheets"]


def test_without_defusedxml_no_workbook_that_needs_care_is_read(
        tmp_path: Path, mapping: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = rows(1)
    table[1][column("Summary")] = "=1+1"
    path = write_xlsx(tmp_path / "export.xlsx", table)
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(UsageError, match="not parsing through defusedxml") as refused:
        plan_import(path, mapping)
    assert "refusing to read export.xlsx; expected it, to read untrusted workbooks" in str(
        refused.value)


def test_a_file_that_is_not_a_workbook(tmp_path: Path, mapping: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("ID,Name\n1,x\n")
    found = problems_of(path, mapping)
    assert found == ["export.xlsx: cannot be read as an .xlsx workbook (BadZipFile: File is "
                     "not a zip file); expected an .xlsx saved by Excel, Microsoft Forms or "
                     "Google Sheets"]


@pytest.mark.parametrize("bad_id, why", [
    ("../../etc/passwd", "'../../etc/passwd' is not a valid id"),
    ("a/b", "'a/b' is not a valid id"),
    (".hidden", "'.hidden' is not a valid id"),
    ("x" * 65, f"'{'x' * 65}' is not a valid id"),
])
def test_ids_that_are_not_ids_are_refused_never_a_path(
        run_cli: Run, tmp_path: Path, bad_id: str, why: str) -> None:
    table = rows(2)
    table[2][0] = bad_id
    write_csv(tmp_path / "export.csv", table)
    (tmp_path / "mapping.yaml").write_text(pine_mapping(template="{}"), encoding="utf-8")
    result = run_cli("import", "export.csv", "--mapping", "mapping.yaml", "--out", "apps")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"export.csv:3:ID: {why}; expected a letter or digit, then up to 63 letters, digits, "
        "'.', '_' or '-' (an id names the application's file)")
    assert not (tmp_path / "apps").exists() and not (tmp_path.parent / "etc").exists()


def test_duplicate_ids_and_ids_equal_but_for_case(tmp_path: Path) -> None:
    table = rows(3)
    table[2][0] = "PINE-1"
    table[3][0] = "pine-1"
    table[1][0] = "PINE-1"
    write_csv(tmp_path / "export.csv", table)
    (tmp_path / "mapping.yaml").write_text(pine_mapping(template="{}"), encoding="utf-8")
    found = problems_of(tmp_path / "export.csv", tmp_path / "mapping.yaml")
    assert found == [
        "export.csv:3:ID: 'PINE-1' is the id of row 2; expected a unique id per application "
        "(each names a file, and case does not tell files apart on every system)",
        "export.csv:4:ID: 'pine-1' is the id 'PINE-1', but for case, of row 2; expected a "
        "unique id per application (each names a file, and case does not tell files apart on "
        "every system)",
    ]


def test_a_text_id_does_not_fit_a_number_template(tmp_path: Path, mapping: Path) -> None:
    table = rows(1)
    table[1][0] = "A7"
    write_csv(tmp_path / "export.csv", table)
    assert problems_of(tmp_path / "export.csv", mapping) == [
        "export.csv:2:ID: 'A7' does not fit the id template 'PINE-2019-{:03d}'; expected a "
        "whole number (the template formats a number)"]


def test_empty_required_cells_and_the_rubric_checks(tmp_path: Path, mapping: Path) -> None:
    table = rows(2)
    table[1][column("Project title")] = "  "
    table[2][column("How many months has the practice been running?")] = "twelve"
    write_xlsx(tmp_path / "export.xlsx", table)
    assert problems_of(tmp_path / "export.xlsx", mapping) == [
        "export.xlsx:2:Project title: cell Form1!F2: the cell is empty; expected an answer: every "
        "application needs title",
        "export.xlsx:3:How many months has the practice been running?: cell Form1!O3: 'twelve' is "
        "not a "
        "whole number; expected a whole number such as 14 or 1,200 (at most "
        "1,000,000,000,000,000 either way)",
    ]


def test_without_a_rubric_an_unknown_category_still_fails_its_values(tmp_path: Path,
                                                                     mapping: Path) -> None:
    table = rows(1)
    table[1][column("Type of practice")] = "Edge of care"
    write_xlsx(tmp_path / "export.xlsx", table)
    found = problems_of(tmp_path / "export.xlsx", mapping, rubric=None)
    assert found == ["export.xlsx:2:Type of practice: cell Form1!J2: 'Edge of care' is not a "
                     "value of "
                     "practice_type; expected one of: early_help, child_protection, "
                     "children_in_care, permanence, adolescent_safeguarding, workforce, Early "
                     "help, Child protection, Children in care, Permanence, Adolescent "
                     "safeguarding, Workforce"]


def test_rubric_gate_types_are_checked_before_writing(tmp_path: Path) -> None:
    # Months as text: the rubric's gate compares a number, so the loader's check refuses it.
    (tmp_path / "mapping.yaml").write_text(pine_mapping().replace(
        'running?", type: integer}', 'running?", type: text}'), encoding="utf-8")
    write_xlsx(tmp_path / "export.xlsx", rows(1))
    assert problems_of(tmp_path / "export.xlsx", tmp_path / "mapping.yaml") == [
        "export.xlsx:2:How many months has the practice been running?: cell Form1!O2: "
        "facts.months_running: "
        "'20' is text, but eligibility gate 'running_long_enough' compares it with a number; "
        "expected a number, unquoted"]


def test_mapping_problems_name_the_mapping_line(tmp_path: Path) -> None:
    text = pine_mapping(extra="  organisation.colour: Region\n  answers.x: {column: Nope, "
                              "type: money}\n").replace("title: Project title",
                                                        "title: Project titel")
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    write_xlsx(tmp_path / "export.xlsx", rows(1))
    found = problems_of(tmp_path / "export.xlsx", tmp_path / "mapping.yaml")
    assert len(found) == 2 and all(f.startswith("mapping.yaml:") for f in found)
    assert ": fields.organisation.colour: not an application key; expected one of" in found[0]
    assert ": fields.answers.x: answers are text, not type money; expected type: text" in found[1]
    text = text.replace("  organisation.colour: Region\n", "").replace(
        "  answers.x: {column: Nope, type: money}\n", "")
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  title: Project titel") + 1
    assert problems_of(tmp_path / "export.xlsx", tmp_path / "mapping.yaml") == [
        f"mapping.yaml:{line}: column 'Project titel' is not in export.xlsx; expected "
        "'Project title' (one of: ID, Start time, Completion time, Email, Name, Project title, "
        "Name of your organisation, Type of organisation, Region, Type of practice, Which age "
        "groups does the practice serve?, Cost of the evaluation, Summary, Is your "
        "organisation based in England?, How many months has the practice been running?, How "
        "many families does it work with each year?, Do you have a data sharing agreement?, "
        "Theory of change, Evidence so far, Outcomes you hope to improve)"]


def test_mapping_values_must_be_declared_categories(tmp_path: Path) -> None:
    text = pine_mapping().replace('"Other": other', '"Other": othr')
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    write_xlsx(tmp_path / "export.xlsx", rows(1))
    line = text.splitlines().index('      "Other": othr') + 1
    assert problems_of(tmp_path / "export.xlsx", tmp_path / "mapping.yaml") == [
        f"mapping.yaml:{line}: fields.organisation.type.values: 'othr' is not a declared "
        "category of organisation.type; expected 'other' (one of: local_authority, "
        "combined_authority, voluntary_sector, health, other)"]


@pytest.mark.parametrize("template", ["{0.__class__}", "{}-{}", "{!r}", "{:999999999d}", "x"])
def test_id_templates_that_reach_into_python_are_refused(tmp_path: Path, template: str) -> None:
    (tmp_path / "mapping.yaml").write_text(pine_mapping(template=template), encoding="utf-8")
    write_csv(tmp_path / "export.csv", rows(1))
    found = problems_of(tmp_path / "export.csv", tmp_path / "mapping.yaml")
    assert len(found) == 1 and found[0].startswith("mapping.yaml:1: id.template: template ")


def test_csv_that_is_not_utf8(tmp_path: Path, mapping: Path) -> None:
    (tmp_path / "export.csv").write_bytes("ID,Name\n1,Zo\u00eb\n".encode("cp1252"))
    assert problems_of(tmp_path / "export.csv", mapping) == [
        "export.csv:2: not UTF-8 text (invalid continuation byte); expected UTF-8, as "
        "Excel's 'CSV UTF-8' and Google Forms save it"]


def test_csv_row_with_more_cells_than_the_header(tmp_path: Path, mapping: Path) -> None:
    table = rows(1)
    table[1].append("stray")
    write_csv(tmp_path / "export.csv", table)
    assert problems_of(tmp_path / "export.csv", mapping) == [
        "export.csv:2: 21 cells, the header has 20; expected a cell under each header and no "
        "more"]


def test_other_files_are_refused(tmp_path: Path, mapping: Path) -> None:
    (tmp_path / "export.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert problems_of(tmp_path / "export.xls", mapping) == [
        "export.xls: not a form export (.xls); expected a .csv or .xlsx export (save as .xlsx)"]


def test_a_formula_tag_split_across_read_chunks_is_found(tmp_path: Path, mapping: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from pine_select.intake import export

    table = rows(2)
    table[2][column("Summary")] = "=1+1"
    path = write_xlsx(tmp_path / "export.xlsx", table)
    monkeypatch.setattr(export, "_CHUNK", 7)  # every tag now spans two chunks
    found = problems_of(path, mapping)
    assert found == ["export.xlsx:3:Summary: cell Form1!M3: a formula (=1+1); formulas are "
                     "never evaluated; expected the value itself (paste as values)"]


def test_text_that_looks_like_a_formula_is_text(tmp_path: Path, mapping: Path) -> None:
    table = rows(1)
    table[1][column("Summary")] = "<f>=SUM(A1)</f> t=\"e\""  # a shared string: escaped XML
    path = write_xlsx(tmp_path / "export.xlsx", table)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=2, column=column("Summary") + 1).data_type = "s"  # text, not a formula
    book.save(path)
    assert 'summary: "<f>=SUM(A1)</f> t=\\"e\\""' in plan_import(path, mapping).files[0].text


def test_a_repeated_header_is_refused_only_where_the_mapping_reads_it(tmp_path: Path,
                                                                       mapping: Path) -> None:
    table = rows(1)
    table[0][column("Start time")] = "Name"  # now two columns are headed "Name"
    write_csv(tmp_path / "export.csv", table)
    assert problems_of(tmp_path / "export.csv", mapping) == [
        "export.csv:1: the header 'Name' heads columns B, E; expected each column the mapping "
        "names under one header (rename the others in the export)"]
    table[0][column("Name")] = "Please explain"
    table[0][column("Start time")] = "Please explain"
    write_csv(tmp_path / "export.csv", table)
    text = pine_mapping(ignore=["Completion time"]).replace("  contact.name: Name\n", "")
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    plan = plan_import(tmp_path / "export.csv", tmp_path / "mapping.yaml", RUBRIC)
    assert [str(w) for w in plan.warnings] == [
        "export.csv:1: column(s) neither mapped nor ignored: Please explain, Please explain; "
        "expected each column under fields: or ignore: in the mapping"]


def test_an_export_without_applications(tmp_path: Path, mapping: Path) -> None:
    write_csv(tmp_path / "export.csv", rows(0))
    assert problems_of(tmp_path / "export.csv", mapping) == [
        "export.csv:1: no applications under the header; expected a row for each application"]


def test_out_that_is_a_file_is_refused_even_with_force(run_cli: Run, tmp_path: Path,
                                                       mapping: Path) -> None:
    write_csv(tmp_path / "export.csv", rows(1))
    (tmp_path / "apps").write_text("not a folder")
    result = run_cli("import", "export.csv", "--mapping", mapping, "--out", "apps", "--force")
    assert result.exit_code == 2
    assert result.stderr.startswith("apps: is not a folder; expected a new folder")
    assert (tmp_path / "apps").read_text() == "not a folder"


def test_a_formula_under_a_long_namespace_prefix_is_found(tmp_path: Path, mapping: Path) -> None:
    table = rows(1)
    table[1][column("Summary")] = "=1+1"
    path = write_xlsx(tmp_path / "export.xlsx", table)
    prefix = b"p" * 80
    _with_sheet_xml(path, lambda xml: xml.replace(b"<f>", b"<" + prefix + b":f xmlns:" + prefix
                                                  + b'="http://schemas.openxmlformats.org/'
                                                  b'spreadsheetml/2006/main">')
                    .replace(b"</f>", b"</" + prefix + b":f>"))
    assert any(": a formula (=1+1)" in p for p in problems_of(path, mapping))
