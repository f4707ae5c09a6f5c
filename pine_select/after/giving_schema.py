"""Validate a 360Giving package against the standard's own schema: the only jsonschema user.

The schema files ship in ``schema/`` (see its README): nothing is fetched. The package
schema refers to the grant schema by its published address (its ``$id``), which the
registry here resolves to the shipped copy. Formats are checked, "date-time" included:
jsonschema checks it only when rfc3339-validator is installed, so its absence is an
error here, not a silently weaker check.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from pine_select.errors import InputError, PineSelectError, Problem

PACKAGE_SCHEMA = "360-giving-package-schema.json"
GRANT_SCHEMA = "360-giving-schema.json"
MAX_REPORTED = 20


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files("pine_select.after") / "schema" / name)
                                      .read_text(encoding="utf-8"))
    return data


@cache
def package_validator() -> jsonschema.protocols.Validator:
    """A validator of 360Giving packages (1.4) that asserts formats, date-time included."""
    # The files name their dialect "http://json-schema.org/draft/2020-12/schema", which is
    # not the dialect's own address (https): it is given here instead of detected.
    grant = DRAFT202012.create_resource(_schema(GRANT_SCHEMA))
    registry: Registry[Any] = Registry().with_resource(grant.id() or GRANT_SCHEMA, grant)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    if "date-time" not in checker.checkers:
        raise PineSelectError("cannot check 360Giving dates: install rfc3339-validator "
                              "(a dependency of pine-select)")
    return jsonschema.Draft202012Validator(_schema(PACKAGE_SCHEMA), registry=registry,
                                           format_checker=checker)


def check_package(package: dict[str, Any], label: str) -> None:
    """Raise InputError listing where ``package`` breaks the 360Giving schema (by JSON path)."""
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    if errors:
        raise InputError([_problem(error, label) for error in errors[:MAX_REPORTED]])


def _problem(error: jsonschema.ValidationError, label: str) -> Problem:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return Problem(label, None, f"360Giving{where or ' package'}: {error.message}",
                   "data valid against the 360Giving Data Standard 1.4 schema",
                   code="not_360giving")
