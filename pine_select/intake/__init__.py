"""Intake: applications from a form export (SPEC section 8).

    export.py            read a .csv or .xlsx export into rows of cells (never evaluated)
    mapping.py           the mapping file: which column fills which application key
    convert.py           one cell into a value: money, integer, boolean, lists, categories
    rows.py              every row into application values, every problem with row and column
    application_yaml.py  one application written as YAML, the same bytes every time
    importer.py          plan (read, convert, check) then write: nothing half-written
    draft.py             a draft mapping from an export's headers and answers and a rubric
    summary.py           the lines an import prints when done
"""

from pine_select.intake.draft import draft_mapping
from pine_select.intake.importer import ImportPlan, ImportResult, plan_import, write_import

__all__ = ["ImportPlan", "ImportResult", "draft_mapping", "plan_import", "write_import"]
