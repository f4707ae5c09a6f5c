"""What the readers of a call's files hand to the checks: models with their file and lines.

Its own module so that the checks, the readers and the loader all import it, and none of
them imports another (no import circle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pine_select.loading.yaml_source import YamlDocument
from pine_select.model.reviews import ReviewTable


@dataclass(frozen=True)
class Parsed:
    """A model read from a YAML file, with the file's label and line map for later checks.

    ``model`` is None when the file is valid YAML but not a valid model: its raw values
    still get the cross-file checks, so that one run reports every problem.
    """

    model: Any
    label: str
    doc: YamlDocument


@dataclass(frozen=True)
class Row:
    """A model made from one row of a CSV file, with the file's label and the row's line."""

    model: Any
    label: str
    line: int


@dataclass(frozen=True)
class Reviews:
    """The valid rows of reviews.csv as a table (each row knows its ``line``), and the file's
    label."""

    table: ReviewTable
    label: str = ""
