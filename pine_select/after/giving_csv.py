"""A 360Giving package flattened to one CSV row per grant, under the standard's column titles.

The titles are the standard's own ("Amount Awarded", "Recipient Org:Identifier"), as its
spreadsheet template and flattening tools use them, so the file can be published or
converted back to JSON as it is. Each column reads one value of the JSON record, so the CSV
cannot say anything the validated JSON does not. Cells are neutralised against formula
injection by the project's one neutraliser (``report.cells``).
"""

from __future__ import annotations

from typing import Any

from pine_select.report.cells import csv_text

# (column title, path into a grant record: keys, and 0 for the first of a list)
COLUMNS: tuple[tuple[str, tuple[str | int, ...]], ...] = (
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Applied For", ("amountAppliedFor",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Award Date", ("awardDate",)),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Beneficiary Location:Name", ("beneficiaryLocation", 0, "name")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("From An Open Call?", ("fromOpenCall",)),
)


def giving_csv(package: dict[str, Any]) -> str:
    """The grants of ``package`` as CSV text (CRLF lines: write it as bytes)."""
    rows = [[_value(grant, path) for _, path in COLUMNS] for grant in package["grants"]]
    return csv_text([title for title, _ in COLUMNS], rows)


def _value(record: Any, path: tuple[str | int, ...]) -> object:
    for step in path:
        record = record[step]
    return record
