"""Benchmark ``pine-select import`` of a large Microsoft Forms .xlsx export.

    python benchmarks/bench_import.py [--rows 10000] [--runs 3] [--seed 1] [--dir DIR]

Writes the export once (a Microsoft Forms layout: ID, Start time, Completion time, Email,
Name, then sixteen questions with multi-select ``A;B;`` answers, amounts written as
``£45,000``, yes/no facts and paragraphs of free text) and its mapping, then runs the
whole command ``--runs`` times in a fresh process each (``--rubric`` on, into a new
folder) and prints the median wall time beside the time the readers alone take on the
same file, each in a fresh process: pine-select's own (the byte scan for formulas and
entities, then python-calamine), python-calamine alone, and openpyxl read-only through
defusedxml (the careful pass a workbook with a formula gets). Target (issue 13): 10,000
rows under 15 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "pine-2019.yaml"
TARGET_SECONDS = 15.0

ORG_TYPES = {"Local authority": "local_authority", "Voluntary or community sector":
             "voluntary_sector", "Combined authority": "combined_authority",
             "NHS / health": "health", "Other": "other"}
PRACTICES = {"Early help": "early_help", "Child protection": "child_protection",
             "Children in care": "children_in_care", "Permanence": "permanence",
             "Adolescent safeguarding": "adolescent_safeguarding", "Workforce": "workforce"}
AGES = {"Pre-birth": "pre_birth", "Early years (0-4)": "early_years",
        "Primary (5-11)": "primary", "Adolescent (12-17)": "adolescent",
        "Young adults (18-25)": "young_adult"}
REGIONS = ["North East", "North West", "Yorkshire and The Humber", "East Midlands",
           "West Midlands", "East of England", "London", "South East", "South West"]
QUESTIONS = ["Project title", "Name of your organisation", "Type of organisation", "Region",
             "Type of practice", "Which age groups does the practice serve?",
             "Cost of the evaluation", "Summary", "Is your organisation based in England?",
             "How many months has the practice been running?",
             "How many families does it work with each year?", "Theory of change",
             "Evidence so far"]
SENTENCE = ("Families told us they were passed between services and retold their story each "
            "time, so a single key worker now holds a shared plan. ")


def write_export(path: Path, rows: int, seed: int) -> None:
    import openpyxl

    draw = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Form1")
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", *QUESTIONS])
    start = datetime.datetime(2019, 3, 4, 9, 0)
    for n in range(1, rows + 1):
        began = start + datetime.timedelta(minutes=7 * n)
        ages = draw.sample(list(AGES), draw.randint(1, 3))
        sheet.append([
            n, began, began + datetime.timedelta(minutes=35), f"lead{n}@example.org",
            f"Applicant {n}", f"Project {n}", f"Organisation {n}", draw.choice(list(ORG_TYPES)),
            draw.choice(REGIONS), draw.choice(list(PRACTICES)), "".join(f"{a};" for a in ages),
            f"£{draw.randint(20, 90)},{draw.choice(['000', '500'])}", SENTENCE * 2,
            draw.choice(["Yes", "Yes", "No"]), draw.randint(3, 80), draw.randint(10, 900),
            SENTENCE * draw.randint(3, 8), SENTENCE * draw.randint(2, 6),
        ])
    book.save(path)


def mapping_text() -> str:
    def values(words: dict[str, str]) -> str:
        return ", ".join(f'"{k}": {v}' for k, v in words.items())

    return f"""\
sheet: Form1
id: {{column: ID, template: "APP-{{:05d}}"}}
fields:
  title: Project title
  organisation.name: Name of your organisation
  organisation.type: {{column: Type of organisation, values: {{{values(ORG_TYPES)}}}}}
  organisation.region: Region
  practice_type: {{column: Type of practice, values: {{{values(PRACTICES)}}}}}
  age_groups: {{column: Which age groups does the practice serve?, split: ";",
               values: {{{values(AGES)}}}}}
  requested_amount: {{column: Cost of the evaluation, type: money}}
  summary: Summary
  contact.email: Email
  contact.name: Name
  facts.based_in_england: {{column: Is your organisation based in England?, type: boolean}}
  facts.months_running: {{column: How many months has the practice been running?,
                         type: integer}}
  facts.families_per_year: {{column: How many families does it work with each year?,
                            type: integer}}
  answers.theory_of_change: Theory of change
  answers.evidence_so_far: Evidence so far
ignore: [Start time, Completion time]
"""


def reader_seconds(export: Path) -> float:
    """The reader alone, in a fresh process: pine-select's read of the export."""
    code = ("import time, sys; t = time.perf_counter();"
            "from pathlib import Path; from pine_select.intake.export import read_export;"
            "e = read_export(Path(sys.argv[1])); print(time.perf_counter() - t, len(e.rows))")
    out = subprocess.run([sys.executable, "-c", code, str(export)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0])


def calamine_seconds(export: Path) -> float | None:
    code = ("import time, sys; t = time.perf_counter(); import python_calamine as c;"
            "rows = c.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python();"
            "print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code, str(export)], capture_output=True,
                          text=True)
    return round(float(done.stdout), 2) if done.returncode == 0 else None


def openpyxl_seconds(export: Path) -> float:
    code = ("import time, sys; t = time.perf_counter(); import openpyxl;"
            "assert openpyxl.DEFUSEDXML; book = openpyxl.load_workbook(sys.argv[1], "
            "read_only=True); sheet = book.worksheets[0]; sheet.reset_dimensions();"
            "rows = [[c.value for c in row] for row in sheet.iter_rows()];"
            "print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code, str(export)], check=True,
                                capture_output=True, text=True).stdout)


def import_seconds(folder: Path) -> float:
    out = folder / "apps"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pine_select", "import", str(folder / "export.xlsx"),
                    "--mapping", str(folder / "mapping.yaml"), "--out", str(out),
                    "--rubric", str(RUBRIC)], check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "export.xlsx").exists():
        write_export(folder / "export.xlsx", args.rows, args.seed)
    (folder / "mapping.yaml").write_text(mapping_text(), encoding="utf-8")
    walls = [import_seconds(folder) for _ in range(args.runs)]
    readers = [reader_seconds(folder / "export.xlsx") for _ in range(args.runs)]
    result = {
        "rows": args.rows, "files": len(list((folder / "apps").iterdir())),
        "import_wall_median_s": round(statistics.median(walls), 2),
        "import_wall_s": [round(w, 2) for w in walls],
        "reader_median_s": round(statistics.median(readers), 2),
        "calamine_s": calamine_seconds(folder / "export.xlsx"),
        "openpyxl_defusedxml_s": round(openpyxl_seconds(folder / "export.xlsx"), 2),
        "target_s": TARGET_SECONDS,
        "export_bytes": (folder / "export.xlsx").stat().st_size,
    }
    print(json.dumps(result, indent=2))
    return 0 if result["import_wall_median_s"] <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
