"""Form exports written for the intake tests, as funders' tools write them.

``pine_rows`` turns the hand-written example call back into the answers of a form, in the
wording a form would use ("Local authority", "£45,000", "Yes", "Early years;Primary;"),
so that importing the export must give back the same call.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from pine_select.loading.loader import load_call
from pine_select.model.application import Application

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "pine-2019.yaml"
APPS = ROOT / "applications" / "pine-2019"

# The wording a form uses for each category of the example rubric.
ORG_TYPES = {"local_authority": "Local authority", "combined_authority": "Combined authority",
             "voluntary_sector": "Voluntary or community sector", "health": "NHS / health",
             "other": "Other"}
PRACTICES = {"early_help": "Early help", "child_protection": "Child protection",
             "children_in_care": "Children in care", "permanence": "Permanence",
             "adolescent_safeguarding": "Adolescent safeguarding", "workforce": "Workforce"}
AGES = {"pre_birth": "Pre-birth", "early_years": "Early years (0-4)", "primary": "Primary (5-11)",
        "adolescent": "Adolescent (12-17)", "young_adult": "Young adults (18-25)"}
FACTS = {"based_in_england": "Is your organisation based in England?",
         "months_running": "How many months has the practice been running?",
         "families_per_year": "How many families does it work with each year?",
         "has_data_sharing_agreement": "Do you have a data sharing agreement?"}
ANSWERS = {"theory_of_change": "Theory of change", "evidence_so_far": "Evidence so far",
           "outcomes": "Outcomes you hope to improve"}
MS_FORMS_HEAD = ("ID", "Start time", "Completion time", "Email", "Name")
QUESTIONS = ("Project title", "Name of your organisation", "Type of organisation", "Region",
             "Type of practice", "Which age groups does the practice serve?",
             "Cost of the evaluation", "Summary", *FACTS.values(), *ANSWERS.values())


def pine_applications() -> tuple[Application, ...]:
    return load_call(RUBRIC, APPS).applications


def _yes_no(value: object) -> str:
    return "" if value is None else ("Yes" if value else "No")


def question_answers(app: Application, index: int) -> list[Any]:
    """One application's answers to :data:`QUESTIONS`, as a form's respondent gave them."""
    region = app.organisation.region
    amount = (f"£{app.requested_amount:,}", f"{app.requested_amount}",
              f"{app.requested_amount:,}.00", f"{app.requested_amount:,} GBP".replace(",", " "))
    facts = [_yes_no(app.facts.get(k)) if k in ("based_in_england", "has_data_sharing_agreement")
             else app.facts.get(k) for k in FACTS]
    return [
        app.title, app.organisation.name, ORG_TYPES[app.organisation.type],
        region.upper() if index % 3 == 0 else f"{region} ",  # case and spaces change
        PRACTICES[app.practice_type],
        "".join(f"{AGES[a]};" for a in app.age_groups),  # Microsoft Forms: "A;B;"
        amount[index % len(amount)], app.summary, *facts,
        *(app.answers.get(k, "") for k in ANSWERS),
    ]


def ms_forms_rows(apps: Sequence[Application]) -> list[list[Any]]:
    """Rows of a Microsoft Forms export: ID, Start time, Completion time, Email, Name, ..."""
    rows: list[list[Any]] = [[*MS_FORMS_HEAD, *QUESTIONS]]
    start = datetime.datetime(2019, 3, 4, 9, 0)
    for index, app in enumerate(apps):
        number = int(app.id.rsplit("-", 1)[1])
        began = start + datetime.timedelta(hours=index)
        rows.append([number, began, began + datetime.timedelta(minutes=40), app.contact.email,
                     app.contact.name, *question_answers(app, index)])
    return rows


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "Form1") -> Path:
    book = openpyxl.Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, delimiter: str = ",",
              bom: bool = True, newline: str = "\r\n") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode())
    return path


def values_block(words: dict[str, str], indent: int = 6) -> str:
    pad = " " * indent
    return "\n".join(f'{pad}"{text}": {value}' for value, text in words.items())


def pine_mapping(id_column: str = "ID", template: str = "PINE-2019-{:03d}",
                 extra: str = "", ignore: Sequence[str] = ("Start time", "Completion time"),
                 ) -> str:
    """The mapping of :func:`ms_forms_rows` (and its CSV twins) onto the example call."""
    facts = "\n".join(
        f'  facts.{key}: {{column: "{question}", type: '
        f'{"boolean" if key in ("based_in_england", "has_data_sharing_agreement") else "integer"}}}'
        for key, question in FACTS.items())
    answers = "\n".join(f'  answers.{key}: "{column}"' for key, column in ANSWERS.items())
    return f"""\
id: {{column: {id_column}, template: "{template}"}}
fields:
  title: Project title
  organisation.name: Name of your organisation
  organisation.type:
    column: Type of organisation
    values:
{values_block(ORG_TYPES)}
  organisation.region: Region
  practice_type:
    column: Type of practice
    values:
{values_block(PRACTICES)}
  age_groups:
    column: Which age groups does the practice serve?
    split: ";"
    values:
{values_block(AGES)}
  requested_amount: {{column: Cost of the evaluation, type: money}}
  summary: Summary
  contact.email: Email
  contact.name: Name
{facts}
{answers}
{extra}ignore: [{", ".join(ignore)}]
"""


PLATFORM_MAPPING = """\
# A grant platform's export: its own column names, amounts in words of its own.
id: {column: Application Number}
fields:
  title: Project Name
  organisation.name: Applicant Organisation
  organisation.type: {column: Organisation Category, values: {LA: local_authority,
                      VCS: voluntary_sector}}
  organisation.region: Organisation Region
  practice_type: Practice Area
  age_groups: {column: "Age Bands (select all that apply)", split: ","}
  requested_amount: {column: "Total Requested (£)", type: money}
  facts.based_in_england: {column: England?, type: boolean}
  facts.months_running: {column: Months Operating, type: integer}
  answers.theory_of_change: Theory of Change
  contact.name: Primary Contact
ignore: [Status, Submitted At]
"""


def platform_rows() -> list[list[object]]:
    return [
        ["Application Number", "Status", "Submitted At", "Project Name", "Applicant Organisation",
         "Organisation Category", "Organisation Region", "Practice Area",
         "Age Bands (select all that apply)", "Total Requested (£)", "England?",
         "Months Operating", "Theory of Change", "Primary Contact", "Internal notes"],
        ["SG-00017", "Submitted", "2019-03-12 10:02", "Safe at home", "Kenbury Council", "la",
         "london", "Adolescent_Safeguarding", "adolescent, young_adult", "GBP 48,500", "TRUE",
         "18", "Contextual safeguarding: ...", "Ann Lee", "call back"],
        ["SG-00018", "Draft", "2019-03-13 16:40", "Kin first", "Kin Trust", "VCS", "South West",
         "permanence", "primary", "48 500 zł", "y", "1,200", "Kinship carers ...", "", ""],
    ]
